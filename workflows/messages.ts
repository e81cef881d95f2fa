// Message definitions shared by workflows and their clients (server, back-office, tests).
// Names are stable: changing one breaks running workflows.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { UsagerNotificationPolicy } from '../domain/usager-notification.js';
import type {
  CancelOnboardingInput, ComiteDecision, OnboardingPolicy, OnboardingStatus, RequestStatus, ShipmentStatus,
} from '../domain/habilitation.js';
import type { DemarcheState, MandatPhase, MandatPolicy, MandatSnapshot } from '../domain/mandat-lifecycle.js';

export interface ComiteDecisionInput {
  decision: ComiteDecision;
  motif: string;
  juryMemberId: string;
  /** The round the decision was taken in (services/lifecycles.ts reads it); a decision on an earlier round is refused. */
  round?: number;
}

export interface ComiteDecisionResult {
  status: RequestStatus;
}

export const decideUpdate = defineUpdate<ComiteDecisionResult, [ComiteDecisionInput]>('decide');
/**
 * The demandeur corrected the request after the changes asked in `round`: a repeated or late signal (the sweep
 * delivering one that got through after all) changes nothing. Histories recorded before carry no round.
 */
export const resubmitSignal = defineSignal<[resubmission?: { round: number }]>('resubmit');
export const requestStatusQuery = defineQuery<RequestStatus>('status');
/** The state a message is sent from: a decision or a resubmission is deduplicated on its round. */
export const requestStateQuery = defineQuery<{ status: RequestStatus; round: number }>('state');

export interface HabilitationRequestPolicy {
  /** After this delay without a decision, the ANCT is reminded (then again after each further delay). */
  comiteReminderDelayMs: number;
  /** A request left in changes_required this long is closed (60 days unless given). */
  changesCloseDelayMs?: number;
  /** The demandeur is reminded this long before that closure (7 days unless given). */
  changesReminderBeforeMs?: number;
}

export const DEFAULT_CHANGES_CLOSE_DELAY_MS = 60 * 86_400_000;
export const DEFAULT_CHANGES_REMINDER_BEFORE_MS = 7 * 86_400_000;

export interface HabilitationRequestInput {
  requestId: string;
  policy: HabilitationRequestPolicy;
  /** Given to each aidant's onboarding once the request is validated (two months, reminders 30 and 7 days before). */
  onboardingPolicy?: OnboardingPolicy;
}

// Aidant onboarding (one workflow per aidant to train).

export interface AidantOnboardingInput {
  onboardingId: string;
  policy: OnboardingPolicy;
}

/**
 * The state an onboarding's update is taken from: its training period (round, 1 then one more per reopening)
 * and the number of shipment moves recorded. Absent from runs started before the 'onboarding-v2' patch.
 */
export interface OnboardingSteps { round: number; shipmentStep: number }

export const onboardingStatusQuery = defineQuery<{ status: OnboardingStatus; trainingDeadline: string } & Partial<OnboardingSteps>>('onboardingStatus');
export const recordTrainingUpdate = defineUpdate<OnboardingStatus, [{ trainingDate: string; actorId: string }]>('recordTraining');
export const reopenOnboardingUpdate = defineUpdate<OnboardingStatus, [{ deadline: string; actorId: string }]>('reopen');
export const cancelOnboardingUpdate = defineUpdate<OnboardingStatus, [CancelOnboardingInput]>('cancel');
export const cardShipmentUpdate = defineUpdate<OnboardingStatus, [{ status: Exclude<ShipmentStatus, 'preparing'>; trackingNumber?: string; actorId: string }]>('cardShipment');
/** Sent by the espace référent once the aidant's card is linked and its first code checked. */
export const cardValidatedUpdate = defineUpdate<OnboardingStatus, [{ cardId: string; actorId: string }]>('cardValidated');

// Mandat (lifecycle 3: one workflow per mandat; its reminders meet in one digest per structure and day).

export interface MandatInput {
  mandatId: string;
  policy: MandatPolicy;
  /** The mandat as the starter (services/lifecycles.ts) or the run that continued as new saw it; without it, read first. */
  snapshot?: MandatSnapshot;
  /** The mandat that renewed this one, carried over by continue-as-new. */
  renewedBy?: string;
}

/** What a mandat's lifecycle shows: its phase, démarches, dates, and when each reminder falls due. */
export interface MandatLifecycleState {
  phase: MandatPhase;
  expiresAt: string;
  revokedAt: string | null;
  demarches: DemarcheState[];
  reminders: { offsetDays: number; day: string; at: string }[];
  /** Once expired or revoked: until when it can be renewed (then the lifecycle closes). */
  renewableUntil: string | null;
  /** The mandat that renewed this one, once renewed. */
  renewedBy: string | null;
  /** Démarches revoked so far (the state a revocation is taken from: services/lifecycles.ts deduplicates on it). */
  revocations: number;
}

export const mandatStateQuery = defineQuery<MandatLifecycleState>('mandatState');
/** Revokes one démarche of the mandat; the last one revokes the mandat. Answers the mandat's phase. */
export const revokeAutorisationUpdate = defineUpdate<MandatPhase, [{ demarche: string; actorId: string }]>('revokeAutorisation');
/** Revokes every démarche still in force, then the mandat. */
export const revokeMandatUpdate = defineUpdate<MandatPhase, [{ actorId: string }]>('revokeMandat');
/**
 * A newer mandat of the structure renews this one (its overlapping autorisations already revoked by the
 * creation's transaction): the lifecycle takes the mandat's state again and, once it is no longer in force,
 * closes at once instead of staying renewable a year.
 */
export const renewedUpdate = defineUpdate<MandatPhase, [{ renewedById: string; actorId: string }]>('renewed');

export interface MandatReminderDigestInput {
  organisationId: string;
  /** The Paris day (YYYY-MM-DD) the reminders fall due. */
  day: string;
  settleMs: number;
}

/** A mandat of the structure was recorded as due that day (sent with signal-with-start by the mandat's activity). */
export const mandatDueSignal = defineSignal<[]>('mandatDue');

// The usager's notification of the démarches done on their behalf (one workflow per usager at a time).

export interface UsagerNotificationInput {
  usagerId: string;
  policy: UsagerNotificationPolicy;
}

/** A use of one of the usager's autorisations was recorded (sent with signal-with-start after its commit). */
export const autorisationUsedSignal = defineSignal<[]>('autorisationUsed');
