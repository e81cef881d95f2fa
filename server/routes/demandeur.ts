// The demandeur's way in: identity → e-mail confirmed (link valid 3 days) → private space listing their
// requests. Every page after an e-mail is typed is the same whether the address was known or not.
import { Router } from 'express';
import { HabilitationRequest, Issuer } from '../../db/models/index.js';
import { DomainError, NotFoundError } from '../../domain/errors.js';
import { emailError, parseIssuer } from '../../domain/habilitation-form.js';
import {
  confirmIssuerEmail, EMAIL_CONFIRMATION_DAYS, issuerAccessEmail, issuerOfConfirmation, issuerSpacePath, registerIssuer,
} from '../../services/issuers.js';
import type { AppDeps } from '../app.js';
import { asyncRoute, postedValues } from '../async-route.js';
import { csrfToken, verifyCsrf } from '../csrf.js';
import {
  awaitingIssuerConfirmationPage, checkMailboxPage, followRequestPage, issuerFormPage, issuerSpacePage, linkExpiredPage,
} from '../pages/demandeur.js';
import { issuerFromUrl, UUID } from './lookups.js';

export function demandeurRouter(deps: AppDeps): Router {
  const router = Router();
  const secure = deps.config.http.publicUrl.startsWith('https:');
  const mailboxPath = (confirmationId: string) => `/habilitation/verification/${confirmationId}`;

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
    if (!UUID.test(req.params.confirmationId)) throw new NotFoundError();
    res.send(checkMailboxPage(`${mailboxPath(req.params.confirmationId)}/renvoyer`, EMAIL_CONFIRMATION_DAYS, csrfToken(req, res, secure)));
  });

  router.post('/verification/:confirmationId/renvoyer', verifyCsrf, asyncRoute(async (req, res) => {
    const issuerId = UUID.test(req.params.confirmationId) ? await issuerOfConfirmation(req.params.confirmationId) : null;
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
    res.redirect(303, issuerSpacePath(result.issuerId));
  }));

  // « Suivre ma demande »: the link of one's space again, by e-mail; an unknown address gets nothing.
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

  router.get('/demandeur/:issuerId', asyncRoute(async (req, res) => {
    const issuer = await issuerFromUrl(req.params.issuerId);
    if (!issuer.emailVerifiedAt) {
      res.send(awaitingIssuerConfirmationPage(`${issuerSpacePath(issuer.id)}/renvoyer`, EMAIL_CONFIRMATION_DAYS, csrfToken(req, res, secure)));
      return;
    }
    const requests = await HabilitationRequest.findAll({ where: { issuerId: issuer.id }, order: [['createdAt', 'DESC']] });
    res.send(issuerSpacePage({ id: issuer.id, name: `${issuer.firstName} ${issuer.lastName}`, email: issuer.email, requests }));
  }));

  router.post('/demandeur/:issuerId/renvoyer', verifyCsrf, asyncRoute(async (req, res) => {
    const issuer = await issuerFromUrl(req.params.issuerId);
    res.redirect(303, mailboxPath(await sendAccessEmail(issuer.id)));
  }));

  return router;
}
