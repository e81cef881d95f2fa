// `npm start`: brings up the whole service on embedded defaults — PostgreSQL (embedded), the Temporal dev
// server (built on first run), the mail sink — then migrates, seeds demo data, starts the worker and the web
// server, and prints every URL. Ctrl-C stops everything it started, in reverse order.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfigOrExit, PROJECT_ROOT } from '../config/index.js';
import { createSequelize } from '../db/sequelize.js';
import { migrate } from '../db/migrate.js';
import { startEmbeddedPostgres } from '../infra/embedded-postgres.js';
import { startMailSink } from '../infra/mail-sink.js';
import { ensureTemporalCli, ProvisioningError } from '../infra/provision.js';
import { startTemporalDevServer } from '../infra/temporal-dev-server.js';
import { DEMO_PASSWORD, DEMO_STAFF, seedDemoData } from '../services/demo-data.js';
import { createSecretBox } from '../services/secret-box.js';

const config = loadConfigOrExit();
const say = (line: string) => process.stdout.write(`▸ ${line}\n`);
const started = Date.now();
const cleanups: { name: string; stop: () => Promise<void> }[] = [];
const children: ChildProcess[] = [];
let shuttingDown = false;

async function shutdown(code: number): Promise<never> {
  if (shuttingDown) return new Promise<never>(() => {});
  shuttingDown = true;
  say('Stopping…');
  await Promise.all(children.filter((c) => c.exitCode === null).map((child) => new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  })));
  for (const cleanup of cleanups.reverse()) {
    await cleanup.stop().catch((error) => say(`could not stop ${cleanup.name}: ${(error as Error).message}`));
  }
  say(`Everything is stopped${code === 0 ? '' : ` (exit code ${code})`}.`);
  process.exit(code);
}
// embedded-postgres installs exit hooks that stop PostgreSQL and exit at once on a signal, which would skip
// stopping the worker, the web server and Temporal: this script owns the shutdown order instead.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.removeAllListeners(signal);
  process.on(signal, () => void shutdown(0));
}

// One `npm start` per data folder: a second one would stop the first one's PostgreSQL and Temporal,
// which it would take for leftovers of a killed run.
const lockFile = path.join(config.dataDir, 'npm-start.pid');
const holder = existsSync(lockFile) ? Number(readFileSync(lockFile, 'utf8')) : 0;
if (holder > 0 && holder !== process.pid && existsSync(`/proc/${holder}`) && readFileSync(`/proc/${holder}/cmdline`, 'utf8').includes('start.ts')) {
  process.stderr.write(`✖ Aidants Connect is already running from this folder (process ${holder}). Stop it with Ctrl-C first, or set DATA_DIR and the ports for a second instance.\n`);
  process.exit(1);
}
mkdirSync(config.dataDir, { recursive: true });
writeFileSync(lockFile, String(process.pid));
cleanups.unshift({ name: 'lock', stop: async () => rmSync(lockFile, { force: true }) });

try {
  let databaseUrl = config.database.url;
  if (!databaseUrl) {
    say(`Starting the embedded PostgreSQL (port ${config.database.embeddedPort}, data in ${path.relative(PROJECT_ROOT, config.dataDir)}/postgres)…`);
    const db = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.database.embeddedPort, database: 'aidants_connect', persistent: true, log: say });
    cleanups.push({ name: 'PostgreSQL', stop: db.stop });
    databaseUrl = db.url;
  }

  let temporalAddress = config.temporal.address;
  let temporalUi = 'the Web UI of your Temporal cluster';
  if (!temporalAddress) {
    const cli = await ensureTemporalCli(say);
    say(`Starting the Temporal dev server (port ${config.temporal.devServerPort}, workflows kept in ${path.relative(PROJECT_ROOT, config.dataDir)}/temporal.sqlite)…`);
    const temporal = await startTemporalDevServer({
      cliPath: cli, port: config.temporal.devServerPort, uiPort: config.temporal.uiPort,
      dbFile: path.join(config.dataDir, 'temporal.sqlite'), namespace: config.temporal.namespace,
    });
    cleanups.push({ name: 'Temporal', stop: temporal.stop });
    temporalAddress = temporal.address;
    temporalUi = temporal.uiUrl!;
  }

  let smtpUrl = config.mail.smtpUrl;
  let mailUi = 'your SMTP server';
  if (!smtpUrl) {
    const sink = await startMailSink({ smtpPort: config.mail.sinkSmtpPort, webPort: config.mail.sinkWebPort, storeDir: path.join(config.dataDir, 'mails') });
    cleanups.push({ name: 'mail sink', stop: sink.stop });
    smtpUrl = sink.smtpUrl;
    mailUi = sink.webUrl;
  }

  say('Applying database migrations and demo data…');
  const sequelize = createSequelize(databaseUrl, { poolMax: 2 });
  const applied = await migrate(sequelize);
  if (applied.length > 0) say(`Applied migrations: ${applied.join(', ')}`);
  if (await seedDemoData(sequelize, createSecretBox(config.secrets.key))) say('Demo data created.');
  await sequelize.close();

  const env = { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, SMTP_URL: smtpUrl, ADMIN_JS_TMP_DIR: path.join(PROJECT_ROOT, 'adminjs-bundle') };
  for (const [name, entry] of [['worker', 'worker/main.ts'], ['web', 'server/main.ts']] as const) {
    // Own process group: Ctrl-C reaches only this orchestrator, which stops the children in order.
    // The IPC channel lets a child notice when this process dies, so nothing is left orphaned.
    const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true });
    child.once('exit', (code, signal) => {
      if (!shuttingDown) {
        say(`The ${name} process stopped unexpectedly (${signal ?? `exit code ${code}`}); stopping everything.`);
        void shutdown(1);
      }
    });
    children.push(child);
  }

  const healthUrl = `http://127.0.0.1:${config.http.port}/health`;
  for (let i = 0; ; i += 1) {
    const ok = await fetch(healthUrl).then((r) => r.ok, () => false);
    if (ok) break;
    if (i > 240) throw new Error(`The web server did not become healthy at ${healthUrl} within 2 minutes.`);
    await new Promise((r) => setTimeout(r, 500));
  }

  const base = config.http.publicUrl;
  process.stdout.write(`
Aidants Connect is running (healthy after ${((Date.now() - started) / 1000).toFixed(1)} s).

  Service            ${base}
  Habilitation form  ${base}/habilitation
  ANCT back-office   ${base}/admin
      logins (password "${DEMO_PASSWORD}"): ${DEMO_STAFF.map((s) => `${s.email} (${s.roles.join(', ')})`).join(', ')}
      6-digit codes      ${config.http.devTools ? `${base}/dev/codes` : 'npm run demo:card-code'}  (also demo card codes)
  Temporal UI        ${temporalUi}
  Mail sink          ${mailUi}
  Health             ${base}/health

Press Ctrl-C to stop everything.
`);
} catch (error) {
  process.stderr.write(`\n✖ ${error instanceof ProvisioningError ? error.message : (error as Error).stack ?? String(error)}\n`);
  await shutdown(1);
}
