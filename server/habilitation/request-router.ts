// One habilitation request in the demandeur's space (behind their session, see server/habilitation/demandeur-session.ts):
// the steps saved as a draft (structure, référent, aidants, engagements and envoi), then the read-only status
// page with the message thread. Submitting starts the request's workflow; after « Demander des
// modifications » the same steps lead to a resubmission.
import { Router, type Request, type Response } from 'express';
import { AidantOnboarding, AidantRequest, ComiteDecisionRecord, HabilitationRequest, Issuer, RequestMessage } from '../../db/models/index.js';
import { InvalidTransitionError, NotFoundError, ValidationError } from '../../domain/errors.js';
import {
  AIDANT_ROWS, aidantRowsOf, firstIncompleteStep, MAX_AIDANTS, parseAidants, parsePledges, parseReferent, parseStructure,
  REQUEST_STEP_KEYS, type RequestStep,
} from '../../domain/habilitation-form.js';
import { cancelReasonError, canCancelOnboarding, PLEDGE_KEYS, STRUCTURE_TYPES } from '../../domain/habilitation.js';
import {
  createRequestDraft, draftCreatedEmail, isEditable, postRequestMessage, saveAidants, saveReferent, saveStructure, submitRequest,
} from '../../services/habilitation.js';
import { requestPath, SPACE_PATH } from '../../services/issuers.js';
import type { AppDeps } from '../app.js';
import { asyncRoute, postedValues } from '../web/async-route.js';
import { csrfToken, verifyCsrf } from '../web/csrf.js';
import { errorPage } from '../web/error-pages.js';
import { requestStatusPage, type CancelForm } from './request-status-pages.js';
import {
  aidantsStepPage, referentStepPage, structureStepPage, submitStepPage, type StepContext,
} from './request-step-pages.js';
import type { Values } from '../web/form.js';
import { cancelOnboardingUpdate } from '../../workflows/messages.js';
import { demandeurOf, ownRequest } from './lookups.js';
import { isUuid } from '../../domain/uuid.js';

/** Why the last step sent the demandeur back to an earlier one (the reference service's wording). */
const MISSING_BEFORE_SUBMISSION: Partial<Record<RequestStep, string>> = {
  referent: 'Veuillez ajouter le ou la référente de la structure avant validation.',
  aidants: 'Veuillez indiquer au moins un aidant à former avant validation.',
};

/** Errors of the status page's forms: the message thread, or one aidant's cancellation. */
interface PageErrors { message?: string; cancel?: CancelForm }

const stepPath = (requestId: string, step: RequestStep) => `${requestPath(requestId)}/${step}`;

/** The stored values of each step, to fill its form again. */
function structureValues(request: HabilitationRequest): Values {
  return {
    name: request.name, type: request.type, typeOther: request.typeOther ?? '', siret: request.siret,
    address: request.address ?? '', zipcode: request.zipcode ?? '', city: request.city ?? '',
    franceServicesLabel: request.franceServicesLabel ? 'on' : '', franceServicesNumber: request.franceServicesNumber ?? '',
    webSite: request.webSite ?? '', missionDescription: request.missionDescription ?? '',
  };
}

function referentValues(request: HabilitationRequest, issuer: Issuer): Values {
  if (!request.referentEmail) return { referentIsIssuer: 'on', phone: issuer.phone ?? '' };
  const isIssuer = request.referentEmail === issuer.email;
  return {
    referentIsIssuer: isIssuer ? 'on' : '', isAidant: request.referentIsAidant ? 'on' : '', phone: request.referentPhone ?? '',
    ...(isIssuer ? {} : {
      firstName: request.referentFirstName ?? '', lastName: request.referentLastName ?? '',
      email: request.referentEmail, profession: request.referentProfession ?? '',
    }),
  };
}

function aidantValues(aidants: AidantRequest[]): Values {
  const values: Values = {};
  aidants.forEach((a, i) => Object.assign(values, {
    [`aidant${i + 1}_firstName`]: a.firstName, [`aidant${i + 1}_lastName`]: a.lastName,
    [`aidant${i + 1}_email`]: a.email, [`aidant${i + 1}_profession`]: a.profession,
  }));
  return values;
}

