// The mandat lifecycles at scale (issue 9):
// 1. on the throwaway stack's Temporal dev server, with a real worker (worker/create-worker.ts): the start rate
//    of 10 000 mandat workflows started as the web starts them (services/lifecycles.ts startMandat: the
//    mandat's snapshot read from PostgreSQL, then the start), next to the raw start rate of the same workflow
//    type on the same server in the same run (prebuilt input, a task queue no worker polls: the server alone),
//    and the worker's memory once they all sleep;
// 2. on a time-skipping Temporal server (Temporal's Java test server, @temporalio/testing) with a real worker:
//    10 000 reminders falling due on the same day in 100 structures, the time until the grouped e-mails (one
//    per structure and recipient, workflows/mandat-reminder-digest.ts) are all in the mail sink, and their count.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, type Worker } from '@temporalio/worker';
import { QueryTypes, type Sequelize } from 'sequelize';
import { DEFAULT_MANDAT_POLICY, mandatReminders } from '../domain/mandat-lifecycle.js';
import { MANDAT_TEXT_VERSION } from '../domain/mandat.js';
import type { ThrowawayStack } from '../infra/throwaway-stack.js';
import { ensureTimeSkippingServer } from '../infra/provision.js';
import { createLifecycles } from '../services/lifecycles.js';
import { loadMandatSnapshot } from '../services/mandat-snapshot.js';
import { createMailer } from '../services/mailer.js';
import { createWorker, WORKFLOWS_PATH } from '../worker/create-worker.js';
import type { mandatWorkflow } from '../workflows/mandat.js';
import { startJavaTestServer } from '../test/support/temporal.js';
import type { SeedResult } from './mandat-seed.js';
import type { Line } from './mandats.js';

const REMINDER_SUBJECT = 'Ces mandats vont bientôt expirer';
const CONCURRENCY = 16;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const HABILITATION_POLICY = { comiteReminderDelayMs: 86_400_000 };

async function inParallel<T>(items: T[], concurrency: number, task: (item: T, i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const i = next++;
      await task(items[i], i);
    }
  }));
  return (performance.now() - started) / 1000;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function activityDeps(sequelize: Sequelize, smtpUrl: string) {
  const mailer = createMailer(smtpUrl);
  return {
    mailer,
    deps: {
      sequelize, mailer, mailFrom: 'bench@aidantsconnect.invalid', publicUrl: 'http://localhost:3000', secretsKey: Buffer.alloc(32, 7),
      anctEmail: 'anct@aidantsconnect.invalid', operations: { alertEmail: 'tech@aidantsconnect.invalid', stuckEmailAfterMs: 3_600_000 },
    },
  };
}

/** Waits until the worker has nothing to do for a few seconds in a row and the last workflows started have slept. */
async function allAsleep(worker: Worker, client: Client, lastIds: string[]): Promise<void> {
  let idleChecks = 0;
  await until(async () => {
    const status = worker.getStatus();
    idleChecks = status.numInFlightWorkflowActivations === 0 && status.numInFlightActivities === 0 ? idleChecks + 1 : 0;
    if (idleChecks < 4) return false;
    for (const id of lastIds) {
      const described = await client.workflow.getHandle(id).describe();
      if ((described.historyLength ?? 0) < 4) return false; // started, task scheduled, started, completed (and its timer)
    }
    return true;
  }, 600_000, 'the mandat workflows to sleep');
}

