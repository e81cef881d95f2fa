// A one-off e-mail asked for by the web layer (e.g. a confirmation link): durable, retried until sent,
// sent once (workflow id and outbox key are the e-mail's idempotency key).
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { EmailRequest } from '../services/outbox.js';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});

export async function transactionalEmailWorkflow(request: EmailRequest): Promise<string> {
  return acts.sendEmail(request);
}
