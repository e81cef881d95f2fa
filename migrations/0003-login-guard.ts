// Login hardening shared by every process: failed attempts are counted in the database (not per process),
// and a TOTP code is accepted once (the last accepted time step is kept).
import { sqlMigration } from './sql-migration.js';

const UP = `
ALTER TABLE users ADD COLUMN admin_totp_last_step integer CHECK (admin_totp_last_step > 0);

CREATE TABLE login_failures (
  id bigserial PRIMARY KEY,
  key text NOT NULL CHECK (length(key) > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key ON login_failures (key, created_at);
`;

const DOWN = `
DROP TABLE IF EXISTS login_failures;
ALTER TABLE users DROP COLUMN IF EXISTS admin_totp_last_step;
`;

export const { up, down } = sqlMigration(UP, DOWN);
