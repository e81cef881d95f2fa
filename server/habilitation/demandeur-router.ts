// The demandeur's way in: identity → e-mail confirmed (link valid 3 days) → private space listing their
// requests. Every page after an e-mail is typed is the same whether the address was known or not. The space
// opens with a private link e-mailed to the demandeur (GET /habilitation/lien/<token>) or the confirmation
// link, which open a session and redirect to an address without the token.
import { Router } from 'express';
import { HabilitationRequest, Issuer } from '../../db/models/index.js';
import { DomainError, NotFoundError } from '../../domain/errors.js';
import { emailError, parseIssuer } from '../../domain/habilitation-form.js';
import {
  confirmIssuerEmail, EMAIL_CONFIRMATION_DAYS, issuerAccessEmail, issuerOfConfirmation, registerIssuer, requestPath, revokeIssuerAccess, SPACE_PATH,
} from '../../services/issuers.js';
import { lookupIssuerLink, mintIssuerLink } from '../../services/private-links.js';
import type { AppDeps } from '../app.js';
import { asyncRoute, postedValues } from '../web/async-route.js';
import { csrfToken, verifyCsrf } from '../web/csrf.js';
import { closeDemandeurSession, openDemandeurSession } from './demandeur-session.js';
import {
  checkMailboxPage, followRequestPage, issuerFormPage, issuerSpacePage, linkExpiredPage, newLinkNeededPage, signedOutPage,
} from './demandeur-pages.js';
import { demandeurOf } from './lookups.js';
import { isUuid } from '../../domain/uuid.js';

export function demandeurRouter(deps: AppDeps): Router {
  const router = Router();
  const secure = deps.config.http.publicUrl.startsWith('https:');
  const mailboxPath = (confirmationId: string) => `/habilitation/verification/${confirmationId}`;
  const linkKeys = { publicUrl: deps.config.http.publicUrl, secretsKey: deps.config.secrets.key };

  /** Sends the issuer's access e-mail (confirmation or profile reminder); returns the confirmation's id. */
  async function sendAccessEmail(issuerId: string): Promise<string> {
    const { confirmationId, email } = await issuerAccessEmail(deps.config.http.publicUrl, issuerId);
    if (!email) return confirmationId;
    try {
      await deps.lifecycles.sendEmail(email);
    } catch (error) {
      deps.log.error('could not send the demandeur access e-mail', { issuerId, error: (error as Error).message });
      throw new DomainError('L’e-mail n’a pas pu être envoyé pour le moment. Réessayez dans quelques minutes.', 'email_unavailable', 503);
    }
    return confirmationId;
  }

  router.get('/', (req, res) => {
    res.send(issuerFormPage({}, {}, csrfToken(req, res, secure)));
  });

  router.post('/', verifyCsrf, asyncRoute(async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const { value, errors } = parseIssuer(body);
    if (!value) {
      res.status(400).send(issuerFormPage(postedValues(body), errors, csrfToken(req, res, secure)));
      return;
    }
    const issuer = await registerIssuer(deps.sequelize, value);
    res.redirect(303, mailboxPath(await sendAccessEmail(issuer.id)));
  }));

  router.get('/verification/:confirmationId', (req, res) => {
    if (!isUuid(req.params.confirmationId)) throw new NotFoundError();
    res.send(checkMailboxPage(`${mailboxPath(req.params.confirmationId)}/renvoyer`, EMAIL_CONFIRMATION_DAYS, csrfToken(req, res, secure)));
  });

  router.post('/verification/:confirmationId/renvoyer', verifyCsrf, asyncRoute(async (req, res) => {
    const issuerId = isUuid(req.params.confirmationId) ? await issuerOfConfirmation(req.params.confirmationId) : null;
    if (!issuerId) throw new NotFoundError('Ce lien n’est pas valide. Recommencez depuis le formulaire de demande.');
    res.redirect(303, mailboxPath(await sendAccessEmail(issuerId)));
  }));

  router.get('/confirmer/:key', asyncRoute(async (req, res) => {
    const result = await confirmIssuerEmail(deps.sequelize, req.params.key);
    if (result.outcome === 'unknown') throw new NotFoundError('Ce lien de confirmation n’est pas valide. Vérifiez qu’il a été copié en entier.');
    if (result.outcome === 'expired') {
      res.status(410).send(linkExpiredPage(`${mailboxPath(result.confirmationId)}/renvoyer`, EMAIL_CONFIRMATION_DAYS, csrfToken(req, res, secure)));
      return;
    }
    // The session rests on a link of its own (its token is not kept): « Révoquer tous mes liens » ends it too.
    const link = await mintIssuerLink(linkKeys, result.issuerId);
    await openDemandeurSession(req, { id: link.id, issuerId: result.issuerId });
    res.redirect(303, SPACE_PATH);
  }));

  // A private link (PRIVATE_LINK_PATH): checked, then traded for a session; the token leaves the address bar at once.
  router.get('/lien/:token', asyncRoute(async (req, res) => {
    const found = await lookupIssuerLink(deps.config.secrets.key, req.params.token);
    if (found.outcome !== 'valid') {
      res.status(404).send(newLinkNeededPage('link')); // the same answer whether unknown, expired or revoked
      return;
    }
    const { link } = found;
    const now = new Date();
    await link.update({ lastUsedAt: now });
    // Opening a link sent to the address proves it, like the confirmation link.
    await Issuer.update({ emailVerifiedAt: now }, { where: { id: link.issuerId, emailVerifiedAt: null } });
    await openDemandeurSession(req, link);
    res.redirect(303, link.habilitationRequestId ? requestPath(link.habilitationRequestId) : SPACE_PATH);
  }));

  // « Suivre ma demande »: a fresh link to one's space, by e-mail; an unknown address gets nothing.
  router.get('/suivre', (req, res) => {
    res.send(followRequestPage({}, {}, csrfToken(req, res, secure)));
  });

  router.post('/suivre', verifyCsrf, asyncRoute(async (req, res) => {
    const email = String(req.body.email ?? '').trim().toLowerCase();
    const error = emailError(email);
    if (error) {
      res.status(400).send(followRequestPage({ email }, { email: error }, csrfToken(req, res, secure)));
      return;
    }
    const issuer = await Issuer.findOne({ where: { email } });
    if (issuer) await sendAccessEmail(issuer.id);
    res.send(checkMailboxPage(null, EMAIL_CONFIRMATION_DAYS, csrfToken(req, res, secure)));
  }));

  // The space itself (requireDemandeur, mounted in app.ts, checked the session and its link).
  router.get('/espace', asyncRoute(async (req, res) => {
    const issuer = (await Issuer.findByPk(demandeurOf(res).issuerId))!;
    const requests = await HabilitationRequest.findAll({ where: { issuerId: issuer.id }, order: [['createdAt', 'DESC']] });
    res.send(issuerSpacePage({ name: `${issuer.firstName} ${issuer.lastName}`, email: issuer.email, requests }, csrfToken(req, res, secure)));
  }));

  router.post('/espace/deconnexion', verifyCsrf, asyncRoute(async (req, res) => {
    await closeDemandeurSession(req);
    res.send(signedOutPage(false));
  }));

  router.post('/espace/revoquer', verifyCsrf, asyncRoute(async (req, res) => {
    await revokeIssuerAccess(deps.sequelize, demandeurOf(res).issuerId);
    await closeDemandeurSession(req);
    res.send(signedOutPage(true));
  }));

  return router;
}
