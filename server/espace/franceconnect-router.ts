// The usager's identification with FranceConnect, in the espace aidant (mounted under /espace-aidant behind
// requireLogin; every route here requires an aidant who can create mandats):
//   GET /espace-aidant/franceconnect/retour        FranceConnect's callback: the usager identified, the browser
//                                                  goes through FranceConnect's logout at once
//   GET /espace-aidant/franceconnect/deconnexion   back from that logout: to the identification's returnTo
//                                                  (?connexion=<id>, e.g. the mandat recap)
//   GET /espace-aidant/franceconnect/essai         DEV_TOOLS only: identify a usager and show who it was
// Any failure ends on « L’identification de l’usager n’a pas abouti » with the reason and a way to start again.
// Pages that start an identification (the mandat creation) call redirectToFranceConnect.
import { Router, type Request, type Response } from 'express';
import { NotFoundError } from '../../domain/errors.js';
import { createFranceConnectClient, IdentificationFailure, type FranceConnectClient, type StartIdentification } from '../../services/franceconnect-client.js';
import { asyncRoute } from '../web/async-route.js';
import { csrfToken } from '../web/csrf.js';
import { identificationFailedPage, identifiedUsagerPage } from './franceconnect-pages.js';
import type { EspaceDeps } from './index.js';
import { personOf, requireAidant, safeNext } from './session.js';

declare module 'express-session' {
  interface SessionData {
    /** Where « Recommencer l’identification » leads after a failed FranceConnect identification. */
    franceconnectRestart?: string;
  }
}

export const FRANCECONNECT_CALLBACK_PATH = '/espace-aidant/franceconnect/retour';
export const FRANCECONNECT_POST_LOGOUT_PATH = '/espace-aidant/franceconnect/deconnexion';
const ESSAI_PATH = '/espace-aidant/franceconnect/essai';

const aidantSession = (req: Request, res: Response) => {
  const person = personOf(res);
  return { aidantId: person.user.id, organisationId: person.organisation.id, sessionId: req.sessionID };
};

/**
 * Starts identifying a usager for the logged-in aidant: a connection is stored and the browser sent to
 * FranceConnect. `restartUrl` is where the failure page offers to start again (a path of this site).
 */
export async function redirectToFranceConnect(
  client: FranceConnectClient, req: Request, res: Response,
  input: Pick<StartIdentification, 'returnTo' | 'draft'> & { restartUrl: string },
): Promise<void> {
  req.session.franceconnectRestart = safeNext(input.restartUrl) ?? '/espace-aidant';
  const { authorizationUrl } = await client.startIdentification({ ...aidantSession(req, res), returnTo: input.returnTo, draft: input.draft });
  res.redirect(303, authorizationUrl);
}

export function franceconnectRouter(deps: EspaceDeps, client: FranceConnectClient = createFranceConnectClient({
  config: deps.config.franceconnect, secretsKey: deps.config.secrets.key, sequelize: deps.sequelize,
})): Router {
  const router = Router();
  router.use('/franceconnect', requireAidant);

  /** Runs a step of the identification; a failure shows the French failure page (nothing was created). */
  const step = (fn: (req: Request, res: Response) => Promise<void>) => asyncRoute(async (req, res) => {
    try {
      await fn(req, res);
    } catch (error) {
      if (!(error instanceof IdentificationFailure)) throw error;
      deps.log.warn('FranceConnect identification failed', { reason: error.reason, detail: error.detail, aidant: personOf(res).user.id });
      res.status(error.reason === 'unreachable' ? 502 : 400).send(identificationFailedPage(personOf(res), {
        csrf: csrfToken(req, res, deps.secure), reason: error.message, retryUrl: req.session.franceconnectRestart ?? '/espace-aidant',
      }));
    }
  });

  router.get('/franceconnect/retour', step(async (req, res) => {
    const { endSessionUrl } = await client.completeIdentification(req.originalUrl, aidantSession(req, res));
    res.redirect(303, endSessionUrl);
  }));

  router.get('/franceconnect/deconnexion', step(async (req, res) => {
    const { location } = await client.finishLogout(req.query.state, aidantSession(req, res));
    res.redirect(303, location);
  }));

  if (deps.config.http.devTools) {
    router.get('/franceconnect/essai', step((req, res) => redirectToFranceConnect(client, req, res, { returnTo: `${ESSAI_PATH}/usager`, restartUrl: ESSAI_PATH })));

    router.get('/franceconnect/essai/usager', asyncRoute(async (req, res) => {
      const person = personOf(res);
      const found = await client.findIdentification(String(req.query.connexion ?? ''), { aidantId: person.user.id, organisationId: person.organisation.id });
      if (!found) throw new NotFoundError('Cette identification n’existe pas ou ne vous appartient pas.');
      res.send(identifiedUsagerPage(person, { csrf: csrfToken(req, res, deps.secure), usager: found.usager, identifiedAt: found.identifiedAt }));
    }));
  }
  return router;
}
