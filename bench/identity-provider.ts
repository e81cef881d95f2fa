// The identity provider's benchmark (issue 10, « Benchmark »): full FranceConnect round trips against Aidants
// Connect — authorize (prompt=login, the aidant's live session) → the usager's page and choice → the démarche's
// page and choice (→ code) → token (client_secret_post, HS256 id_token checked) → userinfo — at 1, 8 and 32
// concurrent clients, each client a distinct aidant of a structure of their own with their own usagers and
// mandats; and, in the same run, the same round trip against a bare oidc-provider code flow storing everything
// in the same PostgreSQL (bench/reference-provider-server.ts) as the reference point.
// Each server runs in a child process of its own: its CPU per round trip is its own process.cpuUsage() delta.
// The aidants' sessions come from the test helper espaceCookie (a session row written as express-session does,
// plus a journaled connect_aidant so that the activity check passes); bench/login.ts measures the real login.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { jwtVerify } from 'jose';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { ThrowawayStack } from '../infra/throwaway-stack.js';
import type { Config } from '../config/index.js';
import { testConfig } from '../test/support/env.js';
import { createPerson, createStructure, espaceCookie } from '../test/support/espace.js';
import { createTestMandat } from '../test/support/mandats.js';
import { Browser } from './http-browser.js';

type Line = (name: string, figures: string) => void;
const STEPS = ['authorize', 'usager', 'démarche', 'token', 'userinfo'] as const;
/** What each step covers, per system (a step is one or more HTTP requests). */
const STEP_REQUESTS = {
  ac: 'authorize: GET /authorize/ · usager: GET page + POST choice · démarche: GET page + POST choice (→ code) · token · userinfo',
  reference: 'authorize: GET /auth · usager = login: GET page + POST + GET resume · démarche = consent: GET page + POST (grant saved) + GET resume (→ code) · token · userinfo',
};
/** BENCH_IDP_SCALE (e.g. 0.1 for a quick check) multiplies the round trips of each level. */
const SCALE = Number(process.env.BENCH_IDP_SCALE ?? 1);
const LEVELS = [{ clients: 1, count: 60 }, { clients: 8, count: 320 }, { clients: 32, count: 1280 }].map((l) => ({ ...l, count: Math.max(l.clients, Math.round(l.count * SCALE)) }));
const USAGERS_PER_AIDANT = 4;

interface ChildServer { url: string; client?: { clientId: string; clientSecret: string; redirectUri: string }; cpuMicros(): Promise<number>; stop(): Promise<void> }

