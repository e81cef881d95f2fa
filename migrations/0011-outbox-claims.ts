// The outbox sends without holding a transaction: an attempt claims the row (`sending` until claimed_until),
// sends, then records the outcome; a claim left by a crashed worker expires and can be taken again. An
// e-mail that cannot be sent (render error, no recipient, permanent SMTP rejection) is `failed`, dated, and
// may then lack recipients.
import { sqlMigration } from './sql-migration.js';

const UP = `
ALTER TABLE email_outbox DROP CONSTRAINT IF EXISTS email_outbox_status_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_status_check CHECK (status IN ('pending','sending','sent','failed'));
ALTER TABLE email_outbox ADD COLUMN claimed_until timestamptz;
ALTER TABLE email_outbox ADD COLUMN failed_at timestamptz;
ALTER TABLE email_outbox ADD CONSTRAINT sending_email_claimed CHECK ((status = 'sending') = (claimed_until IS NOT NULL));
ALTER TABLE email_outbox ADD CONSTRAINT failed_email_dated CHECK ((status = 'failed') = (failed_at IS NOT NULL));
ALTER TABLE email_outbox DROP CONSTRAINT IF EXISTS email_outbox_recipients_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_recipients_check CHECK (cardinality(recipients) >= 1 OR status = 'failed');
`;

const DOWN = `
UPDATE email_outbox SET status = 'pending', claimed_until = NULL WHERE status = 'sending';
DELETE FROM email_outbox WHERE cardinality(recipients) = 0;
ALTER TABLE email_outbox DROP CONSTRAINT IF EXISTS email_outbox_recipients_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_recipients_check CHECK (cardinality(recipients) >= 1);
ALTER TABLE email_outbox DROP CONSTRAINT IF EXISTS failed_email_dated;
ALTER TABLE email_outbox DROP CONSTRAINT IF EXISTS sending_email_claimed;
ALTER TABLE email_outbox DROP COLUMN IF EXISTS failed_at;
ALTER TABLE email_outbox DROP COLUMN IF EXISTS claimed_until;
ALTER TABLE email_outbox DROP CONSTRAINT IF EXISTS email_outbox_status_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_status_check CHECK (status IN ('pending','sent','failed'));
`;

export const { up, down } = sqlMigration(UP, DOWN);
