// Retention (workflows/retention.ts): mandats, autorisations and usagers are deleted, aidant accounts anonymised,
// while the journal keeps every entry and its hash.
//
// The journal names usagers, mandats, autorisations and habilitation requests by id without foreign keys from
// now on: a deleted record leaves its id in the journal as a pseudonymous reference (the hash chain covers the
// id, never the person's data, which lived in the deleted row). Authors (actor_id) keep their foreign key: an
// aidant account is anonymised in place, not deleted, because comité decisions, cards, trainings and the
// mandats still retained name it.
import { sqlMigration } from './sql-migration.js';

const UP = `
ALTER TABLE journal
  DROP CONSTRAINT journal_usager_id_fkey,
  DROP CONSTRAINT journal_mandat_id_fkey,
  DROP CONSTRAINT journal_autorisation_id_fkey,
  DROP CONSTRAINT journal_habilitation_request_id_fkey;

-- A renewal outlives the mandat it renewed (each is deleted 6 years after its own end).
ALTER TABLE mandats
  DROP CONSTRAINT mandats_renewed_from_id_fkey,
  ADD CONSTRAINT mandats_renewed_from_id_fkey FOREIGN KEY (renewed_from_id) REFERENCES mandats(id) ON DELETE SET NULL;

-- When a usager's mandats are deleted, the end of the last one is kept here: the usager's own delay counts from it.
ALTER TABLE usagers ADD COLUMN last_mandat_ended_at timestamptz;
ALTER TABLE users ADD COLUMN anonymised_at timestamptz;

-- The retention's batches find what is due without scanning the tables.
CREATE INDEX mandats_expires_at ON mandats (expires_at);
CREATE INDEX mandats_revoked_at ON mandats (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX mandats_superseded ON mandats (id) WHERE status = 'superseded';
CREATE INDEX usagers_retention ON usagers ((coalesce(last_mandat_ended_at, created_at)));
CREATE INDEX users_retention ON users ((coalesce(last_login_at, created_at))) WHERE anonymised_at IS NULL AND staff_roles = '{}';
`;

// The foreign keys come back NOT VALID: rows deleted meanwhile leave journal ids without their record.
const DOWN = `
DROP INDEX users_retention;
DROP INDEX usagers_retention;
DROP INDEX mandats_superseded;
DROP INDEX mandats_revoked_at;
DROP INDEX mandats_expires_at;
ALTER TABLE users DROP COLUMN anonymised_at;
ALTER TABLE usagers DROP COLUMN last_mandat_ended_at;
ALTER TABLE mandats
  DROP CONSTRAINT mandats_renewed_from_id_fkey,
  ADD CONSTRAINT mandats_renewed_from_id_fkey FOREIGN KEY (renewed_from_id) REFERENCES mandats(id) ON DELETE RESTRICT;
ALTER TABLE journal
  ADD CONSTRAINT journal_usager_id_fkey FOREIGN KEY (usager_id) REFERENCES usagers(id) ON DELETE RESTRICT NOT VALID,
  ADD CONSTRAINT journal_mandat_id_fkey FOREIGN KEY (mandat_id) REFERENCES mandats(id) ON DELETE RESTRICT NOT VALID,
  ADD CONSTRAINT journal_autorisation_id_fkey FOREIGN KEY (autorisation_id) REFERENCES autorisations(id) ON DELETE RESTRICT NOT VALID,
  ADD CONSTRAINT journal_habilitation_request_id_fkey FOREIGN KEY (habilitation_request_id) REFERENCES habilitation_requests(id) ON DELETE RESTRICT NOT VALID;
`;

export const { up, down } = sqlMigration(UP, DOWN);