/** Forks a server module (same --import tsx as this process) and waits for its address. */
async function startChild(file: string, env: Record<string, string>): Promise<ChildServer> {
  // BENCH_IDP_PROFILE=<dir>: each server writes a V8 CPU profile there when it stops (--cpu-prof).
  const profile = process.env.BENCH_IDP_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_IDP_PROFILE}`] : [];
  const child = fork(fileURLToPath(new URL(file, import.meta.url)), [], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...profile],
  });
  const ready = await new Promise<{ url: string; client?: ChildServer['client'] }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as never));
    child.once('exit', (code) => reject(new Error(`${file} exited (${code}) before listening`)));
  });
  return {
    ...ready,
    cpuMicros: () => new Promise((resolve) => {
      child.once('message', (message) => { const { cpu } = message as { cpu: NodeJS.CpuUsage }; resolve(cpu.user + cpu.system); });
      child.send('cpu');
    }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.send('stop');
      const timer = setTimeout(() => child.kill(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const hex = (bytes = 32) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
const CSRF = /name="_csrf" value="([^"]+)"/;

function expectStatus(answer: { status: number; text: string }, status: number, what: string) {
  if (answer.status !== status) throw new Error(`${what} answered ${answer.status} (expected ${status}): ${answer.text.replace(/<style>[^]*?<\/style>/, "").slice(0, 1200)}`);
}

/** A round trip: the duration of each step (ms), in STEPS order. */
export type RoundTrip = (i: number) => Promise<number[]>;

async function stepTimer<T>(durations: number[], run: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const result = await run();
  durations.push(performance.now() - t);
  return result;
}

/** FranceConnect's client at the identity provider (the test configuration's unless given: the soak's cluster has its own). */
export type IdpClient = Pick<Config['identityProvider'], 'clientId' | 'clientSecret' | 'redirectUriV2' | 'issuer'>;

/** FranceConnect's round trip through an aidant's browser, then its server's token and userinfo calls. */
export function acRoundTrip(url: string, aidant: { cookie: string; address: string; usagerIds: string[]; subs: string[] }, idp: IdpClient = testConfig({ PUBLIC_URL: url }).identityProvider): RoundTrip {
  const aidantBrowser = new Browser(url, { cookie: aidant.cookie, address: aidant.address });
  const franceconnect = new Browser(url, { address: null });
  return async (i) => {
    const durations: number[] = [];
    const state = hex();
    const nonce = hex();
    const which = i % aidant.usagerIds.length;
    const query = new URLSearchParams({
      response_type: 'code', client_id: idp.clientId, redirect_uri: idp.redirectUriV2, scope: 'openid profile email birth', acr_values: 'eidas1', state, nonce, prompt: 'login',
    });
    const interaction = await stepTimer(durations, async () => {
      const authorize = await aidantBrowser.go(`/authorize/?${query}`);
      expectStatus(authorize, 303, 'authorize');
      return authorize.location;
    });
    await stepTimer(durations, async () => {
      const page = await aidantBrowser.go(interaction);
      expectStatus(page, 200, 'the usager page');
      const chosen = await aidantBrowser.go(`${interaction}/usager`, { form: { _csrf: CSRF.exec(page.text)![1]!, usager: aidant.usagerIds[which]! } });
      expectStatus(chosen, 303, 'the usager choice');
    });
    const code = await stepTimer(durations, async () => {
      const page = await aidantBrowser.go(`${interaction}/demarche`);
      expectStatus(page, 200, 'the démarche page');
      const chosen = await aidantBrowser.go(`${interaction}/demarche`, { form: { _csrf: CSRF.exec(page.text)![1]!, demarche: 'social' } });
      expectStatus(chosen, 302, 'the démarche choice');
      const back = new URL(chosen.location);
      if (back.searchParams.get('state') !== state) throw new Error('the callback lost the state');
      return back.searchParams.get('code')!;
    });
    const tokens = await stepTimer(durations, async () => {
      const answer = await franceconnect.go('/token/', { form: { code, grant_type: 'authorization_code', redirect_uri: idp.redirectUriV2, client_id: idp.clientId, client_secret: idp.clientSecret } });
      expectStatus(answer, 200, 'token');
      return JSON.parse(answer.text) as { access_token: string; id_token: string };
    });
    const { payload } = await jwtVerify(tokens.id_token, new TextEncoder().encode(idp.clientSecret), { issuer: idp.issuer, audience: idp.clientId, algorithms: ['HS256'] });
    if (payload.nonce !== nonce || payload.sub !== aidant.subs[which]) throw new Error('unexpected id_token');
    await stepTimer(durations, async () => {
      const info = await franceconnect.go('/userinfo/', { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expectStatus(info, 200, 'userinfo');
      if ((JSON.parse(info.text) as { sub: string }).sub !== aidant.subs[which]) throw new Error('userinfo: another sub');
    });
    return durations;
  };
}

/** The same round trip on the bare oidc-provider: login and consent interactions finished over HTTP. */
function referenceRoundTrip(server: ChildServer, accounts: string[]): RoundTrip {
  const client = server.client!;
  const userBrowser = new Browser(server.url, { address: null });
  const relyingParty = new Browser(server.url, { address: null });
  const finish = async (interaction: string, action: string, form: Record<string, string>) => {
    const page = await userBrowser.go(interaction);
    expectStatus(page, 200, `the ${action} page`);
    const done = await userBrowser.go(`${interaction}/${action}`, { form });
    expectStatus(done, 303, `the ${action} form`);
    const resumed = await userBrowser.go(done.location);
    expectStatus(resumed, 303, `the resume after ${action}`);
    return resumed.location;
  };
  return async (i) => {
    const durations: number[] = [];
    const state = hex();
    const nonce = hex();
    const account = accounts[i % accounts.length]!;
    const query = new URLSearchParams({ response_type: 'code', client_id: client.clientId, redirect_uri: client.redirectUri, scope: 'openid profile', state, nonce, prompt: 'login' });
    const interaction = await stepTimer(durations, async () => {
      const authorize = await userBrowser.go(`/auth?${query}`);
      expectStatus(authorize, 303, 'authorize');
      return new URL(authorize.location, server.url).pathname;
    });
    const consent = await stepTimer(durations, async () => new URL(await finish(interaction, 'login', { login: account }), server.url).pathname);
    const code = await stepTimer(durations, async () => {
      const location = await finish(consent, 'confirm', { confirm: 'yes' });
      if (location.startsWith('/')) throw new Error(`another interaction after the consent: ${(await userBrowser.go(location)).text}`);
      const back = new URL(location);
      if (back.searchParams.get('state') !== state) throw new Error(`the callback lost the state: ${back}`);
      return back.searchParams.get('code')!;
    });
    const tokens = await stepTimer(durations, async () => {
      const answer = await relyingParty.go('/token', { form: { code, grant_type: 'authorization_code', redirect_uri: client.redirectUri, client_id: client.clientId, client_secret: client.clientSecret } });
      expectStatus(answer, 200, 'token');
      return JSON.parse(answer.text) as { access_token: string; id_token: string };
    });
    const { payload } = await jwtVerify(tokens.id_token, new TextEncoder().encode(client.clientSecret), { issuer: server.url, audience: client.clientId, algorithms: ['HS256'] });
    if (payload.nonce !== nonce || payload.sub !== account) throw new Error('unexpected id_token');
    await stepTimer(durations, async () => {
      const info = await relyingParty.go('/me', { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expectStatus(info, 200, 'userinfo');
      if ((JSON.parse(info.text) as { sub: string }).sub !== account) throw new Error('userinfo: another sub');
    });
    return durations;
  };
}

/**
 * CPU time (µs) of every PostgreSQL process on this machine: each live backend's own, plus what the postmaster
 * collected from those that ended (cutime/cstime). The benchmark's stack is the only PostgreSQL running here.
 */
function postgresCpuMicros(): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) total += processCpuMicros(Number(pid), 'postgres');
  return total;
}

/** CPU time (µs) of one process and of its ended children, from /proc; 0 if it is gone or is not `command`. */
function processCpuMicros(pid: number, command?: string): number {
  const tick = 1_000_000 / 100; // USER_HZ
  let stat: string;
  try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { return 0; }
  const close = stat.lastIndexOf(')');
  if (command && stat.slice(stat.indexOf('(') + 1, close) !== command) return 0;
  const fields = stat.slice(close + 2).split(' '); // from field 3 (state)
  const [utime, stime, cutime, cstime] = [fields[11], fields[12], fields[13], fields[14]].map(Number) as [number, number, number, number];
  return (utime + stime + cutime + cstime) * tick;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

interface Figures {
  perSecond: number; total: number[]; steps: number[][]; cpuMsPerRoundTrip: number; cpuShare: number; xactsPerRoundTrip: number;
  /** Where the slowest 1 % of round trips spent their time: the mean of each step over them (ms). */
  slowestSteps: number[];
  /** PostgreSQL's CPU and this process's (the clients: HTTP, HTML, id_token checks) per round trip. */
  pgCpuMsPerRoundTrip: number; clientCpuMsPerRoundTrip: number;
  /** Temporal's (the dev server the usagers' notifications are woken on) CPU per round trip. */
  temporalCpuMsPerRoundTrip: number;
  /** How late this process's event loop ran (ms, p99 / max): a busy client delays what it measures too. */
  clientLoopDelayP99Ms: number; clientLoopDelayMaxMs: number;
}

/** `count` round trips by `clients` concurrent clients (client k always the same aidant / account). */
async function measure(sequelize: Sequelize, server: ChildServer, clients: RoundTrip[], count: number, temporalPid?: number): Promise<Figures> {
  const xacts = async () => Number((await sequelize.query<{ n: string }>(
    'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()', { type: QueryTypes.SELECT }))[0]!.n);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1100)); // PostgreSQL flushes its statistics at most every second
  await settle();
  const xacts0 = await xacts();
  const cpu0 = await server.cpuMicros();
  const pgCpu0 = postgresCpuMicros();
  const clientCpu0 = process.cpuUsage();
  const temporalCpu0 = temporalPid ? processCpuMicros(temporalPid) : 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const trips: { total: number; durations: number[] }[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(clients.map(async (roundTrip, k) => {
    // Each client's first round trip is done but not timed: the clients all start at the same instant and their
    // first round trips move in one wave (every authorize at once, then every usager page…) that a service
    // never sees. Measured on 2026-11-30 (32 clients): the slowest round trips of both systems were these.
    // From the second on, the clients are spread out. Throughput, CPU and transactions count them all.
    await roundTrip(count + k);
    for (let i = next++; i < count; i = next++) {
      const t = performance.now();
      const durations = await roundTrip(i);
      trips.push({ total: performance.now() - t, durations });
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = (await server.cpuMicros() - cpu0) / 1000;
  const pgCpuMs = (postgresCpuMicros() - pgCpu0) / 1000;
  const clientCpu = process.cpuUsage(clientCpu0);
  const temporalCpuMs = temporalPid ? (processCpuMicros(temporalPid) - temporalCpu0) / 1000 : 0;
  loopDelay.disable();
  await settle();
  const xactsDone = await xacts() - xacts0 - 2; // minus this function's own two statistics queries
  const ascending = (values: number[]) => values.sort((a, b) => a - b);
  const slowest = [...trips].sort((a, b) => b.total - a.total).slice(0, Math.max(1, Math.round(trips.length / 100)));
  const done = count + clients.length;
  return {
    perSecond: done / seconds, total: ascending(trips.map((trip) => trip.total)),
    steps: STEPS.map((_, i) => ascending(trips.map((trip) => trip.durations[i]!))),
    slowestSteps: STEPS.map((_, i) => slowest.reduce((sum, trip) => sum + (trip.durations[i] ?? 0), 0) / slowest.length),
    cpuMsPerRoundTrip: cpuMs / done, cpuShare: cpuMs / 1000 / seconds, xactsPerRoundTrip: xactsDone / done,
    pgCpuMsPerRoundTrip: pgCpuMs / done, clientCpuMsPerRoundTrip: (clientCpu.user + clientCpu.system) / 1000 / done,
    temporalCpuMsPerRoundTrip: temporalCpuMs / done,
    clientLoopDelayP99Ms: loopDelay.percentile(99) / 1e6, clientLoopDelayMaxMs: loopDelay.max / 1e6,
  };
}

function report(line: Line, name: string, clients: number, count: number, f: Figures) {
  const pq = (sorted: number[]) => `${quantile(sorted, 0.5).toFixed(1)}/${quantile(sorted, 0.99).toFixed(1)}`;
  line(`${name}, ${clients} client${clients > 1 ? 's' : ''} (${count} round trips timed)`,
    `${f.perSecond.toFixed(1)} rt/s  round trip p50 ${quantile(f.total, 0.5).toFixed(1)} ms p99 ${quantile(f.total, 0.99).toFixed(1)} ms  CPU ${f.cpuMsPerRoundTrip.toFixed(2)} ms/rt (${(100 * f.cpuShare).toFixed(0)} % of a core)  ${f.xactsPerRoundTrip.toFixed(1)} PG xacts/rt`);
  line('', `CPU per round trip: PostgreSQL ${f.pgCpuMsPerRoundTrip.toFixed(2)} ms, clients ${f.clientCpuMsPerRoundTrip.toFixed(2)} ms, Temporal ${f.temporalCpuMsPerRoundTrip.toFixed(2)} ms;`
    + ` clients' event loop late by p99 ${f.clientLoopDelayP99Ms.toFixed(1)} ms, at most ${f.clientLoopDelayMaxMs.toFixed(1)} ms`);
  line('', `p50/p99 ms: ${STEPS.map((s, i) => `${s} ${pq(f.steps[i]!)}`).join('  ')}`);
  line('', `slowest 1 %, mean ms: ${STEPS.map((s, i) => `${s} ${f.slowestSteps[i]!.toFixed(1)}`).join('  ')}`);
}

