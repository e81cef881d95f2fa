// The worker process: connects to Temporal and PostgreSQL and runs every workflow and activity.
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { loadConfigOrExit } from '../config/index.js';
import { createSequelize } from '../db/sequelize.js';
import { createMailer } from '../services/mailer.js';
import { createLogger } from '../infra/logger.js';
import { createWorker } from './create-worker.js';
import { JOURNAL_SEAL_INTERVAL_MS, sealJournal } from '../services/journal.js';
import { startPeriodicSweep } from '../services/periodic-sweep.js';

const config = loadConfigOrExit();
const log = createLogger('worker', config.logLevel);
const databaseUrl = config.database.url;
const temporalAddress = config.temporal.address;
if (!databaseUrl || !temporalAddress || !config.mail.smtpUrl) {
  log.error('The worker needs DATABASE_URL, TEMPORAL_ADDRESS and SMTP_URL (npm start sets them for the local stack).');
  process.exit(78);
}

Runtime.install({ logger: new DefaultLogger(config.logLevel === 'debug' ? 'DEBUG' : 'WARN') });
const sequelize = createSequelize(databaseUrl, { poolMax: 10 });
const mailer = createMailer(config.mail.smtpUrl);
const connection = await NativeConnection.connect({ address: temporalAddress });
const worker = await createWorker({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  ...(config.temporal.workflowBundlePath ? { workflowBundle: { codePath: config.temporal.workflowBundlePath } } : {}),
  maxCachedWorkflows: config.temporal.workerMaxCachedWorkflows,
  deps: { sequelize, mailer, mailFrom: config.mail.from, publicUrl: config.http.publicUrl, trainingRegistrationUrl: config.habilitation.trainingRegistrationUrl, secretsKey: config.secrets.key, setupLinkTtlMs: config.espace.setupLinkTtlMs, anctEmail: config.habilitation.anctEmail, operations: config.operations, retention: config.retention, inactivity: config.inactivity },
});

// Runtime.install shuts the worker down on SIGINT/SIGTERM; we then release the other resources.
// Started by `npm start`: stop when the orchestrator goes away, even if it was killed.
process.on('disconnect', () => { if (worker.getState() === 'RUNNING') worker.shutdown(); });
process.channel?.unref();
// The journal's chain is sealed after commit (migration 0033): by whichever worker takes the sealer's lock.
// A failure (database down) is said once, and so is the recovery: not a line a second.
let sealingFails = false;
const stopSealing = startPeriodicSweep(async () => {
  await sealJournal(sequelize);
  if (sealingFails) log.info('journal sealing resumed');
  sealingFails = false;
}, JOURNAL_SEAL_INTERVAL_MS, (error) => {
  if (!sealingFails) log.warn(`journal sealing failed, retried every ${JOURNAL_SEAL_INTERVAL_MS} ms: ${error.message}`);
  sealingFails = true;
});
log.info(`worker ready on task queue "${config.temporal.taskQueue}" (${temporalAddress})`);
await worker.run();
stopSealing();
await connection.close();
await sequelize.close();
mailer.close();
log.info('worker stopped');
process.exit(0);
