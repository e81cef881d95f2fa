// The per-address limit on public POSTs, counted in PostgreSQL: two application instances on two connection
// pools (as two web processes would be) share the counters; a client address comes from X-Forwarded-For only
// when TRUST_PROXY says a proxy is in front.
import request from 'supertest';
import type { Client } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import { createLogger } from '../infra/logger.js';
import { createLifecycles } from '../services/lifecycles.js';
import { createApp } from '../server/app.js';
import { testConfig, testSequelize } from './support/env.js';
import { connectClient } from './support/temporal.js';

let pools: Sequelize[] = [];
let client: Client;

beforeAll(async () => {
  client = await connectClient();
});
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
  await client.connection.close();
});

function appWith(env: Record<string, string>) {
  const sequelize = testSequelize();
  pools.push(sequelize);
  return createApp({
    config: testConfig(env), sequelize, temporal: client, log: createLogger('test', 'error'),
    lifecycles: createLifecycles(client, { taskQueue: 'unused', habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } }),
  });
}

/** A form post that needs nothing but the limit: an invalid address answers 400 without touching anything. */
async function post(app: ReturnType<typeof createApp>, forwardedFor?: string) {
  const agent = request.agent(app);
  const page = agent.get('/habilitation/suivre');
  if (forwardedFor) page.set('X-Forwarded-For', forwardedFor);
  const csrf = /name="_csrf" value="([^"]+)"/.exec((await page).text)![1];
  const sent = agent.post('/habilitation/suivre').type('form').send({ _csrf: csrf, email: 'pas-une-adresse' });
  if (forwardedFor) sent.set('X-Forwarded-For', forwardedFor);
  return sent;
}

const randomIp = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}`;

describe('the limit on public POSTs', () => {
  it('is shared by two web processes on one database, answers a French 429 past the limit, and counts each address apart', async () => {
    const env = { TRUST_PROXY: '1', POST_RATE_LIMIT: '3', POST_RATE_WINDOW: '10 minutes' };
    const [first, second] = [appWith(env), appWith(env)];
    const ip = randomIp();
    await pools[0]!.query('DELETE FROM rate_limit_hits WHERE key LIKE :key', { replacements: { key: `%${ip}%` } });
    expect((await post(first, ip)).status).toBe(400);
    expect((await post(second, ip)).status).toBe(400);
    expect((await post(first, ip)).status).toBe(400);

    const refused = await post(second, ip);
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('Trop de demandes');
    expect(refused.text).toContain('<html lang="fr"');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    // Someone else, behind the same proxy, is not affected.
    expect((await post(first, '203.0.113.7')).status).toBe(400);
    // GET pages are not limited.
    expect((await request(first).get('/habilitation/suivre').set('X-Forwarded-For', ip)).status).toBe(200);
  });

  it('ignores X-Forwarded-For when TRUST_PROXY is not set: a client cannot escape the limit by forging it', async () => {
    const app = appWith({ POST_RATE_LIMIT: '2' });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await post(app, randomIp())).status);
    expect(statuses.at(-1)).toBe(429);
  });
});
