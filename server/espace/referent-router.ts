// The espace référent: the structure's aidants, their onboarding and training, adding and deactivating aidants.
//   GET  /espace-referent                                   the aidants, their step, card, last login; pending requests
//   GET  /espace-referent/aidants/:aidantId                 one aidant (404 outside the current structure)
//   POST /espace-referent/aidants/:aidantId/desactiver | reactiver | retirer
//   POST /espace-referent/referents                         designate a co-référent (field `candidate`)
//   GET  /espace-referent/structure, POST …/structure/demarches   the structure's démarches
//   GET|POST /espace-referent/habilitations/:onboardingId/annuler   cancel an onboarding
//   GET|POST /espace-referent/ajouter-aidants/profil → aidants-a-former | aidant-forme → confirmation
// Mounted behind requireLogin + requireReferent (+ the activity check for pages) by server/espace/index.ts.
import { Router, type Request, type Response } from 'express';
import { DomainError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { AIDANT_ROWS, MAX_AIDANTS, type FieldErrors } from '../../domain/habilitation-form.js';
import {
  isAddProfile, newAidantRowsOf, parseNewAidants, parseTrainedEmail, REQUESTS_RECORDED, type AddProfile, type NewAidant,
} from '../../domain/structure-members.js';
import { renderContext } from '../../emails/render.js';
import {
  addTrainedAidant, cancelOnboardingAsReferent, deactivateAidant, designateReferent, findStructureOnboarding, findTrainedAidant, memberDetail,
  newAidantConflicts, reactivateAidant, removeAidant, requestAidantsToTrain, setAllowedDemarches, structureOverview, type Actor, type MembersDeps,
  type TrainedAidantMode,
} from '../../services/structure-members.js';
import { csrfToken, verifyCsrf } from '../web/csrf.js';
import { asyncRoute, postedValues } from '../web/async-route.js';
import type { EspaceDeps } from './index.js';
import {
  ADD_PATH, addConfirmPage, addProfilePage, addTrainedPage, addUntrainedPage, aidantPage, aidantPath, cancelOnboardingPage, dashboardPage,
  newAidantValues, REFERENT_PATH, structurePage, type AddRecap, type DashboardForms,
} from './referent-pages.js';
import { findManagedAidant } from './scope.js';
import { personOf, setNotice, takeNotice, type EspacePerson } from './session.js';

/** What the référent typed in « Ajouter des aidants », kept in the session between the steps. */
interface AddAidantsDraft {
  /** The structure the draft is for: a structure switch starts over. */
  organisationId: string;
  profile?: AddProfile;
  untrained?: NewAidant[];
  trained?: { email: string; name: string; mode: TrainedAidantMode };
}

declare module 'express-session' {
  interface SessionData {
    addAidants?: AddAidantsDraft;
  }
}

export function referentRouter(deps: EspaceDeps): Router {
  const router = Router();
  const members: MembersDeps = {
    sequelize: deps.sequelize,
    render: renderContext(deps.config.http.publicUrl, { trainingRegistrationUrl: deps.config.habilitation.trainingRegistrationUrl }),
    lifecycles: deps.lifecycles,
  };
  const context = (req: Request, res: Response) => ({ csrf: csrfToken(req, res, deps.secure), notice: takeNotice(req) });
  const actorOf = (person: EspacePerson): Actor => ({ actorId: person.user.id, organisationId: person.organisation.id });

  // --- The structure's aidants and pending requests

  async function dashboard(req: Request, res: Response, designate?: DashboardForms): Promise<string> {
    const person = personOf(res);
    return dashboardPage(person, context(req, res), await structureOverview(person.organisation.id), designate);
  }

  router.get('/', asyncRoute(async (req, res) => {
    res.send(await dashboard(req, res));
  }));

  router.post('/referents', verifyCsrf, asyncRoute(async (req, res) => {
    const person = personOf(res);
    const candidate = typeof req.body.candidate === 'string' ? req.body.candidate : '';
    try {
      const designated = await designateReferent(members, actorOf(person), candidate);
      setNotice(req, { type: 'success', message: `${designated} est désormais référent de la structure.` });
      res.redirect(303, `${REFERENT_PATH}#co-referent`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      res.status(400).send(await dashboard(req, res, { values: { candidate }, errors: error.fieldErrors }));
    }
  }));

  // --- One aidant

  async function aidant(req: Request, res: Response, aidantId: string, error?: string): Promise<string> {
    const person = personOf(res);
    const { user, membership } = await findManagedAidant(person, aidantId);
    const detail = await memberDetail(person.organisation.id, user, membership);
    return aidantPage(person, context(req, res), { ...detail, isSelf: user.id === person.user.id }, error);
  }

  router.get('/aidants/:aidantId', asyncRoute(async (req, res) => {
    res.send(await aidant(req, res, req.params.aidantId));
  }));

  /** An action on one aidant of the structure: a refusal is shown on the aidant's page. */
  const memberAction = (act: (actor: Actor, aidantId: string) => Promise<string>) => asyncRoute(async (req, res) => {
    const person = personOf(res);
    const { user } = await findManagedAidant(person, req.params.aidantId);
    try {
      setNotice(req, { type: 'success', message: await act(actorOf(person), user.id) });
    } catch (error) {
      if (!(error instanceof DomainError) || error instanceof NotFoundError) throw error;
      res.status(error.httpStatus).send(await aidant(req, res, user.id, error.message));
      return;
    }
    res.redirect(303, aidantPath(user.id));
  });

  router.post('/aidants/:aidantId/desactiver', verifyCsrf, memberAction(async (actor, id) => {
    await deactivateAidant(members, actor, id);
    return 'Le profil de l’aidant a été désactivé dans la structure.';
  }));
  router.post('/aidants/:aidantId/reactiver', verifyCsrf, memberAction(async (actor, id) => {
    await reactivateAidant(members, actor, id);
    return 'Le profil de l’aidant a été réactivé.';
  }));
  router.post('/aidants/:aidantId/retirer', verifyCsrf, asyncRoute(async (req, res) => {
    // After a removal the aidant is no longer reachable from this structure (unless deactivated): back to the list.
    const person = personOf(res);
    const { user } = await findManagedAidant(person, req.params.aidantId);
    try {
      const { deactivated, name } = await removeAidant(members, actorOf(person), user.id);
      setNotice(req, {
        type: 'success',
        message: deactivated ? `Le profil de ${name} a été désactivé avec succès : c’était sa dernière structure.` : `${name} a été retiré(e) de la structure ; son compte reste actif dans ses autres structures.`,
      });
    } catch (error) {
      if (!(error instanceof DomainError) || error instanceof NotFoundError) throw error;
      res.status(error.httpStatus).send(await aidant(req, res, user.id, error.message));
      return;
    }
    res.redirect(303, REFERENT_PATH);
  }));

  // --- The structure's démarches

  router.get('/structure', asyncRoute(async (req, res) => {
    const person = personOf(res);
    res.send(structurePage(person, context(req, res), person.organisation.allowedDemarches, {}));
  }));

  router.post('/structure/demarches', verifyCsrf, asyncRoute(async (req, res) => {
    const person = personOf(res);
    try {
      await setAllowedDemarches(members, actorOf(person), req.body.demarches);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      res.status(400).send(structurePage(person, context(req, res), [], error.fieldErrors));
      return;
    }
    setNotice(req, { type: 'success', message: 'Les démarches de la structure ont été enregistrées.' });
    res.redirect(303, `${REFERENT_PATH}/structure`);
  }));

  // --- Cancel an onboarding

  router.get('/habilitations/:onboardingId/annuler', asyncRoute(async (req, res) => {
    const person = personOf(res);
    const onboarding = await findStructureOnboarding(person.organisation.id, req.params.onboardingId);
    res.send(cancelOnboardingPage(person, context(req, res), onboarding, {}, {}));
  }));

  router.post('/habilitations/:onboardingId/annuler', verifyCsrf, asyncRoute(async (req, res) => {
    const person = personOf(res);
    const onboarding = await findStructureOnboarding(person.organisation.id, req.params.onboardingId);
    const reason = typeof req.body.reason === 'string' ? req.body.reason : '';
    try {
      await cancelOnboardingAsReferent(members, actorOf(person), onboarding.id, reason);
    } catch (error) {
      if (!(error instanceof DomainError) || error instanceof NotFoundError) throw error;
      const fieldErrors = error instanceof ValidationError ? error.fieldErrors : {};
      res.status(error.httpStatus).send(cancelOnboardingPage(person, context(req, res), onboarding, { reason }, fieldErrors, error instanceof ValidationError ? undefined : error.message));
      return;
    }
    setNotice(req, { type: 'success', message: `L’habilitation de ${onboarding.firstName} ${onboarding.lastName} a été annulée.` });
    res.redirect(303, `${REFERENT_PATH}#demandes`);
  }));

  // --- « Ajouter des aidants »: profile → the aidants → confirmation

  const draftOf = (req: Request, person: EspacePerson): AddAidantsDraft => {
    if (req.session.addAidants?.organisationId !== person.organisation.id) req.session.addAidants = { organisationId: person.organisation.id };
    return req.session.addAidants;
  };

  router.get('/ajouter-aidants', (_req, res) => { res.redirect(303, `${ADD_PATH}/profil`); });

  router.get('/ajouter-aidants/profil', asyncRoute(async (req, res) => {
    const person = personOf(res);
    res.send(addProfilePage(person, context(req, res), draftOf(req, person).profile, {}));
  }));

  router.post('/ajouter-aidants/profil', verifyCsrf, asyncRoute(async (req, res) => {
    const person = personOf(res);
    const profile = req.body.profile;
    if (!isAddProfile(profile)) {
      res.status(400).send(addProfilePage(person, context(req, res), undefined, { profile: 'Choisissez qui vous voulez ajouter.' }));
      return;
    }
    draftOf(req, person).profile = profile;
    res.redirect(303, profile === 'untrained' ? `${ADD_PATH}/aidants-a-former` : `${ADD_PATH}/aidant-forme`);
  }));

  router.get('/ajouter-aidants/aidants-a-former', asyncRoute(async (req, res) => {
    const person = personOf(res);
    const stored = draftOf(req, person).untrained ?? [];
    res.send(addUntrainedPage(person, context(req, res), newAidantValues(stored), {}, Math.min(Math.max(AIDANT_ROWS, stored.length), MAX_AIDANTS)));
  }));

  /** Errors of the aidants to train against the structure (members, requests already made), keyed by field. */
  async function untrainedErrors(person: EspacePerson, body: Record<string, unknown>): Promise<{ aidants?: NewAidant[]; errors: FieldErrors }> {
    const parsed = parseNewAidants(body);
    if (!parsed.value) return { errors: parsed.errors };
    const conflicts = await newAidantConflicts(person.organisation.id, parsed.value, parsed.rows);
    return Object.keys(conflicts).length > 0 ? { errors: conflicts } : { aidants: parsed.value, errors: {} };
  }

  router.post('/ajouter-aidants/aidants-a-former', verifyCsrf, asyncRoute(async (req, res) => {
    const person = personOf(res);
    const rows = newAidantRowsOf(req.body);
    if (req.body.addRow) {
      res.send(addUntrainedPage(person, context(req, res), postedValues(req.body), {}, Math.min(rows + 1, MAX_AIDANTS)));
      return;
    }
    const { aidants, errors } = await untrainedErrors(person, req.body);
    if (!aidants) {
      res.status(400).send(addUntrainedPage(person, context(req, res), postedValues(req.body), errors, rows));
      return;
    }
    const draft = draftOf(req, person);
    Object.assign(draft, { profile: 'untrained', untrained: aidants, trained: undefined });
    res.redirect(303, `${ADD_PATH}/confirmation`);
  }));

  router.get('/ajouter-aidants/aidant-forme', asyncRoute(async (req, res) => {
    const person = personOf(res);
    res.send(addTrainedPage(person, context(req, res), { email: draftOf(req, person).trained?.email ?? '' }, {}));
  }));

  router.post('/ajouter-aidants/aidant-forme', verifyCsrf, asyncRoute(async (req, res) => {
    const person = personOf(res);
    const values = postedValues(req.body);
    const parsed = parseTrainedEmail(req.body);
    try {
      if (!parsed.value) throw new ValidationError(parsed.errors);
      const { user, mode } = await findTrainedAidant(actorOf(person), parsed.value);
      Object.assign(draftOf(req, person), { profile: 'trained', trained: { email: user.email, name: `${user.firstName} ${user.lastName}`, mode }, untrained: undefined });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      res.status(400).send(addTrainedPage(person, context(req, res), values, error.fieldErrors));
      return;
    }
    res.redirect(303, `${ADD_PATH}/confirmation`);
  }));

  const recapOf = (draft: AddAidantsDraft): AddRecap | null => {
    if (draft.profile === 'untrained' && draft.untrained?.length) return { profile: 'untrained', aidants: draft.untrained };
    if (draft.profile === 'trained' && draft.trained) return { profile: 'trained', ...draft.trained };
    return null;
  };

  router.get('/ajouter-aidants/confirmation', asyncRoute(async (req, res) => {
    const person = personOf(res);
    const recap = recapOf(draftOf(req, person));
    if (!recap) return res.redirect(303, `${ADD_PATH}/profil`);
    res.send(addConfirmPage(person, context(req, res), recap));
  }));

  router.post('/ajouter-aidants/confirmation', verifyCsrf, asyncRoute(async (req, res) => {
    const person = personOf(res);
    const draft = draftOf(req, person);
    const recap = recapOf(draft);
    if (!recap) return res.redirect(303, `${ADD_PATH}/profil`);
    try {
      if (recap.profile === 'untrained') {
        await requestAidantsToTrain(members, actorOf(person), recap.aidants, recap.aidants.map((_, index) => index + 1));
      } else {
        await addTrainedAidant(members, actorOf(person), recap.email);
      }
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      // Things changed since the step was filled in (another référent, the ANCT): back to it, with the errors.
      const page = recap.profile === 'untrained'
        ? addUntrainedPage(person, context(req, res), newAidantValues(recap.aidants), error.fieldErrors, Math.max(AIDANT_ROWS, recap.aidants.length))
        : addTrainedPage(person, context(req, res), { email: recap.email }, error.fieldErrors);
      res.status(400).send(page);
      return;
    }
    delete req.session.addAidants;
    setNotice(req, { type: 'success', message: REQUESTS_RECORDED });
    res.redirect(303, REFERENT_PATH);
  }));

  return router;
}
