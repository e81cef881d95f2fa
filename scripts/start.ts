// `npm start`: brings up the whole service on embedded defaults — PostgreSQL (embedded), the Temporal dev
// server (built on first run), the mail sink, the local FranceConnect stand-in — then migrates, seeds demo data, starts the worker and the web
// server (and, in development, the demo démarche site, a client of its identity provider), and prints every URL. PostgreSQL, Temporal, the worker and the web server are watched and restarted
// when they die (a few times, then everything stops with a message). Ctrl-C stops everything it started:
// demo démarche site, web server, worker, Temporal, FranceConnect stand-in, mail sink, PostgreSQL, in that order.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfigOrExit, PROJECT_ROOT } from '../config/index.js';
import { createSequelize } from '../db/sequelize.js';
import { migrate } from '../db/migrate.js';
import { startEmbeddedPostgres } from '../infra/embedded-postgres.js';
import { demoDemarcheSiteUris, startDemoDemarcheSite } from '../infra/demo-demarche-site.js';
import { startFranceConnectStandIn, TEST_IDENTITIES } from '../infra/franceconnect-stand-in.js';
import { startMailSink } from '../infra/mail-sink.js';
import { ensureTemporalCli, explainFailure } from '../infra/provision.js';
import { supervise, type Exit, type RunningService, type SupervisedService } from '../infra/supervisor.js';
import { startTemporalDevServer } from '../infra/temporal-dev-server.js';
import { DEMO_PASSWORD, DEMO_STAFF, seedDemoData } from '../services/demo-data.js';
import { createSecretBox } from '../services/secret-box.js';

const config = loadConfigOrExit();
const say = (line: string) => process.stdout.write(`▸ ${line}\n`);
const started = Date.now();
let shuttingDown = false;

// One `npm start` per data folder: a second one would stop the first one's PostgreSQL and Temporal,
// which it would take for leftovers of a killed run.
const lockFile = path.join(config.dataDir, 'npm-start.pid');
const holder = existsSync(lockFile) ? Number(readFileSync(lockFile, 'utf8')) : 0;
if (holder > 0 && holder !== process.pid && existsSync(`/proc/${holder}`) && readFileSync(`/proc/${holder}/cmdline`, 'utf8').includes('start.ts')) {
  process.stderr.write(`✖ Aidants Connect is already running from this folder (process ${holder}): stop it with Ctrl-C first, or set DATA_DIR and the ports for a second instance.\n`);
  process.exit(1);
}

/** What was started, stopped in this order (the documented one: users of a service stop before it). */
const STOP_ORDER = ['the demo démarche site', 'the web server', 'the worker', 'the Temporal dev server', 'the FranceConnect stand-in', 'the mail sink', 'PostgreSQL'] as const;
type Part = (typeof STOP_ORDER)[number];
const running = new Map<Part, { stop(): Promise<void> }>();

async function shutdown(code: number, reason?: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  say('Stopping…');
  for (const part of STOP_ORDER) {
    const service = running.get(part);
    if (!service) continue;
    say(`Stopping ${part}…`);
    await service.stop().catch((error) => say(`could not stop ${part}: ${(error as Error).message}`));
  }
  rmSync(lockFile, { force: true });
  say(`Everything is stopped${code === 0 ? '' : ` (exit code ${code})`}.`);
  // The cause and its fix come last, where the eye lands.
  if (reason) process.stderr.write(`\n✖ ${reason}\n`);
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));
const giveUp = (reason: string) => void shutdown(1, `${reason}, so npm start gave up: find the cause in its messages above (and in the data folder's postgres.log), then run npm start again.`);
mkdirSync(config.dataDir, { recursive: true });
writeFileSync(lockFile, String(process.pid));

/** A web or worker process, in its own process group so that Ctrl-C reaches only this orchestrator. */
function startNodeProcess(entry: string, env: NodeJS.ProcessEnv): Promise<RunningService> {
  // The IPC channel lets the child notice when this process dies, so nothing is left orphaned.
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true });
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  return Promise.resolve({
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  });
}

async function keep(part: Part, start: () => Promise<RunningService>): Promise<SupervisedService> {
  const name = part.charAt(0).toUpperCase() + part.slice(1);
  const service = await supervise({ name, start, say, onGiveUp: giveUp });
  running.set(part, service);
  return service;
}

