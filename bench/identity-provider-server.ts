// The Aidants Connect web app for bench/identity-provider.ts, in a child process of its own so that its CPU
// (process.cpuUsage, asked over IPC) is the web server's alone, not the benchmark client's. Configured like the
// tests (testConfig: the TEST_* variables the benchmark sets), PUBLIC_URL = its own loopback address, the
// client's address taken from X-Forwarded-For (TRUST_PROXY=loopback: one address per simulated aidant, as in
// production), and a real Temporal client (each userinfo wakes the usager's notification, as in production).
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { Client, Connection } from '@temporalio/client';
import { createSequelize } from '../db/sequelize.js';
import { createLogger } from '../infra/logger.js';
import { createApp } from '../server/app.js';
import { createLifecycles } from '../services/lifecycles.js';
import { testConfig } from '../test/support/env.js';

let handler: Express | undefined;
// BENCH_IDP_TRACE=1: each request's SQL statements on stderr (to count the queries of each endpoint).
const trace = process.env.BENCH_IDP_TRACE === '1' ? new AsyncLocalStorage<string[]>() : undefined;
const server = createServer((req, res) => {
  if (!trace) return handler!(req, res);
  const statements: string[] = [];
  res.on('finish', () => process.stderr.write(`${req.method} ${req.url!.split('?')[0]} → ${res.statusCode}: ${statements.length} statements\n${statements.map((s) => `    ${s}\n`).join('')}`));
  trace.run(statements, () => handler!(req, res));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const config = testConfig({ PUBLIC_URL: issuer, TRUST_PROXY: 'loopback', DEV_TOOLS: 'false' });
const sequelize = createSequelize(config.database.url!, { poolMax: Number(process.env.BENCH_POOL_MAX ?? 10) });
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
