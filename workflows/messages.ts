// Message definitions shared by workflows and their clients (server, back-office, tests).
// Names are stable: changing one breaks running workflows.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  CancelOnboardingInput, ComiteDecision, OnboardingPolicy, OnboardingStatus, RequestStatus, ShipmentStatus,
} from '../domain/habilitation.js';

export interface ComiteDecisionInput {
  decision: ComiteDecision;
  motif: string;
  juryMemberId: string;
}

export interface ComiteDecisionResult {
  status: RequestStatus;
}

export const decideUpdate = defineUpdate<ComiteDecisionResult, [ComiteDecisionInput]>('decide');
export const resubmitSignal = defineSignal('resubmit');
export const requestStatusQuery = defineQuery<RequestStatus>('status');

export interface HabilitationRequestPolicy {
  /** After this delay without a decision, the ANCT is reminded (then again after each further delay). */
  comiteReminderDelayMs: number;
}

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
