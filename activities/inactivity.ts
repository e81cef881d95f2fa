// Activities of the daily inactivity duty (workflows/inactive-aidants.ts): each handles one bounded batch at
// the `now` the workflow gives (ISO 8601), in short transactions (services/inactivity.ts), then starts the
// delivery of the e-mails it stored (a start that fails is made by the hourly housekeeping). Idempotent: a
// retried batch finds its rows already recorded and its e-mails already stored under the same keys.
import { Context, log } from '@temporalio/activity';
import type { Sequelize } from 'sequelize';
import { DEFAULT_INACTIVITY_POLICY, INACTIVITY_BATCH_SIZE, type InactivityPolicy } from '../domain/inactivity.js';
import { startEmailDelivery } from '../services/lifecycles.js';
import type { OutboxDeps } from '../services/outbox.js';
import * as inactivity from '../services/inactivity.js';

export interface InactivityBatchInput { now: string; after: string | null }
export interface InactivityBatchResult { count: number; next: string | null }

export function createInactivityActivities(deps: { sequelize: Sequelize; inactivity?: InactivityPolicy }, outbox: OutboxDeps) {
  const serviceDeps: inactivity.InactivityDeps = { sequelize: deps.sequelize, outbox, policy: deps.inactivity ?? DEFAULT_INACTIVITY_POLICY };

  const batch = (step: (d: inactivity.InactivityDeps, input: inactivity.BatchInput) => Promise<inactivity.InactivityBatch>) =>
    async (input: InactivityBatchInput): Promise<InactivityBatchResult> => {
      const result = await step(serviceDeps, { now: new Date(input.now), after: input.after, limit: INACTIVITY_BATCH_SIZE });
      if (result.emails.length > 0) {
        const { client, info } = Context.current();
        for (const idempotencyKey of result.emails) {
          await startEmailDelivery(client, info.taskQueue, { idempotencyKey }).catch((error) => {
            log.warn('e-mail delivery not started (the housekeeping will start it)', { idempotencyKey, error: String(error) });
          });
        }
      }
      return { count: result.count, next: result.next };
    };

  return {
    warnInactiveAidants: batch(inactivity.warnInactiveAidants),
    deactivateWarnedAidants: batch(inactivity.deactivateWarnedAidants),
    encourageInactiveAidants: batch(inactivity.encourageInactiveAidants),
    purgeSentEmailBodies: batch(inactivity.purgeSentEmailBodies),
    remindIdleDrafts: batch(inactivity.remindIdleDrafts),
    deleteIdleDrafts: batch(inactivity.deleteIdleDrafts),
    async journalInactivityRun(input: { key: string; now: string; counts: Record<string, number> }): Promise<void> {
      await inactivity.journalInactivityRun({ key: input.key, now: new Date(input.now), counts: input.counts });
    },
  };
}
