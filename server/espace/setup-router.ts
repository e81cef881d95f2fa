// A référent's first login (services/referent-first-login.ts):
//   GET/POST /connexion/premiere-connexion         an e-mail address → the same answer for every address; a
//                                                  setup link e-mailed to a référent without a means of login
//   GET      /connexion/premiere-connexion/:token  the QR code of a new authenticator application (uses nothing:
//                                                  mail scanners open links); its secret waits, sealed, in the
//                                                  session, bound to this link
//   POST     /connexion/premiere-connexion/:token  a first right code → the application saved, the link used, a
//                                                  new session → /espace-referent
import { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import { ValidationError } from '../../domain/errors.js';
import { emailError, type FieldErrors } from '../../domain/habilitation-form.js';
import { FIRST_LOGIN_PATH } from '../../emails/espace-templates.js';
import { renderContext } from '../../emails/render.js';
import { applicationSecret, applicationUri, newApplicationSeed } from '../../services/cards.js';
import { createReferentFirstLogin, SETUP_LINK_NOT_WORKING } from '../../services/referent-first-login.js';
import type { ReferentWithoutDevice } from '../../services/setup-links.js';
import { asyncRoute } from '../web/async-route.js';
import { clientAddress } from '../web/client-address.js';
import { csrfToken, verifyCsrf } from '../web/csrf.js';
import type { Values } from '../web/form.js';
import type { EspaceDeps } from './index.js';
import { openEspaceSession, setNotice, takeNotice } from './session.js';
import { firstLoginRequestPage, setupLinkNotWorkingPage, setupPage } from './setup-pages.js';

declare module 'express-session' {
  interface SessionData {
    /** The application offered on a setup link's page, until a first code confirms it: for that link only. */
    pendingSetup?: { linkId: string; sealedSeed: string };
  }
}

const QR_CHANGED = 'Le QR code a changé : scannez celui-ci avec l’application, puis saisissez le code qu’elle affiche.';
const LOGGED_IN = 'Votre application d’authentification est enregistrée et vous êtes connecté(e). Pour vos prochaines connexions, saisissez votre adresse e-mail et un code de l’application sur la page « Se connecter ».';

export function setupRouter(deps: EspaceDeps): Router {
  const router = Router();
  const firstLogin = createReferentFirstLogin({
    sequelize: deps.sequelize, secrets: deps.secrets, lifecycles: deps.lifecycles,
    keys: { publicUrl: deps.config.http.publicUrl, secretsKey: deps.config.secrets.key, ttlMs: deps.config.espace.setupLinkTtlMs },
    render: renderContext(deps.config.http.publicUrl, { trainingRegistrationUrl: deps.config.habilitation.trainingRegistrationUrl }),
    onDeliveryError: (error) => deps.log.warn('a first-login e-mail could not be handed to Temporal yet', { error: error.message }),
    onOnboardingError: (error) => deps.log.warn('an onboarding could not be told of a validated card yet', { error: error.message }),
  });
  const csrf = (req: Request, res: Response) => csrfToken(req, res, deps.secure);

  router.get(FIRST_LOGIN_PATH, (req, res) => {
    res.send(firstLoginRequestPage({ values: {}, errors: {}, csrf: csrf(req, res), notice: takeNotice(req) }));
  });

  router.post(FIRST_LOGIN_PATH, verifyCsrf, asyncRoute(async (req, res) => {
    const email = String((req.body as Record<string, unknown>).email ?? '').trim().slice(0, 320);
    const problem = email ? emailError(email) : 'Saisissez votre adresse e-mail.';
    if (problem) {
      res.status(400).send(firstLoginRequestPage({ values: { email }, errors: { email: problem }, csrf: csrf(req, res) }));
      return;
    }
    const result = await firstLogin.requestSetupLink({ email, ip: clientAddress(req) });
    if (result.outcome === 'throttled') {
      res.status(429).send(firstLoginRequestPage({ values: { email }, errors: { email: result.message }, csrf: csrf(req, res) }));
      return;
    }
    setNotice(req, { type: 'info', message: result.message });
    res.redirect(303, FIRST_LOGIN_PATH);
  }));

  /** The secret offered on this link's page in this session (the same until confirmed: a reload keeps the QR code valid). */
  function pendingSeed(req: Request, linkId: string, create: boolean): string | null {
    const pending = req.session.pendingSetup;
    if (pending?.linkId === linkId) return deps.secrets.open(pending.sealedSeed);
    if (!create) return null;
    const seed = newApplicationSeed();
    req.session.pendingSetup = { linkId, sealedSeed: deps.secrets.seal(seed) };
    return seed;
  }

  async function showSetup(req: Request, res: Response, referent: ReferentWithoutDevice, seed: string, values: Values, errors: FieldErrors, notice?: { type: 'error'; message: string }) {
    const qrSvg = await QRCode.toString(applicationUri(seed, referent.email), { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
    return setupPage({
      action: `${FIRST_LOGIN_PATH}/${req.params.token}`, name: `${referent.firstName} ${referent.lastName}`, structureName: referent.organisationName,
      qrSvg, secret: applicationSecret(seed), csrf: csrf(req, res), values, errors, notice,
    });
  }

  const notWorking = (res: Response) => res.status(404).send(setupLinkNotWorkingPage(SETUP_LINK_NOT_WORKING));

  router.get(`${FIRST_LOGIN_PATH}/:token`, asyncRoute(async (req, res) => {
    const link = await firstLogin.openSetupLink(req.params.token);
    if (link.outcome !== 'valid') return notWorking(res);
    res.send(await showSetup(req, res, link.referent, pendingSeed(req, link.linkId, true)!, {}, {}));
  }));

  router.post(`${FIRST_LOGIN_PATH}/:token`, verifyCsrf, asyncRoute(async (req, res) => {
    const link = await firstLogin.openSetupLink(req.params.token);
    if (link.outcome !== 'valid') return notWorking(res);
    // Named like the login's code field (`otp`): a page answering an outage never writes it back.
    const values: Values = { otp: String((req.body as Record<string, unknown>).otp ?? '').slice(0, 20) };
    const seed = pendingSeed(req, link.linkId, false);
    if (!seed) {
      // No secret offered to this browser for this link (another browser, an expired session): a new QR code.
      res.status(400).send(await showSetup(req, res, link.referent, pendingSeed(req, link.linkId, true)!, {}, {}, { type: 'error', message: QR_CHANGED }));
      return;
    }
    let result;
    try {
      result = await firstLogin.confirmSetup({ token: req.params.token, seedHex: seed, code: values.otp!, ip: clientAddress(req) });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      // Like the login, a code is never written back (the next one is typed anyway).
      res.status(400).send(await showSetup(req, res, link.referent, seed, {}, { otp: error.fieldErrors.code ?? Object.values(error.fieldErrors)[0] }));
      return;
    }
    if (result.outcome !== 'logged_in') return notWorking(res);
    // A new session id (the pending secret goes with the old one).
    await openEspaceSession(req, { userId: result.userId, organisationId: result.organisationId });
    setNotice(req, { type: 'success', message: LOGGED_IN });
    res.redirect(303, '/espace-referent');
  }));

  return router;
}
