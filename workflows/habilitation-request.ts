// Lifecycle 1: a structure's habilitation request.
//   submitted → awaiting the comité (the ANCT is reminded while it waits)
//   → validated | refused | changes_required (→ resubmitted → awaiting again, or closed after a delay)
// A decision is an update with a validator: refused at once unless the request awaits a decision.
import {
  ActivityFailure, ApplicationFailure, ParentClosePolicy, allHandlersFinished, condition, currentUpdateInfo, patched, setHandler, startChild, workflowInfo,
} from '@temporalio/workflow';
import { lifecycleActivities } from './lifecycle-activities.js';
import { addMonths, DAY_MS } from '../domain/duration.js';
import { COMITE_DECISIONS, REQUEST_STATUSES, workflowIdForOnboarding, type RequestStatus } from '../domain/habilitation.js';
import { aidantOnboardingWorkflow } from './aidant-onboarding.js';
import {
  DEFAULT_CHANGES_CLOSE_DELAY_MS, DEFAULT_CHANGES_REMINDER_BEFORE_MS, decideUpdate, requestStateQuery, requestStatusQuery, resubmitSignal,
  type ComiteDecisionInput, type HabilitationRequestInput,
} from './messages.js';

const acts = lifecycleActivities();

export async function habilitationRequestWorkflow(input: HabilitationRequestInput): Promise<RequestStatus> {
  const { workflowId } = workflowInfo();
  // Mutated by handlers; an object so TypeScript does not narrow it across awaits.
  const state = { status: 'draft' as RequestStatus, deciding: false, resubmitted: false };
  const currentStatus = (): RequestStatus => state.status;
  let round = 0;

  setHandler(requestStatusQuery, () => state.status);
  setHandler(requestStateQuery, () => ({ status: state.status, round }));
  setHandler(resubmitSignal, (resubmission) => {
    // Only the changes asked in this round can be answered: a late or repeated signal changes nothing.
    if (state.status !== 'changes_required') return;
    if (resubmission && resubmission.round !== round) return;
    state.resubmitted = true;
  });
  setHandler(
    decideUpdate,
    async (decision) => {
      state.deciding = true;
      state.resubmitted = false; // a resubmission answers this decision, not an earlier one
      // The update id deduplicates a repeated decision (double click, retried call); it also keys the DB row.
      const decisionId = currentUpdateInfo()?.id ?? `${workflowId}/${round}/${decision.decision}`;
      try {
        const summary = await acts.recordComiteDecision({ ...decision, requestId: input.requestId, decisionId, workflowId });
        state.status = summary.status;
        return { status: state.status };
      } catch (error) {
        // The request is still awaiting a decision here; the caller reads why it was refused.
        throw refusalForCaller(error);
      } finally {
        state.deciding = false;
      }
    },
    { validator: (decision) => validateDecision(state.status, state.deciding, round, decision) },
  );

  for (;;) {
    round += 1;
    let summary;
    try {
      summary = await acts.submitToComite({ requestId: input.requestId, workflowId, round });
    } catch (error) {
      // The request is no longer ours to submit (closed, decided elsewhere): end with what the database says.
      if (!isRefusal(error)) throw error;
      state.status = (await acts.getRequestSummary({ requestId: input.requestId })).status;
      break;
    }
    state.status = 'awaiting_comite';
    await acts.sendEmail({
      idempotencyKey: `${workflowId}/round-${round}/submitted`,
      template: 'habilitation_request_submitted',
      to: [summary.issuerEmail],
      data: { issuerName: summary.issuerName, structureName: summary.structureName, requestUrl: '' },
      privateLink: { issuerId: summary.issuerId, field: 'requestUrl', requestId: input.requestId },
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
    // Running histories recorded before the closure waited for a resubmission without end.
    if (!patched('changes-required-closure')) {
      await condition(() => state.resubmitted);
      continue;
    }
    if ((await awaitChanges(input, workflowId, round, () => state.resubmitted)) === 'closed') {
      state.status = 'closed';
      break;
    }
  }

  await condition(allHandlersFinished);
  return currentStatus();
}

/**
 * Waits for the demandeur's changes: reminds them before the delay ends, then closes the request. At each
 * step the database is asked too, so that a resubmission whose signal was lost is not closed.
 */
async function awaitChanges(input: HabilitationRequestInput, workflowId: string, round: number, resubmitted: () => boolean): Promise<'resubmitted' | 'closed'> {
  const closeDelay = input.policy.changesCloseDelayMs ?? DEFAULT_CHANGES_CLOSE_DELAY_MS;
  const reminderBefore = Math.min(input.policy.changesReminderBeforeMs ?? DEFAULT_CHANGES_REMINDER_BEFORE_MS, closeDelay);
  const closesAt = Date.now() + closeDelay; // workflow time: deterministic
  if (closeDelay > reminderBefore && (await condition(resubmitted, closeDelay - reminderBefore))) return 'resubmitted';

  const summary = await acts.getRequestSummary({ requestId: input.requestId });
  if (summary.resubmitted) return 'resubmitted';
  await acts.sendEmail({
    idempotencyKey: `${workflowId}/round-${round}/changes-reminder`,
    template: 'habilitation_changes_close_reminder',
    to: [summary.issuerEmail],
    data: { issuerName: summary.issuerName, structureName: summary.structureName, closeDate: new Date(closesAt).toISOString(), requestUrl: '' },
    privateLink: { issuerId: summary.issuerId, field: 'requestUrl', requestId: input.requestId },
  });
  if (reminderBefore > 0 && (await condition(resubmitted, reminderBefore))) return 'resubmitted';

  if ((await acts.closeUnansweredRequest({ requestId: input.requestId, workflowId, round })) === 'resubmitted') return 'resubmitted';
  const closed = await acts.getRequestSummary({ requestId: input.requestId });
  await acts.sendEmail({
    idempotencyKey: `${workflowId}/round-${round}/closed`,
    template: 'habilitation_request_closed',
    to: [closed.issuerEmail],
    data: { issuerName: closed.issuerName, structureName: closed.structureName, spaceUrl: '' },
    privateLink: { issuerId: closed.issuerId, field: 'spaceUrl' },
  });
  return 'closed';
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

/** A domain refusal from an activity: a non-retryable ApplicationFailure it threw on purpose. */
function isRefusal(error: unknown): error is ActivityFailure & { cause: ApplicationFailure } {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.nonRetryable === true;
}

/** The activity's own French message for the caller of an update, rather than « Activity task failed ». */
function refusalForCaller(error: unknown): unknown {
  if (!isRefusal(error)) return error;
  return ApplicationFailure.create({ type: error.cause.type ?? 'InvalidTransitionError', message: error.cause.message, nonRetryable: true });
}

function validateDecision(status: RequestStatus, deciding: boolean, round: number, decision: ComiteDecisionInput): void {
  if (status !== 'awaiting_comite' || deciding) {
    throw ApplicationFailure.create({
      type: 'InvalidTransition',
      nonRetryable: true,
      message: `Cette demande n’attend pas de décision du comité (statut actuel : ${REQUEST_STATUSES[status]}).`,
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
  if (decision.round !== undefined && decision.round !== round) {
    throw ApplicationFailure.create({
      type: 'InvalidTransition',
      nonRetryable: true,
      message: 'La demande a été renvoyée par le demandeur depuis : rechargez la page pour décider sur sa dernière version.',
    });
  }
}

async function notifyDecision(workflowId: string, round: number, requestId: string): Promise<void> {
  const summary = await acts.getRequestSummary({ requestId });
  const motif = (await acts.getLastDecisionMotif({ requestId })) ?? '';
  const key = `${workflowId}/round-${round}/decision-${summary.status}`;
  const toDemandeur = { issuerId: summary.issuerId, field: 'requestUrl', requestId };
  if (summary.status === 'validated') {
    // The demandeur's e-mail carries their private link; the référent gets their own, without it.
    await acts.sendEmail({
      idempotencyKey: key, template: 'habilitation_request_validated', to: [summary.issuerEmail],
      data: { recipientName: summary.issuerName, structureName: summary.structureName, habilitationNumber: summary.habilitationNumber ?? '', motif, requestUrl: '' },
      privateLink: toDemandeur,
    });
    if (patched('referent-validation-email')) {
      const latest = await acts.getRequestSummary({ requestId }); // the référent's address as it is now
      if (latest.referentEmail) {
        // A référent without a means of login gets a first-login link, minted by the outbox (never in this history).
        await acts.sendEmail({
          idempotencyKey: `${key}/referent`, template: 'habilitation_referent_validated', to: [latest.referentEmail],
          data: { recipientName: latest.referentName, structureName: latest.structureName, habilitationNumber: latest.habilitationNumber ?? '' },
          setupLink: { email: latest.referentEmail, field: 'setupLink' },
        });
      }
    }
  } else if (summary.status === 'refused') {
    const recipients = [summary.issuerEmail, ...(summary.referentEmail ? [summary.referentEmail] : [])];
    await acts.sendEmail({
      idempotencyKey: key, template: 'habilitation_request_refused', to: recipients,
      data: { recipientName: summary.issuerName, structureName: summary.structureName, motif },
    });
  } else if (summary.status === 'changes_required') {
    await acts.sendEmail({
      idempotencyKey: key, template: 'habilitation_changes_required', to: [summary.issuerEmail],
      data: { issuerName: summary.issuerName, structureName: summary.structureName, motif, requestUrl: '' },
      privateLink: toDemandeur,
    });
  }
}
