// The hourly housekeeping, started by a Temporal schedule (services/lifecycles.ts): forget expired technical
// records, start the e-mail deliveries whose start was lost, then report the e-mails the outbox could not
// send (still retried) or never will (failed).
import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2, maximumAttempts: 5 },
});

export async function housekeepingWorkflow(): Promise<{ purged: Record<string, number>; deliveriesStarted: number; stuckEmails: number }> {
  const purged = await acts.purgeExpiredRecords();
  const deliveriesStarted = patched('start-pending-deliveries') ? await acts.startPendingDeliveries() : 0;
  const stuckEmails = await acts.reportStuckEmails();
  return { purged, deliveriesStarted, stuckEmails };
}
