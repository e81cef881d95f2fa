// The daily retention duty, started by a Temporal schedule (services/periodic-duties.ts): deletes the mandats
// and autorisations ended long enough ago, then the usagers left with no mandat, then anonymises the aidant
// accounts unused for long (durations: the configuration's policy, applied by the activities).
//
// "Now" is read once from Temporal and kept for the whole run, across continueAsNew: every batch of the run
// applies the same cutoffs. Each batch is bounded (one short transaction); after `batchesPerRun` batches the
// workflow continues as new, so a million rows never make one huge history. The run is journaled once, at the end.
import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { emptyRetentionCounts, RETENTION_COUNT_KEYS, RETENTION_STAGES, type RetentionCounts } from '../domain/retention.js';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2, maximumAttempts: 10 },
});

/** Where a run stands; given to the next run by continueAsNew. The schedule starts the first with none. */
export interface RetentionProgress {
  now?: string;
  stage?: number;
  counts?: RetentionCounts;
  batches?: number;
  /** Batches before continuing as new (tests lower it). */
  batchesPerRun?: number;
}

export const DEFAULT_BATCHES_PER_RUN = 50;

export async function retentionWorkflow(progress: RetentionProgress = {}): Promise<{ now: string; counts: RetentionCounts; batches: number }> {
  const now = progress.now ?? new Date(Date.now()).toISOString();
  const counts = { ...emptyRetentionCounts(), ...progress.counts };
  const batchesPerRun = progress.batchesPerRun ?? DEFAULT_BATCHES_PER_RUN;
  let batches = progress.batches ?? 0;
  let batchesThisRun = 0;

  for (let stage = progress.stage ?? 0; stage < RETENTION_STAGES.length; stage += 1) {
    for (;;) {
      if (batchesThisRun >= batchesPerRun) {
        await continueAsNew<typeof retentionWorkflow>({ now, stage, counts, batches, batchesPerRun });
      }
      const batch = await acts.purgeRetentionBatch({ stage: RETENTION_STAGES[stage], now });
      for (const key of RETENTION_COUNT_KEYS) counts[key] += batch.counts[key] ?? 0;
      batches += 1;
      batchesThisRun += 1;
      if (batch.done) break;
    }
  }

  await acts.journalRetentionRun({ runKey: workflowInfo().workflowId, now, counts, batches });
  return { now, counts, batches };
}
