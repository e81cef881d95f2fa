// A one-off e-mail, durable, sent once (workflow id and outbox key are the e-mail's idempotency key): either a
// request the activity renders and stores first, or an e-mail already stored with the write that caused it
// (enqueueEmail), which the activity only delivers. Transient failures are retried; an e-mail that can never
// be sent fails the activity for good (non-retryable), is marked `failed` and reported by the housekeeping.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { EmailDelivery } from '../services/outbox.js';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});

export async function transactionalEmailWorkflow(request: EmailDelivery): Promise<string> {
  return acts.sendEmail(request);
}
