// The web layer's only door to Temporal: start lifecycles and send them messages through the client.
import { createHash } from 'node:crypto';
import { Op } from 'sequelize';
import { HabilitationRequest } from '../db/models/index.js';
import {
  ScheduleAlreadyRunning, ScheduleOverlapPolicy, WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle,
} from '@temporalio/client';
import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';
import { DEFAULT_ONBOARDING_POLICY, REQUEST_STATUSES, workflowIdForOnboarding, workflowIdForRequest, type OnboardingPolicy, type OnboardingStatus } from '../domain/habilitation.js';
import { InvalidTransitionError } from '../domain/errors.js';
import type { aidantOnboardingWorkflow } from '../workflows/aidant-onboarding.js';
import type { habilitationRequestWorkflow } from '../workflows/habilitation-request.js';
import type { mandatWorkflow } from '../workflows/mandat.js';
import { PERIODIC_DUTIES } from './periodic-duties.js';
import type { usagerNotificationWorkflow } from '../workflows/usager-notification.js';
import { DEFAULT_USAGER_NOTIFICATION_POLICY, workflowIdForUsagerNotification, type UsagerNotificationPolicy } from '../domain/usager-notification.js';
import { DEFAULT_MANDAT_POLICY, workflowIdForMandat, type MandatPhase, type MandatPolicy } from '../domain/mandat-lifecycle.js';
import type { transactionalEmailWorkflow } from '../workflows/transactional-email.js';
import type { EmailDelivery } from './outbox.js';
import { loadMandatSnapshot } from './mandat-snapshot.js';
import {
  decideUpdate, mandatStateQuery, onboardingStatusQuery, requestStateQuery, resubmitSignal, revokeAutorisationUpdate, revokeMandatUpdate, renewedUpdate, autorisationUsedSignal,
  type ComiteDecisionInput, type ComiteDecisionResult, type HabilitationRequestPolicy,
} from '../workflows/messages.js';

export interface Lifecycles {
  startHabilitationRequest(requestId: string): Promise<void>;
  decideHabilitationRequest(requestId: string, decision: ComiteDecisionInput): Promise<ComiteDecisionResult>;
  /**
   * Tells a request's lifecycle that the demandeur corrected it (after « Demander des modifications »), for the
   * round it is in: the same resubmission told twice is applied once. Returns false when the lifecycle is not
   * waiting for changes (it already took them, or has not recorded the decision yet: the sweep tells it later).
   */
  resubmitHabilitationRequest(requestId: string): Promise<boolean>;
  /**
   * Sends an e-mail durably (retried until sent, once per idempotency key): a request to render and store, or
   * an e-mail already stored by enqueueEmail ({ idempotencyKey }), which is then only delivered.
   */
  sendEmail(request: EmailDelivery): Promise<void>;
  /**
   * Creates the schedule of every periodic duty (services/periodic-duties.ts), or brings an existing one up to
   * date with the code (spec, workflow, this task queue). Running it at each start is fine.
   */
  ensureSchedules(): Promise<void>;
  /**
   * Sends an update to an aidant's onboarding, deduplicated on the state it was taken from: the same action
   * twice from the same step (a double click) is applied once, the same action at a later step again.
   */
  updateOnboarding<A>(onboardingId: string, update: UpdateDefinition<OnboardingStatus, [A], string>, arg: A): Promise<OnboardingStatus>;
  /**
   * Starts the lifecycle of one aidant's onboarding on its own (an aidant asked by a référent, once the ANCT
   * found them eligible; those of a habilitation request are started by its lifecycle). Starting it again is fine.
   */
  startOnboarding(onboardingId: string): Promise<void>;
  /** Starts the lifecycle of a mandat just signed (`mandat/<mandatId>`). Starting it again is fine. */
  startMandat(mandatId: string): Promise<void>;
  /**
   * Revokes the whole mandat (every démarche in force, then the mandat), through its lifecycle; answers the
   * mandat's phase. A refusal (already revoked, expired…) is an InvalidTransitionError with its French message.
   * Deduplicated on the state it was taken from: a double click is applied once.
   */
  revokeMandat(mandatId: string, actorId: string): Promise<MandatPhase>;
  /** Revokes one démarche of a mandat; the last one in force revokes the mandat. Same refusals and deduplication. */
  revokeAutorisation(mandatId: string, demarche: string, actorId: string): Promise<MandatPhase>;
  /** Wakes (or starts) the usager's notification after a use of their autorisation was recorded and committed. */
  notifyUsager(usagerId: string): Promise<void>;
  /** Tells a mandat's lifecycle that `renewedById` renews it (once per renewal: the new mandat is the key). */
  renewMandat(mandatId: string, renewedById: string, actorId: string): Promise<MandatPhase>;
}


