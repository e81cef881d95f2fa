// The production topology for real (infra/cluster.ts, `npm run start:cluster`): the real Temporal server on
// PostgreSQL with its four services as separate processes, two workers, two web processes in production mode
// behind the round-robin front. A habilitation form posted through the front starts a workflow that a worker
// runs (the confirmation e-mail arrives), the demandeur's session is shared by both web processes and survives
// the death of one of them, and stopping leaves no process behind. Slow (the whole topology): one start.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { QueryTypes } from 'sequelize';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { PROJECT_ROOT } from '../config/index.js';
import { AidantOnboarding } from '../db/models/index.js';
import { createSequelize } from '../db/sequelize.js';
import { workflowIdForOnboarding } from '../domain/habilitation.js';
import { createLifecycles } from '../services/lifecycles.js';
import { WORKFLOWS_PATH } from '../worker/create-worker.js';
import { onboardingStatusQuery, recordTrainingUpdate } from '../workflows/messages.js';
import { createJuryMember, createStructureWithOnboarding } from './support/factories.js';
import { freePortRange, startTestCluster, type TestCluster } from './support/cluster.js';
import { waitFor } from './support/wait.js';
import { unique } from './support/env.js';

let cluster: TestCluster | undefined;
const BEFORE_ONBOARDING_V2 = path.join(PROJECT_ROOT, 'test/fixtures/workflow-releases/before-onboarding-v2.ts');

beforeAll(async () => {
  cluster = await startTestCluster();
}, 900_000);

afterAll(async () => {
  await cluster?.stop();
}, 120_000);

const cookieOf = (response: Response, name: string) => response.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith(`${name}=`));

