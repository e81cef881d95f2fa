// The web layer's only door to Temporal: start lifecycles and send them messages through the client.
import { createHash } from 'node:crypto';
import { Op } from 'sequelize';
import { HabilitationRequest } from '../db/models/index.js';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { DEFAULT_ONBOARDING_POLICY, workflowIdForRequest, type OnboardingPolicy } from '../domain/habilitation.js';
import { InvalidTransitionError } from '../domain/errors.js';
import type { habilitationRequestWorkflow } from '../workflows/habilitation-request.js';
import { decideUpdate, type ComiteDecisionInput, type ComiteDecisionResult, type HabilitationRequestPolicy } from '../workflows/messages.js';

export interface Lifecycles {
  startHabilitationRequest(requestId: string): Promise<void>;
  decideHabilitationRequest(requestId: string, decision: ComiteDecisionInput): Promise<ComiteDecisionResult>;
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
      const updateId = createHash('sha256').update(JSON.stringify([requestId, decision.decision, decision.motif.trim(), decision.juryMemberId])).digest('hex').slice(0, 32);
      try {
        return await client.workflow.getHandle(workflowIdForRequest(requestId)).executeUpdate(decideUpdate, { args: [decision], updateId });
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) throw new InvalidTransitionError(error.cause?.message ?? error.message);
        throw error;
      }
    },
  };
}

/** Starts the lifecycle of every submitted request still in draft (its start failed earlier): nothing is lost. */
export async function resumeSubmittedDrafts(lifecycles: Lifecycles): Promise<number> {
  const drafts = await HabilitationRequest.findAll({ where: { status: 'draft', submittedAt: { [Op.ne]: null } }, attributes: ['id'] });
  for (const draft of drafts) await lifecycles.startHabilitationRequest(draft.id);
  return drafts.length;
}
