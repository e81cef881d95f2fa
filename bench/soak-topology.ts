// The topologies the soak (bench/soak.ts) runs against: the production one of `npm run start:cluster`, or the
// development one (Temporal's CLI dev server, one web process, one worker), both in production mode.
import path from 'node:path';
import { PROJECT_ROOT } from '../config/index.js';
import { clusterPortsFrom, startCluster } from '../infra/cluster.js';
import { removeMirroredCluster } from '../infra/embedded-postgres.js';
import type { CaughtMail } from '../infra/mail-sink.js';
import { startServiceProcess } from '../infra/service-process.js';
import { startThrowawayStack } from '../infra/throwaway-stack.js';

/** What the journeys run against: the production topology, or the development one (Temporal's dev server). */
export interface Topology {
  publicUrl: string;
  databaseUrl: string;
  temporalAddress: string;
  messages(): CaughtMail[];
  /** The service's processes to watch: name → pid. */
  processes(): [string, number][];
  /** Where the processes write their logs (kept after the run). */
  logDir: string;
  stop(): Promise<void>;
}

/** `npm run start:cluster`'s topology: two web processes behind the front, two workers, Temporal's four services. */
export async function clusterTopology(env: NodeJS.ProcessEnv, root: string, publicPort: number): Promise<Topology> {
  const cluster = await startCluster({ dataDir: path.join(root, 'cluster'), ports: clusterPortsFrom(publicPort), env, supervise: true, ui: false, log: () => undefined });
  return {
    publicUrl: cluster.publicUrl, databaseUrl: cluster.databaseUrl, temporalAddress: cluster.temporalAddress,
    messages: () => cluster.mailSink?.messages() ?? [],
    processes: () => cluster.running().flatMap((part): [string, number][] => { const pid = cluster.pid(part); return pid ? [[part, pid]] : []; }),
    logDir: cluster.logDir,
    // The soak's folder is private to root: PostgreSQL kept its data under /var/lib/aidants-connect.
    stop: async () => { await cluster.stop(); await removeMirroredCluster(path.join(root, 'cluster')); },
  };
}

/** The development topology of `npm start`: Temporal's dev server (the CLI's, SQLite in memory), one web process
 *  and one worker, in production mode like the cluster's so that only the topology differs. */
export async function devTopology(env: NodeJS.ProcessEnv, root: string, webPort: number): Promise<Topology> {
  const stack = await startThrowawayStack();
  const appEnv: NodeJS.ProcessEnv = {
    ...env, NODE_ENV: 'production', DATABASE_URL: stack.databaseUrl, TEMPORAL_ADDRESS: stack.temporalAddress, SMTP_URL: stack.mailSink.smtpUrl,
    PUBLIC_URL: `http://localhost:${webPort}`, TRUST_PROXY: 'loopback', ADMIN_JS_TMP_DIR: path.join(root, 'adminjs-bundle'),
  };
  const node = (label: string, entry: string, extra: NodeJS.ProcessEnv, ready: () => Promise<boolean>) => startServiceProcess({
    label, command: process.execPath, args: ['--import', 'tsx', entry], cwd: PROJECT_ROOT, env: { ...appEnv, ...extra }, ipc: true,
    logFile: path.join(root, 'logs', `${label}.log`), ready, readyTimeoutMs: 600_000, hint: 'read its last messages there.',
  });
  const worker = await node('worker', 'worker/main.ts', {}, async () => true);
  const web = await node('web', 'server/main.ts', { PORT: String(webPort) }, async () => (await fetch(`http://127.0.0.1:${webPort}/health`)).ok);
  return {
    publicUrl: appEnv.PUBLIC_URL!, databaseUrl: stack.databaseUrl, temporalAddress: stack.temporalAddress,
    messages: () => stack.mailSink.messages(),
    processes: () => [['web', web.pid], ['worker', worker.pid], ['temporal dev server', stack.temporalPid ?? 0]].filter(([, pid]) => pid) as [string, number][],
    logDir: path.join(root, 'logs'),
    async stop() {
      await web.stop();
      await worker.stop();
      await stack.stop();
    },
  };
}

