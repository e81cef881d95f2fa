// Lifecycle 1: a structure's habilitation request.
//   submitted → awaiting the comité (the ANCT is reminded while it waits)
//   → validated | refused | changes_required (→ resubmitted → awaiting again)
// A decision is an update with a validator: refused at once unless the request awaits a decision.
import {
  ApplicationFailure, ParentClosePolicy, allHandlersFinished, condition, currentUpdateInfo, patched, proxyActivities, setHandler, startChild, workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { withEmailFailuresAsOutcomes } from './email-failures.js';
import { addMonths, DAY_MS } from '../domain/duration.js';
import { COMITE_DECISIONS, workflowIdForOnboarding, type RequestStatus } from '../domain/habilitation.js';
import { aidantOnboardingWorkflow } from './aidant-onboarding.js';
import { decideUpdate, requestStatusQuery, resubmitSignal, type ComiteDecisionInput, type HabilitationRequestInput } from './messages.js';

const acts = withEmailFailuresAsOutcomes(proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes', backoffCoefficient: 2 },
}));

export async function habilitationRequestWorkflow(input: HabilitationRequestInput): Promise<RequestStatus> {
  const { workflowId } = workflowInfo();
  // Mutated by handlers; an object so TypeScript does not narrow it across awaits.
  const state = { status: 'draft' as RequestStatus, deciding: false, resubmitted: false };
  const currentStatus = (): RequestStatus => state.status;
  let round = 0;

  setHandler(requestStatusQuery, () => state.status);
  setHandler(resubmitSignal, () => { state.resubmitted = true; });
  setHandler(
    decideUpdate,
    async (decision) => {
      state.deciding = true;
      state.resubmitted = false; // a resubmission answers this decision, not an earlier one
      // The update id deduplicates a repeated decision (double click, retried call); it also keys the DB row.
      const decisionId = currentUpdateInfo()?.id ?? `${workflowId}/${round}/${decision.decision}`;
      const summary = await acts.recordComiteDecision({ ...decision, requestId: input.requestId, decisionId, workflowId });
      state.status = summary.status;
      state.deciding = false;
      return { status: state.status };
    },
    { validator: (decision) => validateDecision(state.status, state.deciding, decision) },
  );

  for (;;) {
    round += 1;
    const summary = await acts.submitToComite({ requestId: input.requestId, workflowId, round });
    state.status = 'awaiting_comite';
    await acts.sendEmail({
      idempotencyKey: `${workflowId}/round-${round}/submitted`,
      template: 'habilitation_request_submitted',
      to: [summary.issuerEmail],
      data: { issuerName: summary.issuerName, structureName: summary.structureName, requestUrl: summary.requestUrl },
    });

    for (let reminder = 1; ; reminder += 1) {
      const decided = await condition(() => currentStatus() !== 'awaiting_comite', input.policy.comiteReminderDelayMs);
      if (decided) break;
      await acts.sendEmail({
        idempotencyKey: `${workflowId}/round-${round}/comite-reminder-${reminder}`,
        template: 'habilitation_comite_reminder',
        to: await acts.getAnctRecipients(),
        data: {
          structureName: summary.structureName,
          waitingDays: Math.round((reminder * input.policy.comiteReminderDelayMs) / DAY_MS),
          adminUrl: summary.adminUrl,
        },
      });
    }

    await notifyDecision(workflowId, round, input.requestId);
    // Histories recorded before onboardings existed end here for a validated request (see the replay test).
    if (currentStatus() === 'validated' && patched('onboardings-on-validation')) await startOnboardings(input);
    if (currentStatus() !== 'changes_required') break;
    await condition(() => state.resubmitted);
  }

  await condition(allHandlersFinished);
  return currentStatus();
}

/** One onboarding lifecycle per aidant to train; they outlive this workflow (ParentClosePolicy.ABANDON). */
async function startOnboardings(input: HabilitationRequestInput): Promise<void> {
  const policy = input.onboardingPolicy ?? { trainingDelayMonths: 2, reminderOffsetsDays: [30, 7] };
  const summary = await acts.getRequestSummary({ requestId: input.requestId });
  const onboardingIds = await acts.createOnboardingsForRequest({
    requestId: input.requestId, organisationId: summary.organisationId!, trainingDeadline: addMonths(new Date(), policy.trainingDelayMonths).toISOString(),
  });
  for (const onboardingId of onboardingIds) {
    await startChild(aidantOnboardingWorkflow, {
      workflowId: workflowIdForOnboarding(onboardingId),
      args: [{ onboardingId, policy }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  }
}

function validateDecision(status: RequestStatus, deciding: boolean, decision: ComiteDecisionInput): void {
  if (status !== 'awaiting_comite' || deciding) {
    throw ApplicationFailure.create({
      type: 'InvalidTransition',
      nonRetryable: true,
      message: `Cette demande n’attend pas de décision du comité (statut actuel : ${status}).`,
    });
  }
  if (!decision || !Object.hasOwn(COMITE_DECISIONS, decision.decision)) {
    throw ApplicationFailure.create({ type: 'InvalidDecision', nonRetryable: true, message: 'Décision inconnue.' });
  }
  if (typeof decision.motif !== 'string' || decision.motif.trim().length < 3) {
    throw ApplicationFailure.create({ type: 'InvalidDecision', nonRetryable: true, message: 'Le motif de la décision est obligatoire.' });
  }
  if (typeof decision.juryMemberId !== 'string' || decision.juryMemberId.length === 0) {
    throw ApplicationFailure.create({ type: 'InvalidDecision', nonRetryable: true, message: 'Le membre du comité est obligatoire.' });
  }
}

async function notifyDecision(workflowId: string, round: number, requestId: string): Promise<void> {
  const summary = await acts.getRequestSummary({ requestId });
  const motif = (await acts.getLastDecisionMotif({ requestId })) ?? '';
  const key = `${workflowId}/round-${round}/decision-${summary.status}`;
  const recipients = [summary.issuerEmail, ...(summary.referentEmail ? [summary.referentEmail] : [])];
  if (summary.status === 'validated') {
    await acts.sendEmail({
      idempotencyKey: key, template: 'habilitation_request_validated', to: recipients,
      data: { recipientName: summary.issuerName, structureName: summary.structureName, habilitationNumber: summary.habilitationNumber ?? '', motif, requestUrl: summary.requestUrl },
    });
  } else if (summary.status === 'refused') {
    await acts.sendEmail({
      idempotencyKey: key, template: 'habilitation_request_refused', to: recipients,
      data: { recipientName: summary.issuerName, structureName: summary.structureName, motif },
    });
  } else if (summary.status === 'changes_required') {
    await acts.sendEmail({
      idempotencyKey: key, template: 'habilitation_changes_required', to: [summary.issuerEmail],
      data: { issuerName: summary.issuerName, structureName: summary.structureName, motif, requestUrl: summary.requestUrl },
    });
  }
}
