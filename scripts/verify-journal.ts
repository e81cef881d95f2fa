// `npm run journal:verify`: recomputes the journal's hash chain and reports the first broken entry.
import { loadConfigOrExit } from '../config/index.js';
import { createSequelize } from '../db/sequelize.js';
import { serviceDatabaseUrl } from './service-database.js';
import { verifyJournalChain } from '../services/journal.js';
import { describeVerification } from '../domain/journal-verification.js';

const config = loadConfigOrExit();
// DATABASE_URL; in development, without it, the embedded PostgreSQL of `npm start` (which must be running).
const sequelize = createSequelize(serviceDatabaseUrl(config), { poolMax: 1 });
const result = await verifyJournalChain();
await sequelize.close();
process.stdout.write(`${describeVerification(result)}\n`);
process.exit(result.brokenAt ? 1 : 0);
