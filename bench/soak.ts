// `npm run bench:soak`: the soak of the production topology (issue 12, « Load »). It starts the cluster of
// `npm run start:cluster` (NODE_ENV=production, two web processes behind the front, two workers, the Temporal
// server's four services on PostgreSQL) with the local FranceConnect stand-in served over https (the production
// mode accepts nothing else: a throwaway certificate, trusted through NODE_EXTRA_CA_CERTS), seeds structures,
// aidants with their cards, mandats, jury members and requests awaiting the comité, then lets SOAK_USERS virtual
// users (8) do for SOAK_MINUTES (10) a mix of journeys, each with a second of thought between two:
//   habilitation form   the public form's first step, the confirmation e-mail's link, the demandeur's space;
//   back-office         a jury member opens a request and validates it (AdminJS's API, as its pages call it);
//   aidant login        code form (card code), the login link read from the outbox, the espace aidant;
//   mandat creation     démarches and duration, FranceConnect (the stand-in), the recap signed with the card code;
//   FranceConnect       a round trip of the identity provider (bench/identity-provider.ts: authorize → usager →
//                       démarche → token → userinfo).
// Every address is on loopback; each journey comes from an address of its own (X-Forwarded-For through the
// front), as many people would. It prints, per journey, the count, errors, throughput, p50 and p99, and every
// 30 s the memory and open files of each process and PostgreSQL's connections, then whether they grew. Any
// error or growth makes it exit with 1. SOAK_TOPOLOGY=dev runs the same soak on the development topology
// (Temporal's dev server, one web process, one worker), for the figures next to the cluster's.
// Benchmarks print; tests never assert wall-clock times.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { generateSecret, generateSync } from 'otplib';
import { QueryTypes, type Sequelize } from 'sequelize';
import { ESPACE_COOKIE } from '../server/espace/session.js';
import { PROJECT_ROOT } from '../config/index.js';
import { freePort } from '../infra/throwaway-stack.js';
import { startFranceConnectStandIn, TEST_IDENTITIES } from '../infra/franceconnect-stand-in.js';
import { createSequelize } from '../db/sequelize.js';
import { Card, Organisation, OrganisationMembership, User } from '../db/models/index.js';
import { CARD_POLICY } from '../domain/cards.js';
import { createLifecycles } from '../services/lifecycles.js';
import { hashPassword } from '../services/passwords.js';
import { createSecretBox } from '../services/secret-box.js';
import { currentCode } from '../services/totp.js';
import { freePortRange } from '../test/support/cluster.js';
import { createSubmittedRequest } from '../test/support/factories.js';
import { standInBrowser } from '../test/support/franceconnect.js';
import { createTestMandat } from '../test/support/mandats.js';
import { Browser } from './http-browser.js';
import { acRoundTrip, type IdpClient } from './identity-provider.js';
import { quantile } from './mandats.js';
import { connectionsByDatabase, reportGrowth, startMonitor } from './soak-resources.js';
import { clusterTopology, devTopology, type Topology } from './soak-topology.js';

// The stand-in's certificate must be trusted from this process's start (fetch reads NODE_EXTRA_CA_CERTS then):
// the first run makes it and runs the soak again in a child process that trusts it.
if (!process.env.SOAK_ROOT) {
  const root = mkdtempSync(path.join(tmpdir(), 'ac-soak-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', path.join(root, 'tls.key'), '-out', path.join(root, 'tls.crt')], { stdio: 'ignore' });
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    env: { ...process.env, SOAK_ROOT: root, NODE_EXTRA_CA_CERTS: path.join(root, 'tls.crt') }, stdio: 'inherit',
  });
  // An interrupt is the child's to handle (it stops what it started); this process waits for it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  const code = await new Promise<number>((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 1)));
  rmSync(root, { recursive: true, force: true });
  process.exit(code);
}

