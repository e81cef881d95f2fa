// The back-office login on two real web processes sharing one database: a TOTP code is accepted once, and
// failed attempts are counted across processes (a load balancer must not multiply the allowed guesses), per
// (address, client IP) and per client IP, so that nobody can lock someone else out. The servers trust one
// proxy (TRUST_PROXY=1): X-Forwarded-For plays the client's address.
import request from 'supertest';
import { generateSync } from 'otplib';
import { QueryTypes, type Sequelize } from 'sequelize';
import { DEMO_PASSWORD } from '../services/demo-data.js';
import { LOGIN_POLICY } from '../services/login-guard.js';
import { testSequelize } from './support/env.js';
import { createStaffMember } from './support/factories.js';
import { startTestWorker } from './support/temporal.js';
import { freePort } from './support/test-stack.js';
import { startWebServer } from './support/web-server.js';

let sequelize: Sequelize;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
let first: Awaited<ReturnType<typeof startWebServer>>;
let second: typeof first;

beforeAll(async () => {
  sequelize = testSequelize();
  worker = await startTestWorker({ sequelize });
  [first, second] = await Promise.all([
    startWebServer({ port: await freePort(), taskQueue: worker.taskQueue, env: { TRUST_PROXY: '1' } }),
    startWebServer({ port: await freePort(), taskQueue: worker.taskQueue, env: { TRUST_PROXY: '1' } }),
  ]);
}, 180_000);
afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  await worker?.stop();
  await sequelize?.close();
});

async function logIn(baseUrl: string, email: string, password: string, otp: string, ip = '192.0.2.1') {
  const agent = request.agent(baseUrl);
  const csrf = /name="_csrf" value="([^"]+)"/.exec((await agent.get('/admin/login')).text)![1];
  return agent.post('/admin/login').set('X-Forwarded-For', ip).type('form').send({ _csrf: csrf, email, password, otp });
}

let lastIp = 0;
/** A client address of its own for each scenario (the counters live in the shared test database). */
const newIp = () => `198.18.${Math.floor(Math.random() * 250)}.${(lastIp += 1) % 250 + 1}`;
const failuresOf = async (key: string, ip: string) =>
  Number((await sequelize.query<{ n: string }>('SELECT count(*) AS n FROM login_failures WHERE key = :key AND ip = :ip', { replacements: { key, ip }, plain: true, type: QueryTypes.SELECT }))?.n);

describe('back-office login', () => {
  it('accepts a TOTP code once, on whichever web process it is replayed, then takes the next code', async () => {
    const person = await createStaffMember('anct_staff');
    const now = Math.floor(Date.now() / 1000);
    const code = generateSync({ secret: person.totp, period: 30, digits: 6, epoch: now });
    expect((await logIn(first.url, person.email, DEMO_PASSWORD, code)).status).toBe(303);

    const replayed = await logIn(second.url, person.email, DEMO_PASSWORD, code);
    expect(replayed.status).toBe(401);
    expect(replayed.text).toContain('Ce code a déjà été utilisé : attendez le suivant.');
    const next = generateSync({ secret: person.totp, period: 30, digits: 6, epoch: now + 30 });
    expect((await logIn(second.url, person.email, DEMO_PASSWORD, next)).status).toBe(303);
  });

  it('counts failed attempts per address and IP across web processes: the attacker’s IP is refused, the person from theirs is not', async () => {
    const victim = await createStaffMember('anct_jury');
    const attacker = newIp();
    const home = newIp();
    for (let i = 0; i < LOGIN_POLICY.maxFailures; i += 1) {
      const server = i % 2 === 0 ? first : second;
      expect((await logIn(server.url, victim.email, 'mauvais mot de passe', '000000', attacker)).status).toBe(401);
    }
    expect(await failuresOf(victim.email, attacker)).toBe(LOGIN_POLICY.maxFailures);
    const now = Math.floor(Date.now() / 1000);
    const code = generateSync({ secret: victim.totp, period: 30, digits: 6, epoch: now });
    const blocked = await logIn(second.url, victim.email, DEMO_PASSWORD, code, attacker);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Trop de tentatives de connexion. Réessayez dans quelques minutes.');

    // The person, from their own address, logs in: someone else's failures do not lock them out.
    expect((await logIn(first.url, victim.email, DEMO_PASSWORD, code, home)).status).toBe(303);
    // ... and that success does not clear the attacker's counter.
    expect(await failuresOf(victim.email, attacker)).toBeGreaterThanOrEqual(LOGIN_POLICY.maxFailures);

    // Once the window has passed, the right credentials work again from that address and its counter is cleared.
    await sequelize.query(`UPDATE login_failures SET created_at = created_at - interval '${LOGIN_POLICY.windowMs / 1000 + 1} seconds' WHERE ip = :ip`, { replacements: { ip: attacker } });
    const next = generateSync({ secret: victim.totp, period: 30, digits: 6, epoch: now + 30 });
    expect((await logIn(first.url, victim.email, DEMO_PASSWORD, next, attacker)).status).toBe(303);
    expect(await failuresOf(victim.email, attacker)).toBe(0);
  });

  it('refuses an IP that failed too often across many addresses, on every web process, and only that IP', async () => {
    const sprayer = newIp();
    for (let i = 0; i < LOGIN_POLICY.maxFailuresPerIp; i += 1) {
      const server = i % 2 === 0 ? first : second;
      expect((await logIn(server.url, `personne-${i}-${sprayer}@anct.invalid`, 'mauvais mot de passe', '000000', sprayer)).status).toBe(401);
    }
    const person = await createStaffMember('anct_staff');
    const code = generateSync({ secret: person.totp, period: 30, digits: 6 });
    expect((await logIn(second.url, person.email, DEMO_PASSWORD, code, sprayer)).status).toBe(429);
    expect((await logIn(first.url, person.email, DEMO_PASSWORD, code, newIp())).status).toBe(303);
  });
});
