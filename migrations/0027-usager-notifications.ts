// Each use of an autorisation (a `use_autorisation` journal entry, written by the identity provider's userinfo)
// is recorded once for the usager's notification, in the same transaction. The usager's notification workflow
// claims the records not yet claimed into a batch, e-mails the batch once (outbox key: the batch), and marks
// it: `sent`, `no_email` when no address is known, or `failed` (an e-mail that can never be sent: the outbox reports it).
import { sqlMigration } from './sql-migration.js';

const UP = `
CREATE TABLE usager_notifications (
  journal_id bigint PRIMARY KEY, -- the journal's entry (no foreign key: the journal is append-only, never deleted nor truncated)
  usager_id uuid NOT NULL REFERENCES usagers(id) ON DELETE CASCADE,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  batch text,
  notified_at timestamptz,
  outcome text CHECK (outcome IN ('sent','no_email','failed')),
  CONSTRAINT usager_notification_outcome CHECK ((notified_at IS NULL) = (outcome IS NULL) AND (notified_at IS NULL OR batch IS NOT NULL))
);
CREATE INDEX usager_notifications_pending ON usager_notifications (usager_id, recorded_at) WHERE batch IS NULL;
CREATE INDEX usager_notifications_batch ON usager_notifications (batch) WHERE batch IS NOT NULL;
`;

const DOWN = 'DROP TABLE usager_notifications;';

export const { up, down } = sqlMigration(UP, DOWN);
