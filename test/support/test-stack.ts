// Starts what every test needs, once: a throwaway PostgreSQL database (embedded cluster in a temporary
// folder, or a new database in TEST_DATABASE_URL's server), a throwaway Temporal dev server built from the
// project's binary, and a mail sink. Their addresses reach the test files through environment variables.
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createSequelize } from '../../db/sequelize.js';
import { migrate } from '../../db/migrate.js';
import { dropDatabase, ensureDatabase, startEmbeddedPostgres } from '../../infra/embedded-postgres.js';
import { startMailSink } from '../../infra/mail-sink.js';
import { ensureTemporalCli, ensureTimeSkippingServer } from '../../infra/provision.js';
import { startTemporalDevServer } from '../../infra/temporal-dev-server.js';

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

export async function startTestStack(): Promise<void> {
  const cleanups: (() => Promise<void>)[] = [];
  (globalThis as { __testCleanups?: typeof cleanups }).__testCleanups = cleanups;

  const database = `ac_test_${randomBytes(4).toString('hex')}`;
  let databaseUrl: string;
  if (process.env.TEST_DATABASE_URL) {
    const admin = process.env.TEST_DATABASE_URL;
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

  const sink = await startMailSink({ smtpPort: 0, webPort: 0 });
  cleanups.push(sink.stop);

  process.env.TEST_DB_URL = databaseUrl;
  process.env.TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.TEST_SMTP_URL = sink.smtpUrl;
  process.env.TEST_MAIL_API = `${sink.webUrl}/api/messages`;
  process.env.TEST_TIME_SKIPPING_SERVER = await ensureTimeSkippingServer();
}

/** Removes everything startTestStack started: mail sink, Temporal dev server, then the database. */
export async function stopTestStack(): Promise<void> {
  const cleanups = (globalThis as { __testCleanups?: (() => Promise<void>)[] }).__testCleanups ?? [];
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => process.stderr.write(`teardown: ${String(error)}\n`));
}
