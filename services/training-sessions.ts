// Training sessions in the database: what the espace référent (registrations) and the back-office (sessions,
// attendance) share. A registration, a change of session or a cancellation is one transaction: the onboarding
// row is locked (one action at a time per aidant), then the session row (its places are counted under that
// lock, so two référents never overfill it; a database trigger checks it again), the change is journaled and
// the e-mails to everyone concerned are stored; they are delivered after the commit.
import { col, fn, Op, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import { AidantOnboarding, Organisation, OrganisationMembership, TrainingRegistration, TrainingSession, User } from '../db/models/index.js';
import { DomainError, InvalidTransitionError, NotFoundError, ValidationError } from '../domain/errors.js';
import { ONBOARDING_STATUSES, type OnboardingStatus } from '../domain/habilitation.js';
import {
  attendanceError, onboardingRegistrationError, placesLeft, registrationChangeError, sessionRegistrationError, sessionTrainingDate,
} from '../domain/training.js';
import type { RenderContext } from '../emails/render.js';
import { recordTrainingUpdate } from '../workflows/messages.js';
import { appendJournal } from './journal.js';
import type { Lifecycles } from './lifecycles.js';
import { enqueueEmail, type EmailDelivery, type EmailRequest } from './outbox.js';
import { isUuid } from '../domain/uuid.js';

export interface TrainingDeps {
  sequelize: Sequelize;
  render: RenderContext;
  sendEmail: (delivery: EmailDelivery) => Promise<void>;
  /** The clock (tests may set it). */
  now?: () => Date;
}

/** The référent acting, in their current structure. */
export interface ReferentScope { userId: string; organisationId: string }

export const ONBOARDING_NOT_IN_STRUCTURE = 'Cet aidant à former n’existe pas ou n’est pas rattaché à votre structure active. S’il l’est à une autre de vos structures, changez de structure pour gérer son inscription.';
export const SESSION_FIELD = 'sessionId';

/** Active registrations per session. */
export async function takenPlaces(sessionIds: string[], transaction?: Transaction): Promise<Map<string, number>> {
  if (sessionIds.length === 0) return new Map();
  const rows = await TrainingRegistration.findAll({
    attributes: ['sessionId', [fn('count', col('id')), 'taken']], where: { sessionId: sessionIds, cancelledAt: null }, group: ['sessionId'], raw: true, transaction,
  }) as unknown as { sessionId: string; taken: string }[];
  return new Map(rows.map((row) => [row.sessionId, Number(row.taken)]));
}

/** The onboarding `onboardingId` of the référent's current structure, or a 404 (another structure, unknown, malformed). */
export async function findScopedOnboarding(scope: ReferentScope, onboardingId: string, transaction?: Transaction): Promise<AidantOnboarding> {
  if (!isUuid(onboardingId)) throw new NotFoundError(ONBOARDING_NOT_IN_STRUCTURE);
  const onboarding = await AidantOnboarding.findByPk(onboardingId, { transaction, lock: transaction ? transaction.LOCK.UPDATE : undefined });
  if (!onboarding || onboarding.organisationId !== scope.organisationId) throw new NotFoundError(ONBOARDING_NOT_IN_STRUCTURE);
  return onboarding;
}

export const activeRegistrationOf = (onboardingId: string, transaction?: Transaction) =>
  TrainingRegistration.findOne({ where: { onboardingId, cancelledAt: null }, transaction });

export interface SessionOffer { session: TrainingSession; placesLeft: number }

/** What the espace référent lists: the structure's aidants awaiting training, each with their active registration. */
export async function trainingOverview(organisationId: string): Promise<{ onboarding: AidantOnboarding; registration: (SessionOffer & { registrationId: string }) | null }[]> {
  const onboardings = await AidantOnboarding.findAll({
    where: { organisationId, status: 'awaiting_training' }, order: [['trainingDeadline', 'ASC'], ['lastName', 'ASC'], ['firstName', 'ASC']],
  });
  const registrations = await TrainingRegistration.findAll({ where: { onboardingId: onboardings.map((o) => o.id), cancelledAt: null } });
  const sessions = await TrainingSession.findAll({ where: { id: registrations.map((r) => r.sessionId) } });
  const taken = await takenPlaces(sessions.map((s) => s.id));
  const sessionById = new Map(sessions.map((s) => [s.id, s]));
  const byOnboarding = new Map(registrations.map((r) => [r.onboardingId, r]));
  return onboardings.map((onboarding) => {
    const registration = byOnboarding.get(onboarding.id);
    const session = registration ? sessionById.get(registration.sessionId) : undefined;
    return {
      onboarding,
      registration: registration && session ? { registrationId: registration.id, session, placesLeft: placesLeft(session, taken.get(session.id) ?? 0) } : null,
    };
  });
}

/** The sessions a référent may choose for this aidant: open, to come, ending before the deadline, with places left. */
export async function offeredSessions(onboarding: AidantOnboarding, now: Date = new Date()): Promise<SessionOffer[]> {
  const sessions = await TrainingSession.findAll({
    where: { isOpen: true, startsAt: { [Op.gt]: now }, endsAt: { [Op.lte]: onboarding.trainingDeadline } }, order: [['startsAt', 'ASC']],
  });
  const taken = await takenPlaces(sessions.map((s) => s.id));
  return sessions.map((session) => ({ session, placesLeft: placesLeft(session, taken.get(session.id) ?? 0) })).filter((offer) => offer.placesLeft > 0);
}

interface Reader { name: string; email: string; isAidant: boolean; key: string }

/** The aidant and each active référent of the structure, once each (a référent who is the aidant is told as the aidant). */
async function readersOf(onboarding: AidantOnboarding, transaction: Transaction): Promise<Reader[]> {
  const memberships = await OrganisationMembership.findAll({
    where: { organisationId: onboarding.organisationId, isReferent: true, isActive: true },
    include: [{ model: User, as: 'user', where: { isActive: true } }], transaction,
  });
  const referents = memberships.map((m) => (m as OrganisationMembership & { user: User }).user)
    .filter((user) => user.email !== onboarding.email)
    .map((user) => ({ name: `${user.firstName} ${user.lastName}`.trim(), email: user.email, isAidant: false, key: `referent-${user.id}` }));
  return [{ name: `${onboarding.firstName} ${onboarding.lastName}`.trim(), email: onboarding.email, isAidant: true, key: 'aidant' }, ...referents];
}

async function enqueueAll(deps: TrainingDeps, emails: EmailRequest[], transaction: Transaction): Promise<void> {
  for (const email of emails) await enqueueEmail({ render: deps.render }, email, transaction);
}

/** Starts the delivery of e-mails stored and committed; a failed start is caught up by the housekeeping. */
async function deliver(deps: TrainingDeps, emails: EmailRequest[]): Promise<void> {
  for (const email of emails) await deps.sendEmail({ idempotencyKey: email.idempotencyKey }).catch(() => undefined);
}

const isConstraint = (error: unknown, name: string) =>
  (error as { original?: { constraint?: string } } | null)?.original?.constraint === name;

export type RegistrationOutcome = 'registered' | 'changed' | 'unchanged';

/**
 * Registers an aidant of the référent's current structure to a session, or moves their registration to it.
 * The same session chosen twice (a double click) changes nothing. Refusals are French: ValidationError on the
 * session field (closed, started, after the deadline, full), InvalidTransitionError for the onboarding.
 */
export async function registerToSession(deps: TrainingDeps, scope: ReferentScope, input: { onboardingId: string; sessionId: string }): Promise<RegistrationOutcome> {
  const now = deps.now?.() ?? new Date();
  if (!isUuid(input.sessionId)) throw new ValidationError({ [SESSION_FIELD]: 'Choisissez une session de formation.' });
  const emails: EmailRequest[] = [];
  let outcome: RegistrationOutcome;
  try {
    outcome = await deps.sequelize.transaction(async (transaction) => {
      const onboarding = await findScopedOnboarding(scope, input.onboardingId, transaction);
      const statusError = onboardingRegistrationError(onboarding.status);
      if (statusError) throw new InvalidTransitionError(statusError);
      const current = await activeRegistrationOf(onboarding.id, transaction);
      if (current?.sessionId === input.sessionId) return 'unchanged' as const;
      const previous = current ? await TrainingSession.findByPk(current.sessionId, { transaction }) : null;
      if (previous) {
        const changeError = registrationChangeError(previous, now);
        if (changeError) throw new InvalidTransitionError(changeError);
      }
      const session = await TrainingSession.findByPk(input.sessionId, { transaction, lock: transaction.LOCK.UPDATE });
      if (!session) throw new ValidationError({ [SESSION_FIELD]: 'Cette session n’existe pas (ou plus) : choisissez-en une autre.' });
      const taken = (await takenPlaces([session.id], transaction)).get(session.id) ?? 0;
      const sessionError = sessionRegistrationError(session, { now, deadline: onboarding.trainingDeadline, taken });
      if (sessionError) throw new ValidationError({ [SESSION_FIELD]: sessionError });

      if (current) {
        await current.update({ cancelledAt: now, cancelledById: scope.userId }, { transaction });
        await appendJournal({
          action: 'training_registration_cancelled', actorId: scope.userId, organisationId: onboarding.organisationId, onboardingId: onboarding.id,
          details: { registrationId: current.id, sessionId: current.sessionId, reason: 'changed', newSessionId: session.id },
        }, transaction);
      }
      const registration = await TrainingRegistration.create({ sessionId: session.id, onboardingId: onboarding.id, registeredById: scope.userId }, { transaction });
      await appendJournal({
        action: 'training_registration', actorId: scope.userId, organisationId: onboarding.organisationId, onboardingId: onboarding.id,
        details: { registrationId: registration.id, sessionId: session.id, previousSessionId: current?.sessionId ?? null },
      }, transaction);

      const structure = (await Organisation.findByPk(onboarding.organisationId, { attributes: ['name'], transaction }))!;
      for (const reader of await readersOf(onboarding, transaction)) {
        emails.push({
          idempotencyKey: `training-registration/${registration.id}/registered/${reader.key}`, template: 'training_registered', to: [reader.email],
          data: {
            recipientName: reader.name, aidantName: `${onboarding.firstName} ${onboarding.lastName}`.trim(), structureName: structure.name, isAidant: reader.isAidant,
            startsAt: session.startsAt.toISOString(), endsAt: session.endsAt.toISOString(), mode: session.mode, location: session.location,
            previous: previous ? { startsAt: previous.startsAt.toISOString(), endsAt: previous.endsAt.toISOString() } : null,
          },
        });
      }
      await enqueueAll(deps, emails, transaction);
      return current ? 'changed' as const : 'registered' as const;
    });
  } catch (error) {
    // The database's own guards, should a write slip past the checks above.
    if (isConstraint(error, 'training_session_capacity')) throw new ValidationError({ [SESSION_FIELD]: 'Cette session est complète : choisissez-en une autre.' });
    if (isConstraint(error, 'training_session_open')) throw new ValidationError({ [SESSION_FIELD]: 'Cette session est fermée aux inscriptions : choisissez-en une autre.' });
    if (error instanceof UniqueConstraintError) throw new InvalidTransitionError('Cet aidant vient d’être inscrit à une autre session : rechargez la page.');
    throw error;
  }
  await deliver(deps, emails);
  return outcome;
}

/** Cancels the aidant's active registration (before its session starts). False when there was none (a double click). */
export async function cancelRegistration(deps: TrainingDeps, scope: ReferentScope, input: { onboardingId: string }): Promise<boolean> {
  const now = deps.now?.() ?? new Date();
  const emails: EmailRequest[] = [];
  const cancelled = await deps.sequelize.transaction(async (transaction) => {
    const onboarding = await findScopedOnboarding(scope, input.onboardingId, transaction);
    const current = await activeRegistrationOf(onboarding.id, transaction);
    if (!current) return false;
    const session = (await TrainingSession.findByPk(current.sessionId, { transaction }))!;
    const changeError = registrationChangeError(session, now);
    if (changeError) throw new InvalidTransitionError(changeError);
    await current.update({ cancelledAt: now, cancelledById: scope.userId }, { transaction });
    await appendJournal({
      action: 'training_registration_cancelled', actorId: scope.userId, organisationId: onboarding.organisationId, onboardingId: onboarding.id,
      details: { registrationId: current.id, sessionId: session.id, reason: 'referent' },
    }, transaction);
    const structure = (await Organisation.findByPk(onboarding.organisationId, { attributes: ['name'], transaction }))!;
    for (const reader of await readersOf(onboarding, transaction)) {
      emails.push({
        idempotencyKey: `training-registration/${current.id}/cancelled/${reader.key}`, template: 'training_registration_cancelled', to: [reader.email],
        data: {
          recipientName: reader.name, aidantName: `${onboarding.firstName} ${onboarding.lastName}`.trim(), structureName: structure.name, isAidant: reader.isAidant,
          startsAt: session.startsAt.toISOString(), endsAt: session.endsAt.toISOString(), deadline: onboarding.trainingDeadline.toISOString(),
        },
      });
    }
    await enqueueAll(deps, emails, transaction);
    return true;
  });
  await deliver(deps, emails);
  return cancelled;
}

/**
 * Frees the place of an onboarding that ends without training (cancelled): its registration to a session
 * still to come is cancelled, journaled in the caller's transaction. The cancellation e-mails already say it.
 */
export async function releaseRegistration(onboarding: AidantOnboarding, actorId: string | null, transaction: Transaction): Promise<string | null> {
  const current = await activeRegistrationOf(onboarding.id, transaction);
  if (!current || current.attendanceRecordedAt) return null;
  await current.update({ cancelledAt: new Date(), cancelledById: actorId ?? current.registeredById }, { transaction });
  await appendJournal({
    action: 'training_registration_cancelled', actorId, organisationId: onboarding.organisationId, onboardingId: onboarding.id,
    details: { registrationId: current.id, sessionId: current.sessionId, reason: 'onboarding_cancelled' },
  }, transaction);
  return current.id;
}

export interface AttendanceLine {
  registrationId: string;
  aidantName: string;
  /** recorded: the training is recorded now; already: it was, by an earlier click; refused: not recorded, with why. */
  outcome: 'recorded' | 'already' | 'refused';
  message: string;
}

const TRAINED_ALREADY: readonly string[] = ['trained', 'account_activated', 'card_shipping', 'card_linking', 'completed'];

/** Notes the attendance of a registration whose training is recorded, with its journal entry (once). */
async function markAttended(sequelize: Sequelize, registration: TrainingRegistration, onboarding: AidantOnboarding, input: { actorId: string; trainingDate: string }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    // The onboarding row first, as its lifecycle's activities lock it before journaling: the journal entry's
    // reference to it then never waits on an activity that waits on the journal (a deadlock).
    await AidantOnboarding.findByPk(onboarding.id, { transaction, lock: transaction.LOCK.UPDATE, attributes: ['id'] });
    await TrainingRegistration.update(
      { attendanceRecordedAt: new Date(), attendanceRecordedById: input.actorId },
      { where: { id: registration.id, attendanceRecordedAt: null, cancelledAt: null }, transaction },
    );
    await appendJournal({
      action: 'training_attendance_recorded', actorId: input.actorId, organisationId: onboarding.organisationId, onboardingId: onboarding.id,
      details: { registrationId: registration.id, sessionId: registration.sessionId, trainingDate: input.trainingDate },
      idempotencyKey: `training-attendance/${registration.id}`,
    }, transaction);
  });
}

