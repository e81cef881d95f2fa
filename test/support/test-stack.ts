// Jest's global setup and teardown: one throwaway stack for the whole run (see infra/throwaway-stack.ts).
// Its addresses reach the test files through environment variables (test/support/env.ts).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../config/index.js';
import { ensureTimeSkippingServer } from '../../infra/provision.js';
import { startThrowawayStack, type ThrowawayStack } from '../../infra/throwaway-stack.js';

export { freePort } from '../../infra/throwaway-stack.js';

const holder = globalThis as { __testStack?: ThrowawayStack; __adminBundleDir?: string };

/** Builds the back-office's components bundle once for the whole run, as the Dockerfile does for an image. */
async function buildAdminBundle(dir: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bundle-admin.ts'], {
    cwd: PROJECT_ROOT, env: { ...process.env, ADMIN_JS_TMP_DIR: dir }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => { errors += chunk.toString(); });
  const code = await new Promise<number | null>((resolve, reject) => { child.once('error', reject); child.once('exit', resolve); });
  if (code !== 0) throw new Error(`building the back-office bundle failed (exit ${code}):\n${errors}`);
}

export async function startTestStack(): Promise<void> {
  const adminBundleDir = await mkdtemp(path.join(os.tmpdir(), 'ac-test-adminjs-'));
  holder.__adminBundleDir = adminBundleDir;
  const building = buildAdminBundle(adminBundleDir);
  building.catch(() => undefined); // awaited below, once the stack is held (so that the teardown stops it)
  const stack = await startThrowawayStack({ existingServerUrl: process.env.TEST_DATABASE_URL });
  holder.__testStack = stack;
  await building;
  process.env.TEST_ADMIN_BUNDLE_DIR = adminBundleDir;
  process.env.TEST_DB_URL = stack.databaseUrl;
  process.env.TEST_TEMPORAL_ADDRESS = stack.temporalAddress;
  process.env.TEST_SMTP_URL = stack.mailSink.smtpUrl;
  process.env.TEST_MAIL_API = `${stack.mailSink.webUrl}/api/messages`;
  process.env.TEST_FRANCECONNECT_ISSUER = stack.franceconnect.issuer;
  process.env.TEST_TIME_SKIPPING_SERVER = await ensureTimeSkippingServer();
}

export async function stopTestStack(): Promise<void> {
  await holder.__testStack?.stop();
  if (holder.__adminBundleDir) await rm(holder.__adminBundleDir, { recursive: true, force: true });
}