const setting = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number (got "${process.env[name]}")`);
  return value;
};
const MINUTES = setting('SOAK_MINUTES', 10);
const TOPOLOGY = process.env.SOAK_TOPOLOGY ?? 'cluster';
if (!['cluster', 'dev'].includes(TOPOLOGY)) throw new Error(`SOAK_TOPOLOGY must be cluster (default) or dev (got "${TOPOLOGY}")`);
const USERS = Math.round(setting('SOAK_USERS', 8));
const THINK_MS = 1000;
const STRUCTURES = 20;
const AIDANTS_PER_STRUCTURE = 6;
const JOURNEYS = { 'habilitation form': 15, 'back-office decision': 15, 'aidant login': 15, 'mandat creation': 15, 'FranceConnect round trip': 40 } as const;
type Journey = keyof typeof JOURNEYS;
const ROOT = process.env.SOAK_ROOT;
const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CSRF = /name="_csrf" value="([^"]+)"/;

function expectAnswer(answer: { status: number; location: string; text: string }, status: number, what: string, location?: RegExp) {
  if (answer.status !== status || (location && !location.test(answer.location))) {
    throw new Error(`${what}: ${answer.status} ${answer.location} (expected ${status}${location ? ` ${location}` : ''}) ${answer.text.replace(/<style>[^]*?<\/style>/, '').replace(/\s+/g, ' ').slice(0, 300)}`);
  }
}

interface SoakAidant {
  user: User;
  seed: string;
  periodSeconds: number;
  usagerIds: string[];
  subs: string[];
  session?: string;
  busy: boolean;
  lastStep: number;
}

async function seed(sequelize: Sequelize, secretsKey: string, lifecycles: ReturnType<typeof createLifecycles>, decisionsNeeded: number) {
  const box = createSecretBox(Buffer.from(secretsKey, 'hex'));
  const aidants: SoakAidant[] = [];
  for (let s = 0; s < STRUCTURES; s += 1) {
    const structure = await Organisation.create({
      name: `CCAS de l’endurance ${s + 1}`, type: 'ccas', typeOther: null, siret: '26170021400016', address: '1 place de la Mairie', zipcode: '17460', city: 'Préguillac',
      departmentCode: '17', franceServicesLabel: false, franceServicesNumber: null, habilitationNumber: `AC-17-SOAK-${s + 1}`,
    });
    for (let a = 0; a < AIDANTS_PER_STRUCTURE; a += 1) {
      const user = await User.create({
        email: `aidant-${s + 1}-${a + 1}-${randomBytes(3).toString('hex')}@endurance.invalid`, firstName: 'Karim', lastName: `Benali ${a + 1}`, profession: 'Travailleur social', phone: null,
        currentOrganisationId: structure.id, passwordHash: null, sealedAdminTotpSecret: null, lastLoginAt: null, lastActivityAt: null,
      });
      await OrganisationMembership.create({ userId: user.id, organisationId: structure.id, isReferent: false, canCreateMandats: true });
      const cardSeed = randomBytes(20).toString('hex');
      const now = new Date();
      await Card.create({
        kind: 'physical', serialNumber: `SOAK${s}X${a}${randomBytes(3).toString('hex')}`.toUpperCase(), sealedSeed: box.seal(cardSeed), periodSeconds: CARD_POLICY.periodSeconds.physical,
        aidantId: user.id, linkedAt: now, validatedAt: now, lastUsedStep: null, tolerance: CARD_POLICY.confirmedTolerance,
      });
      const usagers = [];
      for (let u = 0; u < 2; u += 1) usagers.push((await createTestMandat(structure, user, { duration: 'LONG', demarches: ['papiers', 'social'] })).usager);
      aidants.push({ user, seed: cardSeed, periodSeconds: CARD_POLICY.periodSeconds.physical, usagerIds: usagers.map((u) => u.id), subs: usagers.map((u) => u.sub), busy: false, lastStep: -1 });
    }
  }
  const password = randomBytes(18).toString('base64url');
  const passwordHash = await hashPassword(password);
  const jury = [];
  for (let j = 0; j < USERS; j += 1) {
    const totp = generateSecret();
    const user = await User.create({
      email: `jury-${j + 1}-${randomBytes(3).toString('hex')}@anct.invalid`, firstName: 'Jeanne', lastName: `Comité ${j + 1}`, profession: 'ANCT', phone: null, currentOrganisationId: null,
      staffRoles: ['anct_jury'], passwordHash, sealedAdminTotpSecret: box.seal(totp), lastLoginAt: null, lastActivityAt: null,
    });
    jury.push({ email: user.email, password, totp });
  }
  const requests: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < decisionsNeeded) {
      next += 1;
      const request = await createSubmittedRequest(sequelize, { structure: { name: `Structure de l’endurance ${next}` } });
      await lifecycles.startHabilitationRequest(request.id);
      requests.push(request.id);
    }
  }));
  return { aidants, jury, requests };
}

async function main() {
  const root = ROOT!;
  const port = TOPOLOGY === 'cluster' ? await freePortRange(64) : await freePort();
  const publicUrl = `http://localhost:${port}`;
  const secrets = {
    SESSION_SECRET: randomBytes(32).toString('base64url'), SECRETS_KEY: randomBytes(32).toString('hex'),
    FRANCECONNECT_CLIENT_SECRET: randomBytes(32).toString('base64url'), IDP_FC_CLIENT_SECRET: randomBytes(32).toString('base64url'),
  };
  const standIn = await startFranceConnectStandIn({
    port: 0, tls: { key: readFileSync(path.join(root, 'tls.key'), 'utf8'), cert: readFileSync(path.join(root, 'tls.crt'), 'utf8') },
    client: { clientId: 'aidants-connect-soak', clientSecret: secrets.FRANCECONNECT_CLIENT_SECRET, redirectUri: `${publicUrl}/espace-aidant/franceconnect/retour`, postLogoutRedirectUri: `${publicUrl}/espace-aidant/franceconnect/deconnexion` },
  });
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...secrets, FRANCECONNECT_ISSUER: standIn.issuer, FRANCECONNECT_CLIENT_ID: 'aidants-connect-soak', IDP_FC_CLIENT_ID: 'franceconnect-soak' };
  for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'PUBLIC_URL', 'TRUST_PROXY', 'DEV_TOOLS', 'DATA_DIR', 'IDP_ISSUER', 'POST_RATE_LIMIT']) delete env[name];
  say(`Starting the ${TOPOLOGY === 'cluster' ? 'production topology' : 'development topology (Temporal dev server, one web process, one worker)'} (the first web process bundles the back-office: a minute or two)…`);
  const cluster = TOPOLOGY === 'cluster' ? await clusterTopology(env, root, port) : await devTopology(env, root, port);
  // Interrupted (Ctrl-C, SIGTERM): stop every process the soak started rather than leave them holding ports.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping the topology and the FranceConnect stand-in…`);
      void Promise.allSettled([cluster.stop(), standIn.stop()]).then(() => process.exit(130));
    });
  }
  const sequelize = createSequelize(cluster.databaseUrl, { poolMax: 5 });
  const connection = await Connection.connect({ address: cluster.temporalAddress });
  let failed = false;
  try {
    const lifecycles = createLifecycles(new Client({ connection }), { taskQueue: 'aidants-connect', habilitationPolicy: { comiteReminderDelayMs: 86_400_000 } });
    const decisionsNeeded = Math.ceil((MINUTES * 60_000 / THINK_MS) * USERS * (JOURNEYS['back-office decision'] / 100)) + 20;
    say(`Seeding ${STRUCTURES} structures, ${STRUCTURES * AIDANTS_PER_STRUCTURE} aidants with a card and two mandats each, ${USERS} jury members, ${decisionsNeeded} requests awaiting the comité…`);
    const data = await seed(sequelize, secrets.SECRETS_KEY, lifecycles, decisionsNeeded);
    const idp: IdpClient = { clientId: 'franceconnect-soak', clientSecret: secrets.IDP_FC_CLIENT_SECRET, issuer: publicUrl, redirectUriV2: 'https://fcp-low.integ01.dev-franceconnect.fr/api/v2/oidc-callback' };
    const journeys = journeysOf({ cluster, sequelize, data, idp, publicUrl });

    // Every aidant logs in once (their session for mandats and round trips): the warm-up, not measured.
    say('Warm-up: every aidant logs in…');
    const queue = [...data.aidants];
    await Promise.all(Array.from({ length: USERS }, async () => {
      for (let aidant = queue.shift(); aidant; aidant = queue.shift()) await journeys.logIn(aidant);
    }));

    const figures = new Map<Journey, { durations: number[]; errors: string[] }>(Object.keys(JOURNEYS).map((name) => [name as Journey, { durations: [], errors: [] }]));
    const monitor = startMonitor(cluster, sequelize);
    say(`Soak: ${USERS} virtual users for ${MINUTES} minute(s), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (before)`);
    const started = Date.now();
    const deadline = started + MINUTES * 60_000;
    await Promise.all(Array.from({ length: USERS }, async (_, vu) => {
      const juryMember = await journeys.juryLogIn(data.jury[vu]!);
      while (Date.now() < deadline) {
        const journey = pick();
        try {
          figures.get(journey)!.durations.push(await journeys.run(journey, juryMember));
        } catch (error) {
          figures.get(journey)!.errors.push((error as Error).message);
        }
        await sleep(THINK_MS * (0.5 + Math.random()));
      }
    }));
    const seconds = (Date.now() - started) / 1000;
    const samples = await monitor.stop();
    // The pools close a connection idle for 10 s: after 15 quiet seconds, what is still open is what is held.
    await sleep(15_000);
    const quiet = await connectionsByDatabase(sequelize);
    say(`Soak over after ${seconds.toFixed(0)} s, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (after)`);
    for (const [journey, { durations, errors }] of figures) {
      say(`${journey.padEnd(28)} ${String(durations.length).padStart(5)} done  ${String(errors.length).padStart(3)} errors  ${(durations.length / seconds).toFixed(2).padStart(6)}/s  p50 ${(quantile(durations, 0.5) ?? NaN).toFixed(0).padStart(5)} ms  p99 ${(quantile(durations, 0.99) ?? NaN).toFixed(0).padStart(5)} ms`);
      for (const message of [...new Set(errors)].slice(0, 5)) say(`    ${message}`);
      if (errors.length > 0) failed = true;
    }
    failed = reportGrowth(samples, quiet, say) || failed;
  } finally {
    const kept = path.join(PROJECT_ROOT, '.data', `soak-${TOPOLOGY}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    cpSync(cluster.logDir, kept, { recursive: true });
    say(`The processes' logs are kept in ${path.relative(PROJECT_ROOT, kept)}`);
    await connection.close().catch(() => undefined);
    await sequelize.close().catch(() => undefined);
    await cluster.stop();
    await standIn.stop();
  }
  process.exitCode = failed ? 1 : 0;
}