/**
 * Records the training of the attendees of a session (chosen among its registrations) on each one's
 * onboarding, through its lifecycle (dated the Paris day the session started). Each attendee is handled on
 * its own: one refused (already trained, lapsed…) never stops the others, and a second click applies nothing
 * twice (the update is deduplicated on the onboarding's round; an attendance already noted is reported as such).
 * No transaction is held while the lifecycle is called.
 */
export async function recordAttendance(
  deps: { sequelize: Sequelize; lifecycles: Pick<Lifecycles, 'updateOnboarding'>; now?: () => Date },
  input: { sessionId: string; registrationIds: string[]; actorId: string },
): Promise<AttendanceLine[]> {
  const session = isUuid(input.sessionId) ? await TrainingSession.findByPk(input.sessionId) : null;
  if (!session) throw new NotFoundError('Cette session de formation est introuvable.');
  const notYet = attendanceError(session, deps.now?.() ?? new Date());
  if (notYet) throw new InvalidTransitionError(notYet);
  const ids = [...new Set(input.registrationIds.filter((id) => isUuid(id)))];
  if (ids.length === 0) throw new ValidationError({ attendees: 'Cochez au moins un aidant présent à la session.' });
  const registrations = await TrainingRegistration.findAll({ where: { id: ids, sessionId: session.id }, order: [['createdAt', 'ASC']] });
  if (registrations.length !== ids.length) throw new ValidationError({ attendees: 'Un des aidants cochés n’est pas inscrit à cette session : rechargez la page.' });
  const trainingDate = sessionTrainingDate(session);

  const lines: AttendanceLine[] = [];
  for (const registration of registrations) {
    const onboarding = (await AidantOnboarding.findByPk(registration.onboardingId))!;
    const status: OnboardingStatus = onboarding.status;
    const line = (outcome: AttendanceLine['outcome'], message: string) =>
      lines.push({ registrationId: registration.id, aidantName: `${onboarding.firstName} ${onboarding.lastName}`.trim(), outcome, message });
    if (registration.cancelledAt) { line('refused', 'son inscription à cette session a été annulée'); continue; }
    if (registration.attendanceRecordedAt) { line('already', 'présence déjà enregistrée'); continue; }
    if (onboarding.status !== 'awaiting_training') {
      // The lifecycle took an earlier click but the attendance was not noted: note it now.
      if (TRAINED_ALREADY.includes(onboarding.status) && onboarding.trainingDate === trainingDate) {
        await markAttended(deps.sequelize, registration, onboarding, { actorId: input.actorId, trainingDate });
        line('already', 'formation déjà enregistrée à la date de cette session');
      } else if (TRAINED_ALREADY.includes(onboarding.status)) {
        line('refused', `formation déjà enregistrée${onboarding.trainingDate ? ` (le ${onboarding.trainingDate.split('-').reverse().join('/')})` : ''}, statut « ${ONBOARDING_STATUSES[status]} »`);
      } else if (onboarding.status === 'lapsed') {
        line('refused', 'délai de formation dépassé : rouvrez son habilitation avec un nouveau délai, puis enregistrez à nouveau sa présence');
      } else {
        line('refused', `habilitation au statut « ${ONBOARDING_STATUSES[status]} »`);
      }
      continue;
    }
    try {
      await deps.lifecycles.updateOnboarding(onboarding.id, recordTrainingUpdate, { trainingDate, actorId: input.actorId });
    } catch (error) {
      line('refused', error instanceof DomainError ? error.message : 'le service est momentanément indisponible, réessayez dans quelques instants');
      continue;
    }
    await markAttended(deps.sequelize, registration, onboarding, { actorId: input.actorId, trainingDate });
    line('recorded', 'formation enregistrée, son compte va être activé');
  }
  return lines;
}

/** One French sentence summing up an attendance report (the back-office notice). */
export function attendanceSummary(lines: AttendanceLine[]): string {
  const part = (outcome: AttendanceLine['outcome'], title: string) => {
    const chosen = lines.filter((l) => l.outcome === outcome);
    return chosen.length === 0 ? [] : [`${title} : ${chosen.map((l) => `${l.aidantName} (${l.message})`).join(' ; ')}.`];
  };
  return [...part('recorded', 'Présences enregistrées'), ...part('already', 'Déjà enregistrées'), ...part('refused', 'Non enregistrées')].join(' ');
}
