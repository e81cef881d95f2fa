// A real worker on the global setup's Temporal dev server (or on a time-skipping server), with the real
// activities wired to the test database and the mail sink. One task queue per test file.
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { Sequelize } from 'sequelize';
import { spawn } from 'node:child_process';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort } from '../../infra/throwaway-stack.js';
import { createSequelize } from '../../db/sequelize.js';
import { migrate } from '../../db/migrate.js';
import { createWorker, WORKFLOWS_PATH } from '../../worker/create-worker.js';
import { createMailer } from '../../services/mailer.js';
import type { InactivityPolicy } from '../../domain/inactivity.js';
import { testEnv, testSequelize, unique } from './env.js';

let runtimeInstalled = false;
let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  if (!runtimeInstalled) {
    try { Runtime.install({ logger: new DefaultLogger('WARN') }); } catch { /* already installed in this process */ }
    runtimeInstalled = true;
  }
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  return bundle;
}

export async function connectClient(address = testEnv.temporalAddress): Promise<Client> {
  return new Client({ connection: await Connection.connect({ address }) });
}

export const ANCT_TEST_EMAIL = 'anct-test@aidantsconnect.invalid';
/** Where the test workers send the technical team's alerts. */
export const ALERT_TEST_EMAIL = 'alert-test@aidantsconnect.invalid';

/** `smtpUrl`: another SMTP server than the mail sink (e.g. a closed port, to test e-mails while SMTP is down). */
export async function startTestWorker(options: { sequelize: Sequelize; address?: string; taskQueue?: string; connection?: NativeConnection; smtpUrl?: string; maxCachedWorkflows?: number; inactivity?: InactivityPolicy }) {
  const bundle = await workflowBundle(); // first: installs the quiet runtime before any native connection
  const connection = options.connection ?? (await NativeConnection.connect({ address: options.address ?? testEnv.temporalAddress }));
  const taskQueue = options.taskQueue ?? unique('tq-');
  const mailer = createMailer(options.smtpUrl ?? testEnv.smtpUrl);
  const worker = await createWorker({
    connection, namespace: 'default', taskQueue, workflowBundle: bundle, maxCachedWorkflows: options.maxCachedWorkflows,
    deps: { sequelize: options.sequelize, mailer, mailFrom: 'Aidants Connect <test@aidantsconnect.invalid>', publicUrl: 'http://localhost:3000', secretsKey: testEnv.secretsKey, anctEmail: ANCT_TEST_EMAIL,
      operations: { alertEmail: ALERT_TEST_EMAIL, stuckEmailAfterMs: 3_600_000 }, inactivity: options.inactivity,
    },
  });
  const running = worker.run();
  return {
    worker,
    taskQueue,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      mailer.close();
      if (!options.connection) await connection.close();
    },
  };
}

/**
 * For a test file: the test database, a Temporal client and a real worker on a task queue of its own, opened
 * before the file's tests and closed after them (read the fields inside tests, once beforeAll has run).
 */
export interface WorkerStack {
  sequelize: Sequelize;
  client: Client;
  worker: Awaited<ReturnType<typeof startTestWorker>>;
  /**
   * Closed before the client, the worker and the database (e.g. a web server whose requests call Temporal): a
   * gRPC retry firing after the client's connection closed would crash the test file.
   */
  closeFirst: (() => Promise<void>)[];
}

export function useWorkerStack(): WorkerStack {
  const stack = { closeFirst: [] } as unknown as WorkerStack;
  beforeAll(async () => {
    stack.sequelize = testSequelize();
    stack.client = await connectClient();
    stack.worker = await startTestWorker({ sequelize: stack.sequelize });
  });
  afterAll(async () => {
    for (const close of stack.closeFirst) await close();
    await stack.worker?.stop();
    await stack.client?.connection.close();
    await stack.sequelize?.close();
  });
  return stack;
}

/** A time-skipping test server (Temporal's Java test server) with a real worker on it, for timer tests. */
export async function startTimeSkippingWorker(sequelize: Sequelize, workerOptions: { inactivity?: InactivityPolicy } = {}) {
  await workflowBundle(); // installs the quiet runtime before the environment starts
  const server = await startJavaTestServer();
  let env: TestWorkflowEnvironment;
  try {
    // The SDK gives a server it spawns itself only 5 s to answer, too short for a JVM on two busy cores: we
    // start it ourselves (above) and attach a time-skipping environment to it. `create` is the SDK's own
    // constructor path, private in its typings only.
    env = await (TestWorkflowEnvironment as unknown as { create(o: object): Promise<TestWorkflowEnvironment> })
      .create({ server: { type: 'existing' }, address: server.address, namespace: 'default', supportsTimeSkipping: true });
  } catch (error) {
    server.stop();
    throw error;
  }
  const worker = await startTestWorker({ sequelize, connection: env.nativeConnection, ...workerOptions });
  return {
    env,
    worker,
    async stop() {
      await worker.stop();
      await env.teardown();
      server.stop();
    },
  };
}

/** Temporal's Java test server on a free port, once it accepts gRPC connections (up to a minute); also used by bench/. */
export async function startJavaTestServer(serverPath = testEnv.timeSkippingServer): Promise<{ address: string; stop(): void }> {
  const port = await freePort();
  const child = spawn(serverPath, [String(port)], { stdio: 'ignore', detached: false });
  const address = `127.0.0.1:${port}`;
  const stop = () => { if (child.exitCode === null) child.kill('SIGKILL'); };
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Temporal's test server exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1 second' });
      await connection.close();
      return { address, stop };
    } catch (error) {
      if (Date.now() > until) { stop(); throw new Error(`Temporal's test server did not answer on ${address} within 60 s: ${String(error)}`); }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** A client whose server is down: every call fails after one quick attempt (no retry backoff). */
export function unreachableClient(): Client {
  return new Client({
    connection: Connection.lazy({
      address: '127.0.0.1:1',
      connectTimeout: '1 second',
      interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 1 }))],
    }),
  });
}

/**
 * Registers beforeAll/afterAll hooks giving the test file a database connection and a real worker on its own
 * time-skipping server; read the fields inside tests (they are set once beforeAll has run).
 */
export function useTimeSkippingStack(workerOptions: { inactivity?: InactivityPolicy; ownDatabase?: boolean } = {}) {
  const stack = {} as { sequelize: Sequelize } & Awaited<ReturnType<typeof startTimeSkippingWorker>>;
  beforeAll(async () => {
    stack.sequelize = workerOptions.ownDatabase ? await ownDatabase() : createSequelize(testEnv.databaseUrl, { poolMax: 5 });
    Object.assign(stack, await startTimeSkippingWorker(stack.sequelize, workerOptions));
  }, 180_000);
  afterAll(async () => {
    await stack.stop?.();
    await stack.sequelize?.close();
  });
  return stack;
}

/**
 * A fresh, migrated database for one test file (the models then read and write it). For the periodic duties,
 * which work on the whole database by design: moving their clock months or years ahead must never touch (purge,
 * warn, e-mail) another test file's rows.
 */
async function ownDatabase(): Promise<Sequelize> {
  const name = unique('own_');
  const server = new Sequelize(testEnv.databaseUrl, { dialect: 'postgres', logging: false });
  await server.query(`CREATE DATABASE ${name}`);
  await server.close();
  const url = new URL(testEnv.databaseUrl);
  url.pathname = `/${name}`;
  const sequelize = createSequelize(url.toString(), { poolMax: 5 });
  await migrate(sequelize);
  return sequelize;
}
