// Activities of the hourly housekeeping. All are idempotent: a purge deletes what is still there, starting a
// delivery keeps the one already running for the key, and a report is keyed on the e-mails it lists, so a
// retried activity never sends it twice.
import { createHash } from 'node:crypto';
import { Context, log } from '@temporalio/activity';
import { startEmailDelivery } from '../services/lifecycles.js';
import { enqueueEmail, type OutboxDeps } from '../services/outbox.js';
import { markStuckReported, purgeExpiredRecords, stuckEmails, STUCK_REPORT_TEMPLATE, undeliveredEmailKeys } from '../services/housekeeping.js';

export function createHousekeepingActivities(deps: { operations: { alertEmail: string; stuckEmailAfterMs: number } }, outbox: OutboxDeps) {
  return {
    async purgeExpiredRecords(): Promise<Record<string, number>> {
      return purgeExpiredRecords();
    },

    /** Starts the delivery of every e-mail stored with its business write but whose start was lost; returns how many. */
    async startPendingDeliveries(): Promise<number> {
      const keys = await undeliveredEmailKeys();
      const { client, info } = Context.current();
      for (const idempotencyKey of keys) await startEmailDelivery(client, info.taskQueue, { idempotencyKey });
      if (keys.length > 0) log.warn('started e-mail deliveries that were never started', { count: keys.length });
      return keys.length;
    },

    /**
     * Tells the technical team, once per e-mail, which e-mails the outbox could not send yet and which failed
     * for good; returns how many. The report is stored with the marks of the e-mails it lists (one
     * transaction), then delivered by its own `email/<key>` lifecycle, retried until SMTP takes it: an outage
     * longer than this activity's attempts (SMTP down is what makes e-mails stuck) delays it, never loses it.
     * A start lost after the commit is made by the next housekeeping (startPendingDeliveries).
     */
    async reportStuckEmails(): Promise<number> {
      const stuck = await stuckEmails(deps.operations.stuckEmailAfterMs);
      if (stuck.length === 0) return 0;
      log.error('e-mails stuck or failed in the outbox', { count: stuck.length, keys: stuck.map((e) => e.idempotencyKey) });
      const ids = stuck.map((e) => e.id).sort();
      const idempotencyKey = `housekeeping/stuck-emails/${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 32)}`;
      await outbox.sequelize.transaction(async (transaction) => {
        await enqueueEmail(outbox, {
          idempotencyKey,
          template: STUCK_REPORT_TEMPLATE,
          to: [deps.operations.alertEmail],
          data: {
            emails: stuck.map((e) => ({
              key: e.idempotencyKey, template: e.template, since: (e.failedAt ?? e.createdAt).toISOString(), attempts: e.attempts,
              lastError: e.lastError ?? '', failed: e.status === 'failed',
            })),
          },
        }, transaction);
        await markStuckReported(ids, transaction);
      });
      const { client, info } = Context.current();
      await startEmailDelivery(client, info.taskQueue, { idempotencyKey });
      return stuck.length;
    },
  };
}
