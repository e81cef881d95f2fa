// Public habilitation request: form → draft stored → the demandeur confirms their e-mail → the request's
// workflow starts → private status page. The page after the form is the same whether the e-mail was known
// or not: nothing about other people's requests is revealed.
import { Router, type Request, type Response } from 'express';
import { AidantOnboarding, AidantRequest, ComiteDecisionRecord, HabilitationRequest, Issuer, RequestMessage } from '../../db/models/index.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { AIDANT_ROWS, parseHabilitationRequest } from '../../domain/habilitation-form.js';
import { PLEDGE_KEYS } from '../../domain/habilitation.js';
import {
  confirmationEmail, confirmRequestEmail, createRequestDraft, EMAIL_CONFIRMATION_DAYS, postRequestMessage, updateRequestForResubmission,
} from '../../services/habilitation.js';
import type { AppDeps } from '../app.js';
import { asyncRoute, postedValues } from '../async-route.js';
import { csrfToken, verifyCsrf } from '../csrf.js';
import { errorPage } from '../pages/errors.js';
import { confirmationSentPage, habilitationFormPage, linkExpiredPage, requestStatusPage } from '../pages/habilitation.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function habilitationRouter(deps: AppDeps): Router {
  const router = Router();
  const secure = deps.config.http.publicUrl.startsWith('https:');
  const statusUrl = (id: string) => `/habilitation/demandes/${id}`;

  async function findRequest(id: string): Promise<HabilitationRequest> {
    const request = UUID.test(id) ? await HabilitationRequest.findByPk(id) : null;
    if (!request) throw new NotFoundError('Cette demande d’habilitation est introuvable. Vérifiez le lien reçu par e-mail.');
    return request;
  }

  async function sendConfirmation(res: Response, requestId: string): Promise<void> {
    try {
      await deps.lifecycles.sendEmail(await confirmationEmail(deps.config.http.publicUrl, requestId));
    } catch (error) {
      deps.log.error('could not send the confirmation e-mail', { requestId, error: (error as Error).message });
      res.status(503).send(errorPage(503, 'Votre demande est bien enregistrée, mais l’e-mail de confirmation n’a pas pu être envoyé. Réessayez l’envoi dans quelques minutes depuis la page suivante.'));
      return;
    }
    res.redirect(303, `${statusUrl(requestId)}/confirmation`);
  }

  router.get('/', (req, res) => {
    res.send(habilitationFormPage({ referentIsIssuer: 'on' }, {}, csrfToken(req, res, secure)));
  });

  router.post('/', verifyCsrf, asyncRoute(async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const { value, errors } = parseHabilitationRequest(body);
    if (!value) {
      res.status(400).send(habilitationFormPage(postedValues(body), errors, csrfToken(req, res, secure)));
      return;
    }
    const { request } = await createRequestDraft(deps.sequelize, value);
    await sendConfirmation(res, request.id);
  }));

  router.get('/demandes/:id/confirmation', asyncRoute(async (req, res) => {
    const request = await findRequest(req.params.id);
    if (request.submittedAt) return res.redirect(statusUrl(request.id));
    res.send(confirmationSentPage(request.id, EMAIL_CONFIRMATION_DAYS, csrfToken(req, res, secure)));
  }));

  router.post('/demandes/:id/renvoyer', verifyCsrf, asyncRoute(async (req, res) => {
    const request = await findRequest(req.params.id);
    if (request.submittedAt) return res.redirect(303, statusUrl(request.id));
    await sendConfirmation(res, request.id);
  }));

  router.get('/confirmer/:key', asyncRoute(async (req, res) => {
    const result = await confirmRequestEmail(deps.sequelize, req.params.key);
    if (result.outcome === 'unknown') throw new NotFoundError('Ce lien de confirmation n’est pas valide. Vérifiez qu’il a été copié en entier.');
    if (result.outcome === 'expired') {
      res.status(410).send(linkExpiredPage(result.requestId, EMAIL_CONFIRMATION_DAYS, csrfToken(req, res, secure)));
      return;
    }
    if (result.outcome === 'confirmed') {
      try {
        await deps.lifecycles.startHabilitationRequest(result.requestId);
      } catch (error) {
        // Confirmed and stored: the start-up sweep (resumeSubmittedDrafts) transmits it later.
        deps.log.error('could not start the habilitation workflow', { requestId: result.requestId, error: (error as Error).message });
        res.status(503).send(errorPage(503, `Votre demande est bien enregistrée, mais elle n’a pas encore pu être transmise au comité. Elle le sera automatiquement ; conservez ce lien pour la suivre : ${deps.config.http.publicUrl}${statusUrl(result.requestId)}`));
        return;
      }
    }
    res.redirect(303, statusUrl(result.requestId));
  }));

  async function statusPage(req: Request, res: Response, id: string, error?: string): Promise<string> {
    const request = await findRequest(id);
    const aidants = await AidantRequest.findAll({ where: { habilitationRequestId: request.id }, order: [['createdAt', 'ASC']] });
    const onboardings = await AidantOnboarding.findAll({ where: { habilitationRequestId: request.id } });
    const lastDecision = await ComiteDecisionRecord.findOne({ where: { habilitationRequestId: request.id }, order: [['decidedAt', 'DESC']] });
    const messages = await RequestMessage.findAll({ where: { habilitationRequestId: request.id }, order: [['createdAt', 'ASC']] });
    return requestStatusPage(request, aidants, onboardings, lastDecision?.motif ?? null, { messages, csrfToken: csrfToken(req, res, secure), error });
  }

  router.get('/demandes/:id', asyncRoute(async (req, res) => {
    res.send(await statusPage(req, res, req.params.id));
  }));

  router.post('/demandes/:id/messages', verifyCsrf, asyncRoute(async (req, res) => {
    const request = await findRequest(req.params.id);
    if (!request.submittedAt) return res.redirect(303, statusUrl(request.id));
    try {
      await postRequestMessage(
        { publicUrl: deps.config.http.publicUrl, anctEmail: deps.config.habilitation.anctEmail, sendEmail: (email) => deps.lifecycles.sendEmail(email) },
        { requestId: request.id, sender: 'demandeur', content: String(req.body.content ?? '') },
      );
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      res.status(400).send(await statusPage(req, res, request.id, error.fieldErrors.content));
      return;
    }
    res.redirect(303, `${statusUrl(request.id)}#messages`);
  }));

  // After « Demander des modifications »: the demandeur corrects the request, which goes back to the comité.
  async function editable(id: string) {
    const request = await findRequest(id);
    const issuer = (await Issuer.findByPk(request.issuerId))!;
    const mode = { action: `${statusUrl(request.id)}/modifier`, title: `Modifier la demande : ${request.name}`, pageTitle: 'Modifier la demande d’habilitation', issuer: { name: `${issuer.firstName} ${issuer.lastName}`, email: issuer.email } };
    const issuerFields = { issuerFirstName: issuer.firstName, issuerLastName: issuer.lastName, issuerEmail: issuer.email, issuerProfession: issuer.profession, issuerPhone: issuer.phone ?? '' };
    return { request, mode, issuerFields };
  }

  router.get('/demandes/:id/modifier', asyncRoute(async (req, res) => {
    const { request, mode, issuerFields } = await editable(req.params.id);
    if (request.status !== 'changes_required') return res.redirect(statusUrl(request.id));
    const aidants = await AidantRequest.findAll({ where: { habilitationRequestId: request.id }, order: [['createdAt', 'ASC']] });
    const values: Record<string, string> = {
      structureName: request.name, structureType: request.type, structureTypeOther: request.typeOther ?? '', siret: request.siret,
      address: request.address ?? '', zipcode: request.zipcode ?? '', city: request.city ?? '',
      franceServicesLabel: request.franceServicesLabel ? 'on' : '', franceServicesNumber: request.franceServicesNumber ?? '',
      referentIsAidant: request.referentIsAidant ? 'on' : '',
      ...(request.referentEmail === issuerFields.issuerEmail ? { referentIsIssuer: 'on' } : {
        referentFirstName: request.referentFirstName ?? '', referentLastName: request.referentLastName ?? '', referentEmail: request.referentEmail ?? '',
        referentPhone: request.referentPhone ?? '', referentProfession: request.referentProfession ?? '',
      }),
      ...Object.fromEntries(PLEDGE_KEYS.map((key) => [`pledge_${key}`, 'on'])),
    };
    aidants.slice(0, AIDANT_ROWS).forEach((a, i) => Object.assign(values, {
      [`aidant${i + 1}_firstName`]: a.firstName, [`aidant${i + 1}_lastName`]: a.lastName, [`aidant${i + 1}_email`]: a.email, [`aidant${i + 1}_profession`]: a.profession,
    }));
    res.send(habilitationFormPage(values, {}, csrfToken(req, res, secure), mode));
  }));

  router.post('/demandes/:id/modifier', verifyCsrf, asyncRoute(async (req, res) => {
    const { request, mode, issuerFields } = await editable(req.params.id);
    if (request.status !== 'changes_required') return res.redirect(303, statusUrl(request.id));
    const body = { ...(req.body as Record<string, unknown>), ...issuerFields };
    const { value, errors } = parseHabilitationRequest(body);
    if (!value) {
      res.status(400).send(habilitationFormPage(postedValues(body), errors, csrfToken(req, res, secure), mode));
      return;
    }
    await updateRequestForResubmission(deps.sequelize, request.id, value);
    await deps.lifecycles.resubmitHabilitationRequest(request.id);
    res.redirect(303, statusUrl(request.id));
  }));

  return router;
}
