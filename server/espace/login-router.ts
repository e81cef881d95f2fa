// Login of aidants and référents (e-mail + card code → single-use link by e-mail), the activity check and logout.
//   GET/POST /connexion             the form; a right e-mail and code e-mail a link (services/aidant-login.ts)
//   GET      /connexion/email-envoye
//   GET/POST /connexion/lien/:token  a page with « Me connecter »; only the POST uses the link and opens the session
//   POST     /deconnexion
//   GET/POST /reprise-activite       a card code again after inactivity, then back to `next` (a path of this site)
import { Router, type Request } from 'express';
import { CODE_PATTERN } from '../../domain/cards.js';
import { DomainError } from '../../domain/errors.js';
import { landingPath } from '../../domain/espace.js';
import { emailError, type FieldErrors } from '../../domain/habilitation-form.js';
import { renderContext } from '../../emails/render.js';
import { createAidantLogin, LINK_NOT_WORKING } from '../../services/aidant-login.js';
import { asyncRoute } from '../web/async-route.js';
import { clientAddress } from '../web/client-address.js';
import { csrfToken, verifyCsrf } from '../web/csrf.js';
import type { EspaceDeps } from './index.js';
import { activityCheckPage, linkNotWorkingPage, linkPage, linkSentPage, loginPage } from './login-pages.js';
import { closeEspaceSession, ESPACE_COOKIE, openEspaceSession, personOf, safeNext } from './session.js';

const CODE_FORMAT = 'Saisissez les 6 chiffres du code affiché par votre carte ou votre application.';
const UNSAFE_NEXT = 'L’adresse de retour demandée n’est pas une page d’Aidants Connect. Revenez à votre espace depuis le menu.';
const SIGNED_OUT = 'Vous avez été déconnecté.';

/** The 6-digit code as typed (spaces allowed between digits), with its error. */
function codeOf(body: Record<string, unknown>): { code: string; error?: string } {
  const code = String(body.otp ?? '').replace(/\s+/g, '');
  return CODE_PATTERN.test(code) ? { code } : { code, error: CODE_FORMAT };
}

/** `next` of the activity check: absent, or a path of this site; anything else is refused, never followed. */
function activityNext(value: unknown): string | null {
  if (value === undefined || value === '') return null;
  const next = safeNext(value);
  if (!next) throw new DomainError(UNSAFE_NEXT, 'unsafe_next', 400);
  return next;
}

export function loginRouter(deps: EspaceDeps): Router {
  const router = Router();
  const login = createAidantLogin({
    sequelize: deps.sequelize, cardCodes: deps.cardCodes, secrets: deps.secrets, lifecycles: deps.lifecycles,
    secretsKey: deps.config.secrets.key, linkTtlMs: deps.config.espace.loginLinkTtlMs,
    render: renderContext(deps.config.http.publicUrl, { trainingRegistrationUrl: deps.config.habilitation.trainingRegistrationUrl }),
  });
  const minutes = Math.max(1, Math.round(deps.config.espace.loginLinkTtlMs / 60_000));
  const csrf = (req: Request, res: Parameters<typeof csrfToken>[1]) => csrfToken(req, res, deps.secure);

  router.get('/connexion', (req, res) => {
    const next = safeNext(req.query.next);
    if (res.locals.person) return res.redirect(303, next ?? landingPath(personOf(res).membership));
    const notice = req.query.deconnexion === '1' ? { type: 'success' as const, message: SIGNED_OUT } : undefined;
    res.send(loginPage({ values: {}, errors: {}, next, notice, csrf: csrf(req, res) }));
  });

  router.post('/connexion', verifyCsrf, asyncRoute(async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const email = String(body.email ?? '').trim().slice(0, 320);
    const next = safeNext(body.next);
    const { code, error: codeError } = codeOf(body);
    const errors: FieldErrors = {};
    const emailProblem = email ? emailError(email) : 'Saisissez votre adresse e-mail.';
    if (emailProblem) errors.email = emailProblem;
    if (codeError) errors.otp = codeError;
    if (Object.keys(errors).length === 0) {
      const result = await login.requestLoginLink({ email, code, next, ip: clientAddress(req) });
      if (result.outcome === 'sent') return res.redirect(303, '/connexion/email-envoye');
      errors.identification = result.message;
      res.status(result.outcome === 'throttled' ? 429 : 401);
    } else {
      res.status(400);
    }
    res.send(loginPage({ values: { email }, errors, next, csrf: csrf(req, res) }));
  }));

  router.get('/connexion/email-envoye', (_req, res) => {
    res.send(linkSentPage(minutes));
  });

  // The address in the e-mail: a page only. Opening it uses nothing (mail scanners open links).
  router.get('/connexion/lien/:token', asyncRoute(async (req, res) => {
    const { token } = req.params;
    if (!(await login.isLiveLink(token))) {
      res.status(404).send(linkNotWorkingPage(LINK_NOT_WORKING));
      return;
    }
    res.send(linkPage(`/connexion/lien/${token}`, csrf(req, res)));
  }));

  router.post('/connexion/lien/:token', verifyCsrf, asyncRoute(async (req, res) => {
    const result = await login.consumeLoginLink(req.params.token, { ip: clientAddress(req) });
    if (result.outcome !== 'logged_in') {
      res.status(404).send(linkNotWorkingPage(result.message));
      return;
    }
    // A new session id: whatever session this browser held before (someone else's, one planted) is gone.
    await openEspaceSession(req, { userId: result.userId, organisationId: result.organisationId });
    res.redirect(303, safeNext(result.next) ?? result.landing);
  }));

  router.post('/deconnexion', verifyCsrf, asyncRoute(async (req, res) => {
    await closeEspaceSession(req);
    res.clearCookie(ESPACE_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: deps.secure });
    res.redirect(303, '/connexion?deconnexion=1');
  }));

  router.get('/reprise-activite', (req, res) => {
    const next = activityNext(req.query.next);
    if (!res.locals.person) return res.redirect(303, next ? `/connexion?next=${encodeURIComponent(next)}` : '/connexion');
    res.send(activityCheckPage(personOf(res), { errors: {}, next, csrf: csrf(req, res) }));
  });

  router.post('/reprise-activite', verifyCsrf, asyncRoute(async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const next = activityNext(body.next);
    if (!res.locals.person) return res.redirect(303, next ? `/connexion?next=${encodeURIComponent(next)}` : '/connexion');
    const person = personOf(res);
    const { code, error } = codeOf(body);
    let status = 400;
    let message = error;
    if (!message) {
      const result = await login.checkActivity({ userId: person.user.id, email: person.user.email, organisationId: person.organisation.id, code, ip: clientAddress(req) });
      if (result.outcome === 'checked') return res.redirect(303, next ?? landingPath(person.membership));
      [status, message] = [result.outcome === 'throttled' ? 429 : 401, result.message];
    }
    res.status(status).send(activityCheckPage(person, { errors: { otp: message }, next, csrf: csrf(req, res) }));
  }));

  return router;
}
