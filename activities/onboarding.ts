// Activities of the aidant-onboarding lifecycle. Every transition is guarded by the state it leaves and
// journaled under an idempotency key, so a retried activity changes nothing twice.
import { Op, type Sequelize, type Transaction } from 'sequelize';
import { AidantOnboarding, AidantRequest, CardShipment, HabilitationRequest, Organisation, OrganisationMembership, User } from '../db/models/index.js';
import type { CancelOnboardingInput, OnboardingStatus, ShipmentStatus } from '../domain/habilitation.js';
import type { JournalAction } from '../domain/journal.js';
import { appendJournal } from '../services/journal.js';

export interface OnboardingSummary {
  onboardingId: string;
  status: OnboardingStatus;
  aidantName: string;
  aidantEmail: string;
  structureName: string;
  referents: { name: string; email: string }[];
  trainingDeadline: string;
}

interface TransitionInput {
  onboardingId: string;
  from: OnboardingStatus[];
  to: OnboardingStatus;
  changes?: Partial<Pick<AidantOnboarding, 'lapsedAt' | 'trainingDeadline' | 'trainingDate' | 'completedAt' | 'cancelledAt' | 'cancelReason'>>;
  journal: { action: JournalAction; key: string; actorId?: string | null; details?: Record<string, unknown> };
}

export function createOnboardingActivities(deps: { sequelize: Sequelize }) {
  async function transition(input: TransitionInput, transaction: Transaction, extra?: (o: AidantOnboarding) => Promise<void>) {
    const onboarding = await AidantOnboarding.findByPk(input.onboardingId, { transaction, lock: transaction.LOCK.UPDATE });
    if (!onboarding) throw new Error(`Onboarding ${input.onboardingId} not found`);
    if (onboarding.status === input.to) return onboarding; // already applied by an earlier attempt
    if (!input.from.includes(onboarding.status)) throw new Error(`Onboarding ${input.onboardingId} is ${onboarding.status}, expected ${input.from.join(' or ')}`);
    if (extra) await extra(onboarding);
    await onboarding.update({ ...input.changes, status: input.to }, { transaction });
    await appendJournal({
      action: input.journal.action, actorId: input.journal.actorId ?? null, organisationId: onboarding.organisationId,
      onboardingId: onboarding.id, details: { to: input.to, ...input.journal.details }, idempotencyKey: input.journal.key,
    }, transaction);
    return onboarding;
  }

  return {
    async getOnboardingSummary(input: { onboardingId: string }): Promise<OnboardingSummary> {
      const onboarding = await AidantOnboarding.findByPk(input.onboardingId);
      if (!onboarding) throw new Error(`Onboarding ${input.onboardingId} not found`);
      const organisation = (await Organisation.findByPk(onboarding.organisationId))!;
      const memberships = await OrganisationMembership.findAll({
        where: { organisationId: onboarding.organisationId, isReferent: true, isActive: true }, include: [{ model: User, as: 'user' }],
      });
      return {
        onboardingId: onboarding.id,
        status: onboarding.status,
        aidantName: `${onboarding.firstName} ${onboarding.lastName}`,
        aidantEmail: onboarding.email,
        structureName: organisation.name,
        referents: memberships.map((m) => (m as OrganisationMembership & { user: User }).user).map((u) => ({ name: `${u.firstName} ${u.lastName}`, email: u.email })),
        trainingDeadline: onboarding.trainingDeadline.toISOString(),
      };
    },

    async setTrainingDeadline(input: { onboardingId: string; deadline: string }): Promise<void> {
      await AidantOnboarding.update({ trainingDeadline: new Date(input.deadline) }, { where: { id: input.onboardingId, status: 'awaiting_training' } });
    },

    async markOnboardingLapsed(input: { onboardingId: string; workflowId: string; round: number }): Promise<void> {
      await deps.sequelize.transaction((t) => transition({
        onboardingId: input.onboardingId, from: ['awaiting_training'], to: 'lapsed', changes: { lapsedAt: new Date() },
        journal: { action: 'onboarding_lapsed', key: `${input.workflowId}/lapsed/${input.round}` },
      }, t));
    },

    async reopenOnboarding(input: { onboardingId: string; workflowId: string; round: number; deadline: string; actorId: string }): Promise<void> {
      await deps.sequelize.transaction((t) => transition({
        onboardingId: input.onboardingId, from: ['lapsed'], to: 'awaiting_training', changes: { lapsedAt: null, trainingDeadline: new Date(input.deadline) },
        journal: { action: 'onboarding_reopened', key: `${input.workflowId}/reopened/${input.round}`, actorId: input.actorId, details: { deadline: input.deadline } },
      }, t));
    },

    async recordTraining(input: { onboardingId: string; workflowId: string; trainingDate: string; actorId: string }): Promise<void> {
      await deps.sequelize.transaction((t) => transition({
        onboardingId: input.onboardingId, from: ['awaiting_training'], to: 'trained', changes: { trainingDate: input.trainingDate },
        journal: { action: 'onboarding_training_done', key: `${input.workflowId}/trained`, actorId: input.actorId, details: { trainingDate: input.trainingDate } },
      }, t));
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
        if (!created && !membership.canCreateMandats) await membership.update({ canCreateMandats: true, isActive: true }, { transaction: t });
        await user.update({ isActive: true }, { transaction: t });
        onboarding.userId = user.id;
        await onboarding.save({ transaction: t });
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
        const shipment = await CardShipment.findOne({ where: { onboardingId: input.onboardingId }, transaction: t, lock: t.LOCK.UPDATE });
        if (!shipment) throw new Error(`No shipment for onboarding ${input.onboardingId}`);
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
          details: { shipment: input.status, trackingNumber: input.trackingNumber }, idempotencyKey: `${input.workflowId}/shipment-${input.step}`,
        }, t);
      });
    },

    async completeOnboarding(input: { onboardingId: string; workflowId: string; cardId: string; actorId: string }): Promise<void> {
      await deps.sequelize.transaction((t) => transition({
        onboardingId: input.onboardingId, from: ['card_linking'], to: 'completed', changes: { completedAt: new Date() },
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
      }, t));
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
