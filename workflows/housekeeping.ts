// The hourly housekeeping, started by a Temporal schedule (services/lifecycles.ts): forget expired technical
// records, then report the e-mails the outbox could not send.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2, maximumAttempts: 5 },
});

export async function housekeepingWorkflow(): Promise<{ purged: Record<string, number>; stuckEmails: number }> {
  const purged = await acts.purgeExpiredRecords();
  const stuckEmails = await acts.reportStuckEmails();
  return { purged, stuckEmails };
}
