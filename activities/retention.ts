// Activities of the daily retention duty (workflows/retention.ts). Each takes the run's `now` from the workflow
// (Temporal's time) and is idempotent: a retried batch deletes what is still due and there, and the run's
// journal entry is keyed on the run.
import type { Sequelize } from 'sequelize';
import { DEFAULT_RETENTION_POLICY, type RetentionCounts, type RetentionPolicy, type RetentionStage } from '../domain/retention.js';
import { journalRetentionRun, purgeRetentionBatch, type RetentionBatch } from '../services/retention.js';

export function createRetentionActivities(deps: { sequelize: Sequelize; retention?: RetentionPolicy }) {
  const policy = deps.retention ?? DEFAULT_RETENTION_POLICY;
  return {
    /** One bounded batch of one stage (at most the policy's batch size, one transaction). */
    async purgeRetentionBatch(input: { stage: RetentionStage; now: string }): Promise<RetentionBatch> {
      return purgeRetentionBatch(deps.sequelize, input.stage, new Date(input.now), policy);
    },

    /** Journals the run once, with its counts. */
    async journalRetentionRun(input: { runKey: string; now: string; counts: RetentionCounts; batches: number }): Promise<void> {
      await journalRetentionRun({ ...input, now: new Date(input.now), policy });
    },
  };
}
