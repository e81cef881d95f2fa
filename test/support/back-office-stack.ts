// For a back-office test file: the test database, a real worker and the real web process (AdminJS included),
// and Chromium when asked, opened before the file's tests and closed after them. `prepare` runs on the
// database before the worker and the web server start (the web process hands pending requests to their
// lifecycles at start-up). Read the fields inside tests, once beforeAll has run.
import type { Browser } from 'playwright-core';
import type { Sequelize } from 'sequelize';
import { launchChromium } from './browser.js';
import { testSequelize } from './env.js';
import { startTestWorker } from './temporal.js';
import { freePort } from './test-stack.js';
import { startWebServer } from './web-server.js';

export interface BackOfficeStack {
  sequelize: Sequelize;
  worker: Awaited<ReturnType<typeof startTestWorker>>;
  web: Awaited<ReturnType<typeof startWebServer>>;
  /** Only with `browser: true`. */
  browser: Browser;
}

export function useBackOfficeStack(options: { browser?: boolean; prepare?: (sequelize: Sequelize) => Promise<void> } = {}): BackOfficeStack {
  const stack = {} as BackOfficeStack;
  beforeAll(async () => {
    stack.sequelize = testSequelize();
    await options.prepare?.(stack.sequelize);
    stack.worker = await startTestWorker({ sequelize: stack.sequelize });
    stack.web = await startWebServer({ port: await freePort(), taskQueue: stack.worker.taskQueue });
    if (options.browser) stack.browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await stack.browser?.close();
    await stack.web?.stop();
    await stack.worker?.stop();
    await stack.sequelize?.close();
  });
  return stack;
}
