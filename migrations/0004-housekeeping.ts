// Housekeeping: an e-mail still unsent after a while is reported to the technical team once.
import type { MigrationParams } from 'umzug';
import type { QueryInterface } from 'sequelize';

const up = `
ALTER TABLE email_outbox ADD COLUMN stuck_reported_at timestamptz;
CREATE INDEX email_outbox_unsent ON email_outbox (created_at) WHERE status <> 'sent';
CREATE INDEX issuer_email_confirmations_expires ON issuer_email_confirmations (expires_at);
CREATE INDEX login_links_expires ON login_links (expires_at);
`;

const down = `
DROP INDEX IF EXISTS email_outbox_unsent, issuer_email_confirmations_expires, login_links_expires;
ALTER TABLE email_outbox DROP COLUMN IF EXISTS stuck_reported_at;
`;

export async function upMigration({ context }: MigrationParams<QueryInterface>): Promise<void> {
  await context.sequelize.query(up);
}

export async function downMigration({ context }: MigrationParams<QueryInterface>): Promise<void> {
  await context.sequelize.query(down);
}

export { upMigration as up, downMigration as down };
