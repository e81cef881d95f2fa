// Login hardening shared by every process: failed attempts are counted in the database (not per process),
// and a TOTP code is accepted once (the last accepted time step is kept).
import type { MigrationParams } from 'umzug';
import type { QueryInterface } from 'sequelize';

const up = `
ALTER TABLE users ADD COLUMN admin_totp_last_step integer CHECK (admin_totp_last_step > 0);

CREATE TABLE login_failures (
  id bigserial PRIMARY KEY,
  key text NOT NULL CHECK (length(key) > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key ON login_failures (key, created_at);
`;

const down = `
DROP TABLE IF EXISTS login_failures;
ALTER TABLE users DROP COLUMN IF EXISTS admin_totp_last_step;
`;

export async function upMigration({ context }: MigrationParams<QueryInterface>): Promise<void> {
  await context.sequelize.query(up);
}

export async function downMigration({ context }: MigrationParams<QueryInterface>): Promise<void> {
  await context.sequelize.query(down);
}

export { upMigration as up, downMigration as down };