describe('the production topology', () => {
  it('runs the four Temporal services as separate processes that answer', async () => {
    const c = cluster!;
    const pids = (['temporal-frontend', 'temporal-history', 'temporal-matching', 'temporal-worker'] as const).map((part) => {
      const pid = c.pid(part)!;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '').split('\0');
      expect(cmdline.slice(-3)).toEqual(['start', '--service', part.replace('temporal-', '')]);
      return pid;
    });
    expect(new Set(pids).size).toBe(4);
    if (c.uiUrl) expect((await fetch(c.uiUrl)).status).toBe(200);

    const connection = await Connection.connect({ address: c.temporalAddress });
    try {
      const health = await connection.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' });
      expect(health.status).toBe(1); // SERVING
      const described = await connection.workflowService.describeNamespace({ namespace: 'default' });
      expect(described.namespaceInfo?.name).toBe('default');
      // Both workers poll the service's task queue (through matching).
      const pollers = await waitFor('both workers to poll', async () => (await connection.workflowService.describeTaskQueue({
        namespace: 'default', taskQueue: { name: 'aidants-connect' }, taskQueueType: 1, // workflow tasks
      })).pollers ?? [], (list) => new Set(list.map((p) => p.identity)).size >= 2, 60_000);
      expect(new Set(pollers.map((p) => p.identity)).size).toBe(2);
    } finally {
      await connection.close();
    }
  });

  it('serves both web processes in production mode behind the front', async () => {
    const c = cluster!;
    for (const url of [...c.webUrls, c.publicUrl]) {
      const health = await fetch(`${url}/health`);
      expect({ url, status: health.status, body: await health.json() }).toMatchObject({ url, status: 200, body: { status: 'ok' } });
    }
    for (let i = 0; i < 4; i += 1) expect((await fetch(`${c.publicUrl}/`)).status).toBe(200);
    expect(Object.values(c.proxy.served()).every((n) => n >= 2)).toBe(true);
    // Production mode: no development helpers.
    expect((await fetch(`${c.publicUrl}/dev/codes`)).status).toBe(404);
  });

  it('runs a lifecycle started through the front on a worker, with a session both web processes share, even when one dies', async () => {
    const c = cluster!;
    const form = await fetch(`${c.publicUrl}/habilitation`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const csrfCookie = cookieOf(form, 'ac_csrf')!;
    const issuer = { firstName: 'Léa', lastName: 'Roux', email: `${unique('demandeur-')}@exemple.fr`, profession: 'Directrice', phone: '05 59 12 34 56' };
    const posted = await fetch(`${c.publicUrl}/habilitation`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
      body: new URLSearchParams({ ...issuer, _csrf: csrf }).toString(),
    });
    expect(posted.status).toBe(303);

    // The e-mail is sent by a workflow that a worker ran (the web process only starts it).
    const mail = await waitFor('the confirmation e-mail', async () => c.mails().find((m) => m.to.includes(issuer.email.toLowerCase())), Boolean, 60_000);
    const confirm = /https?:\/\/[^/\s]+(\/habilitation\/confirmer\/[A-Za-z0-9_-]+)/.exec(mail!.text)![1]!;
    expect(mail!.text).toContain(c.publicUrl);
    const confirmed = await fetch(`${c.publicUrl}${confirm}`, { redirect: 'manual' });
    expect(confirmed.status).toBe(303);
    const session = confirmed.headers.getSetCookie().map((cookie) => cookie.split(';')[0]).join('; ');
    const space = (url: string) => fetch(`${url}/habilitation/espace`, { redirect: 'manual', headers: { cookie: session } });
    // The session lives in PostgreSQL: either web process knows the demandeur.
    for (const url of c.webUrls) {
      const page = await space(url);
      expect({ url, status: page.status }).toEqual({ url, status: 200 });
      expect(await page.text()).toContain(issuer.email);
    }

    // Web process 1 dies: the front sends the person to web process 2, still logged in; web process 1 comes back.
    const firstPid = c.pid('web-1')!;
    c.kill('web-1', 'SIGKILL');
    for (let i = 0; i < 4; i += 1) expect((await space(c.publicUrl)).status).toBe(200);
    await waitFor('web process 1 to be restarted', async () => c.pid('web-1'), (pid) => pid !== undefined && pid !== firstPid, 180_000);
    expect((await fetch(`${c.webUrls[0]}/health`)).status).toBe(200);

    // The journal's chain is sealed by the workers on their own (migration 0033): an entry, within seconds.
    const sequelize = createSequelize(c.databaseUrl, { poolMax: 1 });
    try {
      const [{ id }] = await sequelize.query<{ id: string }>("INSERT INTO journal (action, details) VALUES ('admin_login', '{\"cluster\": true}') RETURNING id::text AS id", { type: QueryTypes.SELECT });
      const sealed = async () => (await sequelize.query('SELECT 1 FROM journal_seals WHERE entry_id = $1', { type: QueryTypes.SELECT, bind: [id] })).length;
      expect(await waitFor('a worker to seal the entry', sealed, (n) => n === 1, 30_000)).toBe(1);
    } finally {
      await sequelize.close();
    }
  });

  it('rolls its workers onto a new workflow version while lifecycles run: running ones keep their path, new ones take the new one', async () => {
    const c = cluster!;
    // Two releases of the workers, each a prebuilt bundle (WORKFLOW_BUNDLE, as the Docker image has): today's code,
    // and the release before the 'onboarding-v2' change (a fixture answers that patch as that code did).
    const releases = await mkdtemp(path.join(os.tmpdir(), 'ac-releases-'));
    const bundle = async (file: string, before: boolean) => {
      const { code } = await bundleWorkflowCode({
        workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN'),
        webpackConfigHook: before ? (config) => ({ ...config, resolve: { ...config.resolve, alias: { ...config.resolve?.alias, '@temporalio/workflow$': BEFORE_ONBOARDING_V2 } } }) : undefined,
      });
      await writeFile(path.join(releases, file), code);
      return { WORKFLOW_BUNDLE: path.join(releases, file) };
    };
    const [before, after] = await Promise.all([bundle('before.js', true), bundle('after.js', false)]);
    const sequelize = createSequelize(c.databaseUrl, { poolMax: 3 });
    const connection = await Connection.connect({ address: c.temporalAddress });
    try {
      const client = new Client({ connection });
      const lifecycles = createLifecycles(client, { taskQueue: 'aidants-connect', habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } });
      const staff = await createJuryMember();
      const stateOf = (id: string) => client.workflow.getHandle(workflowIdForOnboarding(id)).query(onboardingStatusQuery) as Promise<Record<string, unknown>>;
      const historyOf = async (id: string) => (await client.workflow.getHandle(workflowIdForOnboarding(id)).fetchHistory()).events ?? [];
      const patchMarkers = async (id: string) => (await historyOf(id)).filter((event) => event.markerRecordedEventAttributes?.markerName === 'core_patch').length;

      // Both workers on the release before; an onboarding starts there (the legacy lifecycle: no training round).
      for (const worker of ['worker-1', 'worker-2'] as const) await c.restartPart(worker, { env: before });
      const { onboarding: running } = await createStructureWithOnboarding();
      await lifecycles.startOnboarding(running.id);
      expect(await waitFor('the running onboarding', () => stateOf(running.id), (state) => state.status === 'awaiting_training', 60_000)).not.toHaveProperty('round');

      // The rolling release: one worker after the other, the lifecycle still running; then a new onboarding.
      for (const worker of ['worker-1', 'worker-2'] as const) await c.restartPart(worker, { env: after });
      const { onboarding: fresh } = await createStructureWithOnboarding();
      await lifecycles.startOnboarding(fresh.id);
      await waitFor('the new onboarding', () => stateOf(fresh.id), (state) => state.status === 'awaiting_training', 60_000);

      // Both go on, on the new workers only: the one started before keeps the legacy path to its next step, the new one the new path.
      const trainingDate = new Date().toISOString().slice(0, 10);
      for (const onboarding of [running, fresh]) await lifecycles.updateOnboarding(onboarding.id, recordTrainingUpdate, { trainingDate, actorId: staff.id });
      const [runningState, freshState] = await Promise.all([running, fresh].map((o) => waitFor('the training recorded', () => stateOf(o.id), (state) => state.status !== 'awaiting_training', 60_000)));
      expect(runningState).not.toHaveProperty('round');
      expect(freshState).toMatchObject({ round: 1 });
      expect({ running: await patchMarkers(running.id), fresh: await patchMarkers(fresh.id) }).toEqual({ running: 0, fresh: 1 });
      // No workflow task of either failed (a replay that took the other path would have: non-determinism).
      for (const onboarding of [running, fresh]) expect((await historyOf(onboarding.id)).filter((event) => event.workflowTaskFailedEventAttributes)).toEqual([]);
      expect(await AidantOnboarding.count({ where: { id: [running.id, fresh.id], trainingDate } })).toBe(2);
    } finally {
      await connection.close();
      await sequelize.close();
      await rm(releases, { recursive: true, force: true });
    }
  }, 600_000);

  it('stops every process it started', async () => {
    const c = cluster!;
    const pids = c.everyPid();
    expect(pids.length).toBeGreaterThanOrEqual(10); // postgres, 4 Temporal services, UI, 2 workers, 2 web processes (+ a restart)
    await c.stop();
    cluster = undefined;
    expect(c.survivors()).toEqual([]);
    expect(await fetch(`${c.publicUrl}/health`).then(() => 'answered', () => 'closed')).toBe('closed');
  }, 120_000);
});

