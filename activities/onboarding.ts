// Activities of the aidant-onboarding lifecycle. Every transition is guarded by the state it leaves and
// journaled under an idempotency key, so a retried activity changes nothing twice.
import { ApplicationFailure } from '@temporalio/activity';
import { Op, type Sequelize, type Transaction } from 'sequelize';
import { AidantOnboarding, AidantRequest, CardShipment, HabilitationRequest, JournalEntry, Organisation, OrganisationMembership, User } from '../db/models/index.js';
import { CARD_COMPLETES_ONBOARDING_FROM } from '../domain/cards.js';
import { InvalidTransitionError, NotFoundError, type DomainError } from '../domain/errors.js';
import {
  LAPSED_CLOSE_REASON, ONBOARDING_STATUSES, parisDay, trainingDateError, type CancelOnboardingInput, type OnboardingStatus, type ShipmentStatus,
} from '../domain/habilitation.js';
import type { JournalAction } from '../domain/journal.js';
import { appendJournal } from '../services/journal.js';
import { releaseRegistration } from '../services/training-sessions.js';

export interface OnboardingSummary {
  onboardingId: string;
  status: OnboardingStatus;
  aidantName: string;
  aidantEmail: string;
  structureName: string;
  referents: { userId: string; name: string; email: string }[];
  trainingDeadline: string;
  /** The Paris day the habilitation request was created (no training can be dated before it); null without request. */
  requestCreatedOn: string | null;
}

/** A domain refusal inside an activity: retrying cannot change it, so it fails at once (type = the error's class). */
export function refusal(error: DomainError): ApplicationFailure {
  return ApplicationFailure.create({ type: error.name, message: error.message, nonRetryable: true });
}

const statusRefusal = (status: OnboardingStatus) =>
  refusal(new InvalidTransitionError(`Cette action n’est plus possible : l’habilitation de l’aidant est au statut « ${ONBOARDING_STATUSES[status]} ».`));

interface TransitionInput {
  onboardingId: string;
  from: OnboardingStatus[];
  to: OnboardingStatus;
  changes?: Partial<Pick<AidantOnboarding, 'lapsedAt' | 'trainingDeadline' | 'trainingDate' | 'completedAt' | 'cancelledAt' | 'cancelReason'>>;
  journal: { action: JournalAction; key: string; actorId?: string | null; details?: Record<string, unknown> };
}

