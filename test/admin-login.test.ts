// The back-office login on two real web processes sharing one database: a TOTP code is accepted once, and
// failed attempts are counted across processes (a load balancer must not multiply the allowed guesses).
import request from 'supertest';
import { generateSync } from 'otplib';
import type { Sequelize } from 'sequelize';
import { LoginFailure } from '../db/models/index.js';
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
    startWebServer({ port: await freePort(), taskQueue: worker.taskQueue }),
    startWebServer({ port: await freePort(), taskQueue: worker.taskQueue }),
  ]);
}, 180_000);
afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  await worker?.stop();
  await sequelize?.close();
});

async function logIn(baseUrl: string, email: string, password: string, otp: string) {
  const agent = request.agent(baseUrl);
  const csrf = /name="_csrf" value="([^"]+)"/.exec((await agent.get('/admin/login')).text)![1];
  return agent.post('/admin/login').type('form').send({ _csrf: csrf, email, password, otp });
}

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

  it('counts failed attempts across web processes and then refuses even the right code', async () => {
    const person = await createStaffMember('anct_jury');
    const other = await createStaffMember('anct_jury');
    for (let i = 0; i < LOGIN_POLICY.maxFailures; i += 1) {
      const server = i % 2 === 0 ? first : second;
      expect((await logIn(server.url, person.email, 'mauvais mot de passe', '000000')).status).toBe(401);
    }
    expect(await LoginFailure.count({ where: { key: person.email } })).toBe(LOGIN_POLICY.maxFailures);
    const code = generateSync({ secret: person.totp, period: 30, digits: 6 });
    const blocked = await logIn(second.url, person.email, DEMO_PASSWORD, code);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Trop de tentatives de connexion. Réessayez dans quelques minutes.');
    // Someone else is not affected.
    expect((await logIn(first.url, other.email, DEMO_PASSWORD, generateSync({ secret: other.totp, period: 30, digits: 6 }))).status).toBe(303);

    // Once the window has passed, the right credentials work again and the counter is cleared.
    await sequelize.query(`UPDATE login_failures SET created_at = created_at - interval '${LOGIN_POLICY.windowMs / 1000 + 1} seconds' WHERE key = '${person.email}'`);
    expect((await logIn(first.url, person.email, DEMO_PASSWORD, code)).status).toBe(303);
    expect(await LoginFailure.count({ where: { key: person.email } })).toBe(0);
  });
});
