// The production topology on one machine, without Docker: PostgreSQL (embedded, or DATABASE_URL) holding the
// service's database and Temporal's two; the real Temporal server with its frontend, history, matching and
// worker services as four processes (and its Web UI when it could be built); two workers and two web
// processes with NODE_ENV=production; a round-robin front on one public port. Used by `npm run start:cluster`
// and by the tests (test/support/cluster.ts), which kill and restart its processes by name.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { PROJECT_ROOT } from '../config/index.js';
import { createSequelize } from '../db/sequelize.js';
import { migrate } from '../db/migrate.js';
import { loadOrCreateClusterSecrets } from './cluster-secrets.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { startMailSink, type MailSink } from './mail-sink.js';
import { ensureTemporalServer, ensureTemporalUi } from './provision.js';
import { startRoundRobinProxy, type RoundRobinProxy } from './round-robin-proxy.js';
import { startServiceProcess, lastLines } from './service-process.js';
import { supervise, type RunningService, type SupervisedService } from './supervisor.js';
import { ensureNamespace, prepareTemporalDatabases, startTemporalService, temporalDatabaseOf, temporalServerConfig, TEMPORAL_SERVICES, writeTemporalConfig, type TemporalPorts } from './temporal-server.js';
import { startTemporalUi } from './temporal-ui.js';

/** Every part, in the order they are stopped (users of a service before it); started in the reverse order. */
export const CLUSTER_PARTS = ['front', 'web-2', 'web-1', 'worker-2', 'worker-1', 'temporal-ui', 'temporal-worker', 'temporal-frontend', 'temporal-matching', 'temporal-history', 'mail-sink', 'postgres'] as const;
export type ClusterPart = (typeof CLUSTER_PARTS)[number];

export interface ClusterPorts {
  public: number;
  web: [number, number];
  postgres: number;
  temporal: TemporalPorts;
  ui: number;
  mailSmtp: number;
  mailWeb: number;
}

/** The ports of `npm run start:cluster`, from one base (CLUSTER_PORT, 4000): none collides with `npm start`'s. */
export function clusterPortsFrom(base: number): ClusterPorts {
  return {
    public: base, web: [base + 1, base + 2], postgres: base + 3,
    temporal: {
      frontend: base + 10, frontendHttp: base + 11, history: base + 12, matching: base + 13, worker: base + 14,
      membership: { frontend: base + 20, history: base + 21, matching: base + 22, worker: base + 23 },
      observability: {
        frontend: { metrics: base + 50, pprof: base + 60 }, history: { metrics: base + 51, pprof: base + 61 },
        matching: { metrics: base + 52, pprof: base + 62 }, worker: { metrics: base + 53, pprof: base + 63 },
      },
    },
    ui: base + 30, mailSmtp: base + 40, mailWeb: base + 41,
  };
}

export interface ClusterOptions {
  /** Everything the topology keeps: PostgreSQL's cluster, secrets, Temporal's configuration, logs, mails. */
  dataDir: string;
  ports: ClusterPorts;
  /** The environment the web and worker processes start from (process.env); DATABASE_URL and SMTP_URL in it are used. */
  env?: NodeJS.ProcessEnv;
  /** Restart a process that dies unexpectedly (npm run start:cluster); false leaves it to the caller. */
  supervise?: boolean;
  /** A back-office components bundle already built for this code (scripts/bundle-admin.ts; the test run builds one):
   *  the web processes serve it instead of the first one bundling at start-up. */
  adminBundleDir?: string;
  /** Start the Temporal Web UI when it can be built (default true). */
  ui?: boolean;
  log?: (line: string) => void;
  /** A supervised process died too often: the caller should stop everything. */
  onGiveUp?: (reason: string) => void;
}

export interface Cluster {
  publicUrl: string;
  webUrls: string[];
  temporalAddress: string;
  uiUrl: string | undefined;
  databaseUrl: string;
  smtpUrl: string;
  /** The mail sink, when no SMTP_URL was given. */
  mailSink: MailSink | undefined;
  proxy: RoundRobinProxy;
  logDir: string;
  /** The process id of a part (undefined for the in-process ones, the front and the mail sink, or a stopped one). */
  pid(part: ClusterPart): number | undefined;
  /** Parts currently running. */
  running(): ClusterPart[];
  /** Sends a signal to a part's process, as a crash would (a supervised part is then restarted). */
  kill(part: ClusterPart, signal?: NodeJS.Signals): void;
  /** Stops a part and keeps it down until startPart. */
  stopPart(part: ClusterPart): Promise<void>;
  startPart(part: ClusterPart): Promise<void>;
  /** Stops a part and starts it again; `env`, when given, is what that part's process gets from now on on top of
   *  the cluster's environment (a new release of a worker: another WORKFLOW_BUNDLE), `{}` going back to it. */
  restartPart(part: ClusterPart, options?: { env?: NodeJS.ProcessEnv }): Promise<void>;
  /** Stops everything, in CLUSTER_PARTS order. */
  stop(): Promise<void>;
}

