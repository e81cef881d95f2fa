// Housekeeping: an e-mail still unsent after a while is reported to the technical team once.
import { sqlMigration } from './sql-migration.js';

const UP = `
ALTER TABLE email_outbox ADD COLUMN stuck_reported_at timestamptz;
CREATE INDEX email_outbox_unsent ON email_outbox (created_at) WHERE status <> 'sent';
CREATE INDEX issuer_email_confirmations_expires ON issuer_email_confirmations (expires_at);
CREATE INDEX login_links_expires ON login_links (expires_at);
`;

const DOWN = `
DROP INDEX IF EXISTS email_outbox_unsent, issuer_email_confirmations_expires, login_links_expires;
ALTER TABLE email_outbox DROP COLUMN IF EXISTS stuck_reported_at;
`;

export const { up, down } = sqlMigration(UP, DOWN);
