// Runs the real web process (server/main.ts, with AdminJS) against the test stack, for browser tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { PROJECT_ROOT } from '../../config/index.js';
import { testEnv } from './env.js';
import { ANCT_TEST_EMAIL } from './temporal.js';

export async function startWebServer(options: { port: number; taskQueue: string; env?: Record<string, string> }): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env, NODE_ENV: 'test', PORT: String(options.port), PUBLIC_URL: `http://localhost:${options.port}`,
      DATABASE_URL: testEnv.databaseUrl, TEMPORAL_ADDRESS: testEnv.temporalAddress, SMTP_URL: testEnv.smtpUrl,
      TEMPORAL_TASK_QUEUE: options.taskQueue, DEV_TOOLS: 'true', LOG_LEVEL: 'warn', ANCT_EMAIL: ANCT_TEST_EMAIL,
      // The back-office bundle built once for the run: bundling in each server cost minutes on a busy machine.
      ADMIN_JS_TMP_DIR: testEnv.adminBundleDir, ADMIN_JS_SKIP_BUNDLE: 'true',
      ...options.env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://localhost:${options.port}`;
  const deadline = Date.now() + 90_000;
  while (!(await fetch(`${url}/health`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null) throw new Error(`the web server exited with code ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('the web server did not become healthy within 90 s');
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