export function habilitationRouter(deps: AppDeps): Router {
  const router = Router();
  const secure = deps.config.http.publicUrl.startsWith('https:');

  const aidantsOf = (requestId: string) => AidantRequest.findAll({ where: { habilitationRequestId: requestId }, order: [['createdAt', 'ASC'], ['email', 'ASC']] });

  /**
   * The request behind a step page, when the demandeur may still edit it and the earlier steps are done;
   * otherwise the answer is a redirect (to the status page, or to the first step left to fill in).
   */
  async function stepRequest(req: Request, res: Response, step: RequestStep) {
    const request = await ownRequest(res, req.params.id);
    if (!isEditable(request)) {
      res.redirect(303, requestPath(request.id));
      return null;
    }
    const aidants = await aidantsOf(request.id);
    const firstIncomplete = firstIncompleteStep(request, aidants.length);
    if (REQUEST_STEP_KEYS.indexOf(step) > REQUEST_STEP_KEYS.indexOf(firstIncomplete)) {
      // The last step sends the demandeur back with the reason (shown there), not silently.
      res.redirect(303, `${stepPath(request.id, firstIncomplete)}${step === 'envoi' ? `?manquant=${firstIncomplete}` : ''}`);
      return null;
    }
    const issuer = (await Issuer.findByPk(request.issuerId))!;
    const missing = req.method === 'GET' && req.query.manquant === step ? MISSING_BEFORE_SUBMISSION[step] : undefined;
    const context: StepContext = {
      requestId: request.id, action: stepPath(request.id, step), structureName: request.name,
      resubmission: request.status === 'changes_required', csrfToken: csrfToken(req, res, secure), notice: missing,
    };
    return { request, aidants, issuer, context };
  }

  // After each saved step: the next one, or the previous one when asked (the button saves too: nothing typed is lost).
  const next = (req: Request, res: Response, requestId: string, step: RequestStep) => {
    const offset = req.body?.direction === 'previous' && step !== 'structure' ? -1 : 1;
    res.redirect(303, stepPath(requestId, REQUEST_STEP_KEYS[REQUEST_STEP_KEYS.indexOf(step) + offset]));
  };

  // --- Structure: creates the draft from the demandeur's space, then edits it.
  const newDraftContext = (req: Request, res: Response): StepContext =>
    ({ requestId: null, action: `${SPACE_PATH}/nouvelle-demande`, csrfToken: csrfToken(req, res, secure) });

  router.get('/espace/nouvelle-demande', (req, res) => {
    res.send(structureStepPage(newDraftContext(req, res), {}, {}));
  });

  router.post('/espace/nouvelle-demande', verifyCsrf, asyncRoute(async (req, res) => {
    const { issuerId } = demandeurOf(res);
    const body = req.body as Record<string, unknown>;
    const { value, errors } = parseStructure(body);
    if (!value) {
      res.status(400).send(structureStepPage(newDraftContext(req, res), postedValues(body), errors));
      return;
    }
    const request = await createRequestDraft(issuerId, value);
    try {
      await deps.lifecycles.sendEmail(await draftCreatedEmail(request.id));
    } catch (error) {
      // The draft is saved and its link is on the next page: the e-mail is a convenience.
      deps.log.error('could not send the draft-created e-mail', { requestId: request.id, error: (error as Error).message });
    }
    next(req, res, request.id, 'structure');
  }));

  router.get('/espace/demandes/:id/structure', asyncRoute(async (req, res) => {
    const found = await stepRequest(req, res, 'structure');
    if (found) res.send(structureStepPage(found.context, structureValues(found.request), {}));
  }));

  router.post('/espace/demandes/:id/structure', verifyCsrf, asyncRoute(async (req, res) => {
    const found = await stepRequest(req, res, 'structure');
    if (!found) return;
    const body = req.body as Record<string, unknown>;
    const { value, errors } = parseStructure(body);
    if (!value) {
      res.status(400).send(structureStepPage(found.context, postedValues(body), errors));
      return;
    }
    await saveStructure(deps.sequelize, found.request.id, value);
    next(req, res, found.request.id, 'structure');
  }));

  // --- Référent
  const issuerIdentity = (issuer: Issuer) => ({ name: `${issuer.firstName} ${issuer.lastName}`, email: issuer.email });

  router.get('/espace/demandes/:id/referent', asyncRoute(async (req, res) => {
    const found = await stepRequest(req, res, 'referent');
    if (found) res.send(referentStepPage(found.context, referentValues(found.request, found.issuer), {}, issuerIdentity(found.issuer)));
  }));

  router.post('/espace/demandes/:id/referent', verifyCsrf, asyncRoute(async (req, res) => {
    const found = await stepRequest(req, res, 'referent');
    if (!found) return;
    const body = req.body as Record<string, unknown>;
    const { value, errors } = parseReferent(body, found.issuer);
    if (!value) {
      res.status(400).send(referentStepPage(found.context, postedValues(body), errors, issuerIdentity(found.issuer)));
      return;
    }
    await saveReferent(deps.sequelize, found.request.id, value);
    next(req, res, found.request.id, 'referent');
  }));

  // --- Aidants to train (« Ajouter une ligne » shows one more row and keeps what was typed, without saving)
  router.get('/espace/demandes/:id/aidants', asyncRoute(async (req, res) => {
    const found = await stepRequest(req, res, 'aidants');
    if (!found) return;
    const rows = Math.min(Math.max(AIDANT_ROWS, found.aidants.length + 1), MAX_AIDANTS);
    res.send(aidantsStepPage(found.context, aidantValues(found.aidants), {}, rows));
  }));

  router.post('/espace/demandes/:id/aidants', verifyCsrf, asyncRoute(async (req, res) => {
    const found = await stepRequest(req, res, 'aidants');
    if (!found) return;
    const body = req.body as Record<string, unknown>;
    const rows = aidantRowsOf(body);
    if (body.addRow) {
      res.send(aidantsStepPage(found.context, postedValues(body), {}, Math.min(rows + 1, MAX_AIDANTS)));
      return;
    }
    const { value, errors } = parseAidants(body, { email: found.request.referentEmail!, isAidant: found.request.referentIsAidant });
    if (!value) {
      res.status(400).send(aidantsStepPage(found.context, postedValues(body), errors, rows));
      return;
    }
    await saveAidants(deps.sequelize, found.request.id, value);
    next(req, res, found.request.id, 'aidants');
  }));

  // --- Engagements and envoi: a recap of what is saved, the five pledges, submission.
  function recapOf(request: HabilitationRequest, aidants: AidantRequest[]) {
    return {
      structure: [
        ['Nom', request.name], ['Type', request.type === 'autre' ? request.typeOther ?? '' : STRUCTURE_TYPES[request.type]], ['SIRET', request.siret],
        ['Adresse', `${request.address ?? ''}, ${request.zipcode ?? ''} ${request.city ?? ''}`],
        ['France Services', request.franceServicesNumber ? `Labellisée (n° ${request.franceServicesNumber})` : 'Non labellisée'],
        ['Site internet', request.webSite ?? ''], ['Missions', request.missionDescription ?? ''],
      ] as [string, string][],
      referent: [
        ['Nom', `${request.referentFirstName ?? ''} ${request.referentLastName ?? ''}`], ['E-mail', request.referentEmail ?? ''],
        ['Téléphone mobile', request.referentPhone ?? ''], ['Profession', request.referentProfession ?? ''],
      ] as [string, string][],
      aidants: aidants.map((a) => `${a.firstName} ${a.lastName} (${a.email}), ${a.profession}`),
      referentIsAidant: request.referentIsAidant,
    };
  }

  router.get('/espace/demandes/:id/envoi', asyncRoute(async (req, res) => {
    const found = await stepRequest(req, res, 'envoi');
    if (!found) return;
    const pledges = found.request.status === 'changes_required' ? Object.fromEntries(PLEDGE_KEYS.map((k) => [`pledge_${k}`, 'on'])) : {};
    res.send(submitStepPage(found.context, recapOf(found.request, found.aidants), pledges, {}));
  }));

  router.post('/espace/demandes/:id/envoi', verifyCsrf, asyncRoute(async (req, res) => {
    const found = await stepRequest(req, res, 'envoi');
    if (!found) return;
    const body = req.body as Record<string, unknown>;
    const { value, errors } = parsePledges(body);
    let outcome: 'submitted' | 'resubmitted';
    try {
      if (!value) throw new ValidationError(errors);
      outcome = await submitRequest(deps.sequelize, found.request.id, value);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      res.status(400).send(submitStepPage(found.context, recapOf(found.request, found.aidants), postedValues(body), error.fieldErrors));
      return;
    }
    try {
      if (outcome === 'submitted') await deps.lifecycles.startHabilitationRequest(found.request.id);
      else await deps.lifecycles.resubmitHabilitationRequest(found.request.id);
    } catch (error) {
      // Submitted (or resubmitted) and stored: the web process's sweep (startSubmissionSweep) transmits it later.
      deps.log.error('could not hand the request to its workflow', { requestId: found.request.id, outcome, error: (error as Error).message });
      res.status(503).send(errorPage(503, `Votre demande est bien enregistrée, mais elle n’a pas encore pu être transmise au comité. Nous réessayons automatiquement chaque minute : elle lui sera transmise dès que possible, sans rien renvoyer de votre part ; conservez ce lien pour la suivre : ${deps.config.http.publicUrl}${requestPath(found.request.id)}`));
      return;
    }
    res.redirect(303, requestPath(found.request.id));
  }));

  // --- The status page and the message thread
  async function statusPage(req: Request, res: Response, id: string, errors: PageErrors = {}): Promise<string> {
    const request = await ownRequest(res, id);
    const aidants = await aidantsOf(request.id);
    const onboardings = await AidantOnboarding.findAll({ where: { habilitationRequestId: request.id } });
    const lastDecision = await ComiteDecisionRecord.findOne({ where: { habilitationRequestId: request.id }, order: [['decidedAt', 'DESC']] });
    const messages = await RequestMessage.findAll({ where: { habilitationRequestId: request.id }, order: [['createdAt', 'ASC']] });
    const nextStep = isEditable(request) ? firstIncompleteStep(request, aidants.length) : null;
    return requestStatusPage(request, aidants, onboardings, lastDecision?.motif ?? null, { messages, csrfToken: csrfToken(req, res, secure), error: errors.message }, nextStep, errors.cancel);
  }

  router.get('/espace/demandes/:id', asyncRoute(async (req, res) => {
    res.send(await statusPage(req, res, req.params.id));
  }));

  // The structure's side may cancel an aidant's onboarding at any step (the ANCT does it from /admin).
  router.post('/espace/demandes/:id/aidants/:onboardingId/annuler', verifyCsrf, asyncRoute(async (req, res) => {
    const request = await ownRequest(res, req.params.id);
    const onboarding = isUuid(req.params.onboardingId)
      ? await AidantOnboarding.findOne({ where: { id: req.params.onboardingId, habilitationRequestId: request.id } })
      : null;
    if (!onboarding) throw new NotFoundError('Cet aidant ne fait pas partie de cette demande.');
    // A finished lifecycle no longer answers updates: say why here rather than « no lifecycle running ».
    if (!canCancelOnboarding(onboarding.status)) throw new InvalidTransitionError('Cette habilitation est déjà terminée ou annulée.');
    const reason = String(req.body.reason ?? '').trim();
    const error = cancelReasonError(reason);
    if (error) {
      res.status(400).send(await statusPage(req, res, request.id, { cancel: { onboardingId: onboarding.id, error, reason } }));
      return;
    }
    await deps.lifecycles.updateOnboarding(onboarding.id, cancelOnboardingUpdate, { reason, requestedBy: 'demandeur' });
    res.redirect(303, `${requestPath(request.id)}#aidants`);
  }));

  router.post('/espace/demandes/:id/messages', verifyCsrf, asyncRoute(async (req, res) => {
    const request = await ownRequest(res, req.params.id);
    if (!request.submittedAt) return res.redirect(303, requestPath(request.id));
    try {
      await postRequestMessage(
        {
          publicUrl: deps.config.http.publicUrl, anctEmail: deps.config.habilitation.anctEmail,
          links: { publicUrl: deps.config.http.publicUrl, secretsKey: deps.config.secrets.key }, sendEmail: (email) => deps.lifecycles.sendEmail(email),
        },
        { requestId: request.id, sender: 'demandeur', content: String(req.body.content ?? '') },
      );
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      res.status(400).send(await statusPage(req, res, request.id, { message: error.fieldErrors.content }));
      return;
    }
    res.redirect(303, `${requestPath(request.id)}#messages`);
  }));

  return router;
}
