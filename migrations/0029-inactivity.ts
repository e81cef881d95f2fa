// Inactivity (daily duty, workflows/inactive-aidants.ts): what each episode of an aidant's or a draft's
// inactivity was already told, and when an e-mail's body was purged from the outbox.
//   users.inactivity_warned_login: the last login the « réactivez votre compte » warning was sent for (the
//     episode's start); a later login makes it differ, which ends the episode. inactivity_warned_at: when.
//   users.encouraged_activity_at: the last activity (mandat or démarche) the encouragement was sent for.
//   habilitation_requests.draft_reminded_change: the draft's last change its reminder was sent for (a change
//     after it starts a new episode); draft_reminded_at: when.
//   email_outbox.body_purged_at: the row stays as the record of the sending; its rendered body is gone.
import { sqlMigration } from './sql-migration.js';

const UP = `
ALTER TABLE users ADD COLUMN inactivity_warned_login timestamptz, ADD COLUMN inactivity_warned_at timestamptz,
  ADD COLUMN encouraged_activity_at timestamptz;
ALTER TABLE habilitation_requests ADD COLUMN draft_reminded_change timestamptz, ADD COLUMN draft_reminded_at timestamptz;
ALTER TABLE email_outbox ADD COLUMN body_purged_at timestamptz;
CREATE INDEX email_outbox_body_to_purge ON email_outbox (sent_at) WHERE status = 'sent' AND body_purged_at IS NULL;
CREATE INDEX habilitation_requests_drafts ON habilitation_requests (id) WHERE status = 'draft' AND submitted_at IS NULL;
`;

const DOWN = `
DROP INDEX habilitation_requests_drafts;
DROP INDEX email_outbox_body_to_purge;
ALTER TABLE email_outbox DROP COLUMN body_purged_at;
ALTER TABLE habilitation_requests DROP COLUMN draft_reminded_change, DROP COLUMN draft_reminded_at;
ALTER TABLE users DROP COLUMN inactivity_warned_login, DROP COLUMN inactivity_warned_at, DROP COLUMN encouraged_activity_at;
`;

export const { up, down } = sqlMigration(UP, DOWN);
