// `npm run retention:preview`: what the daily retention would delete if it ran now (counts and oldest dates),
// deleting nothing — the same as « Aperçu de la conservation » in the back-office.
import { loadConfigOrExit } from '../config/index.js';
import { createSequelize } from '../db/sequelize.js';
import { frenchDate } from '../domain/duration.js';
import { RETENTION_COUNT_KEYS, RETENTION_KIND_LABELS } from '../domain/retention.js';
import { previewRetention } from '../services/retention.js';

const config = loadConfigOrExit();
if (!config.database.url) {
  process.stderr.write('DATABASE_URL is required (with `npm start` running, use the URL it prints in its logs).\n');
  process.exit(78);
}
const sequelize = createSequelize(config.database.url, { poolMax: 1 });
const preview = await previewRetention(sequelize, new Date(), config.retention);
await sequelize.close();
for (const key of RETENTION_COUNT_KEYS) {
  const { count, oldest } = preview[key];
  process.stdout.write(`${RETENTION_KIND_LABELS[key]} : ${count}${oldest ? ` (plus ancienne date : ${frenchDate(oldest)})` : ''}\n`);
}
