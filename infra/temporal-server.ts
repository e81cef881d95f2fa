// The real Temporal server on PostgreSQL, as production runs it: its four services (frontend, history,
// matching, worker) each a process of its own, from one generated configuration file. Its persistence lives in
// two databases of the service's PostgreSQL (`temporal`, `temporal_visibility`), created and brought to the
// server's schema version by temporal-sql-tool, which embeds the schemas of its own version.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { ensureDatabase } from './embedded-postgres.js';
import { ProvisioningError } from './provision.js';
import { startServiceProcess, type ServiceProcess } from './service-process.js';
import { isPortOpen } from './temporal-dev-server.js';

/** Started in this order; stopped in the reverse one (the frontend last among users, history last of all). */
export const TEMPORAL_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

/**
 * History shards: a workflow belongs to one shard for ever, and each shard is owned by one history process at a
 * time, so the number is the ceiling on how far history can be spread out, and it is fixed when the cluster is
 * created (changing it means a new cluster and moving every running workflow). Each shard also costs idle work
 * (its task queues poll PostgreSQL, its lease is renewed), so thousands would load a small machine for nothing.
 * Aidants Connect's volume is modest — a few hundred thousand long-lived mandats and a few thousand habilitation
 * lifecycles, bursts of at most a few dozen workflow transitions per second — which one shard on PostgreSQL
 * could nearly carry on its own. 64 shards leave room to run history on up to 8–16 processes across machines
 * (several shards each, so that load still evens out) while staying light on two cores.
 */
export const HISTORY_SHARDS = 64;

/** Closed workflows stay visible (UI, replay of their histories) this long; the journal is the record. */
const RETENTION = '30 days';

/** Every one below 32768: Temporal stores its services' ports in a smallint column (cluster_membership). */
export interface TemporalPorts {
  frontend: number;
  /** The frontend's HTTP API (also used by Nexus callbacks). */
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  /** Each service's ringpop (membership) port: how the four processes find each other. */
  membership: Record<TemporalService, number>;
  /** Each service's Prometheus metrics and Go pprof listeners (loopback), when wanted: see temporalServiceOverlay. */
  observability?: Record<TemporalService, { metrics: number; pprof: number }>;
}

export interface TemporalDatabase { host: string; port: number; user: string; password: string }

export const TEMPORAL_DATABASES = { default: 'temporal', visibility: 'temporal_visibility' } as const;

/** The database server of a PostgreSQL URL, for Temporal's configuration and its schema tool. */
export function temporalDatabaseOf(databaseUrl: string): TemporalDatabase {
  const url = new URL(databaseUrl);
  return { host: url.hostname, port: Number(url.port || 5432), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
}

/**
 * The one configuration file of the four services (modelled on the module's config/development-postgres12.yaml).
 * JSON is YAML, so no YAML library is needed. Metrics and pprof listeners are not here: all four processes read
 * this file, and one global listen address would clash between them (temporalServiceOverlay gives each its own).
 */
export function temporalServerConfig(options: { db: TemporalDatabase; ports: TemporalPorts; dynamicConfigFile: string; historyShards?: number }): object {
  const { db, ports } = options;
  const datastore = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12', databaseName, connectAddr: `${db.host}:${db.port}`, connectProtocol: 'tcp',
      user: db.user, password: db.password, maxConns, maxIdleConns: maxConns, maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, service: TemporalService, extra: object = {}) => ({
    rpc: { grpcPort, membershipPort: ports.membership[service], bindOnLocalHost: true, ...extra },
  });
  return {
    log: { stdout: true, level: 'warn', format: 'json' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: options.historyShards ?? HISTORY_SHARDS,
      datastores: {
        // Four processes share PostgreSQL with the service's own pools: at most 4 × (10 + 2) connections.
        'postgres-default': datastore(TEMPORAL_DATABASES.default, 10),
        'postgres-visibility': datastore(TEMPORAL_DATABASES.visibility, 2),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: rpc(ports.frontend, 'frontend', { httpPort: ports.frontendHttp }),
      history: rpc(ports.history, 'history'),
      matching: rpc(ports.matching, 'matching'),
      worker: rpc(ports.worker, 'worker'),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${ports.frontend}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: options.dynamicConfigFile, pollInterval: '10s' },
  };
}

/**
 * What one service adds to the shared file: Temporal reads `<env>_<zone>.yaml` over `<env>.yaml` when started
 * with `--zone`, so each service, started with its own name as zone, gets its own Prometheus endpoint (scraped
 * per service in production: one history process misbehaving must be told from the others) and its own pprof
 * listener (heap and goroutine profiles of a live process, the only way to tell what a Go service holds).
 */
export function temporalServiceOverlay(ports: { metrics: number; pprof: number }): object {
  return {
    global: {
      metrics: { prometheus: { framework: 'tally', listenAddress: `127.0.0.1:${ports.metrics}`, timerType: 'histogram' } },
      pprof: { host: '127.0.0.1', port: ports.pprof },
    },
  };
}

/** The dynamic configuration (history cache bounds, and why), shared with docker-compose.yml. */
export const TEMPORAL_DYNAMIC_CONFIG = fileURLToPath(new URL('./temporal-dynamicconfig.yaml', import.meta.url));

/**
 * Writes the configuration where `temporal-server --root <dir> --config config --env production` reads it, the
 * dynamic configuration next to it (the place to tune limits without a restart), and each service's overlay when
 * observability ports are given (removed otherwise: a previous run's would bind its ports).
 */
export async function writeTemporalConfig(rootDir: string, config: (dynamicConfigFile: string) => object, observability?: TemporalPorts['observability']): Promise<void> {
  const configDir = path.join(rootDir, 'config');
  await mkdir(configDir, { recursive: true });
  const dynamicConfigFile = path.join(configDir, 'dynamicconfig.yaml');
  await copyFile(TEMPORAL_DYNAMIC_CONFIG, dynamicConfigFile);
  const write = (file: string, content: object) => writeFile(path.join(configDir, file), `# Generated by infra/temporal-server.ts at each start: edit that file, not this one.\n${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  await write('production.yaml', config(dynamicConfigFile));
  for (const service of TEMPORAL_SERVICES) {
    const overlay = path.join(configDir, `production_${service}.yaml`);
    if (observability) await write(`production_${service}.yaml`, temporalServiceOverlay(observability[service]));
    else await rm(overlay, { force: true });
  }
}

/** Creates both databases when missing, sets up the schema version tables once, then updates to the latest schema. */
export async function prepareTemporalDatabases(sqlTool: string, db: TemporalDatabase, log?: (line: string) => void): Promise<void> {
  const admin = `postgres://${encodeURIComponent(db.user)}:${encodeURIComponent(db.password)}@${db.host}:${db.port}/postgres`;
  for (const [database, schema] of [[TEMPORAL_DATABASES.default, 'temporal'], [TEMPORAL_DATABASES.visibility, 'visibility']] as const) {
    await ensureDatabase(admin, database).catch((error: Error) => {
      throw new ProvisioningError(`The ${database} database could not be created (${error.message}): give the DATABASE_URL user the CREATEDB right, or create it yourself.`);
    });
    const args = ['--plugin', 'postgres12', '--ep', db.host, '-p', String(db.port), '-u', db.user, '--pw', db.password, '--db', database];
    if (!(await hasSchemaVersion(admin, database))) {
      log?.(`Setting up Temporal's schema in the ${database} database…`);
      await runTool(sqlTool, [...args, 'setup-schema', '-v', '0.0']);
    }
    await runTool(sqlTool, [...args, 'update-schema', '--schema-name', `postgresql/v12/${schema}`]);
  }
}

async function hasSchemaVersion(adminUrl: string, database: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString() });
  await client.connect();
  try {
    const { rows } = await client.query<{ present: boolean }>("SELECT to_regclass('public.schema_version') IS NOT NULL AS present");
    return rows[0]!.present;
  } finally {
    await client.end();
  }
}

