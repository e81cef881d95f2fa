// Lifecycle 2: one aidant to train, from eligibility to a habilitated aidant with a validated card.
//   awaiting_training (invitation; reminders before the deadline; at the deadline → lapsed, until reopened;
//   a lapsed onboarding not reopened is closed after policy.lapsedCloseDelayMs, with a reminder before)
//   → trained (recorded by the ANCT) → account_activated (welcome e-mails) → card_shipping (preparing → sent
//   → delivered) → card_linking → completed.     The référent or the ANCT can cancel until completion; a card
//   validated by the référent completes it from the activation on (the kit is then moot).
// One action at a time: an update is refused while another one (or a step of the main loop) is writing, and
// an update changes the workflow's state only once its activity succeeded. E-mails are sent by the main
// loop, never inside an update handler, each to one person greeted by name, from addresses read at send time.
import {
  ActivityFailure, ApplicationFailure, allHandlersFinished, condition, patched, setHandler, workflowInfo,
} from '@temporalio/workflow';
import { lifecycleActivities } from './lifecycle-activities.js';
import type { OnboardingSummary } from '../activities/onboarding.js';
import { CARD_COMPLETES_ONBOARDING_FROM } from '../domain/cards.js';
import { addDays, addMonths, DAY_MS } from '../domain/duration.js';
import {
  cancelReasonError, canCancelOnboarding, DEFAULT_LAPSED_CLOSE_DELAY_MS, DEFAULT_LAPSED_CLOSE_REMINDER_MS, LAPSED_CLOSE_REASON, parisDay,
  trainingDateError, type OnboardingStatus, type ShipmentStatus,
} from '../domain/habilitation.js';
import type { EmailRequest } from '../services/outbox.js';
import { legacyAidantOnboarding } from './aidant-onboarding-v1.js';
import {
  cancelOnboardingUpdate, cardShipmentUpdate, cardValidatedUpdate, onboardingStatusQuery, recordTrainingUpdate, reopenOnboardingUpdate,
  type AidantOnboardingInput,
} from './messages.js';

const acts = lifecycleActivities();

const reject = (message: string) => ApplicationFailure.create({ type: 'InvalidTransition', nonRetryable: true, message });
const BUSY = 'Une autre action est en cours sur cette habilitation : réessayez dans un instant.';

const SHIPMENT_MOVES: Record<ShipmentStatus, ShipmentStatus[]> = {
  preparing: ['sent'], sent: ['delivered', 'lost', 'returned'], lost: ['sent'], returned: ['sent'], delivered: [],
};

/** An activity's refusal (non-retryable ApplicationFailure) becomes the update's failure, with its French message. */
function updateFailure(error: unknown): unknown {
  if (error instanceof ActivityFailure) {
    const cause = error.cause instanceof ApplicationFailure ? error.cause : undefined;
    return ApplicationFailure.create({ type: cause?.type ?? 'ActivityFailure', nonRetryable: true, message: cause?.message ?? 'L’action n’a pas pu être enregistrée.' });
  }
  return error;
}

type Audience = 'aidant' | 'referents' | 'everyone';
type Greeting = (summary: OnboardingSummary, recipientName: string, isAidant: boolean) => Record<string, unknown>;
interface ShipmentNotice { step: number; status: Exclude<ShipmentStatus, 'preparing'>; trackingNumber: string | null }

