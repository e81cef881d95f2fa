// Periodic duties (run hourly by the housekeeping workflow): forget technical records once they no longer
// serve, start the deliveries of e-mails stored but never started (Temporal was down after the commit), and
// find the e-mails that the outbox has not managed to send or never will (failed).
import { Op, type Transaction } from 'sequelize';
import { Connection, EmailOutbox, IdpConnection, IssuerEmailConfirmation, LoginFailure, LoginLink, PrivateLink, SetupLink } from '../db/models/index.js';
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
    setupLinks: await SetupLink.destroy({ where: { expiresAt: before(RETENTION.expiredLinksMs) } }),
    privateLinks: await PrivateLink.destroy({ where: { expiresAt: before(RETENTION.expiredLinksMs) } }),
    connections: await Connection.destroy({ where: { expiresAt: before(RETENTION.expiredConnectionsMs) } }),
    // The identity provider's connections hold who acted for whom (the journal keeps that for good): gone once
    // the interaction and its access token expired long enough ago.
    idpConnections: await IdpConnection.destroy({
      where: { expiresAt: before(RETENTION.expiredConnectionsMs), [Op.or]: [{ accessTokenExpiresAt: null }, { accessTokenExpiresAt: before(RETENTION.expiredConnectionsMs) }] },
    }),
    loginFailures: await LoginFailure.destroy({ where: { createdAt: before(LOGIN_POLICY.windowMs) } }),
  };
}

/**
 * E-mails not reported yet that failed for good (at once) or are still unsent after `stuckAfterMs`, oldest
 * first.
 */
export async function stuckEmails(stuckAfterMs: number, now = new Date()): Promise<EmailOutbox[]> {
  return EmailOutbox.findAll({
    where: {
      stuckReportedAt: null, template: { [Op.ne]: STUCK_REPORT_TEMPLATE },
      [Op.or]: [
        { status: 'failed' },
        { status: { [Op.in]: ['pending', 'sending'] }, createdAt: { [Op.lt]: new Date(now.getTime() - stuckAfterMs) } },
      ],
    },
    order: [['createdAt', 'ASC']],
    limit: 200,
  });
}

/**
 * A stored e-mail whose delivery is started right after the commit is attempted within seconds; one still
 * never attempted after this delay lost its start (Temporal unreachable at that moment).
 */
export const DELIVERY_START_GRACE_MS = 10 * 60_000;

/** Keys of the e-mails stored but never attempted for longer than the grace delay, oldest first. */
export async function undeliveredEmailKeys(now = new Date()): Promise<string[]> {
  const rows = await EmailOutbox.findAll({
    where: { status: 'pending', attempts: 0, createdAt: { [Op.lt]: new Date(now.getTime() - DELIVERY_START_GRACE_MS) } },
    attributes: ['idempotencyKey'],
    order: [['createdAt', 'ASC']],
    limit: 500,
  });
  return rows.map((row) => row.idempotencyKey);
}

export async function markStuckReported(ids: string[], transaction?: Transaction): Promise<void> {
  await EmailOutbox.update({ stuckReportedAt: new Date() }, { where: { id: ids, stuckReportedAt: null }, transaction });
}