export function createOnboardingActivities(deps: { sequelize: Sequelize }) {
  async function transition(input: TransitionInput, transaction: Transaction, extra?: (o: AidantOnboarding) => Promise<Record<string, unknown> | void>) {
    const onboarding = await AidantOnboarding.findByPk(input.onboardingId, { transaction, lock: transaction.LOCK.UPDATE });
    if (!onboarding) throw refusal(new NotFoundError('Cette habilitation d’aidant est introuvable.'));
    // Already applied by an earlier attempt of this very step (its journal key), not by a concurrent action.
    if (onboarding.status === input.to && await JournalEntry.count({ where: { idempotencyKey: input.journal.key }, transaction }) > 0) return onboarding;
    if (!input.from.includes(onboarding.status)) throw statusRefusal(onboarding.status);
    const extraDetails = extra ? await extra(onboarding) : undefined;
    await onboarding.update({ ...input.changes, status: input.to }, { transaction });
    await appendJournal({
      action: input.journal.action, actorId: input.journal.actorId ?? null, organisationId: onboarding.organisationId,
      onboardingId: onboarding.id, details: { to: input.to, ...input.journal.details, ...extraDetails }, idempotencyKey: input.journal.key,
    }, transaction);
    return onboarding;
  }

  /**
   * Takes back what an onboarding gave once it is cancelled, lapsed or closed: the right to create mandats in
   * the structure, and the membership itself when it exists only for this aidant (a référent stays référent).
   * Rights stemming from another activated onboarding of the same person in the structure are kept.
   */
  async function withdrawRights(onboarding: AidantOnboarding, transaction: Transaction): Promise<Record<string, unknown> | undefined> {
    const user = onboarding.userId ? await User.findByPk(onboarding.userId, { transaction }) : await User.findOne({ where: { email: onboarding.email }, transaction });
    if (!user) return undefined;
    const otherActive = await AidantOnboarding.count({
      where: { id: { [Op.ne]: onboarding.id }, organisationId: onboarding.organisationId, email: onboarding.email, status: ['account_activated', 'card_shipping', 'card_linking', 'completed'] },
      transaction,
    });
    if (otherActive > 0) return undefined;
    const membership = await OrganisationMembership.findOne({ where: { userId: user.id, organisationId: onboarding.organisationId }, transaction, lock: transaction.LOCK.UPDATE });
    if (!membership) return undefined;
    // A membership is référent or aidant (CHECK membership_has_a_role): an aidant-only one is deactivated.
    const changes = membership.isReferent ? { canCreateMandats: false } : { isActive: false };
    if (Object.entries(changes).every(([field, value]) => membership.get(field as 'isActive') === value)) return undefined;
    await membership.update(changes, { transaction });
    return { withdrawn: { userId: user.id, ...changes } };
  }

  return {
    async getOnboardingSummary(input: { onboardingId: string }): Promise<OnboardingSummary> {
      const onboarding = await AidantOnboarding.findByPk(input.onboardingId);
      if (!onboarding) throw refusal(new NotFoundError('Cette habilitation d’aidant est introuvable.'));
      const organisation = (await Organisation.findByPk(onboarding.organisationId))!;
      const request = onboarding.habilitationRequestId ? await HabilitationRequest.findByPk(onboarding.habilitationRequestId, { attributes: ['createdAt'] }) : null;
      const memberships = await OrganisationMembership.findAll({
        where: { organisationId: onboarding.organisationId, isReferent: true, isActive: true }, include: [{ model: User, as: 'user' }],
      });
      return {
        onboardingId: onboarding.id,
        status: onboarding.status,
        aidantName: `${onboarding.firstName} ${onboarding.lastName}`,
        aidantEmail: onboarding.email,
        structureName: organisation.name,
        referents: memberships.map((m) => (m as OrganisationMembership & { user: User }).user)
          .map((u) => ({ userId: u.id, name: `${u.firstName} ${u.lastName}`.trim(), email: u.email })),
        trainingDeadline: onboarding.trainingDeadline.toISOString(),
        requestCreatedOn: request ? parisDay(request.createdAt) : null,
      };
    },

    async setTrainingDeadline(input: { onboardingId: string; deadline: string }): Promise<void> {
      await AidantOnboarding.update({ trainingDeadline: new Date(input.deadline) }, { where: { id: input.onboardingId, status: 'awaiting_training' } });
    },

    async markOnboardingLapsed(input: { onboardingId: string; workflowId: string; round: number }): Promise<void> {
      await deps.sequelize.transaction((t) => transition({
        onboardingId: input.onboardingId, from: ['awaiting_training'], to: 'lapsed', changes: { lapsedAt: new Date() },
        journal: { action: 'onboarding_lapsed', key: `${input.workflowId}/lapsed/${input.round}` },
      }, t, (onboarding) => withdrawRights(onboarding, t)));
    },

    /** Closes an onboarding left lapsed too long: a final status (cancelled, with the system's reason). */
    async closeLapsedOnboarding(input: { onboardingId: string; workflowId: string; round: number }): Promise<void> {
      await deps.sequelize.transaction((t) => transition({
        onboardingId: input.onboardingId, from: ['lapsed'], to: 'cancelled', changes: { cancelledAt: new Date(), cancelReason: LAPSED_CLOSE_REASON, lapsedAt: null },
        journal: { action: 'onboarding_closed', key: `${input.workflowId}/closed/${input.round}`, details: { reason: LAPSED_CLOSE_REASON, requestedBy: 'system' } },
      }, t, (onboarding) => withdrawRights(onboarding, t)));
    },

    async reopenOnboarding(input: { onboardingId: string; workflowId: string; round: number; deadline: string; actorId: string }): Promise<void> {
      await deps.sequelize.transaction((t) => transition({
        onboardingId: input.onboardingId, from: ['lapsed'], to: 'awaiting_training', changes: { lapsedAt: null, trainingDeadline: new Date(input.deadline) },
        journal: { action: 'onboarding_reopened', key: `${input.workflowId}/reopened/${input.round}`, actorId: input.actorId, details: { deadline: input.deadline } },
      }, t));
    },

    /** `today`: the workflow's Paris day (its clock, which a time-skipping test moves), else the real one. */
    async recordTraining(input: { onboardingId: string; workflowId: string; trainingDate: string; actorId: string; today?: string }): Promise<void> {
      await deps.sequelize.transaction((t) => transition({
        onboardingId: input.onboardingId, from: ['awaiting_training'], to: 'trained', changes: { trainingDate: input.trainingDate },
        journal: { action: 'onboarding_training_done', key: `${input.workflowId}/trained`, actorId: input.actorId, details: { trainingDate: input.trainingDate } },
      }, t, async (onboarding) => {
        const request = onboarding.habilitationRequestId ? await HabilitationRequest.findByPk(onboarding.habilitationRequestId, { attributes: ['createdAt'], transaction: t }) : null;
        const error = trainingDateError(input.trainingDate, { today: input.today ?? parisDay(Date.now()), notBefore: request ? parisDay(request.createdAt) : null });
        if (error) throw refusal(new InvalidTransitionError(error));
      }));
    },

    /** Creates (or reuses) the aidant's account and membership; the aidant can then create mandats. */
    async activateAidantAccount(input: { onboardingId: string; workflowId: string }): Promise<void> {
      await deps.sequelize.transaction((t) => transition({
        onboardingId: input.onboardingId, from: ['trained'], to: 'account_activated',
        journal: { action: 'aidant_account_activated', key: `${input.workflowId}/activated` },
      }, t, async (onboarding) => {
        const [user] = await User.findOrCreate({
          where: { email: onboarding.email },
          defaults: {
            email: onboarding.email, firstName: onboarding.firstName, lastName: onboarding.lastName, profession: onboarding.profession,
            phone: null, currentOrganisationId: onboarding.organisationId, passwordHash: null, sealedAdminTotpSecret: null, lastLoginAt: null, lastActivityAt: null,
          },
          transaction: t,
        });
        const [membership, created] = await OrganisationMembership.findOrCreate({
          where: { userId: user.id, organisationId: onboarding.organisationId },
          defaults: { userId: user.id, organisationId: onboarding.organisationId, canCreateMandats: true },
          transaction: t,
        });
        const granted = created || !membership.canCreateMandats || !membership.isActive;
        if (!created && granted) await membership.update({ canCreateMandats: true, isActive: true }, { transaction: t });
        await user.update({ isActive: true }, { transaction: t });
        onboarding.userId = user.id;
        await onboarding.save({ transaction: t });
        return { userId: user.id, grantedCanCreateMandats: granted };
      }));
    },

    async prepareCardShipment(input: { onboardingId: string; workflowId: string }): Promise<void> {
      await deps.sequelize.transaction((t) => transition({
        onboardingId: input.onboardingId, from: ['account_activated'], to: 'card_shipping',
        journal: { action: 'card_shipment_updated', key: `${input.workflowId}/shipment-preparing`, details: { shipment: 'preparing' } },
      }, t, async (onboarding) => {
        await CardShipment.findOrCreate({
          where: { onboardingId: onboarding.id },
          defaults: { onboardingId: onboarding.id, organisationId: onboarding.organisationId, cardId: null, trackingNumber: null, sentAt: null, deliveredAt: null },
          transaction: t,
        });
      }));
    },

    async updateCardShipment(input: { onboardingId: string; workflowId: string; step: number; status: Exclude<ShipmentStatus, 'preparing'>; trackingNumber: string | null; actorId: string }): Promise<void> {
      await deps.sequelize.transaction(async (t) => {
        const key = `${input.workflowId}/shipment-${input.step}`;
        if (await JournalEntry.count({ where: { idempotencyKey: key }, transaction: t }) > 0) return; // applied by an earlier attempt
        const onboarding = await AidantOnboarding.findByPk(input.onboardingId, { transaction: t, lock: t.LOCK.UPDATE });
        if (!onboarding) throw refusal(new NotFoundError('Cette habilitation d’aidant est introuvable.'));
        if (onboarding.status !== 'card_shipping') throw statusRefusal(onboarding.status);
        const shipment = await CardShipment.findOne({ where: { onboardingId: input.onboardingId }, transaction: t, lock: t.LOCK.UPDATE });
        if (!shipment) throw refusal(new NotFoundError('Aucun envoi de carte n’est enregistré pour cet aidant.'));
        await shipment.update({
          status: input.status,
          trackingNumber: input.trackingNumber ?? shipment.trackingNumber,
          sentAt: input.status === 'sent' ? new Date() : shipment.sentAt,
          deliveredAt: input.status === 'delivered' ? new Date() : null,
        }, { transaction: t });
        if (input.status === 'delivered') {
          await AidantOnboarding.update({ status: 'card_linking' }, { where: { id: input.onboardingId, status: 'card_shipping' }, transaction: t });
        }
        await appendJournal({
          action: 'card_shipment_updated', actorId: input.actorId, onboardingId: input.onboardingId, organisationId: shipment.organisationId,
          details: { shipment: input.status, trackingNumber: input.trackingNumber }, idempotencyKey: key,
        }, t);
      });
    },

    async completeOnboarding(input: { onboardingId: string; workflowId: string; cardId: string; actorId: string }): Promise<void> {
      await deps.sequelize.transaction((t) => transition({
        onboardingId: input.onboardingId, from: [...CARD_COMPLETES_ONBOARDING_FROM], to: 'completed', changes: { completedAt: new Date() },
        journal: { action: 'card_validation', key: `${input.workflowId}/completed`, actorId: input.actorId, details: { cardId: input.cardId } },
      }, t));
    },

    async cancelOnboarding(input: { onboardingId: string; workflowId: string; reason: string } & CancelOnboardingInput): Promise<void> {
      await deps.sequelize.transaction((t) => transition({
        onboardingId: input.onboardingId, from: ['awaiting_training', 'trained', 'account_activated', 'card_shipping', 'card_linking', 'lapsed'],
        to: 'cancelled', changes: { cancelledAt: new Date(), cancelReason: input.reason, lapsedAt: null },
        journal: {
          action: 'onboarding_cancelled', key: `${input.workflowId}/cancelled`, actorId: input.actorId,
          details: { reason: input.reason, requestedBy: input.requestedBy ?? 'anct' },
        },
      }, t, async (onboarding) => {
        // Its place in a training session is freed for another aidant.
        const releasedRegistration = await releaseRegistration(onboarding, input.actorId ?? null, t);
        return { ...await withdrawRights(onboarding, t), ...(releasedRegistration ? { releasedRegistration } : {}) };
      }));
    },

    /** One onboarding per aidant to train of a validated request (and the référent when also an aidant). */
    async createOnboardingsForRequest(input: { requestId: string; organisationId: string; trainingDeadline: string }): Promise<string[]> {
      return deps.sequelize.transaction(async (transaction) => {
        const request = (await HabilitationRequest.findByPk(input.requestId, { transaction }))!;
        const people = (await AidantRequest.findAll({ where: { habilitationRequestId: input.requestId }, order: [['createdAt', 'ASC']], transaction }))
          .map((a) => ({ email: a.email, firstName: a.firstName, lastName: a.lastName, profession: a.profession, aidantRequestId: a.id as string | null }));
        if (request.referentIsAidant && request.referentEmail && !people.some((p) => p.email === request.referentEmail)) {
          people.unshift({ email: request.referentEmail, firstName: request.referentFirstName ?? '', lastName: request.referentLastName ?? '', profession: request.referentProfession ?? '', aidantRequestId: null });
        }
        const ids: string[] = [];
        for (const person of people) {
          const existing = await AidantOnboarding.findOne({
            where: { organisationId: input.organisationId, email: person.email, habilitationRequestId: input.requestId, status: { [Op.notIn]: ['cancelled'] } }, transaction,
          });
          const onboarding = existing ?? await AidantOnboarding.create({
            organisationId: input.organisationId, habilitationRequestId: input.requestId, aidantRequestId: person.aidantRequestId, userId: null,
            email: person.email, firstName: person.firstName, lastName: person.lastName, profession: person.profession,
            trainingDeadline: new Date(input.trainingDeadline), trainingDate: null, lapsedAt: null, cancelledAt: null, cancelReason: null, completedAt: null,
          }, { transaction });
          ids.push(onboarding.id);
        }
        return ids;
      });
    },
  };
}