export async function aidantOnboardingWorkflow(input: AidantOnboardingInput): Promise<OnboardingStatus> {
  // Runs started before this version keep their own code to the end (their histories have no such marker).
  if (!patched('onboarding-v2')) return legacyAidantOnboarding(input);

  const { workflowId, startTime } = workflowInfo();
  const id = input.onboardingId;
  const closeDelayMs = input.policy.lapsedCloseDelayMs ?? DEFAULT_LAPSED_CLOSE_DELAY_MS;
  const closeReminderMs = Math.min(input.policy.lapsedCloseReminderMs ?? DEFAULT_LAPSED_CLOSE_REMINDER_MS, closeDelayMs);
  const state = {
    status: 'awaiting_training' as OnboardingStatus,
    deadline: addMonths(startTime, input.policy.trainingDelayMonths),
    shipment: 'preparing' as ShipmentStatus,
    /** Training period: 1, then one more per reopening. */
    round: 1,
    shipmentStep: 0,
    /** An activity is writing (an update's or the main loop's): other updates wait their turn. */
    busy: false,
    /** The Paris day the request was created: no training before it (unknown until the first summary). */
    notBefore: null as string | null,
    cancelReason: '',
  };
  /** Shipment e-mails recorded by the update handler, sent by the main loop. */
  const shipmentNotices: ShipmentNotice[] = [];
  const current = (): OnboardingStatus => state.status; // read through a call: handlers change it meanwhile
  const isFinal = () => state.status === 'completed' || state.status === 'cancelled';

  /** Runs an update's activity alone; the handler commits its state only after it succeeded. */
  async function exclusive<T>(run: () => Promise<T>): Promise<T> {
    state.busy = true;
    try {
      return await run();
    } catch (error) {
      throw updateFailure(error);
    } finally {
      state.busy = false;
    }
  }

  /** A step of the main loop, once no update is writing and only if the onboarding is still where expected. */
  async function step(expected: OnboardingStatus, run: () => Promise<void>): Promise<boolean> {
    await condition(() => !state.busy);
    if (state.status !== expected) return false;
    state.busy = true;
    try {
      await run();
    } finally {
      state.busy = false;
    }
    return true;
  }

  /** Waits for `done` until `at`; at the timeout, lets an update in flight finish before answering. */
  async function waitUntil(done: () => boolean, at: number): Promise<boolean> {
    const left = at - Date.now();
    if (left > 0 && await condition(done, left)) return true;
    await condition(() => !state.busy);
    return done();
  }

  /** One e-mail per person, greeted by name, to the addresses the database holds now (not at the start). */
  async function notify(key: string, audience: Audience, template: EmailRequest['template'], data: Greeting): Promise<OnboardingSummary> {
    const summary = await acts.getOnboardingSummary({ onboardingId: id });
    const send = (suffix: string, to: string, name: string, isAidant: boolean) => acts.sendEmail({
      idempotencyKey: `${workflowId}/${key}/${suffix}`, template, to: [to], data: data(summary, name, isAidant) as unknown as EmailRequest['data'],
    });
    if (audience !== 'referents') await send('aidant', summary.aidantEmail, summary.aidantName, true);
    if (audience !== 'aidant') {
      for (const referent of summary.referents) {
        if (audience === 'everyone' && referent.email === summary.aidantEmail) continue; // already told as the aidant
        await send(`referent-${referent.userId}`, referent.email, referent.name, false);
      }
    }
    return summary;
  }

  setHandler(onboardingStatusQuery, () => ({
    status: state.status, trainingDeadline: state.deadline.toISOString(), round: state.round, shipmentStep: state.shipmentStep,
  }));

  setHandler(recordTrainingUpdate, ({ trainingDate, actorId }) => exclusive(async () => {
    await acts.recordTraining({ onboardingId: id, workflowId, trainingDate, actorId, today: parisDay(Date.now()) });
    state.status = 'trained';
    return state.status;
  }), {
    validator: ({ trainingDate, actorId }) => {
      if (state.busy) throw reject(BUSY);
      if (state.status !== 'awaiting_training') throw reject('La formation ne peut être enregistrée que pour un aidant en attente de formation.');
      const dateError = trainingDateError(trainingDate, { today: parisDay(Date.now()), notBefore: state.notBefore });
      if (dateError) throw reject(dateError);
      if (!actorId) throw reject('L’auteur de l’action est obligatoire.');
    },
  });

  setHandler(reopenOnboardingUpdate, ({ deadline, actorId }) => exclusive(async () => {
    const round = state.round + 1;
    await acts.reopenOnboarding({ onboardingId: id, workflowId, round, deadline, actorId });
    state.round = round;
    state.deadline = new Date(deadline);
    state.status = 'awaiting_training';
    return state.status;
  }), {
    validator: ({ deadline }) => {
      if (state.busy) throw reject(BUSY);
      if (state.status !== 'lapsed') throw reject('Seule une habilitation dont le délai de formation est dépassé peut être rouverte.');
      if (Number.isNaN(Date.parse(deadline)) || Date.parse(deadline) <= Date.now()) throw reject('La nouvelle date limite doit être dans le futur.');
    },
  });

  setHandler(cancelOnboardingUpdate, ({ reason, actorId, requestedBy }) => exclusive(async () => {
    await acts.cancelOnboarding({ onboardingId: id, workflowId, reason: reason.trim(), actorId, requestedBy });
    state.cancelReason = reason.trim();
    state.status = 'cancelled';
    return state.status;
  }), {
    validator: ({ reason }) => {
      if (state.busy) throw reject(BUSY);
      if (!canCancelOnboarding(state.status)) throw reject('Cette habilitation est déjà terminée ou annulée.');
      const reasonError = cancelReasonError(reason);
      if (reasonError) throw reject(reasonError);
    },
  });

  setHandler(cardShipmentUpdate, ({ status: next, trackingNumber, actorId }) => exclusive(async () => {
    const shipmentStep = state.shipmentStep + 1;
    await acts.updateCardShipment({ onboardingId: id, workflowId, step: shipmentStep, status: next, trackingNumber: trackingNumber ?? null, actorId });
    state.shipmentStep = shipmentStep;
    state.shipment = next;
    if (next === 'delivered') state.status = 'card_linking';
    shipmentNotices.push({ step: shipmentStep, status: next, trackingNumber: trackingNumber ?? null });
    return state.status;
  }), {
    validator: ({ status: next, trackingNumber }) => {
      if (state.busy) throw reject(BUSY);
      if (state.status !== 'card_shipping') throw reject('Aucun envoi de carte n’est en cours pour cet aidant.');
      if (!SHIPMENT_MOVES[state.shipment].includes(next)) throw reject(`Un envoi « ${state.shipment} » ne peut pas passer à « ${next} ».`);
      if (next === 'sent' && !(trackingNumber ?? '').trim()) throw reject('Le numéro de suivi est obligatoire pour un envoi.');
    },
  });

  setHandler(cardValidatedUpdate, ({ cardId, actorId }) => exclusive(async () => {
    await acts.completeOnboarding({ onboardingId: id, workflowId, cardId, actorId });
    state.status = 'completed';
    return state.status;
  }), {
    validator: ({ cardId }) => {
      if (state.busy) throw reject(BUSY);
      // A working card makes the welcome kit moot: it completes the onboarding from the account's activation on.
      if (!(CARD_COMPLETES_ONBOARDING_FROM as readonly OnboardingStatus[]).includes(state.status)) {
        throw reject(isFinal() ? 'Cette habilitation est déjà terminée ou annulée.' : 'Une carte ne termine l’habilitation qu’une fois le compte de l’aidant activé, après sa formation.');
      }
      if (!cardId) throw reject('La carte est obligatoire.');
    },
  });

  async function sendShipmentNotices(): Promise<void> {
    while (shipmentNotices.length > 0) {
      const notice = shipmentNotices[0];
      await notify(`shipment-${notice.step}`, 'referents', 'card_shipment_update', (s, name) => ({
        recipientName: name, aidantName: s.aidantName, status: notice.status, trackingNumber: notice.trackingNumber,
      }));
      shipmentNotices.shift();
    }
  }

  // 1. Training invitation, then the deadline with its reminders (again after each reopening).
  await acts.setTrainingDeadline({ onboardingId: id, deadline: state.deadline.toISOString() });
  const invited = await notify('invitation', 'everyone', 'onboarding_training_invitation', (s, name, isAidant) => ({
    recipientName: name, aidantName: s.aidantName, structureName: s.structureName, deadline: state.deadline.toISOString(), isAidant,
  }));
  state.notBefore = invited.requestCreatedOn;

  const trainingSettled = () => state.status !== 'awaiting_training';
  for (;;) {
    const round = state.round;
    for (const offset of [...input.policy.reminderOffsetsDays].sort((a, b) => b - a)) {
      const remindAt = addDays(state.deadline, -offset).getTime();
      if (remindAt <= Date.now()) continue;
      if (await condition(trainingSettled, remindAt - Date.now())) break;
      await notify(`round-${round}/reminder-${offset}d`, 'everyone', 'onboarding_training_reminder', (s, name, isAidant) => ({
        recipientName: name, aidantName: s.aidantName, deadline: state.deadline.toISOString(), daysLeft: Math.round((state.deadline.getTime() - Date.now()) / DAY_MS), isAidant,
      }));
    }
    if (!(await waitUntil(trainingSettled, state.deadline.getTime()))) {
      if (await step('awaiting_training', () => acts.markOnboardingLapsed({ onboardingId: id, workflowId, round }))) state.status = 'lapsed';
    }
    if (state.status !== 'lapsed') break;
    const lapsedAt = Date.now();
    await notify(`round-${round}/lapsed`, 'everyone', 'onboarding_lapsed', (s, name) => ({
      recipientName: name, aidantName: s.aidantName, structureName: s.structureName, deadline: state.deadline.toISOString(),
    }));

    // Lapsed: reopened, cancelled, or closed by the lifecycle after the delay (told before).
    const leftLapsed = () => state.status !== 'lapsed';
    const closeAt = lapsedAt + closeDelayMs;
    if (!(await waitUntil(leftLapsed, closeAt - closeReminderMs))) {
      await notify(`round-${round}/closing-reminder`, 'everyone', 'onboarding_lapsed_closing', (s, name) => ({
        recipientName: name, aidantName: s.aidantName, structureName: s.structureName, closeDate: new Date(closeAt).toISOString(),
      }));
      if (!(await waitUntil(leftLapsed, closeAt))) {
        if (await step('lapsed', () => acts.closeLapsedOnboarding({ onboardingId: id, workflowId, round }))) {
          state.status = 'cancelled';
          state.cancelReason = LAPSED_CLOSE_REASON;
        }
      }
    }
    if (current() !== 'awaiting_training') break; // reopened: a new training period
  }

  // 2. Account activation and welcome e-mails.
  if (await step('trained', () => acts.activateAidantAccount({ onboardingId: id, workflowId }))) {
    state.status = 'account_activated';
    await notify('welcome', 'aidant', 'aidant_account_activated', (s) => ({ aidantName: s.aidantName, structureName: s.structureName }));
    await notify('welcome', 'referents', 'referent_aidant_activated', (s, name) => ({ recipientName: name, aidantName: s.aidantName }));
  }

  // 3. The welcome kit, moved by the ANCT (updates above), then the card linked and validated by the référent.
  if (await step('account_activated', () => acts.prepareCardShipment({ onboardingId: id, workflowId }))) state.status = 'card_shipping';
  while (!isFinal() || shipmentNotices.length > 0) {
    await condition(() => isFinal() || shipmentNotices.length > 0);
    await sendShipmentNotices();
  }

  if (state.status === 'completed') {
    await notify('completed', 'everyone', 'card_validated', (s, name) => ({ recipientName: name, aidantName: s.aidantName }));
  } else {
    await notify('cancelled', 'everyone', 'onboarding_cancelled', (s, name) => ({ recipientName: name, aidantName: s.aidantName, reason: state.cancelReason }));
  }

  await condition(allHandlersFinished);
  await sendShipmentNotices();
  return state.status;
}
