// The web application when PostgreSQL is down. A file of its own: models are bound to one database per
// module registry, and jest gives each test file its own.
import request from 'supertest';
import type { Client } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import { createSequelize } from '../db/sequelize.js';
import { createLogger } from '../infra/logger.js';
import { createLifecycles } from '../services/lifecycles.js';
import { createApp } from '../server/app.js';
import { testConfig } from './support/env.js';
import { connectClient } from './support/temporal.js';

let down: Sequelize;
let client: Client;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  down = createSequelize('postgres://nobody:secret@127.0.0.1:1/none', { poolMax: 1 });
  client = await connectClient();
  app = createApp({
    config: testConfig(), sequelize: down, temporal: client, log: createLogger('test', 'error'),
    lifecycles: createLifecycles(client, { taskQueue: 'unused', habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } }),
  });
});
afterAll(async () => {
  await client.connection.close();
  await down.close();
});

describe('with the database down', () => {
  it('/health answers 503 and says the database is unavailable, without naming its address, while Temporal is fine', async () => {
    const res = await request(app).get('/health');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('degraded');
    expect(res.body.database).toEqual({ status: 'down', error: 'indisponible' });
    expect(res.body.temporal).toEqual({ status: 'ok' });
    expect(res.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|:1\b/);
  });

  it('pages answer a French 503 page saying the service is briefly unavailable, without internal detail', async () => {
    const res = await request(app).get('/habilitation/lien/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.text).toContain('Service momentanément indisponible');
    expect(res.text).not.toContain('Erreur inattendue');
    expect(res.text).not.toMatch(/\bat .+\.(ts|js):\d+/);
    expect(res.text).not.toMatch(/ECONNREFUSED|Sequelize|secret/);
  });

  it('never writes the token of a private or confirmation link in a log line', async () => {
    const lines: string[] = [];
    const capture = (message: string, fields?: Record<string, unknown>) => { lines.push(`${message} ${JSON.stringify(fields ?? {})}`); };
    const logged = createApp({
      config: testConfig(), sequelize: down, temporal: client, log: { debug: capture, info: capture, warn: capture, error: capture },
      lifecycles: createLifecycles(client, { taskQueue: 'unused', habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } }),
    });
    const token = 'Zyxwvutsrqponmlkjihgfedcba9876543210ABCDEFG';
    for (const path of [`/habilitation/lien/${token}`, `/habilitation/confirmer/${token}`]) {
      expect((await request(logged).get(path)).status).toBeGreaterThanOrEqual(500); // the failure path, which logs
    }
    expect(lines.join('\n')).not.toContain(token);
  });

  it('a form posted meanwhile comes back in a page that sends the same fields again, never a password or a token', async () => {
    const agent = request.agent(app);
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await agent.get('/habilitation')).text)![1]!;
    const typed = { firstName: 'Élise', lastName: 'Durand "la grande"', email: 'elise.durand@mairie-rioux.fr', profession: 'Secrétaire de mairie', phone: '01 23 45 67 89' };
    const res = await agent.post('/habilitation').type('form').send({ _csrf: csrf, ...typed, password: 'ne-pas-renvoyer' });
    expect(res.status).toBe(503);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('Renvoyer le formulaire');
    const form = /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(res.text);
    expect(form?.[1]).toBe('/habilitation');
    const hidden = Object.fromEntries([...form![2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], decode(m[2]!)]));
    expect(hidden).toEqual({ _csrf: csrf, ...typed });

    // Sent again as it is, the form reaches the same route (CSRF accepted): still 503 while the database is down.
    const again = await agent.post(form![1]!).type('form').send(hidden);
    expect(again.status).toBe(503);
    expect(again.text).toContain('Renvoyer le formulaire');
  });
});

const decode = (text: string) => text.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))
  .replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
