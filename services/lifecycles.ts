// The web layer's only door to Temporal: start lifecycles and send them messages through the client.
import { createHash } from 'node:crypto';
import { Op } from 'sequelize';
import { HabilitationRequest } from '../db/models/index.js';
import {
  ScheduleAlreadyRunning, ScheduleOverlapPolicy, WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { DEFAULT_ONBOARDING_POLICY, workflowIdForOnboarding, workflowIdForRequest, type OnboardingPolicy, type OnboardingStatus } from '../domain/habilitation.js';
import { InvalidTransitionError } from '../domain/errors.js';
import type { habilitationRequestWorkflow } from '../workflows/habilitation-request.js';
import type { transactionalEmailWorkflow } from '../workflows/transactional-email.js';
import type { EmailRequest } from './outbox.js';
import { decideUpdate, onboardingStatusQuery, resubmitSignal, type ComiteDecisionInput, type ComiteDecisionResult, type HabilitationRequestPolicy } from '../workflows/messages.js';

export interface Lifecycles {
  startHabilitationRequest(requestId: string): Promise<void>;
  decideHabilitationRequest(requestId: string, decision: ComiteDecisionInput): Promise<ComiteDecisionResult>;
  /** Tells a request's lifecycle that the demandeur corrected it (after « Demander des modifications »). */
  resubmitHabilitationRequest(requestId: string): Promise<void>;
  /** Sends an e-mail durably (retried until sent, once per idempotency key). */
  sendEmail(request: EmailRequest): Promise<void>;
  /** Creates the hourly housekeeping schedule, or points it at this task queue if it exists. */
  ensureHousekeepingSchedule(): Promise<void>;
  /**
   * Sends an update to an aidant's onboarding, deduplicated on the state it was taken from: the same action
   * twice from the same step (a double click) is applied once, the same action at a later step again.
   */
  updateOnboarding<A>(onboardingId: string, update: UpdateDefinition<OnboardingStatus, [A], string>, arg: A): Promise<OnboardingStatus>;
}

export const HOUSEKEEPING_SCHEDULE_ID = 'housekeeping';

const dedupeId = (...parts: unknown[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);

async function executeUpdate<R, A>(handle: WorkflowHandle, update: UpdateDefinition<R, [A], string>, arg: A, updateId: string): Promise<R> {
  try {
    return await handle.executeUpdate(update, { args: [arg], updateId });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw new InvalidTransitionError(error.cause?.message ?? error.message);
    if (error instanceof WorkflowNotFoundError) throw new InvalidTransitionError('Ce dossier n’a pas (ou plus) de cycle de vie en cours.');
    throw error;
  }
}

export function createLifecycles(
  client: Client,
  options: { taskQueue: string; habilitationPolicy: HabilitationRequestPolicy; onboardingPolicy?: OnboardingPolicy },
): Lifecycles {
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
      // Same request, decision, motif and jury member → same update id: a double click is applied once.
      const updateId = dedupeId(requestId, decision.decision, decision.motif.trim(), decision.juryMemberId);
      return executeUpdate(client.workflow.getHandle(workflowIdForRequest(requestId)), decideUpdate, decision, updateId);
    },

    async resubmitHabilitationRequest(requestId) {
      await client.workflow.getHandle(workflowIdForRequest(requestId)).signal(resubmitSignal);
    },

    async sendEmail(request) {
      await client.workflow.start<typeof transactionalEmailWorkflow>('transactionalEmailWorkflow', {
        workflowId: `email/${request.idempotencyKey}`,
        taskQueue: options.taskQueue,
        args: [request],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
    },

    async ensureHousekeepingSchedule() {
      const action = { type: 'startWorkflow' as const, workflowType: 'housekeepingWorkflow', taskQueue: options.taskQueue, args: [] };
      try {
        await client.schedule.create({
          scheduleId: HOUSEKEEPING_SCHEDULE_ID,
          spec: { intervals: [{ every: '1 hour' }] },
          action,
          policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
        });
      } catch (error) {
        if (!(error instanceof ScheduleAlreadyRunning)) throw error;
        await client.schedule.getHandle(HOUSEKEEPING_SCHEDULE_ID).update((schedule) => ({ ...schedule, action }));
      }
    },

    async updateOnboarding(onboardingId, update, arg) {
      const handle = client.workflow.getHandle(workflowIdForOnboarding(onboardingId));
      let from: { round?: number; shipmentStep?: number };
      try {
        from = await handle.query(onboardingStatusQuery);
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw new InvalidTransitionError('Ce dossier n’a pas (ou plus) de cycle de vie en cours.');
        throw error;
      }
      return executeUpdate(handle, update, arg, dedupeId(onboardingId, update.name, arg, from.round ?? null, from.shipmentStep ?? null));
    },
  };
}

/** Starts the lifecycle of every submitted request still in draft (its start failed earlier): nothing is lost. */
export async function resumeSubmittedDrafts(lifecycles: Lifecycles): Promise<number> {
  const drafts = await HabilitationRequest.findAll({ where: { status: 'draft', submittedAt: { [Op.ne]: null } }, attributes: ['id'] });
  for (const draft of drafts) await lifecycles.startHabilitationRequest(draft.id);
  return drafts.length;
}
