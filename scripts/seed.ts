// `npm run seed`: creates the demo data in DATABASE_URL (skipped when it already exists); refused in production.
import { loadConfigOrExit } from '../config/index.js';
import { createSequelize } from '../db/sequelize.js';
import { migrate } from '../db/migrate.js';
import { assertDemoDataAllowed, DemoDataRefusedError, seedDemoData } from '../services/demo-data.js';
import { createSecretBox } from '../services/secret-box.js';

const config = loadConfigOrExit();
try {
  assertDemoDataAllowed(config.nodeEnv);
} catch (error) {
  if (!(error instanceof DemoDataRefusedError)) throw error;
  process.stderr.write(`✖ ${error.message}\n`);
  process.exit(1);
}
if (!config.database.url) {
  process.stderr.write('DATABASE_URL is required (`npm start` seeds the embedded database by itself).\n');
  process.exit(78);
}
const sequelize = createSequelize(config.database.url, { poolMax: 1 });
await migrate(sequelize);
process.stdout.write((await seedDemoData(sequelize, createSecretBox(config.secrets.key))) ? 'Demo data created.\n' : 'Demo data already present.\n');
await sequelize.close();