interface Member {
  label: string;
  start(): Promise<RunningService & { pid?: number }>;
  pid?: number;
  handle?: { stop(): Promise<void> };
}

const NEVER = new Promise<never>(() => {});

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const say = options.log ?? (() => undefined);
  const env = options.env ?? process.env;
  const { ports } = options;
  const dataDir = path.resolve(options.dataDir);
  const logDir = path.join(dataDir, 'logs');
  const pidDir = path.join(dataDir, 'pids');
  const temporalRoot = path.join(dataDir, 'temporal');
  await mkdir(logDir, { recursive: true });
  await mkdir(pidDir, { recursive: true });
  await stopLeftovers(pidDir, say);

  const members = new Map<ClusterPart, Member>();
  /** Variables of one part's own, set by restartPart (a rolling release). */
  const partEnv = new Map<ClusterPart, NodeJS.ProcessEnv>();
  let temporalConnection: Connection | undefined;
  const watchProcess = options.supervise ?? true;

  const startMember = async (part: ClusterPart) => {
    const member = members.get(part)!;
    const start = async () => {
      const running = await member.start();
      member.pid = running.pid;
      if (running.pid) await writeFile(path.join(pidDir, `${part}.pid`), String(running.pid));
      void running.exited.then(() => { if (member.pid === running.pid) member.pid = undefined; });
      return running;
    };
    if (watchProcess) {
      const supervised: SupervisedService = await supervise({
        name: capitalise(member.label), start, say,
        onGiveUp: (reason) => (options.onGiveUp ?? say)(`${reason}: see ${path.join(logDir, `${part}.log`)}`),
      });
      member.handle = supervised;
    } else {
      member.handle = await start();
    }
  };
  const stopMember = async (part: ClusterPart) => {
    const member = members.get(part);
    if (!member?.handle) return;
    const { handle } = member;
    member.handle = undefined;
    await handle.stop();
    member.pid = undefined;
    await rm(path.join(pidDir, `${part}.pid`), { force: true });
  };
  const stopAll = async () => {
    await temporalConnection?.close().catch(() => undefined);
    temporalConnection = undefined;
    for (const part of CLUSTER_PARTS) {
      if (!members.get(part)?.handle) continue;
      say(`Stopping ${members.get(part)!.label}…`);
      await stopMember(part).catch((error) => say(`could not stop ${members.get(part)!.label}: ${(error as Error).message}`));
    }
  };
  const add = async (part: ClusterPart, member: Member) => {
    members.set(part, member);
    await startMember(part);
  };

  try {
    // PostgreSQL: the service's database and Temporal's two on one server.
    let databaseUrl = env.DATABASE_URL?.trim() || undefined;
    if (!databaseUrl) {
      say(`Starting PostgreSQL (embedded, port ${ports.postgres})…`);
      await add('postgres', {
        label: 'PostgreSQL',
        async start() {
          const db = await startEmbeddedPostgres({ dataDir, port: ports.postgres, database: 'aidants_connect', persistent: true, ownProcessGroup: true, log: say });
          databaseUrl = db.url;
          return db;
        },
      });
    }
    const secrets = await loadOrCreateClusterSecrets(dataDir, env);

    // Temporal: schema, one configuration, four services, the namespace.
    const tools = await ensureTemporalServer(say);
    const db = temporalDatabaseOf(databaseUrl!);
    say('Preparing Temporal’s databases (temporal, temporal_visibility)…');
    await prepareTemporalDatabases(tools.sqlTool, db, say);
    await writeTemporalConfig(temporalRoot, (dynamicConfigFile) => temporalServerConfig({ db, ports: ports.temporal, dynamicConfigFile }), ports.temporal.observability);
    const temporalAddress = `127.0.0.1:${ports.temporal.frontend}`;
    say(`Starting the Temporal server: ${TEMPORAL_SERVICES.join(', ')} services, each a process (frontend on ${temporalAddress})…`);
    // One after the other: the first one to start writes the cluster's metadata, which concurrent first starts
    // would race to write (« SaveClusterMetadata encountered version mismatch »).
    for (const service of TEMPORAL_SERVICES) {
      await add(`temporal-${service}`, {
        label: `the Temporal ${service} service`,
        start: () => startTemporalService({ serverPath: tools.server, rootDir: temporalRoot, service, port: service === 'worker' ? ports.temporal.membership.worker : ports.temporal[service], logFile: path.join(logDir, `temporal-${service}.log`) }),
      });
    }
    const namespace = env.TEMPORAL_NAMESPACE?.trim() || 'default';
    await ensureNamespace(temporalAddress, namespace);

    let uiUrl: string | undefined;
    const uiPath = options.ui === false ? undefined : await ensureTemporalUi(say);
    if (uiPath) {
      await add('temporal-ui', {
        label: 'the Temporal Web UI',
        start: () => startTemporalUi({ uiPath, rootDir: temporalRoot, port: ports.ui, frontendAddress: temporalAddress, namespace, logFile: path.join(logDir, 'temporal-ui.log') }),
      });
      uiUrl = `http://localhost:${ports.ui}`;
    }

    let smtpUrl = env.SMTP_URL?.trim() || undefined;
    let mailSink: MailSink | undefined;
    if (!smtpUrl) {
      await add('mail-sink', {
        label: 'the mail sink',
        async start() {
          mailSink = await startMailSink({ smtpPort: ports.mailSmtp, webPort: ports.mailWeb, storeDir: path.join(dataDir, 'mails') });
          return { exited: NEVER, stop: mailSink.stop };
        },
      });
      smtpUrl = mailSink!.smtpUrl;
    }

    say('Applying database migrations…');
    const sequelize = createSequelize(databaseUrl!, { poolMax: 2 });
    try {
      const applied = await migrate(sequelize);
      if (applied.length > 0) say(`Applied migrations: ${applied.join(', ')}`);
    } finally {
      await sequelize.close();
    }

    const publicUrl = env.PUBLIC_URL?.trim() || `http://localhost:${ports.public}`;
    const appEnv: NodeJS.ProcessEnv = {
      ...env,
      NODE_ENV: 'production',
      LOG_LEVEL: env.LOG_LEVEL?.trim() || 'info',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: namespace,
      SMTP_URL: smtpUrl,
      PUBLIC_URL: publicUrl,
      // The front is on loopback: the client's address comes from its X-Forwarded-For.
      TRUST_PROXY: env.TRUST_PROXY?.trim() || 'loopback',
      ...secrets,
      FRANCECONNECT_ISSUER: env.FRANCECONNECT_ISSUER?.trim() || 'https://fcp-low.integ01.dev-franceconnect.fr/api/v2',
      FRANCECONNECT_CLIENT_ID: env.FRANCECONNECT_CLIENT_ID?.trim() || 'aidants-connect-local-cluster',
      IDP_FC_CLIENT_ID: env.IDP_FC_CLIENT_ID?.trim() || 'franceconnect-local-cluster',
      ADMIN_JS_TMP_DIR: options.adminBundleDir ?? path.join(dataDir, 'adminjs-bundle'),
    };
    for (const name of ['DEV_TOOLS', 'PORT', 'ADMIN_JS_SKIP_BUNDLE']) delete appEnv[name];

    const node = (part: ClusterPart, label: string, entry: string, extraEnv: NodeJS.ProcessEnv, ready: (pid: number) => Promise<boolean>, readyTimeoutMs: number) => add(part, {
      label,
      start: () => startServiceProcess({
        label, command: process.execPath, args: ['--import', 'tsx', entry], cwd: PROJECT_ROOT, env: { ...appEnv, ...extraEnv, ...partEnv.get(part) }, ipc: true,
        logFile: path.join(logDir, `${part}.log`), ready, readyTimeoutMs, hint: 'read its last messages there.',
      }),
    });
    const healthy = (port: number) => async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok;
    // A worker is ready once it polls its task queue (its identity is « pid@host »).
    const taskQueue = env.TEMPORAL_TASK_QUEUE?.trim() || 'aidants-connect';
    temporalConnection = await Connection.connect({ address: temporalAddress });
    const polling = async (pid: number) => {
      const { pollers } = await temporalConnection!.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType: 1 });
      return (pollers ?? []).some((poller) => poller.identity?.startsWith(`${pid}@`));
    };

    say('Starting two workers…');
    await Promise.all([node('worker-1', 'worker 1', 'worker/main.ts', {}, polling, 180_000), node('worker-2', 'worker 2', 'worker/main.ts', {}, polling, 180_000)]);

    // In production AdminJS bundles its components at start-up: the first web process does it once, into the
    // folder both serve it from; the second one, and every restart, reuse that bundle.
    say('Starting two web processes (the first one bundles the back-office: up to a few minutes)…');
    let bundled = options.adminBundleDir !== undefined;
    await add('web-1', {
      label: 'web process 1',
      async start() {
        const logFile = path.join(logDir, 'web-1.log');
        const running = await startServiceProcess({
          label: 'web process 1', command: process.execPath, args: ['--import', 'tsx', 'server/main.ts'], cwd: PROJECT_ROOT, ipc: true, logFile,
          env: { ...appEnv, PORT: String(ports.web[0]), ...(bundled ? { ADMIN_JS_SKIP_BUNDLE: 'true' } : {}), ...partEnv.get('web-1') },
          ready: healthy(ports.web[0]), readyTimeoutMs: bundled ? 180_000 : 600_000, hint: 'read its last messages there.',
        });
        bundled = true;
        return running;
      },
    });
    await node('web-2', 'web process 2', 'server/main.ts', { PORT: String(ports.web[1]), ADMIN_JS_SKIP_BUNDLE: 'true' }, healthy(ports.web[1]), 180_000);

    let proxy: RoundRobinProxy | undefined;
    await add('front', {
      label: 'the front',
      async start() {
        proxy = await startRoundRobinProxy({ port: ports.public, upstreams: [{ name: 'web-1', port: ports.web[0] }, { name: 'web-2', port: ports.web[1] }] });
        return { exited: NEVER, stop: proxy.stop };
      },
    });

    const requirePart = (part: ClusterPart) => {
      const member = members.get(part);
      if (!member) throw new Error(`${part} is not part of this cluster (started: ${[...members.keys()].join(', ')})`);
      return member;
    };
    return {
      publicUrl, webUrls: ports.web.map((port) => `http://localhost:${port}`), temporalAddress, uiUrl, databaseUrl: databaseUrl!, smtpUrl,
      // The sink of the moment: stopPart('mail-sink') … startPart('mail-sink') starts a new one (an SMTP outage).
      get mailSink() { return mailSink; },
      get proxy() { return proxy!; },
      logDir,
      pid: (part) => members.get(part)?.pid,
      running: () => CLUSTER_PARTS.filter((part) => members.get(part)?.handle),
      kill(part, signal = 'SIGKILL') {
        const { pid } = requirePart(part);
        if (!pid) throw new Error(`${part} has no process to kill`);
        process.kill(pid, signal);
      },
      stopPart: (part) => { requirePart(part); return stopMember(part); },
      async startPart(part) {
        if (requirePart(part).handle) return;
        await startMember(part);
      },
      async restartPart(part, restart = {}) {
        requirePart(part);
        if (restart.env) partEnv.set(part, restart.env);
        await stopMember(part);
        await startMember(part);
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    const failed = [...members.keys()].find((part) => existsSync(path.join(logDir, `${part}.log`)) && !members.get(part)?.handle);
    if (failed) say(`Last messages of ${failed}:\n${lastLines(path.join(logDir, `${failed}.log`), 5)}`);
    throw error;
  }
}

/** Processes left running by an orchestrator that was killed (SIGKILL): they hold ports and data. */
async function stopLeftovers(pidDir: string, say: (line: string) => void): Promise<void> {
  // Users before what they use, PostgreSQL last.
  const rank = (file: string) => CLUSTER_PARTS.indexOf(file.replace(/\.pid$/, '') as ClusterPart);
  for (const file of readdirSync(pidDir).sort((a, b) => rank(a) - rank(b))) {
    const pid = Number(readFileSync(path.join(pidDir, file), 'utf8'));
    const cmdline = Number.isInteger(pid) && pid > 0 && existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
    if (/temporal-server|temporal-ui-server|main\.ts|postgres/.test(cmdline)) {
      say(`Stopping ${file.replace(/\.pid$/, '')} left running by an earlier start (pid ${pid})…`);
      process.kill(pid, file.startsWith('postgres') ? 'SIGINT' : 'SIGTERM');
      for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
      if (existsSync(`/proc/${pid}`)) process.kill(pid, 'SIGKILL');
    }
    await rm(path.join(pidDir, file), { force: true });
  }
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
