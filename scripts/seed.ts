// `npm run seed`: creates the demo data in DATABASE_URL (skipped when it already exists).
import { loadConfigOrExit } from '../config/index.js';
import { createSequelize } from '../db/sequelize.js';
import { migrate } from '../db/migrate.js';
import { seedDemoData } from '../services/demo-data.js';
import { createSecretBox } from '../services/secret-box.js';

const config = loadConfigOrExit();
if (!config.database.url) {
  process.stderr.write('DATABASE_URL is required (`npm start` seeds the embedded database by itself).\n');
  process.exit(78);
}
const sequelize = createSequelize(config.database.url, { poolMax: 1 });
await migrate(sequelize);
process.stdout.write((await seedDemoData(sequelize, createSecretBox(config.secrets.key))) ? 'Demo data created.\n' : 'Demo data already present.\n');
await sequelize.close();