try {
  let databaseUrl = config.database.url;
  if (!databaseUrl) {
    say(`Starting the embedded PostgreSQL (port ${config.database.embeddedPort})…`);
    await keep('PostgreSQL', async () => {
      const db = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.database.embeddedPort, database: 'aidants_connect', persistent: true, ownProcessGroup: true, log: say });
      if (!databaseUrl) say(`PostgreSQL is ready (data in ${db.clusterDir.startsWith(PROJECT_ROOT) ? path.relative(PROJECT_ROOT, db.clusterDir) : db.clusterDir}).`);
      databaseUrl = db.url;
      return db;
    });
  }

  let temporalAddress = config.temporal.address;
  let temporalUi = 'the Web UI of your Temporal cluster';
  if (!temporalAddress) {
    const cli = await ensureTemporalCli(say);
    say(`Starting the Temporal dev server (port ${config.temporal.devServerPort}, workflows kept in ${path.relative(PROJECT_ROOT, config.dataDir)}/temporal.sqlite)…`);
    await keep('the Temporal dev server', async () => {
      const temporal = await startTemporalDevServer({
        cliPath: cli, port: config.temporal.devServerPort, uiPort: config.temporal.uiPort,
        dbFile: path.join(config.dataDir, 'temporal.sqlite'), namespace: config.temporal.namespace, log: say,
      });
      temporalAddress = temporal.address;
      temporalUi = temporal.uiUrl!;
      return temporal;
    });
  }

  let smtpUrl = config.mail.smtpUrl;
  let mailUi = 'your SMTP server';
  if (!smtpUrl) {
    const sink = await startMailSink({ smtpPort: config.mail.sinkSmtpPort, webPort: config.mail.sinkWebPort, storeDir: path.join(config.dataDir, 'mails') });
    running.set('the mail sink', sink);
    smtpUrl = sink.smtpUrl;
    mailUi = sink.webUrl;
  }

  // FranceConnect: the local stand-in (the person picks a test identity) unless FRANCECONNECT_ISSUER is set.
  let franceconnectUi = `${config.franceconnect.issuer} (FRANCECONNECT_ISSUER)`;
  if (config.franceconnect.standIn) {
    const { franceconnect } = config;
    say(`Starting the local FranceConnect stand-in (port ${franceconnect.standInPort})…`);
    const standIn = await startFranceConnectStandIn({
      port: franceconnect.standInPort,
      client: { clientId: franceconnect.clientId, clientSecret: franceconnect.clientSecret, redirectUri: franceconnect.callbackUrl, postLogoutRedirectUri: franceconnect.postLogoutUrl },
    }).catch((error: Error) => {
      throw new Error(`The local FranceConnect stand-in could not start on port ${franceconnect.standInPort} (${error.message}): free the port or set FRANCECONNECT_STAND_IN_PORT.`);
    });
    running.set('the FranceConnect stand-in', standIn);
    franceconnectUi = `${standIn.issuer}  (local stand-in: ${TEST_IDENTITIES.length} test identities to pick from)`;
  }

  say('Applying database migrations and demo data…');
  const sequelize = createSequelize(databaseUrl!, { poolMax: 2 });
  const applied = await migrate(sequelize);
  if (applied.length > 0) say(`Applied migrations: ${applied.join(', ')}`);
  if (config.nodeEnv === 'production') say('No demo data in production (NODE_ENV=production).');
  else if (await seedDemoData(sequelize, createSecretBox(config.secrets.key))) say('Demo data created.');
  await sequelize.close();

  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, SMTP_URL: smtpUrl, ADMIN_JS_TMP_DIR: path.join(PROJECT_ROOT, 'adminjs-bundle') };
  // The demo démarche site plays FranceConnect towards the identity provider: in development, unless FranceConnect's
  // callbacks are configured, the identity provider registers the site's instead (production never starts it).
  const demoSite = config.nodeEnv === 'development' && process.env.IDP_FC_REDIRECT_URI_V2 === undefined && process.env.IDP_FC_POST_LOGOUT_URI_V2 === undefined
    ? demoDemarcheSiteUris(config.demoDemarcheSite.port) : undefined;
  if (demoSite) Object.assign(env, { IDP_FC_REDIRECT_URI_V2: demoSite.redirectUri, IDP_FC_POST_LOGOUT_URI_V2: demoSite.postLogoutRedirectUri });
  await keep('the worker', () => startNodeProcess('worker/main.ts', env));
  await keep('the web server', () => startNodeProcess('server/main.ts', env));

  const healthUrl = `http://127.0.0.1:${config.http.port}/health`;
  for (let i = 0; ; i += 1) {
    const ok = await fetch(healthUrl).then((r) => r.ok, () => false);
    if (ok) break;
    if (shuttingDown) await new Promise(() => {});
    if (i > 240) throw new Error(`The web server did not become healthy at ${healthUrl} within 2 minutes: see its messages above (is port ${config.http.port} free? set PORT otherwise).`);
    await new Promise((r) => setTimeout(r, 500));
  }

  if (demoSite) {
    const { port } = config.demoDemarcheSite;
    say(`Starting the demo démarche site (port ${port})…`);
    const site = await startDemoDemarcheSite({ port, identityProvider: config.identityProvider }).catch((error: Error) => {
      throw new Error(`The demo démarche site could not start on port ${port} (${error.message}): free the port or set DEMO_DEMARCHE_PORT.`);
    });
    running.set('the demo démarche site', site);
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
  FranceConnect      ${franceconnectUi}${config.http.devTools ? `
      try it (logged in as an aidant) ${base}/espace-aidant/franceconnect/essai` : ''}
  Démarche (demo)    ${demoSite ? `${demoSite.url}  (« Se connecter avec Aidants Connect »: a démarche on behalf of a demo usager)` : 'not started (IDP_FC_REDIRECT_URI_V2 or IDP_FC_POST_LOGOUT_URI_V2 set, or not in development)'}
  Health             ${base}/health

Press Ctrl-C to stop everything.
`);
} catch (error) {
  await shutdown(1, explainFailure(error, config.logLevel === 'debug'));
}
