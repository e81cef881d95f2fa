// Debian's chromium, driven by playwright-core, for the browser tests: the application served in the test
// process, and axe-core's accessibility rules.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { UsagerNotificationPolicy } from '../../domain/usager-notification.js';
import { createLogger } from '../../infra/logger.js';
import { createApp } from '../../server/app.js';
import { createLifecycles } from '../../services/lifecycles.js';
import { testConfig } from './env.js';
import type { WorkerStack } from './temporal.js';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The WCAG 2.1 A/AA violations axe-core finds on the page, as "rule: element" lines (empty when none). axe is
 * evaluated through the DevTools protocol, which the page's CSP does not restrict: the pages are checked as
 * served (no `bypassCSP` needed, so that a test also sees what the CSP blocks).
 */
export async function axeViolations(page: Page): Promise<string[]> {
  // A click that navigates returns before the next page is there: check the page once it has loaded (a
  // script tag waited for it implicitly; an evaluation does not).
  await page.waitForLoadState('load');
  if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })`) as
    { violations: { id: string; nodes: { target: string[] }[] }[] };
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

/**
 * The web application in this test process, served on a free port over the test file's worker stack, and a
 * Chromium: started before the file's tests, stopped after them. `env`: configuration overrides, given the
 * address the app is served at (e.g. PUBLIC_URL, for an identity provider whose issuer must be reachable).
 */
export function useBrowserApp(stack: WorkerStack, options: { env?: (baseUrl: string) => Record<string, string>; usagerNotificationPolicy?: UsagerNotificationPolicy } = {}): { readonly baseUrl: string; readonly browser: Browser } {
  let server: Server | undefined;
  const holder = { baseUrl: '', browser: undefined as unknown as Browser };
  beforeAll(async () => {
    // Listen first: the configuration may depend on the address.
    let handler: Express | undefined;
    const listening = createServer((req, res) => handler!(req, res)).listen(0, '127.0.0.1');
    server = listening;
    await new Promise((resolve) => listening.once('listening', resolve));
    holder.baseUrl = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    const lifecycles = createLifecycles(stack.client, {
      taskQueue: stack.worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 }, usagerNotificationPolicy: options.usagerNotificationPolicy,
    });
    handler = createApp({ config: testConfig(options.env?.(holder.baseUrl)), sequelize: stack.sequelize, temporal: stack.client, lifecycles, log: createLogger('test', 'error') });
    holder.browser = await launchChromium();
  }, 120_000);
  stack.closeFirst.push(async () => {
    await holder.browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });
  return holder;
}
