// Waiting on events instead of the clock: a test polls what it expects (a row, a mail, a workflow state)
// until it holds, and asserts "nothing else happened" only once the workflow has settled.
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';

/** Polls `probe` until `done` accepts its value; fails with `what` after `timeoutMs` (a generous bound, not a timing). */
export async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean = Boolean, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what} (last value: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Resolves once the workflow has nothing in progress: no pending activity, child or workflow task (it waits
 * on a timer, a message or has closed). Every activity it ran has then completed, e-mails included.
 */
export async function workflowSettled(handle: WorkflowHandle, timeoutMs = 30_000): Promise<void> {
  await waitFor(`workflow ${handle.workflowId} to settle`, async () => {
    const { raw } = await handle.describe();
    return (raw.pendingActivities?.length ?? 0) === 0 && (raw.pendingChildren?.length ?? 0) === 0 && !raw.pendingWorkflowTask;
  }, Boolean, timeoutMs);
}

const ACTIVITY_CLOSED = ['COMPLETED', 'FAILED', 'TIMED_OUT', 'CANCELED'].map((s) => `EVENT_TYPE_ACTIVITY_TASK_${s}`);

/**
 * The same as workflowSettled, read from the history rather than describe() (the time-skipping test server
 * does not report a pending workflow task): every activity scheduled has closed and the last workflow task
 * completed, or the workflow has closed.
 */
export async function workflowHistorySettled(handle: WorkflowHandle, timeoutMs = 30_000): Promise<void> {
  await waitFor(`workflow ${handle.workflowId} to settle (history)`, async () => {
    const history = JSON.parse(historyToJSON(await handle.fetchHistory())) as { events?: { eventType: string }[] };
    const types = (history.events ?? []).map((event) => event.eventType);
    if (types.some((type) => type.startsWith('EVENT_TYPE_WORKFLOW_EXECUTION_') && !/STARTED|SIGNALED|UPDATE|CANCEL_REQUESTED/.test(type))) return true;
    const scheduled = types.filter((type) => type === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED').length;
    const closed = types.filter((type) => ACTIVITY_CLOSED.includes(type)).length;
    const lastTask = types.filter((type) => type.startsWith('EVENT_TYPE_WORKFLOW_TASK_')).at(-1);
    return scheduled === closed && lastTask === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED';
  }, Boolean, timeoutMs);
}