const dedupeId = (...parts: unknown[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);

const NO_LIFECYCLE = 'Ce dossier n’a pas (ou plus) de cycle de vie en cours.';

/** Reads a lifecycle's state (the state an action is taken from); a missing lifecycle is a domain refusal. */
async function queryState<R>(handle: WorkflowHandle, query: QueryDefinition<R>): Promise<R> {
  try {
    return await handle.query(query);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new InvalidTransitionError(NO_LIFECYCLE);
    throw error;
  }
}

async function executeUpdate<R, A>(handle: WorkflowHandle, update: UpdateDefinition<R, [A], string>, arg: A, updateId: string): Promise<R> {
  try {
    return await handle.executeUpdate(update, { args: [arg], updateId });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw new InvalidTransitionError(error.cause?.message ?? error.message);
    if (error instanceof WorkflowNotFoundError) throw new InvalidTransitionError(NO_LIFECYCLE);
    throw error;
  }
}

export function createLifecycles(
  client: Client,
  options: {
    taskQueue: string; habilitationPolicy: HabilitationRequestPolicy; onboardingPolicy?: OnboardingPolicy; mandatPolicy?: MandatPolicy;
    usagerNotificationPolicy?: UsagerNotificationPolicy;
  },
): Lifecycles {
  /** An update to a mandat's lifecycle, deduplicated on the démarches revoked when it was taken. */
  async function updateMandat<A>(mandatId: string, update: UpdateDefinition<MandatPhase, [A], string>, arg: A): Promise<MandatPhase> {
    const handle = client.workflow.getHandle(workflowIdForMandat(mandatId));
    const from = await queryState(handle, mandatStateQuery);
    return executeUpdate(handle, update, arg, dedupeId(mandatId, update.name, arg, from.revocations, from.phase));
  }

  return {
    async startHabilitationRequest(requestId) {
      try {
        await client.workflow.start<typeof habilitationRequestWorkflow>('habilitationRequestWorkflow', {
          workflowId: workflowIdForRequest(requestId),
          taskQueue: options.taskQueue,
          args: [{ requestId, policy: options.habilitationPolicy, onboardingPolicy: options.onboardingPolicy ?? DEFAULT_ONBOARDING_POLICY }],
          // One lifecycle per request, ever: a retried submission finds it started and is fine.
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    },

    async decideHabilitationRequest(requestId, decision) {
      // Deduplicated on the round it is taken in: a double click is applied once, the same decision after a
      // resubmission is applied again.
      const handle = client.workflow.getHandle(workflowIdForRequest(requestId));
      const { status, round } = await queryState(handle, requestStateQuery);
      const updateId = dedupeId(requestId, round, decision.decision, decision.motif.trim(), decision.juryMemberId);
      try {
        // Sent even when already decided: the second click of a double click gets the first one's answer.
        return await executeUpdate(handle, decideUpdate, { ...decision, round }, updateId);
      } catch (error) {
        // A lifecycle that already ended refuses any update: say why, as the validator does while it runs.
        if (status === 'awaiting_comite') throw error;
        throw new InvalidTransitionError(`Cette demande n’attend pas de décision du comité (statut actuel : ${REQUEST_STATUSES[status]}).`);
      }
    },

    async resubmitHabilitationRequest(requestId) {
      const handle = client.workflow.getHandle(workflowIdForRequest(requestId));
      const { status, round } = await queryState(handle, requestStateQuery);
      if (status !== 'changes_required') return false;
      // Read after the round: a resubmission still recorded now answers the changes asked in this round (the
      // workflow clears it when it takes one), so a sweep that read the row earlier never answers a later round.
      const request = await HabilitationRequest.findByPk(requestId, { attributes: ['id', 'resubmittedAt'] });
      if (!request?.resubmittedAt) return false;
      await handle.signal(resubmitSignal, { round });
      return true;
    },

    async sendEmail(request) {
      await startEmailDelivery(client, options.taskQueue, request);
    },

    async ensureSchedules() {
      for (const duty of PERIODIC_DUTIES) {
        const action = { type: 'startWorkflow' as const, workflowType: duty.workflowType, taskQueue: options.taskQueue, args: [], workflowId: `schedule/${duty.id}` };
        const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: duty.catchupWindow };
        try {
          await client.schedule.create({ scheduleId: duty.id, spec: duty.spec, action, policies, memo: { description: duty.description } });
        } catch (error) {
          if (!(error instanceof ScheduleAlreadyRunning)) throw error;
          await client.schedule.getHandle(duty.id).update((schedule) => ({ ...schedule, spec: duty.spec, action, policies }));
        }
      }
    },

    async updateOnboarding(onboardingId, update, arg) {
      const handle = client.workflow.getHandle(workflowIdForOnboarding(onboardingId));
      const from: { round?: number; shipmentStep?: number } = await queryState(handle, onboardingStatusQuery);
      return executeUpdate(handle, update, arg, dedupeId(onboardingId, update.name, arg, from.round ?? null, from.shipmentStep ?? null));
    },

    async startOnboarding(onboardingId) {
      try {
        await client.workflow.start<typeof aidantOnboardingWorkflow>('aidantOnboardingWorkflow', {
          workflowId: workflowIdForOnboarding(onboardingId),
          taskQueue: options.taskQueue,
          args: [{ onboardingId, policy: options.onboardingPolicy ?? DEFAULT_ONBOARDING_POLICY }],
          // One lifecycle per onboarding, ever: a retried start finds it started and is fine.
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    },

    async startMandat(mandatId) {
      // Given its snapshot, the workflow answers queries and updates from its first task on.
      const snapshot = await loadMandatSnapshot(mandatId);
      if (!snapshot) throw new InvalidTransitionError('Ce mandat est introuvable.');
      try {
        await client.workflow.start<typeof mandatWorkflow>('mandatWorkflow', {
          workflowId: workflowIdForMandat(mandatId),
          taskQueue: options.taskQueue,
          args: [{ mandatId, policy: options.mandatPolicy ?? DEFAULT_MANDAT_POLICY, snapshot }],
          // One lifecycle per mandat, ever: a retried start finds it started and is fine.
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    },

    revokeMandat: (mandatId, actorId) => updateMandat(mandatId, revokeMandatUpdate, { actorId }),
    revokeAutorisation: (mandatId, demarche, actorId) => updateMandat(mandatId, revokeAutorisationUpdate, { demarche, actorId }),
    async notifyUsager(usagerId) {
      await client.workflow.signalWithStart<typeof usagerNotificationWorkflow>('usagerNotificationWorkflow', {
        workflowId: workflowIdForUsagerNotification(usagerId), taskQueue: options.taskQueue,
        args: [{ usagerId, policy: options.usagerNotificationPolicy ?? DEFAULT_USAGER_NOTIFICATION_POLICY }],
        signal: autorisationUsedSignal, signalArgs: [],
      });
    },

    renewMandat: (mandatId, renewedById, actorId) =>
      executeUpdate(client.workflow.getHandle(workflowIdForMandat(mandatId)), renewedUpdate, { renewedById, actorId }, dedupeId(mandatId, 'renewed', renewedById)),
  };
}

/** Starts the `email/<key>` workflow; a delivery already running for this key is kept (not started twice). */
export async function startEmailDelivery(client: Client, taskQueue: string, request: EmailDelivery): Promise<void> {
  await client.workflow.start<typeof transactionalEmailWorkflow>('transactionalEmailWorkflow', {
    workflowId: `email/${request.idempotencyKey}`,
    taskQueue,
    args: [request],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
}

/**
 * Hands every submission the workflows have not taken yet to them again: starts the lifecycle of each submitted
 * draft (its start failed), and tells each resubmitted request's lifecycle (its signal failed). Both are
 * harmless when repeated, so several web processes may sweep at once. Returns how many were handed over.
 */
export async function resumeSubmittedDrafts(lifecycles: Lifecycles): Promise<number> {
  const drafts = await HabilitationRequest.findAll({ where: { status: 'draft', submittedAt: { [Op.ne]: null } }, attributes: ['id'] });
  const resubmitted = await HabilitationRequest.findAll({ where: { status: 'changes_required', resubmittedAt: { [Op.ne]: null } }, attributes: ['id'] });
  let handed = 0;
  let failure: unknown;
  // One request that cannot be handed over does not hold back the others.
  const attempt = async (handOver: () => Promise<boolean>) => {
    try {
      if (await handOver()) handed += 1;
    } catch (error) {
      failure ??= error;
    }
  };
  for (const draft of drafts) await attempt(async () => { await lifecycles.startHabilitationRequest(draft.id); return true; });
  for (const request of resubmitted) await attempt(() => lifecycles.resubmitHabilitationRequest(request.id));
  if (failure) throw failure;
  return handed;
}

/** How often the web process sweeps (resumeSubmittedDrafts): the 503 page after a failed submission promises it. */
export const SUBMISSION_SWEEP_INTERVAL_MS = 60_000;

/**
 * Sweeps now, then every `intervalMs` until stopped; a failed sweep (Temporal still down) is logged and
 * retried at the next tick. Returns the function that stops it.
 */
export function startSubmissionSweep(
  lifecycles: Lifecycles,
  options: { intervalMs?: number; onSwept?: (count: number) => void; onError?: (error: Error) => void } = {},
): () => void {
  let running = false;
  const sweep = async () => {
    if (running) return; // a slow sweep is not overlapped by the next tick
    running = true;
    try {
      const count = await resumeSubmittedDrafts(lifecycles);
      if (count > 0) options.onSwept?.(count);
    } catch (error) {
      options.onError?.(error as Error);
    } finally {
      running = false;
    }
  };
  void sweep();
  const timer = setInterval(() => void sweep(), options.intervalMs ?? SUBMISSION_SWEEP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
