// Periodic duties (run hourly by the housekeeping workflow): forget technical records once they no longer
// serve, and find the e-mails that the outbox has not managed to send.
import { Op } from 'sequelize';
import { Connection, EmailOutbox, IssuerEmailConfirmation, LoginFailure, LoginLink, PrivateLink } from '../db/models/index.js';
import { DAY_MS } from '../domain/duration.js';
import { LOGIN_POLICY } from './login-guard.js';

/** How long expired links and transient records are kept (for support questions), then deleted. */
export const RETENTION = {
  expiredLinksMs: 30 * DAY_MS,
  expiredConnectionsMs: 2 * DAY_MS,
} as const;

/** The template of the report itself, which is never reported (it would report itself while SMTP is down). */
export const STUCK_REPORT_TEMPLATE = 'ops_stuck_emails';

export async function purgeExpiredRecords(now = new Date()): Promise<Record<string, number>> {
  const before = (ms: number) => ({ [Op.lt]: new Date(now.getTime() - ms) });
  return {
    emailConfirmations: await IssuerEmailConfirmation.destroy({ where: { expiresAt: before(RETENTION.expiredLinksMs) } }),
    loginLinks: await LoginLink.destroy({ where: { expiresAt: before(RETENTION.expiredLinksMs) } }),
    privateLinks: await PrivateLink.destroy({ where: { expiresAt: before(RETENTION.expiredLinksMs) } }),
    connections: await Connection.destroy({ where: { expiresAt: before(RETENTION.expiredConnectionsMs) } }),
    loginFailures: await LoginFailure.destroy({ where: { createdAt: before(LOGIN_POLICY.windowMs) } }),
  };
}

/** E-mails still unsent after `stuckAfterMs` and not reported yet, oldest first. */
export async function stuckEmails(stuckAfterMs: number, now = new Date()): Promise<EmailOutbox[]> {
  return EmailOutbox.findAll({
    where: {
      status: { [Op.ne]: 'sent' }, stuckReportedAt: null, template: { [Op.ne]: STUCK_REPORT_TEMPLATE },
      createdAt: { [Op.lt]: new Date(now.getTime() - stuckAfterMs) },
    },
    order: [['createdAt', 'ASC']],
    limit: 200,
  });
}

export async function markStuckReported(ids: string[]): Promise<void> {
  await EmailOutbox.update({ stuckReportedAt: new Date() }, { where: { id: ids, stuckReportedAt: null } });
}
