// Expiry reminders of mandats (lifecycle 3): each mandat's workflow records « due at offset O, for structure S,
// on day D » once (primary key mandat + offset), then the structure's digest of that day claims every record
// not yet sent into one batch, e-mails it once per recipient and marks it reminded. A record is claimed by one
// batch only, and a batch's e-mails are keyed by it in the outbox: each mandat is reminded once per offset.
import { sqlMigration } from './sql-migration.js';

const UP = `
CREATE TABLE mandat_reminders (
  mandat_id uuid NOT NULL REFERENCES mandats(id) ON DELETE CASCADE,
  offset_days integer NOT NULL CHECK (offset_days > 0),
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  due_on date NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  batch text,
  reminded_at timestamptz,
  PRIMARY KEY (mandat_id, offset_days),
  CONSTRAINT mandat_reminder_claimed_before_sent CHECK (reminded_at IS NULL OR batch IS NOT NULL)
);
CREATE INDEX mandat_reminders_digest ON mandat_reminders (organisation_id, due_on) WHERE batch IS NULL;
CREATE INDEX mandat_reminders_batch ON mandat_reminders (batch) WHERE batch IS NOT NULL;
`;

const DOWN = `
DROP TABLE IF EXISTS mandat_reminders;
`;

export const { up, down } = sqlMigration(UP, DOWN);
