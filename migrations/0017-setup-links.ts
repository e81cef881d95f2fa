// A référent's first login: a setup link e-mailed to a person who has no means of login yet (no validated
// card nor application), to add their authenticator application. A table of its own, apart from login_links,
// so that neither kind of link can ever be taken for the other (and each token is hashed for its own purpose).
// Only the token's keyed hash is stored; a link expires, can be revoked, and is used once.
import { sqlMigration } from './sql-migration.js';

const UP = `
CREATE TABLE setup_links (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT setup_link_used_or_revoked CHECK (used_at IS NULL OR revoked_at IS NULL)
);
CREATE INDEX setup_links_user ON setup_links (user_id, created_at);
CREATE INDEX setup_links_expires ON setup_links (expires_at);
`;

const DOWN = `
DROP TABLE IF EXISTS setup_links;
`;

export const { up, down } = sqlMigration(UP, DOWN);
