// Private links of demandeurs: a random token of its own per link (never a record id), stored as a keyed
// hash, with an expiry, revocable. A link may land on one of the demandeur's requests.
import { sqlMigration } from './sql-migration.js';

const UP = `
CREATE TABLE private_links (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  issuer_id uuid NOT NULL REFERENCES issuers(id) ON DELETE CASCADE,
  habilitation_request_id uuid REFERENCES habilitation_requests(id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  last_used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX private_links_issuer ON private_links (issuer_id, created_at);
CREATE INDEX private_links_expires ON private_links (expires_at);
`;

const DOWN = `
DROP TABLE IF EXISTS private_links;
`;

export const { up, down } = sqlMigration(UP, DOWN);
