// A renewal keeps its leg in a `connections` row of kind 'renewal': the aidant, the structure, the usager
// already known (no FranceConnect), the démarches and duration chosen and the mandat renewed, until the recap
// signs it (used once, like an identification).
import { sqlMigration } from './sql-migration.js';

const UP = `
ALTER TABLE connections
  DROP CONSTRAINT connections_kind_check,
  ADD CONSTRAINT connections_kind_check CHECK (kind IN ('idp','franceconnect_client','mandat_draft','renewal')),
  ADD COLUMN renewed_from_id uuid REFERENCES mandats(id) ON DELETE CASCADE,
  ADD CONSTRAINT connection_renewal_bound CHECK (kind <> 'renewal'
    OR (aidant_id IS NOT NULL AND usager_id IS NOT NULL AND renewed_from_id IS NOT NULL
        AND demarches IS NOT NULL AND duration IS NOT NULL));
`;

const DOWN = `
DELETE FROM connections WHERE kind = 'renewal';
ALTER TABLE connections
  DROP CONSTRAINT connection_renewal_bound,
  DROP COLUMN renewed_from_id,
  DROP CONSTRAINT connections_kind_check,
  ADD CONSTRAINT connections_kind_check CHECK (kind IN ('idp','franceconnect_client','mandat_draft'));
`;

export const { up, down } = sqlMigration(UP, DOWN);
