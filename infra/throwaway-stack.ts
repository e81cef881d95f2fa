// A throwaway stack for tests and benchmarks: a new PostgreSQL database (embedded cluster in a temporary
// folder, or a new database on an existing server), migrated; a Temporal dev server in memory; a mail sink;
// the local FranceConnect stand-in, with the client of the development configuration registered.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createSequelize } from '../db/sequelize.js';
import { migrate } from '../db/migrate.js';
import { loadConfig } from '../config/index.js';
import { dropDatabase, ensureDatabase, startEmbeddedPostgres } from './embedded-postgres.js';
import { startFranceConnectStandIn, type FranceConnectStandIn, type StandInClient } from './franceconnect-stand-in.js';
import { startMailSink, type MailSink } from './mail-sink.js';
import { ensureTemporalCli } from './provision.js';
import { startTemporalDevServer } from './temporal-dev-server.js';

export interface ThrowawayStack {
  databaseUrl: string;
  temporalAddress: string;
  /** The Temporal dev server's process (the soak benchmark watches its memory). */
  temporalPid: number | undefined;
  mailSink: MailSink;
  franceconnect: FranceConnectStandIn;
  stop(): Promise<void>;
}

/** The client the development configuration (PUBLIC_URL http://localhost:3000) presents to FranceConnect. */
export function developmentFranceConnectClient(): StandInClient {
  const { franceconnect } = loadConfig({ NODE_ENV: 'test', PUBLIC_URL: 'http://localhost:3000' });
  return { clientId: franceconnect.clientId, clientSecret: franceconnect.clientSecret, redirectUri: franceconnect.callbackUrl, postLogoutRedirectUri: franceconnect.postLogoutUrl };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startThrowawayStack(options: { existingServerUrl?: string } = {}): Promise<ThrowawayStack> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => process.stderr.write(`teardown: ${String(error)}\n`));
  };
  try {
    const database = `ac_test_${randomBytes(4).toString('hex')}`;
    let databaseUrl: string;
    if (options.existingServerUrl) {
      const admin = options.existingServerUrl;
      await ensureDatabase(admin, database);
      cleanups.push(() => dropDatabase(admin, database));
      databaseUrl = Object.assign(new URL(admin), { pathname: `/${database}` }).toString();
    } else {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ac-test-pg-'));
      const db = await startEmbeddedPostgres({ dataDir, port: await freePort(), database, persistent: false });
      cleanups.push(db.stop);
      databaseUrl = db.url;
    }
    const sequelize = createSequelize(databaseUrl, { poolMax: 1 });
    await migrate(sequelize);
    await sequelize.close();

    const temporal = await startTemporalDevServer({ cliPath: await ensureTemporalCli(), port: await freePort(), uiPort: 0, namespace: 'default' });
    cleanups.push(temporal.stop);
    const mailSink = await startMailSink({ smtpPort: 0, webPort: 0 });
    cleanups.push(mailSink.stop);
    const franceconnect = await startFranceConnectStandIn({ port: 0, client: developmentFranceConnectClient() });
    cleanups.push(franceconnect.stop);
    return { databaseUrl, temporalAddress: temporal.address, temporalPid: temporal.process.pid, mailSink, franceconnect, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