function runTool(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new ProvisioningError(`temporal-sql-tool ${args.slice(-3).join(' ')} failed (exit code ${code}): check that PostgreSQL is reachable, or delete .tools/bin/temporal-sql-tool to rebuild it.`, output.slice(-3000)));
    });
  });
}

export interface TemporalServiceOptions {
  serverPath: string;
  rootDir: string;
  service: TemporalService;
  /** The port that tells it is up: the gRPC port, or the membership port for the worker service (it serves no gRPC). */
  port: number;
  logFile: string;
}

/** One service of the server; ready when its port accepts connections. */
export function startTemporalService(options: TemporalServiceOptions): Promise<ServiceProcess> {
  return startServiceProcess({
    label: `the Temporal ${options.service} service`,
    command: options.serverPath,
    // No authorizer: every port is bound to loopback (bindOnLocalHost). Production adds mTLS and an authorizer.
    // The zone is the service's name: it reads production_<service>.yaml over production.yaml when it exists.
    args: ['--root', options.rootDir, '--config', 'config', '--env', 'production', '--zone', options.service, '--allow-no-auth', 'start', '--service', options.service],
    logFile: options.logFile,
    ready: () => isPortOpen(options.port),
    hint: `check that port ${options.port} is free and PostgreSQL is up, or delete .tools/bin/temporal-server to rebuild it.`,
  });
}

/**
 * Registers the namespace (the dev server does it by itself; a real cluster starts with none), retrying while the
 * frontend still waits for history and matching to join, then waits until the frontend serves it.
 */
export async function ensureNamespace(address: string, namespace: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const connection = await Connection.connect({ address, connectTimeout: 10_000 });
  try {
    for (;;) {
      try {
        await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(RETENTION) });
      } catch (error) {
        const code = (error as { code?: number }).code;
        if (code !== 6 /* ALREADY_EXISTS */) {
          if (Date.now() > deadline) throw new ProvisioningError(`Temporal did not accept the namespace "${namespace}" within ${timeoutMs / 1000} s (${(error as Error).message}): see the Temporal services' logs.`);
          await new Promise((resolve) => setTimeout(resolve, 500));
          continue;
        }
      }
      // The frontend resolves namespaces through a cache refreshed every few seconds.
      try {
        await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new ProvisioningError(`Temporal did not serve the namespace "${namespace}" within ${timeoutMs / 1000} s (${(error as Error).message}): see the Temporal services' logs.`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    await connection.close();
  }
}