export async function benchMandatWorkflows(options: { sequelize: Sequelize; stack: ThrowawayStack; seed: SeedResult; line: Line; count?: number; reminders?: number }): Promise<void> {
  const { sequelize, stack, line } = options;
  const count = options.count ?? 10_000;
  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') });

  const mandatIds = (await sequelize.query<{ id: string }>(`
    SELECT id FROM mandats WHERE status = 'active' AND expires_at > now() + interval '2 days' ORDER BY random() LIMIT :count`,
  { replacements: { count }, type: QueryTypes.SELECT })).map((r) => r.id);
  if (mandatIds.length < count) throw new Error(`only ${mandatIds.length} active mandats to start`);

  // 1a. The server alone: the same workflow type, prebuilt input, on a task queue that no worker polls.
  const client = new Client({ connection: await Connection.connect({ address: stack.temporalAddress }) });
  const snapshot = (await loadMandatSnapshot(mandatIds[0]))!;
  const rawSeconds = await inParallel(mandatIds, CONCURRENCY, (mandatId, i) => client.workflow.start<typeof mandatWorkflow>('mandatWorkflow', {
    workflowId: `bench-raw/${i}`, taskQueue: 'bench-nobody', args: [{ mandatId, policy: DEFAULT_MANDAT_POLICY, snapshot }],
  }));
  line(`raw workflow starts (same type, no worker, ${CONCURRENCY} in flight)`, `${(count / rawSeconds).toFixed(0)} starts/s  (${count} in ${rawSeconds.toFixed(1)} s)`);

  // 1b. As the web starts them, with a real worker running them meanwhile.
  const before = process.memoryUsage();
  const connection = await NativeConnection.connect({ address: stack.temporalAddress });
  const { mailer, deps } = activityDeps(sequelize, stack.mailSink.smtpUrl);
  const worker = await createWorker({ connection, namespace: 'default', taskQueue: 'bench-mandats', deps, workflowBundle: bundle });
  const running = worker.run();
  const lifecycles = createLifecycles(client, { taskQueue: 'bench-mandats', habilitationPolicy: HABILITATION_POLICY });
  const startSeconds = await inParallel(mandatIds, CONCURRENCY, (mandatId) => lifecycles.startMandat(mandatId));
  line(`mandat workflows, lifecycles.startMandat (${CONCURRENCY} in flight)`, `${(count / startSeconds).toFixed(0)} starts/s  (${count} in ${startSeconds.toFixed(1)} s, worker running)`);
  const startedAt = performance.now();
  await allAsleep(worker, client, mandatIds.slice(-20).map((id) => `mandat/${id}`));
  const after = process.memoryUsage();
  line('  all asleep (first task done, timer set)', `${((performance.now() - startedAt) / 1000 + startSeconds).toFixed(1)} s after the first start`);
  line('  worker process memory, all asleep', `RSS ${mb(after.rss)} (+${mb(after.rss - before.rss)})  heap used ${mb(after.heapUsed)} (+${mb(after.heapUsed - before.heapUsed)})  cached workflows ${worker.getStatus().numCachedWorkflows}`);
  worker.shutdown();
  await running;
  await connection.close();
  await client.connection.close();
  mailer.close();

  await benchReminderDigests({ sequelize, stack, line, bundle, reminders: options.reminders ?? 10_000 });
}

/** A time-skipping environment on a Java test server started here (as test/support/temporal.ts does). */
async function startTimeSkippingEnvironment(serverPath: string) {
  const server = await startJavaTestServer(serverPath);
  try {
    const env = await (TestWorkflowEnvironment as unknown as { create(o: object): Promise<TestWorkflowEnvironment> })
      .create({ server: { type: 'existing' }, address: server.address, namespace: 'default', supportsTimeSkipping: true });
    return { env, async stop() { await env.teardown(); server.stop(); } };
  } catch (error) {
    server.stop();
    throw error;
  }
}

