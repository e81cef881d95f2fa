// The training registrations of the espace référent (mounted under /espace-referent, behind the login, the
// référent check and the activity check): the list of the aidants awaiting training, and per aidant the
// sessions offered, to register, change or cancel. An aidant of another structure answers 404.
import { Router, type Request, type Response } from 'express';
import { DomainError, ValidationError } from '../../domain/errors.js';
import { placesLeft, registrationChangeError } from '../../domain/training.js';
import { de } from '../../emails/french.js';
import { renderContext } from '../../emails/render.js';
import { TrainingSession } from '../../db/models/index.js';
import {
  activeRegistrationOf, cancelRegistration, findScopedOnboarding, offeredSessions, registerToSession, takenPlaces, trainingOverview,
  type ReferentScope, type TrainingDeps,
} from '../../services/training-sessions.js';
import { asyncRoute } from '../web/async-route.js';
import { csrfToken, verifyCsrf } from '../web/csrf.js';
import type { EspaceDeps } from './index.js';
import { personOf, setNotice, takeNotice } from './session.js';
import { onboardingTrainingPage, trainingOverviewPage, trainingPath, type OnboardingTrainingView } from './training-pages.js';

export function trainingRouter(deps: EspaceDeps): Router {
  const router = Router();
  const render = renderContext(deps.config.http.publicUrl, { trainingRegistrationUrl: deps.config.habilitation.trainingRegistrationUrl });
  const training: TrainingDeps = { sequelize: deps.sequelize, render, sendEmail: (delivery) => deps.lifecycles.sendEmail(delivery) };
  const scopeOf = (res: Response): ReferentScope => {
    const person = personOf(res);
    return { userId: person.user.id, organisationId: person.organisation.id };
  };

  async function viewOf(res: Response, onboardingId: string): Promise<OnboardingTrainingView> {
    const onboarding = await findScopedOnboarding(scopeOf(res), onboardingId);
    const registration = await activeRegistrationOf(onboarding.id);
    const session = registration ? await TrainingSession.findByPk(registration.sessionId) : null;
    const taken = session ? (await takenPlaces([session.id])).get(session.id) ?? 0 : 0;
    return {
      onboarding,
      current: session ? { session, placesLeft: placesLeft(session, taken) } : null,
      offers: onboarding.status === 'awaiting_training' ? await offeredSessions(onboarding) : [],
      locked: session ? registrationChangeError(session, new Date()) !== null : false,
    };
  }

  /** The aidant's page again, with the refusal next to the sessions (or above, when it is not about them). */
  async function showRefusal(req: Request, res: Response, error: DomainError): Promise<void> {
    const view = await viewOf(res, req.params.onboardingId);
    const sessionId = typeof req.body?.sessionId === 'string' ? req.body.sessionId : undefined;
    const page = (options: Partial<Parameters<typeof onboardingTrainingPage>[1]>) =>
      onboardingTrainingPage(personOf(res), { csrf: csrfToken(req, res, deps.secure), contactEmail: render.contactEmail, values: { sessionId }, ...options }, view);
    if (error instanceof ValidationError) res.status(400).send(page({ errors: error.fieldErrors }));
    else res.status(error.httpStatus).send(page({ notice: { type: 'error', message: error.message } }));
  }

  router.get('/formations', asyncRoute(async (req, res) => {
    const person = personOf(res);
    const rows = await trainingOverview(person.organisation.id);
    res.send(trainingOverviewPage(person, { csrf: csrfToken(req, res, deps.secure), notice: takeNotice(req) }, rows));
  }));

  router.get('/formations/:onboardingId', asyncRoute(async (req, res) => {
    const view = await viewOf(res, req.params.onboardingId);
    res.send(onboardingTrainingPage(personOf(res), { csrf: csrfToken(req, res, deps.secure), contactEmail: render.contactEmail, notice: takeNotice(req) }, view));
  }));

  router.post('/formations/:onboardingId', verifyCsrf, asyncRoute(async (req, res) => {
    const onboardingId = req.params.onboardingId;
    const sessionId = typeof req.body?.sessionId === 'string' ? req.body.sessionId.trim() : '';
    try {
      const outcome = await registerToSession(training, scopeOf(res), { onboardingId, sessionId });
      const onboarding = await findScopedOnboarding(scopeOf(res), onboardingId);
      const name = `${onboarding.firstName} ${onboarding.lastName}`;
      setNotice(req, {
        registered: { type: 'success' as const, message: `${name} est inscrit(e) à la session. Un e-mail de confirmation a été envoyé à l’aidant et aux référents de la structure.` },
        changed: { type: 'success' as const, message: `La session ${de(name)} a été changée. Un e-mail a été envoyé à l’aidant et aux référents de la structure.` },
        unchanged: { type: 'info' as const, message: `${name} était déjà inscrit(e) à cette session.` },
      }[outcome]);
      res.redirect(303, trainingPath(onboardingId));
    } catch (error) {
      if (!(error instanceof DomainError) || error.httpStatus === 404) throw error;
      await showRefusal(req, res, error);
    }
  }));

  router.post('/formations/:onboardingId/annulation', verifyCsrf, asyncRoute(async (req, res) => {
    const onboardingId = req.params.onboardingId;
    try {
      const cancelled = await cancelRegistration(training, scopeOf(res), { onboardingId });
      setNotice(req, cancelled
        ? { type: 'success', message: 'L’inscription a été annulée. Un e-mail a été envoyé à l’aidant et aux référents de la structure.' }
        : { type: 'info', message: 'Cet aidant n’était inscrit à aucune session.' });
      res.redirect(303, trainingPath(onboardingId));
    } catch (error) {
      if (!(error instanceof DomainError) || error.httpStatus === 404) throw error;
      await showRefusal(req, res, error);
    }
  }));

  return router;
}
