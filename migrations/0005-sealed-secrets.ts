// TOTP seeds of cards and the back-office authenticator secrets are sealed at rest (services/secret-box.ts)
// under SECRETS_KEY, which this migration reads from the environment like every process of the service.
import type { MigrationParams } from 'umzug';
import { QueryTypes, type QueryInterface } from 'sequelize';
import { loadConfig } from '../config/index.js';
import { createSecretBox, type SecretBox } from '../services/secret-box.js';

async function transform(context: QueryInterface, table: string, column: string, change: (value: string) => string): Promise<void> {
  const rows = await context.sequelize.query<{ id: string; value: string }>(
    `SELECT id, ${column} AS value FROM ${table} WHERE ${column} IS NOT NULL`, { type: QueryTypes.SELECT },
  );
  for (const row of rows) {
    await context.sequelize.query(`UPDATE ${table} SET ${column} = :value WHERE id = :id`, { replacements: { id: row.id, value: change(row.value) } });
  }
}

const box = (): SecretBox => createSecretBox(loadConfig(process.env).secrets.key);

export async function upMigration({ context }: MigrationParams<QueryInterface>): Promise<void> {
  const secrets = box();
  await context.sequelize.query(`
    ALTER TABLE cards RENAME COLUMN seed_hex TO sealed_seed;
    ALTER TABLE cards DROP CONSTRAINT cards_seed_hex_check;
    ALTER TABLE users RENAME COLUMN admin_totp_secret TO sealed_admin_totp_secret;
  `);
  await transform(context, 'cards', 'sealed_seed', secrets.seal);
  await transform(context, 'users', 'sealed_admin_totp_secret', secrets.seal);
  await context.sequelize.query(`
    ALTER TABLE cards ADD CONSTRAINT cards_sealed_seed CHECK (sealed_seed LIKE 'v1.%');
    ALTER TABLE users ADD CONSTRAINT users_sealed_admin_totp_secret CHECK (sealed_admin_totp_secret LIKE 'v1.%');
  `);
}

export async function downMigration({ context }: MigrationParams<QueryInterface>): Promise<void> {
  const secrets = box();
  await context.sequelize.query(`
    ALTER TABLE cards DROP CONSTRAINT cards_sealed_seed;
    ALTER TABLE users DROP CONSTRAINT users_sealed_admin_totp_secret;
  `);
  await transform(context, 'cards', 'sealed_seed', secrets.open);
  await transform(context, 'users', 'sealed_admin_totp_secret', secrets.open);
  await context.sequelize.query(`
    ALTER TABLE cards RENAME COLUMN sealed_seed TO seed_hex;
    ALTER TABLE cards ADD CONSTRAINT cards_seed_hex_check CHECK (seed_hex ~ '^[0-9a-f]{32,128}$');
    ALTER TABLE users RENAME COLUMN sealed_admin_totp_secret TO admin_totp_secret;
  `);
}

export { upMigration as up, downMigration as down };
