// `npm run migrate`: applies pending migrations to DATABASE_URL (production and docker-compose).
import { loadConfigOrExit } from '../config/index.js';
import { createSequelize } from '../db/sequelize.js';
import { migrate } from '../db/migrate.js';

const config = loadConfigOrExit();
if (!config.database.url) {
  process.stderr.write('DATABASE_URL is required to run migrations outside `npm start`.\n');
  process.exit(78);
}
const sequelize = createSequelize(config.database.url, { poolMax: 1 });
const applied = await migrate(sequelize);
process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'The database is up to date.\n');
await sequelize.close();
