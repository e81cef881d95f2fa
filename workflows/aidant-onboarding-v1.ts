// The aidant-onboarding lifecycle as it ran before the 'onboarding-v2' patch, kept unchanged so that the runs
// started then replay deterministically to their end (aidant-onboarding.ts calls it when the patch is absent).
// Do not change the commands it emits; delete it once no such run is open.
import { ApplicationFailure, allHandlersFinished, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { addDays, addMonths, DAY_MS } from '../domain/duration.js';
import { cancelReasonError, FINAL_ONBOARDING_STATUSES, type OnboardingStatus, type ShipmentStatus } from '../domain/habilitation.js';
import {
  cancelOnboardingUpdate, cardShipmentUpdate, cardValidatedUpdate, onboardingStatusQuery, recordTrainingUpdate, reopenOnboardingUpdate,
  type AidantOnboardingInput,
} from './messages.js';
import { withEmailFailuresAsOutcomes } from './email-failures.js';

// An e-mail that can never be sent is an outcome here too (it emits the same commands).
const acts = withEmailFailuresAsOutcomes(proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes', backoffCoefficient: 2 },
}));

const frenchDate = (iso: string) => {
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
};

const reject = (message: string) => ApplicationFailure.create({ type: 'InvalidTransition', nonRetryable: true, message });

const SHIPMENT_MOVES: Record<ShipmentStatus, ShipmentStatus[]> = {
  preparing: ['sent'], sent: ['delivered', 'lost', 'returned'], lost: ['sent'], returned: ['sent'], delivered: [],
};

