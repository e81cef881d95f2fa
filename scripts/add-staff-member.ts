// `npm run staff:add -- --email <adresse> --first-name <prénom> --last-name <nom> --role <rôle>[,<rôle>…]`: adds an
// ANCT staff member who can log into /admin, with a new random password and a new TOTP secret printed once here
// (services/staff-members.ts does the work). Exit codes: 64 refused (arguments, e-mail already used), 69 database
// unreachable, 78 configuration. Run it with the web processes' SECRETS_KEY and DATABASE_URL (and PUBLIC_URL); in
// development, without DATABASE_URL, it uses the embedded PostgreSQL of `npm start`.
import { loadConfigOrExit } from '../config/index.js';
import { createSequelize } from '../db/sequelize.js';
import { describeAddedStaffMember, EX_USAGE, parseStaffMemberArguments, STAFF_MEMBER_USAGE, StaffMemberRefusedError, type StaffMemberArguments } from '../domain/staff-members.js';
import { createSecretBox } from '../services/secret-box.js';
import { addStaffMember } from '../services/staff-members.js';
import { serviceDatabaseUrl } from './service-database.js';

const refuse = (reasons: string[]): never => {
  process.stderr.write(`${reasons.map((reason) => `✖ ${reason}`).join('\n')}\n\n${STAFF_MEMBER_USAGE}\n`);
  process.exit(EX_USAGE);
};

function parseArguments(): StaffMemberArguments {
  try {
    return parseStaffMemberArguments(process.argv.slice(2));
  } catch (error) {
    if (error instanceof StaffMemberRefusedError) refuse(error.reasons);
    throw error;
  }
}

const args = parseArguments();
if (args.help) {
  process.stdout.write(`${STAFF_MEMBER_USAGE}\n`);
  process.exit(0);
}

const config = loadConfigOrExit();
const databaseUrl = serviceDatabaseUrl(config);
const sequelize = createSequelize(databaseUrl, { poolMax: 1 });
try {
  await sequelize.authenticate();
} catch (error) {
  await sequelize.close();
  process.stderr.write(`✖ La base de données n’a pas pu être jointe (${(error as Error).message}) : ${config.database.url
    ? 'vérifiez DATABASE_URL.' : 'lancez `npm start` (sa base PostgreSQL embarquée), ou définissez DATABASE_URL.'}\n`);
  process.exit(69); // EX_UNAVAILABLE
}

try {
  const added = await addStaffMember({ sequelize, secretBox: createSecretBox(config.secrets.key) }, args.member);
  await sequelize.close();
  // The secrets go to this terminal only: no logger, no journal, no file.
  process.stdout.write(describeAddedStaffMember(added, `${config.http.publicUrl}/admin`));
} catch (error) {
  await sequelize.close();
  if (error instanceof StaffMemberRefusedError) refuse(error.reasons);
  process.stderr.write(`✖ Le membre n’a pas été ajouté : ${(error as Error).message}\n`);
  process.exit(1);
}
