// The production topology (infra/cluster.ts) for a test: free ports, a throwaway data folder, the mail sink's
// messages, and every process id it ever had, so that a test can kill and restart parts by name
// (cluster.kill('web-1'), stopPart('postgres') … startPart('postgres')) and check at the end that nothing is
// left running. Slow to start (PostgreSQL, Temporal's schema, four Temporal processes, the back-office
// bundle): one per test file, in beforeAll.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CLUSTER_PARTS, startCluster, type Cluster, type ClusterPart, type ClusterPorts } from '../../infra/cluster.js';
import type { CaughtMail } from '../../infra/mail-sink.js';
import { ensureTemporalServer, ensureTemporalUi } from '../../infra/provision.js';
import { freePort } from '../../infra/throwaway-stack.js';
import { testEnv } from './env.js';

export interface TestCluster extends Cluster {
  dataDir: string;
  /** Messages caught by the cluster's mail sink. */
  mails(): CaughtMail[];
  /** Every process id the parts have had (restarts included). */
  everyPid(): number[];
  /** Processes still alive whose command line names the data folder, or among everyPid(). */
  survivors(): number[];
  /** Stops everything and deletes the data folder. */
  stop(): Promise<void>;
}

/** The environment variables of the developer's shell that would redirect the topology elsewhere. */
const FOREIGN = ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'PUBLIC_URL', 'TRUST_PROXY', 'FRANCECONNECT_ISSUER', 'IDP_FC_REDIRECT_URI_V1', 'IDP_FC_REDIRECT_URI_V2', 'IDP_FC_POST_LOGOUT_URI_V1', 'IDP_FC_POST_LOGOUT_URI_V2', 'SESSION_SECRET', 'SECRETS_KEY', 'DEV_TOOLS', 'DATA_DIR'];

export async function startTestCluster(options: { supervise?: boolean; ui?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<TestCluster> {
  // `npm test` builds them beforehand (scripts/test.ts); a direct jest run builds them here.
  await ensureTemporalServer();
  if (options.ui !== false) await ensureTemporalUi();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ac-cluster-'));
  // Temporal keeps its services' ports in a smallint column (cluster_membership): below 32768, where the
  // system's ephemeral ports (freePort) never are. Each port is reserved until stop(): another test file
  // starting a cluster at the same time never picks it, though nothing listens on it yet.
  const reserved: number[] = [];
  const low = lowPorts();
  const reserve = async (candidate: () => Promise<number>) => {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const port = await candidate();
      if (reservePort(port)) {
        reserved.push(port);
        return port;
      }
    }
    throw new Error('no free port that another test cluster has not reserved');
  };
  const free = () => reserve(freePort);
  const lowFree = () => reserve(low);
  let ports: ClusterPorts;
  try {
    ports = {
      public: await free(), web: [await free(), await free()], postgres: await free(),
      temporal: {
        frontend: await lowFree(), frontendHttp: await lowFree(), history: await lowFree(), matching: await lowFree(), worker: await lowFree(),
        membership: { frontend: await lowFree(), history: await lowFree(), matching: await lowFree(), worker: await lowFree() },
      },
      ui: await free(), mailSmtp: await free(), mailWeb: await free(),
    };
  } catch (error) {
    releasePorts(reserved);
    throw error;
  }
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...options.env };
  for (const name of FOREIGN) if (!options.env?.[name]) delete env[name];
  const seen = new Set<number>();
  let cluster: Cluster;
  try {
    cluster = await startCluster({ dataDir, ports, env, adminBundleDir: testEnv.adminBundleDir, supervise: options.supervise ?? true, ui: options.ui, log: () => undefined });
  } catch (error) {
    releasePorts(reserved);
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const record = () => { for (const part of CLUSTER_PARTS) { const pid = cluster.pid(part); if (pid) seen.add(pid); } };
  record();
  const watcher = setInterval(record, 200);
  watcher.unref();
  const isAlive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return !/^\S+ \S+ Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/\(.*\)/, 'x')); // a zombie is dead
    } catch {
      return false;
    }
  };
  return Object.assign(Object.create(cluster) as Cluster, {
    dataDir,
    mails: () => cluster.mailSink?.messages() ?? [],
    everyPid: () => { record(); return [...seen]; },
    survivors() {
      record();
      const mentioning = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number).filter((pid) => {
        try {
          return pid !== process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir);
        } catch {
          return false;
        }
      });
      return [...new Set([...seen, ...mentioning])].filter(isAlive);
    },
    async stop() {
      clearInterval(watcher);
      record();
      await cluster.stop();
      releasePorts(reserved);
      if (existsSync(dataDir)) await rm(dataDir, { recursive: true, force: true });
    },
  });
}

/** A base for CLUSTER_PORT (npm run start:cluster): `count` consecutive free ports, all below 32768. */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = 20_000 + Math.floor(Math.random() * (12_000 - count));
    let free = true;
    for (let port = base; free && port < base + count; port += 1) free = !isReserved(port) && await canListen(port);
    if (!free) continue;
    // Reserved until this process ends (a test cluster started meanwhile keeps off them).
    const taken: number[] = [];
    for (let port = base; free && port < base + count; port += 1) {
      free = reservePort(port);
      if (free) taken.push(port);
    }
    if (free) return base;
    releasePorts(taken);
  }
  throw new Error(`no ${count} consecutive free ports below 32768`);
}

/** Free ports between 20000 and 32767, each different (a random start, then upwards). */
function lowPorts(): () => Promise<number> {
  let candidate = 20_000 + Math.floor(Math.random() * 10_000);
  return async () => {
    for (; candidate < 32_768; candidate += 1) {
      const port = candidate;
      if (await canListen(port)) {
        candidate += 1;
        return port;
      }
    }
    throw new Error('no free port below 32768');
  };
}

/**
 * Reservations of ports across the test processes of one machine (jest runs test files in parallel
 * processes): one file per port, naming its process; a reservation of a process gone is void.
 */
const RESERVATIONS = path.join(os.tmpdir(), 'ac-test-cluster-ports');

function reservationOwner(port: number): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(RESERVATIONS, String(port)), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

const isReserved = (port: number) => reservationOwner(port) !== undefined;

function reservePort(port: number): boolean {
  mkdirSync(RESERVATIONS, { recursive: true });
  const file = path.join(RESERVATIONS, String(port));
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch {
      if (isReserved(port)) return false;
      rmSync(file, { force: true }); // left by a process that ended without releasing it
    }
  }
  return false;
}

function releasePorts(ports: number[]): void {
  for (const port of ports) if (reservationOwner(port) === process.pid) rmSync(path.join(RESERVATIONS, String(port)), { force: true });
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export type { ClusterPart };
