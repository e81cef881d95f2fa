// `npm run retention:preview`: what the daily retention would delete if it ran now (counts and oldest dates),
// and what the daily inactivity duty would purge, deleting nothing — the same as « Aperçu de la conservation » in the back-office.
import { loadConfigOrExit } from '../config/index.js';
import { createSequelize } from '../db/sequelize.js';
import { serviceDatabaseUrl } from './service-database.js';
import { frenchDate } from '../domain/duration.js';
import { RETENTION_COUNT_KEYS, RETENTION_KIND_LABELS } from '../domain/retention.js';
import { previewRetention } from '../services/retention.js';
import { INACTIVITY_PURGE_KEYS, INACTIVITY_PURGE_LABELS } from '../domain/inactivity.js';
import { previewInactivityPurges } from '../services/inactivity.js';

const config = loadConfigOrExit();
// DATABASE_URL; in development, without it, the embedded PostgreSQL of `npm start` (which must be running).
const sequelize = createSequelize(serviceDatabaseUrl(config), { poolMax: 1 });
const now = new Date();
const preview = await previewRetention(sequelize, now, config.retention);
const daily = await previewInactivityPurges(sequelize, config.inactivity, now);
await sequelize.close();
const line = (label: string, { count, oldest }: { count: number; oldest: Date | null }) =>
  process.stdout.write(`${label} : ${count}${oldest ? ` (plus ancienne date : ${frenchDate(oldest)})` : ''}\n`);
for (const key of RETENTION_COUNT_KEYS) line(RETENTION_KIND_LABELS[key], preview[key]);
for (const key of INACTIVITY_PURGE_KEYS) line(INACTIVITY_PURGE_LABELS[key], daily[key]);
