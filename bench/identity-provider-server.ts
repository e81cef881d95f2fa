// The Aidants Connect web app for bench/identity-provider.ts, in a child process of its own so that its CPU
// (process.cpuUsage, asked over IPC) is the web server's alone, not the benchmark client's. Configured like the
// tests (testConfig: the TEST_* variables the benchmark sets), PUBLIC_URL = its own loopback address, the
// client's address taken from X-Forwarded-For (TRUST_PROXY=loopback: one address per simulated aidant, as in
// production), and a real Temporal client (each userinfo wakes the usager's notification, as in production).
// BENCH_IDP_PROCESSES=N (N > 1): N web processes behind node:cluster on one port (the primary hands out the
// connections); the CPU reported is the primary's plus every worker's.
import cluster from 'node:cluster';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { Client, Connection } from '@temporalio/client';
import { DATABASE_POOL_MAX } from '../config/database.js';
import { createSequelize } from '../db/sequelize.js';
import { createLogger } from '../infra/logger.js';
import { createApp } from '../server/app.js';
import { createLifecycles } from '../services/lifecycles.js';
import { testConfig } from '../test/support/env.js';

const processes = Number(process.env.BENCH_IDP_PROCESSES ?? 1);
if (processes > 1 && cluster.isPrimary) await primary();
else await web();

async function primary() {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const workers = Array.from({ length: processes }, () => cluster.fork({ BENCH_IDP_PORT: String(port) }));
  await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('message', resolve))));
  const ask = (worker: (typeof workers)[number]) => new Promise<number>((resolve) => {
    worker.once('message', (message: { cpu: NodeJS.CpuUsage }) => resolve(message.cpu.user + message.cpu.system));
    worker.send('cpu');
  });
  process.on('message', async (message) => {
    if (message === 'cpu') {
      const own = process.cpuUsage();
      const micros = (await Promise.all(workers.map(ask))).reduce((a, b) => a + b, own.user + own.system);
      process.send!({ cpu: { user: micros, system: 0 } });
    }
    if (message === 'stop') {
      await Promise.all(workers.map((worker) => new Promise((resolve) => { worker.once('exit', resolve); worker.send('stop'); })));
      process.exit(0);
    }
  });
  process.send!({ url: `http://127.0.0.1:${port}` });
}

async function web() {
  let handler: Express | undefined;
  // BENCH_IDP_TRACE=1: each request's SQL statements on stderr (to count the queries of each endpoint).
  const trace = process.env.BENCH_IDP_TRACE === '1' ? new AsyncLocalStorage<string[]>() : undefined;
  const server = createServer((req, res) => {
    if (!trace) return handler!(req, res);
    const statements: string[] = [];
    res.on('finish', () => process.stderr.write(`${req.method} ${req.url!.split('?')[0]} → ${res.statusCode}: ${statements.length} statements\n${statements.map((s) => `    ${s}\n`).join('')}`));
    trace.run(statements, () => handler!(req, res));
  });
  await new Promise<void>((resolve) => server.listen(Number(process.env.BENCH_IDP_PORT ?? 0), '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // BENCH_IDP_TURNS=N: the app's IDP_CONCURRENT_REQUESTS; `none`: no turns at all (beyond what the configuration
  // accepts, to measure the round trip without them).
  const turns = process.env.BENCH_IDP_TURNS;
  const config = testConfig({ PUBLIC_URL: issuer, TRUST_PROXY: 'loopback', DEV_TOOLS: 'false', ...(turns && turns !== 'none' ? { IDP_CONCURRENT_REQUESTS: turns } : {}) });
  if (turns === 'none') config.identityProvider.concurrentRequests = Number.MAX_SAFE_INTEGER;
  const sequelize = createSequelize(config.database.url!, { poolMax: Number(process.env.BENCH_POOL_MAX ?? DATABASE_POOL_MAX) });
  const temporal = new Client({ connection: await Connection.connect({ address: config.temporal.address! }) });
  const lifecycles = createLifecycles(temporal, { taskQueue: 'bench-identity-provider', habilitationPolicy: { comiteReminderDelayMs: 86_400_000 } });
  if (trace) (sequelize as unknown as { options: { logging: unknown } }).options.logging = (sql: string) => trace.getStore()?.push(sql.replace(/^Executing \([^)]*\): /, '').replace(/\s+/g, ' ').slice(0, 160));
  handler = createApp({ config, sequelize, temporal, lifecycles, log: createLogger('bench', 'error') });

  process.on('message', (message) => {
    if (message === 'cpu') process.send!({ cpu: process.cpuUsage() });
    if (message === 'stop') {
      server.closeAllConnections();
      server.close(() => void Promise.all([sequelize.close(), temporal.connection.close()]).finally(() => process.exit(0)));
    }
  });
  process.send!({ url: issuer });
}
