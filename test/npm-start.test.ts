// `npm start` itself (scripts/start.ts) on a throwaway data folder and free ports: it comes up, restarts the
// Temporal dev server when it dies, and on Ctrl-C (SIGINT to its process group, as a terminal sends it) stops
// the demo démarche site, the web server, the worker, Temporal, the FranceConnect stand-in, the mail sink and PostgreSQL in that order, says so, removes its pid
// file and leaves no process behind. Slow (a whole stack): one scenario.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../config/index.js';
import { freePortRange } from './support/cluster.js';
import { waitFor } from './support/wait.js';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let dataDir: string;
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('starts, restarts a dead Temporal dev server, and stops everything in order on Ctrl-C', async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ac-npm-start-'));
  // Below the ephemeral range: a port picked there can be taken by any outgoing connection of the machine before
  // the stack binds it (the Temporal UI's was, once, while PostgreSQL initialised).
  const base = await freePortRange(8);
  const ports = { PORT: base, EMBEDDED_PG_PORT: base + 1, TEMPORAL_DEV_PORT: base + 2, TEMPORAL_UI_PORT: base + 3, MAIL_SINK_SMTP_PORT: base + 4, MAIL_SINK_WEB_PORT: base + 5, FRANCECONNECT_STAND_IN_PORT: base + 6, DEMO_DEMARCHE_PORT: base + 7 };
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', DATA_DIR: dataDir, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
  for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'PUBLIC_URL', 'TRUST_PROXY', 'FRANCECONNECT_ISSUER', 'IDP_FC_REDIRECT_URI_V2', 'IDP_FC_POST_LOGOUT_URI_V2']) delete env[name];
  // Its own process group, like `npm start` in a terminal.
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await waitFor('npm start to be running', async () => output.includes('Aidants Connect is running') || child.exitCode !== null, Boolean, 240_000);
    expect(output).toContain('Aidants Connect is running');
    const pidFile = path.join(dataDir, 'npm-start.pid');
    expect(readFileSync(pidFile, 'utf8')).toBe(String(child.pid));
    const discovery = `http://127.0.0.1:${ports.FRANCECONNECT_STAND_IN_PORT}/api/v2/.well-known/openid-configuration`;
    expect(await fetch(discovery).then((r) => r.json())).toMatchObject({ issuer: `http://localhost:${ports.FRANCECONNECT_STAND_IN_PORT}/api/v2` });
    // The demo démarche site, whose callback the identity provider registers in development.
    const demoSite = `http://127.0.0.1:${ports.DEMO_DEMARCHE_PORT}/`;
    expect(await fetch(demoSite).then((r) => r.text())).toContain('Se connecter avec Aidants Connect');
    expect(output).toContain(`Démarche (demo)    http://localhost:${ports.DEMO_DEMARCHE_PORT}`);
    const start = await fetch(`${demoSite}connexion`, { redirect: 'manual' });
    expect(start.status).toBe(303);
    // The identity provider accepts its authorize request: the site's callback is the registered v2 redirect URI.
    expect((await fetch(start.headers.get('location')!, { redirect: 'manual' })).status).toBe(303);
    const postgresPid = Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const temporalPid = Number(readFileSync(path.join(dataDir, 'temporal.sqlite.pid'), 'utf8'));

    process.kill(temporalPid, 'SIGKILL');
    await waitFor('the Temporal dev server to be restarted', async () => output.includes('The Temporal dev server is running again.'), Boolean, 90_000);
    expect(output).toContain('The Temporal dev server stopped unexpectedly (signal SIGKILL); restarting it (attempt 1 of 3)…');
    const restartedTemporalPid = Number(readFileSync(path.join(dataDir, 'temporal.sqlite.pid'), 'utf8'));
    expect(restartedTemporalPid).not.toBe(temporalPid);
    await waitFor('the service to be healthy again', () => fetch(`http://127.0.0.1:${ports.PORT}/health`).then((r) => r.ok, () => false), Boolean, 60_000);

    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    const stopping = output.split('\n').filter((line) => line.startsWith('▸ Stopping ')).map((line) => line.slice('▸ Stopping '.length));
    expect(stopping).toEqual(['the demo démarche site…', 'the web server…', 'the worker…', 'the Temporal dev server…', 'the FranceConnect stand-in…', 'the mail sink…', 'PostgreSQL…']);
    expect(output.trim().split('\n').at(-1)).toBe('▸ Everything is stopped.');
    expect(existsSync(pidFile)).toBe(false);
    expect([postgresPid, restartedTemporalPid].filter(isAlive)).toEqual([]);
    expect((await fetch(`http://127.0.0.1:${ports.PORT}/health`).then(() => 'answered', () => 'closed'))).toBe('closed');
    expect((await fetch(discovery).then(() => 'answered', () => 'closed'))).toBe('closed');
    expect((await fetch(demoSite).then(() => 'answered', () => 'closed'))).toBe('closed');
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}, 420_000);