describe('npm run start:cluster', () => {
  let dataDir: string | undefined;
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('prints every URL, keeps its generated secrets private, and stops everything in order on Ctrl-C', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'ac-start-cluster-'));
    const base = await freePortRange(64);
    const env: NodeJS.ProcessEnv = { ...process.env, CLUSTER_DATA_DIR: dataDir, CLUSTER_PORT: String(base), LOG_LEVEL: 'warn' };
    for (const name of ['DATABASE_URL', 'SMTP_URL', 'PUBLIC_URL', 'TRUST_PROXY', 'FRANCECONNECT_ISSUER', 'SESSION_SECRET', 'SECRETS_KEY', 'DEV_TOOLS']) delete env[name];
    // Its own process group, like a terminal's: Ctrl-C reaches the whole group.
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start-cluster.ts'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor('start:cluster to be running', async () => output.includes('Press Ctrl-C') || child.exitCode !== null, Boolean, 600_000);
      expect(output).toContain(`Service (front)    http://localhost:${base}`);
      expect(output).toContain(`Temporal frontend  127.0.0.1:${base + 10}`);
      // Each Temporal service has its own metrics and pprof listeners (its zone overlay), not one shared address.
      expect(output).toContain(`history http://127.0.0.1:${base + 51}/metrics`);
      for (const offset of [50, 51, 52, 53]) {
        const metrics = await fetch(`http://127.0.0.1:${base + offset}/metrics`);
        expect(metrics.status).toBe(200);
        expect(await metrics.text()).toMatch(/^# TYPE \w+/m);
      }
      const profiles = await fetch(`http://127.0.0.1:${base + 61}/debug/pprof/`);
      expect(profiles.status).toBe(200);
      expect(await profiles.text()).toContain('heap');
      expect((await fetch(`http://127.0.0.1:${base}/health`)).status).toBe(200);
      expect(statSync(path.join(dataDir, 'cluster-secrets.json')).mode & 0o777).toBe(0o600);
      const pids = readdirSync(path.join(dataDir, 'pids')).map((file) => Number(readFileSync(path.join(dataDir!, 'pids', file), 'utf8')));
      expect(pids.length).toBeGreaterThanOrEqual(9);

      process.kill(-child.pid!, 'SIGINT');
      expect(await exited).toBe(0);
      const stopping = output.split('\n').filter((line) => line.startsWith('▸ Stopping ')).map((line) => line.slice('▸ Stopping '.length));
      expect(stopping.filter((line) => line !== 'the Temporal Web UI…')).toEqual(['the front…', 'web process 2…', 'web process 1…', 'worker 2…', 'worker 1…',
        'the Temporal worker service…', 'the Temporal frontend service…', 'the Temporal matching service…', 'the Temporal history service…', 'the mail sink…', 'PostgreSQL…']);
      expect(output.trim().split('\n').at(-1)).toBe('▸ Everything is stopped.');
      expect(pids.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
      expect(existsSync(path.join(dataDir, 'start-cluster.pid'))).toBe(false);
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
  }, 900_000);
});
