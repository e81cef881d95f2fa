// The usager's FranceConnect identification (services/franceconnect-client.ts) keeps its leg in a
// `connections` row of kind 'franceconnect_client': the state (stored as a keyed hash) and nonce sent to
// FranceConnect, the aidant, structure and browser session it belongs to, where to go afterwards, when the
// state was used (once), when the usager was identified, and the state of the FranceConnect logout that
// follows (keyed hash too).
import { sqlMigration } from './sql-migration.js';

const UP = `
ALTER TABLE connections
  ADD COLUMN return_to text,
  ADD COLUMN session_hash text,
  ADD COLUMN state_used_at timestamptz,
  ADD COLUMN identified_at timestamptz,
  ADD COLUMN logout_state text UNIQUE,
  ADD CONSTRAINT connection_identified_usager CHECK (identified_at IS NULL OR (usager_id IS NOT NULL AND state_used_at IS NOT NULL)),
  ADD CONSTRAINT connection_franceconnect_bound CHECK (kind <> 'franceconnect_client'
    OR (aidant_id IS NOT NULL AND state IS NOT NULL AND nonce IS NOT NULL AND return_to IS NOT NULL AND session_hash IS NOT NULL));
`;

const DOWN = `
ALTER TABLE connections
  DROP CONSTRAINT connection_franceconnect_bound,
  DROP CONSTRAINT connection_identified_usager,
  DROP COLUMN logout_state,
  DROP COLUMN identified_at,
  DROP COLUMN state_used_at,
  DROP COLUMN session_hash,
  DROP COLUMN return_to;
`;

export const { up, down } = sqlMigration(UP, DOWN);
