// `npm run demo:card-code [SERIAL]`: prints the current 6-digit codes of the demo cards, of the demo référente's
// application and of the demo ANCT accounts' authenticator (development only: demo seeds are deterministic, so no database is needed).
import { generateSync } from 'otplib';
import { loadConfigOrExit } from '../config/index.js';
import { DEMO_APP, demoCardSeed, DEMO_CARD_SERIALS, DEMO_STAFF } from '../services/demo-data.js';
import { currentCode } from '../services/totp.js';

const config = loadConfigOrExit();
if (config.nodeEnv === 'production') {
  process.stderr.write('Demo codes do not exist in production.\n');
  process.exit(1);
}
const wanted = process.argv[2]?.toUpperCase();
for (const serial of DEMO_CARD_SERIALS.filter((s) => !wanted || s === wanted)) {
  process.stdout.write(`card ${serial}: ${currentCode(demoCardSeed(serial), 60)}\n`);
}
if (!wanted) process.stdout.write(`application ${DEMO_APP.email}: ${currentCode(DEMO_APP.seedHex, 30)}\n`);
if (!wanted) for (const person of DEMO_STAFF) process.stdout.write(`back-office ${person.email}: ${generateSync({ secret: person.totp, period: 30, digits: 6 })}\n`);
