// Mandats: the version of the legal text each mandat was signed under (covered by its attestation hash), and
// the indexes of the two hot reads at a million mandats and three million autorisations:
// - the authorisation check, the supersession at creation and a usager's page read one usager's mandats in one
//   structure: (usager_id, organisation_id, expires_at), then the autorisations by their (mandat_id, demarche)
//   unique index;
// - the usagers list of a structure reads its mandats expired less than a year ago or later (expired or revoked
//   mandats are shown for a year, and a revocation always precedes the expiry): (organisation_id, expires_at).
import { sqlMigration } from './sql-migration.js';

const UP = `
ALTER TABLE mandats ADD COLUMN text_version text;
UPDATE mandats SET text_version = '2026-03-23';
ALTER TABLE mandats ALTER COLUMN text_version SET NOT NULL,
  ADD CONSTRAINT mandat_text_version_format CHECK (text_version ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$');

CREATE INDEX mandats_usager_organisation ON mandats (usager_id, organisation_id, expires_at);
DROP INDEX mandats_usager;
CREATE INDEX mandats_organisation_expiry ON mandats (organisation_id, expires_at);
`;

const DOWN = `
DROP INDEX IF EXISTS mandats_organisation_expiry;
CREATE INDEX IF NOT EXISTS mandats_usager ON mandats (usager_id);
DROP INDEX IF EXISTS mandats_usager_organisation;
ALTER TABLE mandats DROP COLUMN IF EXISTS text_version;
`;

export const { up, down } = sqlMigration(UP, DOWN);
