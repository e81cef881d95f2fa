// `npm run journal:verify`: recomputes the journal's hash chain and reports the first broken entry.
import { loadConfigOrExit } from '../config/index.js';
import { createSequelize } from '../db/sequelize.js';
import { verifyJournalChain } from '../services/journal.js';
import { describeVerification } from '../domain/journal-verification.js';

const config = loadConfigOrExit();
if (!config.database.url) {
  process.stderr.write('DATABASE_URL is required (with `npm start` running, use the URL it prints in its logs).\n');
  process.exit(78);
}
const sequelize = createSequelize(config.database.url, { poolMax: 1 });
const result = await verifyJournalChain();
await sequelize.close();
process.stdout.write(`${describeVerification(result)}\n`);
process.exit(result.brokenAt ? 1 : 0);