export async function legacyAidantOnboarding(input: AidantOnboardingInput): Promise<OnboardingStatus> {
  const { workflowId, startTime } = workflowInfo();
  const id = input.onboardingId;
  const state = {
    status: 'awaiting_training' as OnboardingStatus,
    deadline: addMonths(startTime, input.policy.trainingDelayMonths),
    trainingDate: undefined as string | undefined,
    reopenedUntil: undefined as Date | undefined,
    shipment: 'preparing' as ShipmentStatus,
    cardId: undefined as string | undefined,
    cancelled: false,
    cancelReason: '',
    busy: false,
  };
  const status = (): OnboardingStatus => state.status;
  let shipmentStep = 0;
  let reopenings = 0;

  setHandler(onboardingStatusQuery, () => ({ status: state.status, trainingDeadline: state.deadline.toISOString() }));

  setHandler(recordTrainingUpdate, async ({ trainingDate, actorId }) => {
    await acts.recordTraining({ onboardingId: id, workflowId, trainingDate, actorId });
    state.trainingDate = trainingDate;
    state.status = 'trained';
    return state.status;
  }, {
    validator: ({ trainingDate, actorId }) => {
      if (state.status !== 'awaiting_training') throw reject('La formation ne peut être enregistrée que pour un aidant en attente de formation.');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(trainingDate ?? '') || Number.isNaN(Date.parse(trainingDate))) throw reject('La date de formation est invalide.');
      if (Date.parse(trainingDate) > Date.now()) throw reject('La date de formation ne peut pas être dans le futur.');
      if (!actorId) throw reject('L’auteur de l’action est obligatoire.');
    },
  });

  setHandler(reopenOnboardingUpdate, async ({ deadline, actorId }) => {
    state.busy = true;
    reopenings += 1;
    await acts.reopenOnboarding({ onboardingId: id, workflowId, round: reopenings, deadline, actorId });
    state.deadline = new Date(deadline);
    state.reopenedUntil = state.deadline;
    state.status = 'awaiting_training';
    state.busy = false;
    return state.status;
  }, {
    validator: ({ deadline }) => {
      if (state.status !== 'lapsed' || state.busy) throw reject('Seule une habilitation dont le délai de formation est dépassé peut être rouverte.');
      if (Number.isNaN(Date.parse(deadline)) || Date.parse(deadline) <= Date.now()) throw reject('La nouvelle date limite doit être dans le futur.');
    },
  });

  setHandler(cancelOnboardingUpdate, async ({ reason, actorId, requestedBy }) => {
    state.cancelled = true;
    state.cancelReason = reason.trim();
    await acts.cancelOnboarding({ onboardingId: id, workflowId, reason, actorId, requestedBy });
    state.status = 'cancelled';
    return state.status;
  }, {
    validator: ({ reason }) => {
      if (FINAL_ONBOARDING_STATUSES.includes(state.status) || state.cancelled) throw reject('Cette habilitation est déjà terminée ou annulée.');
      const reasonError = cancelReasonError(reason);
      if (reasonError) throw reject(reasonError);
    },
  });

  setHandler(cardShipmentUpdate, async ({ status: next, trackingNumber, actorId }) => {
    shipmentStep += 1;
    state.busy = true;
    await acts.updateCardShipment({ onboardingId: id, workflowId, step: shipmentStep, status: next, trackingNumber: trackingNumber ?? null, actorId });
    state.shipment = next;
    if (next === 'delivered') state.status = 'card_linking';
    state.busy = false;
    const summary = await acts.getOnboardingSummary({ onboardingId: id });
    await acts.sendEmail({
      idempotencyKey: `${workflowId}/shipment-${shipmentStep}`, template: 'card_shipment_update', to: summary.referents.map((r) => r.email),
      data: { recipientName: 'Madame, Monsieur', aidantName: summary.aidantName, status: next, trackingNumber: trackingNumber ?? null },
    });
    return state.status;
  }, {
    validator: ({ status: next, trackingNumber }) => {
      if (state.status !== 'card_shipping' || state.busy) throw reject('Aucun envoi de carte n’est en cours pour cet aidant.');
      if (!SHIPMENT_MOVES[state.shipment].includes(next)) throw reject(`Un envoi « ${state.shipment} » ne peut pas passer à « ${next} ».`);
      if (next === 'sent' && !(trackingNumber ?? '').trim()) throw reject('Le numéro de suivi est obligatoire pour un envoi.');
    },
  });

  setHandler(cardValidatedUpdate, async ({ cardId, actorId }) => {
    state.busy = true;
    await acts.completeOnboarding({ onboardingId: id, workflowId, cardId, actorId });
    state.cardId = cardId;
    state.status = 'completed';
    state.busy = false;
    return state.status;
  }, {
    validator: ({ cardId }) => {
      if (state.status !== 'card_linking' || state.busy) throw reject('La carte ne peut être validée qu’après la livraison du kit de bienvenue.');
      if (!cardId) throw reject('La carte est obligatoire.');
    },
  });

  // 1. Training invitation, then the deadline with its reminders (again after each reopening).
  await acts.setTrainingDeadline({ onboardingId: id, deadline: state.deadline.toISOString() });
  const invited = await acts.getOnboardingSummary({ onboardingId: id });
  const deadlineText = () => frenchDate(state.deadline.toISOString());
  await acts.sendEmail({
    idempotencyKey: `${workflowId}/invitation`, template: 'onboarding_training_invitation', to: [invited.aidantEmail],
    data: { recipientName: invited.aidantName, aidantName: invited.aidantName, structureName: invited.structureName, deadline: deadlineText(), isAidant: true },
  });
  if (invited.referents.length > 0) {
    await acts.sendEmail({
      idempotencyKey: `${workflowId}/invitation-referents`, template: 'onboarding_training_invitation', to: invited.referents.map((r) => r.email),
      data: { recipientName: 'Madame, Monsieur', aidantName: invited.aidantName, structureName: invited.structureName, deadline: deadlineText(), isAidant: false },
    });
  }

  const settled = () => status() !== 'awaiting_training' || state.cancelled;
  for (let round = 1; ; round += 1) {
    for (const offset of [...input.policy.reminderOffsetsDays].sort((a, b) => b - a)) {
      const remindAt = addDays(state.deadline, -offset).getTime();
      if (remindAt <= Date.now()) continue;
      if (await condition(settled, remindAt - Date.now())) break;
      await acts.sendEmail({
        idempotencyKey: `${workflowId}/round-${round}/reminder-${offset}d`, template: 'onboarding_training_reminder',
        to: [invited.aidantEmail, ...invited.referents.map((r) => r.email)],
        data: { recipientName: 'Madame, Monsieur', aidantName: invited.aidantName, deadline: deadlineText(), daysLeft: Math.round((state.deadline.getTime() - Date.now()) / DAY_MS) },
      });
    }
    if (!settled()) await condition(settled, Math.max(0, state.deadline.getTime() - Date.now()));
    if (settled()) break;

    await acts.markOnboardingLapsed({ onboardingId: id, workflowId, round });
    state.status = 'lapsed';
    await acts.sendEmail({
      idempotencyKey: `${workflowId}/round-${round}/lapsed`, template: 'onboarding_lapsed', to: invited.referents.map((r) => r.email).concat(invited.aidantEmail),
      data: { recipientName: 'Madame, Monsieur', aidantName: invited.aidantName, structureName: invited.structureName, deadline: deadlineText() },
    });
    await condition(() => status() === 'awaiting_training' || state.cancelled);
    if (state.cancelled) break;
  }

  // 2. Account activation and welcome e-mails.
  if (!state.cancelled) {
    await acts.activateAidantAccount({ onboardingId: id, workflowId });
    state.status = 'account_activated';
    await acts.sendEmail({
      idempotencyKey: `${workflowId}/welcome-aidant`, template: 'aidant_account_activated', to: [invited.aidantEmail],
      data: { aidantName: invited.aidantName, structureName: invited.structureName },
    });
    if (invited.referents.length > 0) {
      await acts.sendEmail({
        idempotencyKey: `${workflowId}/welcome-referents`, template: 'referent_aidant_activated', to: invited.referents.map((r) => r.email),
        data: { recipientName: 'Madame, Monsieur', aidantName: invited.aidantName },
      });
    }
  }

  // 3. The welcome kit, moved by the ANCT (updates above), then the card linked and validated by the référent.
  if (!state.cancelled) {
    await acts.prepareCardShipment({ onboardingId: id, workflowId });
    state.status = 'card_shipping';
    await condition(() => status() === 'completed' || state.cancelled);
  }
  if (status() === 'completed') {
    await acts.sendEmail({
      idempotencyKey: `${workflowId}/completed`, template: 'card_validated', to: invited.referents.map((r) => r.email).concat(invited.aidantEmail),
      data: { recipientName: 'Madame, Monsieur', aidantName: invited.aidantName },
    });
  } else if (state.cancelled) {
    await condition(() => status() === 'cancelled');
    await acts.sendEmail({
      idempotencyKey: `${workflowId}/cancelled`, template: 'onboarding_cancelled', to: invited.referents.map((r) => r.email).concat(invited.aidantEmail),
      data: { recipientName: 'Madame, Monsieur', aidantName: invited.aidantName, reason: state.cancelReason },
    });
  }

  await condition(allHandlersFinished);
  return status();
}
