// Activities of the hourly housekeeping. Both are idempotent: a purge deletes what is still there, and a
// report is keyed on the e-mails it lists, so a retried activity never sends it twice.
import { createHash } from 'node:crypto';
import { log } from '@temporalio/activity';
import type { Sequelize } from 'sequelize';
import type { Mailer } from '../services/mailer.js';
import { sendEmailOnce } from '../services/outbox.js';
import { markStuckReported, purgeExpiredRecords, stuckEmails, STUCK_REPORT_TEMPLATE } from '../services/housekeeping.js';

export function createHousekeepingActivities(deps: {
  sequelize: Sequelize; mailer: Mailer; mailFrom: string; operations: { alertEmail: string; stuckEmailAfterMs: number };
}) {
  return {
    async purgeExpiredRecords(): Promise<Record<string, number>> {
      return purgeExpiredRecords();
    },

    /** Tells the technical team, once per e-mail, which e-mails the outbox could not send; returns how many. */
    async reportStuckEmails(): Promise<number> {
      const stuck = await stuckEmails(deps.operations.stuckEmailAfterMs);
      if (stuck.length === 0) return 0;
      log.error('e-mails stuck in the outbox', { count: stuck.length, keys: stuck.map((e) => e.idempotencyKey) });
      const ids = stuck.map((e) => e.id).sort();
      await sendEmailOnce({ sequelize: deps.sequelize, mailer: deps.mailer, from: deps.mailFrom }, {
        idempotencyKey: `housekeeping/stuck-emails/${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 32)}`,
        template: STUCK_REPORT_TEMPLATE,
        to: [deps.operations.alertEmail],
        data: {
          emails: stuck.map((e) => ({
            key: e.idempotencyKey, template: e.template, since: e.createdAt.toISOString(), attempts: e.attempts, lastError: e.lastError ?? '',
          })),
        },
      });
      await markStuckReported(ids);
      return stuck.length;
    },
  };
}
