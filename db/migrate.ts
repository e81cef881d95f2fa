// Runs pending migrations with umzug; the applied ones are recorded in the "schema_migrations" table.
import { Umzug, SequelizeStorage } from 'umzug';
import type { Sequelize } from 'sequelize';
import { MIGRATIONS } from '../migrations/index.js';

export function createMigrator(sequelize: Sequelize, log: (message: string) => void = () => {}) {
  return new Umzug({
    migrations: MIGRATIONS,
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: { info: (e) => log(`migration ${JSON.stringify(e)}`), warn: (e) => log(JSON.stringify(e)), error: (e) => log(JSON.stringify(e)), debug: () => {} },
  });
}

export async function migrate(sequelize: Sequelize, log?: (message: string) => void): Promise<string[]> {
  const applied = await createMigrator(sequelize, log).up();
  return applied.map((m) => m.name);
}
