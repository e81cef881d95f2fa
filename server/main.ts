// The web process: public pages, /health and the AdminJS back-office.
import { loadConfigOrExit } from '../config/index.js';
import { createSequelize } from '../db/sequelize.js';
import { createLogger } from '../infra/logger.js';
import { connectTemporalClient } from '../infra/temporal-client.js';
import { buildBackOffice } from '../admin/index.js';
import { createLifecycles, startSubmissionSweep } from '../services/lifecycles.js';
import { startCardValidationSweep } from '../services/cards.js';
import { startMandatWorkflowSweep } from '../services/mandat-creation.js';
import { startUsagerNotificationSweep } from '../services/usager-notifications.js';
import { DEFAULT_ONBOARDING_POLICY } from '../domain/habilitation.js';
import { createApp } from './app.js';

const config = loadConfigOrExit();
const log = createLogger('web', config.logLevel);
if (!config.database.url || !config.temporal.address) {
  log.error('The web server needs DATABASE_URL and TEMPORAL_ADDRESS (npm start sets them for the local stack).');
  process.exit(78);
}

const sequelize = createSequelize(config.database.url);
const temporal = await connectTemporalClient(config.temporal.address, config.temporal.namespace);
const lifecycles = createLifecycles(temporal, {
  taskQueue: config.temporal.taskQueue,
  habilitationPolicy: {
    comiteReminderDelayMs: config.habilitation.comiteReminderDelayMs,
    changesCloseDelayMs: config.habilitation.changesCloseDelayMs,
    changesReminderBeforeMs: config.habilitation.changesReminderBeforeMs,
  },
  onboardingPolicy: {
    ...DEFAULT_ONBOARDING_POLICY,
    lapsedCloseDelayMs: config.habilitation.onboardingLapsedCloseDelayMs,
    lapsedCloseReminderMs: config.habilitation.onboardingLapsedCloseReminderMs,
  },
});
const backOffice = await buildBackOffice(config, config.database.url, lifecycles);
const app = createApp({ config, sequelize, temporal, lifecycles, log, adminRouter: backOffice.router });

const server = app.listen(config.http.port, () => log.info(`web server listening on ${config.http.publicUrl}`));
// At start-up and every minute: submissions whose hand-over to Temporal failed are handed over again.
const stopSweep = startSubmissionSweep(lifecycles, {
  onSwept: (count) => log.info(`handed ${count} pending habilitation request(s) to their lifecycle`),
  onError: (error) => log.warn('could not hand pending habilitation requests to their lifecycle', { error: error.message }),
});

// … and onboardings not yet told of a validated card (Temporal was unreachable, or the lifecycle busy).
const stopCardSweep = startCardValidationSweep({ sequelize, lifecycles }, {
  onTold: (count) => log.info(`told ${count} onboarding(s) of a validated card`),
  onError: (error) => log.warn('could not tell onboardings of validated cards yet', { error: error.message }),
});

// … and mandats whose workflow could not be started at their creation (Temporal unreachable).
const stopMandatSweep = startMandatWorkflowSweep({ lifecycles }, {
  onStarted: (count) => log.info(`started the workflows of ${count} mandat(s)`),
  onError: (error) => log.warn('could not start the workflows of mandats yet', { error: error.message }),
});

// … and usagers not told of a démarche done on their behalf (the wake-up after the use failed).
const stopNotificationSweep = startUsagerNotificationSweep({ sequelize, lifecycles }, {
  onWoken: (count) => log.info(`woke the notifications of ${count} usager(s)`),
  onError: (error) => log.warn('could not wake the notifications of usagers yet', { error: error.message }),
});

lifecycles.ensureSchedules()
  .catch((error) => log.warn('could not set up the schedules of the periodic duties', { error: (error as Error).message }));

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info(`${signal} received, closing the web server`);
  stopSweep();
  stopCardSweep();
  stopMandatSweep();
  stopNotificationSweep();
  server.closeIdleConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await backOffice.close();
  await temporal.connection.close();
  await sequelize.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
// Started by `npm start`: stop when the orchestrator goes away, even if it was killed.
process.on('disconnect', () => void shutdown('parent exited'));
process.channel?.unref();
process.on('SIGINT', () => void shutdown('SIGINT'));
