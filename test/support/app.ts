// The web application in the test process, with a Temporal client that cannot reach any server: for the pages
// and endpoints that do not start or update a lifecycle (those tests that do use a real worker stack).
import type { Express } from 'express';
import type { Sequelize } from 'sequelize';
import type { Config } from '../../config/index.js';
import { createLogger } from '../../infra/logger.js';
import { createApp } from '../../server/app.js';
import { createLifecycles } from '../../services/lifecycles.js';
import { testConfig } from './env.js';
import { unreachableClient } from './temporal.js';

export function appWithoutTemporal(sequelize: Sequelize, config: Config = testConfig()): Express {
  const temporal = unreachableClient();
  return createApp({
    config, sequelize, temporal, log: createLogger('test', 'error'),
    lifecycles: createLifecycles(temporal, { taskQueue: 'unused', habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } }),
  });
}