function pick(): Journey {
  let roll = Math.random() * 100;
  for (const [journey, weight] of Object.entries(JOURNEYS) as [Journey, number][]) {
    roll -= weight;
    if (roll < 0) return journey;
  }
  return 'FranceConnect round trip';
}

function journeysOf(options: { cluster: Topology; sequelize: Sequelize; data: Awaited<ReturnType<typeof seed>>; idp: IdpClient; publicUrl: string }) {
  const { cluster, sequelize, data, idp, publicUrl } = options;
  const stepOf = (aidant: SoakAidant) => Math.floor(Date.now() / 1000 / aidant.periodSeconds);
  /** An aidant no other virtual user holds (with a card code not yet used in this time step, when one is needed). */
  const acquire = async (needs: { code: boolean }) => {
    for (;;) {
      const free = data.aidants.filter((a) => !a.busy && a.session && (!needs.code || a.lastStep < stepOf(a)));
      const aidant = free[Math.floor(Math.random() * free.length)];
      if (aidant) {
        aidant.busy = true;
        return aidant;
      }
      await sleep(100);
    }
  };
  const codeOf = (aidant: SoakAidant) => {
    aidant.lastStep = stepOf(aidant);
    return currentCode(aidant.seed, aidant.periodSeconds);
  };
  const mailTo = async (email: string, pattern: RegExp) => {
    const until = Date.now() + 60_000;
    for (;;) {
      const found = cluster.messages().filter((m) => m.to.includes(email)).map((m) => pattern.exec(m.text)?.[1]).find(Boolean);
      if (found) return found;
      if (Date.now() > until) throw new Error(`no e-mail to ${email} within 60 s`);
      await sleep(100);
    }
  };

  const logIn = async (aidant: SoakAidant) => {
    const browser = new Browser(publicUrl);
    const form = await browser.go('/connexion');
    const asked = await browser.go('/connexion', { form: { _csrf: CSRF.exec(form.text)?.[1] ?? '', email: aidant.user.email, otp: codeOf(aidant) } });
    expectAnswer(asked, 303, 'the code form', /^\/connexion\/email-envoye$/);
    const [row] = await sequelize.query<{ text_body: string }>(
      "SELECT text_body FROM email_outbox WHERE template = 'login_link' AND recipients @> ARRAY[:email] ORDER BY created_at DESC LIMIT 1",
      { replacements: { email: aidant.user.email }, type: QueryTypes.SELECT },
    );
    const link = /(\/connexion\/lien\/[A-Za-z0-9_-]{43})/.exec(row?.text_body ?? '')?.[1];
    if (!link) throw new Error('no login link in the outbox');
    const page = await browser.go(link);
    expectAnswer(await browser.go(link, { form: { _csrf: CSRF.exec(page.text)?.[1] ?? '' } }), 303, 'the login link', /^\/espace-aidant$/);
    expectAnswer(await browser.go('/espace-aidant'), 200, 'the espace aidant');
    aidant.session = `${ESPACE_COOKIE}=${browser.cookies.get(ESPACE_COOKIE)}`;
  };

  const aidantBrowser = (aidant: SoakAidant) => {
    const browser = new Browser(publicUrl);
    const [name, value] = aidant.session!.split('=') as [string, string];
    browser.cookies.set(name, value);
    return browser;
  };

  const createMandat = async (aidant: SoakAidant) => {
    const browser = aidantBrowser(aidant);
    const form = await browser.go('/espace-aidant/mandats/nouveau');
    expectAnswer(form, 200, 'the mandat form');
    const csrf = CSRF.exec(form.text)?.[1] ?? '';
    expectAnswer(await browser.go('/espace-aidant/mandats/nouveau', { form: { _csrf: csrf, demarches: ['papiers', 'logement'], duration: 'MONTH' } }), 303, 'the choice', /franceconnect$/);
    expectAnswer(await browser.go('/espace-aidant/mandats/nouveau/franceconnect'), 200, 'the hop to FranceConnect');
    const toFc = await browser.go('/espace-aidant/mandats/nouveau/franceconnect/depart');
    expectAnswer(toFc, 303, 'the way to FranceConnect');
    const franceconnect = standInBrowser();
    const identity = TEST_IDENTITIES[Math.floor(Math.random() * TEST_IDENTITIES.length)]!.key;
    const callback = await franceconnect.login(toFc.location, identity);
    const afterCallback = await browser.go(callback.pathname + callback.search);
    expectAnswer(afterCallback, 303, 'FranceConnect’s callback');
    const back = await franceconnect.logout(afterCallback.location);
    const landing = await browser.go(back.pathname + back.search);
    expectAnswer(landing, 303, 'the way back from FranceConnect', /^\/espace-aidant\/mandats\/recapitulatif\?connexion=/);
    const recap = await browser.go(landing.location);
    expectAnswer(recap, 200, 'the recap');
    const connexion = new URL(landing.location, publicUrl).searchParams.get('connexion')!;
    const signed = await browser.go('/espace-aidant/mandats/recapitulatif', { form: { _csrf: CSRF.exec(recap.text)?.[1] ?? csrf, connexion, code: codeOf(aidant), consent: 'oui' } });
    expectAnswer(signed, 303, 'the signature', /\/confirmation$/);
    expectAnswer(await browser.go(signed.location), 200, 'the confirmation');
  };

  const submitForm = async () => {
    const browser = new Browser(publicUrl);
    const form = await browser.go('/habilitation');
    const email = `demandeur-${randomBytes(5).toString('hex')}@endurance.invalid`;
    const posted = await browser.go('/habilitation', { form: { _csrf: CSRF.exec(form.text)?.[1] ?? '', firstName: 'Léa', lastName: 'Roux', email, profession: 'Directrice', phone: '05 59 12 34 56' } });
    expectAnswer(posted, 303, 'the issuer form');
    expectAnswer(await browser.go(posted.location), 200, 'the page after the form');
    const confirm = await mailTo(email, /https?:\/\/[^/\s]+(\/habilitation\/confirmer\/[A-Za-z0-9_-]+)/);
    const confirmed = await browser.go(confirm);
    expectAnswer(confirmed, 303, 'the confirmation link');
    expectAnswer(await browser.go('/habilitation/espace'), 200, 'the demandeur’s space');
  };

  const juryLogIn = async (member: { email: string; password: string; totp: string }) => {
    const browser = new Browser(publicUrl);
    const page = await browser.go('/admin/login');
    const otp = generateSync({ secret: member.totp, period: 30, digits: 6 });
    expectAnswer(await browser.go('/admin/login', { form: { _csrf: CSRF.exec(page.text)?.[1] ?? '', email: member.email, password: member.password, otp } }), 303, 'the back-office login');
    expectAnswer(await browser.go('/admin/api/dashboard'), 200, 'the dashboard');
    return browser;
  };

  const decide = async (jury: Browser) => {
    const id = data.requests.shift();
    if (!id) throw new Error('no request left awaiting the comité (seed more)');
    const xsrf = { 'x-xsrf-token': decodeURIComponent(jury.cookies.get('XSRF-TOKEN') ?? '') };
    expectAnswer(await jury.go(`/admin/api/resources/habilitation_requests/records/${id}/show`, { headers: xsrf }), 200, 'the request in the back-office');
    const body = new FormData();
    body.append('motif', 'Dossier complet.');
    const answer = await jury.go(`/admin/api/resources/habilitation_requests/records/${id}/validate`, { body, headers: xsrf });
    expectAnswer(answer, 200, 'the validation');
    const notice = (JSON.parse(answer.text) as { notice?: { type: string; message: string } }).notice;
    if (notice?.type !== 'success') throw new Error(`the validation: ${JSON.stringify(notice)}`);
  };

  const roundTrips = new Map<SoakAidant, ReturnType<typeof acRoundTrip>>();
  let roundTripCount = 0;
  const roundTrip = async (aidant: SoakAidant) => {
    if (!roundTrips.has(aidant)) roundTrips.set(aidant, acRoundTrip(publicUrl, { cookie: aidant.session!, address: new Browser(publicUrl).address, usagerIds: aidant.usagerIds, subs: aidant.subs }, idp));
    await roundTrips.get(aidant)!(roundTripCount++);
  };

  /** The journey's duration, from the moment an aidant is free (the wait for one is not the service's). */
  const timed = async (run: () => Promise<void>) => {
    const t = performance.now();
    await run();
    return performance.now() - t;
  };
  const withAidant = async (needs: { code: boolean }, run: (aidant: SoakAidant) => Promise<void>) => {
    const aidant = await acquire(needs);
    try {
      return await timed(() => run(aidant));
    } finally {
      aidant.busy = false;
    }
  };

  return {
    logIn,
    juryLogIn,
    /** Runs one journey; answers its duration (ms). */
    async run(journey: Journey, jury: Browser): Promise<number> {
      switch (journey) {
        case 'habilitation form': return timed(submitForm);
        case 'back-office decision': return timed(() => decide(jury));
        case 'aidant login': return withAidant({ code: true }, logIn);
        case 'mandat creation': return withAidant({ code: true }, createMandat);
        case 'FranceConnect round trip': return withAidant({ code: false }, roundTrip);
      }
    },
  };
}


await main();
