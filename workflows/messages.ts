// Message definitions shared by workflows and their clients (server, back-office, tests).
// Names are stable: changing one breaks running workflows.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ComiteDecision, RequestStatus } from '../domain/habilitation.js';

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
}
