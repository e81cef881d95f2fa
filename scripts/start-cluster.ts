// `npm run start:cluster`: the production topology on this machine, without Docker (infra/cluster.ts):
// PostgreSQL (embedded, or DATABASE_URL) with the service's database and Temporal's two; the real Temporal
// server, its frontend, history, matching and worker services each a process; its Web UI; two workers and two
// web processes in production mode; a round-robin front on one public port (CLUSTER_PORT, 4000; every other
// port follows from it). Processes that die are restarted (a few times). Ctrl-C or SIGTERM stops everything
// in order: front, web processes, workers, Temporal UI, Temporal services, mail sink, PostgreSQL.
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config/index.js';
import { clusterPortsFrom, startCluster, type Cluster } from '../infra/cluster.js';
import { explainFailure } from '../infra/provision.js';
import { CLUSTER_SECRETS_FILE } from '../infra/cluster-secrets.js';
import { HISTORY_SHARDS, TEMPORAL_SERVICES } from '../infra/temporal-server.js';

const say = (line: string) => process.stdout.write(`▸ ${line}\n`);
const started = Date.now();
const dataDir = path.resolve(PROJECT_ROOT, process.env.CLUSTER_DATA_DIR?.trim() || '.data/cluster');
const base = Number(process.env.CLUSTER_PORT?.trim() || 4000);
const ports = clusterPortsFrom(base);
// Below 32768 for Temporal's ports (stored in a smallint column).
if (!Number.isInteger(base) || base < 1024 || base > 32_700) {
  process.stderr.write(`✖ CLUSTER_PORT must be a port between 1024 and 32700 (got "${process.env.CLUSTER_PORT}"): the cluster uses it and the next 63 ports.\n`);
  process.exit(1);
}

// One cluster per data folder: a second one would take the first one's processes for leftovers.
const lockFile = path.join(dataDir, 'start-cluster.pid');
const holder = existsSync(lockFile) ? Number(readFileSync(lockFile, 'utf8')) : 0;
if (holder > 0 && holder !== process.pid && existsSync(`/proc/${holder}`) && readFileSync(`/proc/${holder}/cmdline`, 'utf8').includes('start-cluster')) {
  process.stderr.write(`✖ The cluster is already running from ${dataDir} (process ${holder}): stop it with Ctrl-C first, or set CLUSTER_DATA_DIR and CLUSTER_PORT for a second one.\n`);
  process.exit(1);
}
mkdirSync(dataDir, { recursive: true });
writeFileSync(lockFile, String(process.pid));

let cluster: Cluster | undefined;
let stopping = false;
let startup: Promise<Cluster> | undefined;
async function shutdown(code: number, reason?: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('Stopping…');
  // Still starting: startCluster stops what it started once the step under way fails or ends.
  if (!cluster && startup) await startup.catch(() => undefined);
  await cluster?.stop();
  rmSync(lockFile, { force: true });
  say(`Everything is stopped${code === 0 ? '' : ` (exit code ${code})`}.`);
  if (reason) process.stderr.write(`\n✖ ${reason}\n`);
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));

try {
  startup = startCluster({
    dataDir, ports, env: process.env, supervise: true, log: say,
    onGiveUp: (reason) => void shutdown(1, `${reason}, so start:cluster gave up.`),
  });
  cluster = await startup;
  if (stopping) await new Promise(() => {});
  const logs = cluster.logDir.startsWith(PROJECT_ROOT) ? path.relative(PROJECT_ROOT, cluster.logDir) : cluster.logDir;
  const pid = (part: Parameters<Cluster['pid']>[0]) => `pid ${cluster!.pid(part)}`;
  process.stdout.write(`
Aidants Connect's production topology is running (ready after ${((Date.now() - started) / 1000).toFixed(1)} s, NODE_ENV=production).

  Service (front)    ${cluster.publicUrl}   round robin over the two web processes
  Back-office        ${cluster.publicUrl}/admin   (no demo data in production: create a staff member first)
  Health             ${cluster.publicUrl}/health
  Web processes      ${cluster.webUrls.map((url, i) => `${url} (${pid(i === 0 ? 'web-1' : 'web-2')})`).join('   ')}
  Workers            2 on task queue "${process.env.TEMPORAL_TASK_QUEUE?.trim() || 'aidants-connect'}" (${pid('worker-1')}, ${pid('worker-2')})
  Temporal frontend  ${cluster.temporalAddress}   (history ${pid('temporal-history')}, matching ${pid('temporal-matching')}, frontend ${pid('temporal-frontend')}, worker ${pid('temporal-worker')}; ${HISTORY_SHARDS} history shards)
  Temporal metrics   ${TEMPORAL_SERVICES.map((service) => `${service} http://127.0.0.1:${ports.temporal.observability![service].metrics}/metrics`).join('   ')}
  Temporal pprof     ${TEMPORAL_SERVICES.map((service) => `${service} ${ports.temporal.observability![service].pprof}`).join('   ')}   (go tool pprof http://127.0.0.1:<port>/debug/pprof/heap)
  Temporal UI        ${cluster.uiUrl ?? 'not available (it could not be built with Go)'}
  PostgreSQL         ${cluster.databaseUrl.replace(/\/\/([^:]+):[^@]*@/, '//$1:…@')}  (+ temporal, temporal_visibility)
  Mail               ${cluster.mailSink ? `${cluster.mailSink.webUrl}  (local mail sink)` : cluster.smtpUrl.replace(/\/\/([^:]+):[^@]*@/, '//$1:…@')}
  Secrets            ${path.join(dataDir, CLUSTER_SECRETS_FILE)} (generated once, mode 600)
  Logs               ${logs}/<process>.log

Press Ctrl-C to stop everything.
`);
} catch (error) {
  await shutdown(1, explainFailure(error, process.env.LOG_LEVEL === 'debug'));
}