/** 10 000 reminders due the same day, 100 per structure, on a time-skipping server. */
async function benchReminderDigests(options: { sequelize: Sequelize; stack: ThrowawayStack; line: Line; bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>; reminders: number }): Promise<void> {
  const { sequelize, stack, line } = options;
  const perStructure = Math.min(100, options.reminders);
  const structures = Math.ceil(options.reminders / perStructure);
  // Temporal's Java test server, as the tests start it (test/support/temporal.ts).
  // Its provisioned script gives the JVM 512 MB: with 10 000 workflows it died in a first run (most likely
  // out of heap). The same command with 2 GB, from a copy of the script.
  const script = await readFile(await ensureTimeSkippingServer(() => undefined), 'utf8');
  const roomier = path.join(await mkdtemp(path.join(os.tmpdir(), 'ac-bench-ts-')), 'temporal-test-server');
  await writeFile(roomier, script.replace(/-Xmx\S+/, '-Xmx2g'), { mode: 0o755 });
  const ts = await startTimeSkippingEnvironment(roomier);
  const { mailer, deps } = activityDeps(sequelize, stack.mailSink.smtpUrl);
  const taskQueue = 'bench-reminders';
  const worker = await createWorker({ connection: ts.env.nativeConnection, namespace: 'default', taskQueue, deps, workflowBundle: options.bundle });
  const running = worker.run();
  try {
    // Fresh LONG mandats signed at the server's now in `structures` seeded structures (their aidants are the
    // digests' recipients): they all expire, and fall due, on the same day.
    const signedAt = new Date(await ts.env.currentTimeMs());
    const mandatIds = (await sequelize.query<{ id: string }>(`
      WITH orgs AS (
        SELECT o.id, row_number() OVER (ORDER BY o.id) AS r FROM organisations o
        WHERE EXISTS (SELECT 1 FROM organisation_memberships om WHERE om.organisation_id = o.id AND om.can_create_mandats AND om.is_active)
        ORDER BY o.id LIMIT :structures
      ), slots AS (
        SELECT o.id AS organisation_id, o.r, k, gen_random_uuid() AS usager_id, gen_random_uuid() AS mandat_id,
               (SELECT om.user_id FROM organisation_memberships om WHERE om.organisation_id = o.id AND om.can_create_mandats ORDER BY om.user_id LIMIT 1) AS aidant_id
        FROM orgs o, generate_series(1, :perStructure) k
      ), usagers_in AS (
        INSERT INTO usagers (id, sub, given_name, family_name, gender, birthdate)
        SELECT usager_id, 'banc-rappel-' || usager_id, 'Usager ' || k, 'Rappel ' || r, 'unspecified', '1950-01-01' FROM slots
      ), mandats_in AS (
        INSERT INTO mandats (id, organisation_id, usager_id, created_by_id, duration, status, created_at, expires_at, template_hash, attestation_hash, text_version, workflow_started_at)
        SELECT mandat_id, organisation_id, usager_id, aidant_id, 'LONG', 'active', :at::timestamptz, :at::timestamptz + interval '365 days', md5(:textVersion), md5(mandat_id::text), :textVersion, :at::timestamptz
        FROM slots
        RETURNING id
      )
      SELECT id FROM mandats_in`,
    { replacements: { structures, perStructure, at: signedAt, textVersion: MANDAT_TEXT_VERSION }, type: QueryTypes.SELECT })).map((r) => r.id);
    await sequelize.query(`
      INSERT INTO autorisations (mandat_id, demarche, created_at)
      SELECT m.id, d, m.created_at FROM mandats m, unnest(ARRAY['social','logement','argent']) d WHERE m.id IN (:ids)`,
    { replacements: { ids: mandatIds } });
    const [{ recipients }] = await sequelize.query<{ recipients: number }>(`
      SELECT count(*)::int AS recipients FROM organisation_memberships om JOIN users u ON u.id = om.user_id
      WHERE om.is_active AND om.can_create_mandats AND u.is_active AND om.organisation_id IN (SELECT DISTINCT organisation_id FROM mandats WHERE id IN (:ids))`,
    { replacements: { ids: mandatIds }, type: QueryTypes.SELECT });

    const lifecycles = createLifecycles(ts.env.client, { taskQueue, habilitationPolicy: HABILITATION_POLICY });
    const startSeconds = await inParallel(mandatIds, CONCURRENCY, (mandatId) => lifecycles.startMandat(mandatId));
    line(`reminders: ${mandatIds.length} mandats started (time-skipping server)`, `${(mandatIds.length / startSeconds).toFixed(0)} starts/s`);

    const due = mandatReminders(signedAt.getTime() + 365 * 86_400_000, 'LONG', DEFAULT_MANDAT_POLICY)[0];
    const { digestSettleMs } = DEFAULT_MANDAT_POLICY;
    // Skipped up to a few seconds before the hour: the skip waits for every workflow's first task. From then
    // on, time runs at the wall clock's pace (skipping is only unlocked during env.sleep): the reminders'
    // activities run in real time, as they would on a real server, and only the digests' settling delay (15
    // minutes) is skipped, once every reminder is recorded.
    let started = performance.now();
    await ts.env.sleep(due.at - 5_000 - (await ts.env.currentTimeMs()));
    line('  skip to the day of the 30-day reminder', `${((performance.now() - started) / 1000).toFixed(1)} s (every workflow asleep first)`);
    const sentBefore = stack.mailSink.messages().filter((m) => m.subject === REMINDER_SUBJECT).length;
    const mails = () => stack.mailSink.messages().filter((m) => m.subject === REMINDER_SUBJECT).slice(sentBefore);
    const remindersOf = async (column: 'recorded_at' | 'reminded_at') => (await sequelize.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM mandat_reminders WHERE mandat_id IN (:ids) AND ${column} IS NOT NULL`,
      { replacements: { ids: mandatIds }, type: QueryTypes.SELECT },
    ))[0].n;

    await until(async () => (await ts.env.currentTimeMs()) >= due.at, 30_000, 'the hour');
    started = performance.now();
    await until(async () => (await remindersOf('recorded_at')) >= mandatIds.length, 900_000, 'the reminders to be recorded');
    const recordedSeconds = (performance.now() - started) / 1000;
    const beforeSettle = mails().length;
    const sendStarted = performance.now();
    await ts.env.sleep(Math.max(0, due.at + digestSettleMs + 10_000 - (await ts.env.currentTimeMs())));
    await until(async () => mails().length >= recipients && (await remindersOf('reminded_at')) >= mandatIds.length, 600_000, 'the reminder e-mails');
    const sendSeconds = (performance.now() - sendStarted) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // any e-mail beyond one per recipient would show
    const sent = mails();
    line(`  ${mandatIds.length} reminders due the same hour, recorded`, `${recordedSeconds.toFixed(1)} s (${(mandatIds.length / recordedSeconds).toFixed(0)} reminders/s, real time; e-mails meanwhile ${beforeSettle})`);
    line('  then the digests: settle (15 min, skipped), claim, send', `${sendSeconds.toFixed(1)} s`);
    line('  grouped e-mails in the mail sink', `${sent.length} e-mails for ${await remindersOf('reminded_at')} mandats reminded, ${structures} structures, ${recipients} recipients (${new Set(sent.map((m) => m.to.join())).size} distinct)`);
  } finally {
    worker.shutdown();
    await running;
    mailer.close();
    await ts.stop();
  }
}