/** Creates the aidants (one structure each, their usagers and mandats, a live session) and runs both systems. */
export async function benchIdentityProvider(options: { stack: ThrowawayStack; sequelize: Sequelize; line: Line }): Promise<void> {
  const { stack, sequelize, line } = options;
  // test/support (testConfig, espaceCookie) reads the test stack's variables: this stack's.
  Object.assign(process.env, {
    TEST_DB_URL: stack.databaseUrl, TEST_TEMPORAL_ADDRESS: stack.temporalAddress, TEST_SMTP_URL: stack.mailSink.smtpUrl, TEST_FRANCECONNECT_ISSUER: stack.franceconnect.issuer,
  });
  const maxClients = Math.max(...LEVELS.map((l) => l.clients));
  const aidants: { cookie: string; address: string; usagerIds: string[]; subs: string[] }[] = [];
  for (let k = 0; k < maxClients; k += 1) {
    const structure = await createStructure(`CCAS du banc d’essai ${k + 1}`);
    const person = await createPerson(structure);
    const usagers = [];
    for (let u = 0; u < USAGERS_PER_AIDANT; u += 1) usagers.push((await createTestMandat(structure, person.user, { duration: 'LONG', demarches: ['papiers', 'social'] })).usager);
    aidants.push({ cookie: await espaceCookie(sequelize, person.user, structure.id), address: `10.77.${k}.1`, usagerIds: usagers.map((u) => u.id), subs: usagers.map((u) => u.sub) });
  }
  const ac = await startChild('./identity-provider-server.ts', {});
  const reference = await startChild('./reference-provider-server.ts', { BENCH_DATABASE_URL: stack.databaseUrl });
  try {
    const acClients = aidants.map((aidant) => acRoundTrip(ac.url, aidant));
    // One account per client, logged in again at each round trip (prompt=login): another account in the same
    // browser would make oidc-provider ask to end the previous session first.
    const referenceClients = aidants.map((_, k) => referenceRoundTrip(reference, [`account-${k}`]));
    // Warm-up (JIT, connection pools, caches): not measured.
    await measure(sequelize, ac, acClients.slice(0, 8), 40);
    await measure(sequelize, reference, referenceClients.slice(0, 8), 40);
    line('identity provider round trips', `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (before)`);
    line('', `Aidants Connect — ${STEP_REQUESTS.ac}`);
    line('', `reference — ${STEP_REQUESTS.reference}`);
    const ratio = (name: string, clients: number, acFigures: Figures, refFigures: Figures) => line(`ratio ${name} / reference, ${clients} client${clients > 1 ? 's' : ''}`,
      `throughput ${(acFigures.perSecond / refFigures.perSecond).toFixed(2)}  p99 ${(quantile(acFigures.total, 0.99) / quantile(refFigures.total, 0.99)).toFixed(2)}  CPU/rt ${(acFigures.cpuMsPerRoundTrip / refFigures.cpuMsPerRoundTrip).toFixed(2)}`);
    const referenceAt = new Map<number, Figures>();
    for (const level of LEVELS) {
      const acFigures = await measure(sequelize, ac, acClients.slice(0, level.clients), level.count, stack.temporalPid);
      report(line, 'Aidants Connect IdP', level.clients, level.count, acFigures);
      const refFigures = await measure(sequelize, reference, referenceClients.slice(0, level.clients), level.count, stack.temporalPid);
      report(line, 'bare oidc-provider + PostgreSQL', level.clients, level.count, refFigures);
      referenceAt.set(level.clients, refFigures);
      ratio('Aidants Connect', level.clients, acFigures, refFigures);
    }
    // The same app in two web processes (node:cluster), against the reference's figures above.
    await ac.stop();
    const ac2 = await startChild('./identity-provider-server.ts', { BENCH_IDP_PROCESSES: '2' });
    try {
      const ac2Clients = aidants.map((aidant) => acRoundTrip(ac2.url, aidant));
      await measure(sequelize, ac2, ac2Clients.slice(0, 8), 40);
      for (const level of LEVELS.filter((l) => l.clients > 1)) {
        const figures = await measure(sequelize, ac2, ac2Clients.slice(0, level.clients), level.count, stack.temporalPid);
        report(line, 'Aidants Connect IdP, 2 web processes', level.clients, level.count, figures);
        ratio('Aidants Connect ×2', level.clients, figures, referenceAt.get(level.clients)!);
      }
    } finally {
      await ac2.stop();
    }
    line('identity provider round trips', `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (after)`);
  } finally {
    await Promise.all([ac.stop(), reference.stop()]);
  }
}
