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
  it('/health answers 503 and names the database, while Temporal is fine', async () => {
    const res = await request(app).get('/health');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('degraded');
    expect(res.body.database.status).toBe('down');
    expect(res.body.temporal).toEqual({ status: 'ok' });
  });

  it('pages answer a French 500 page without a stack trace or internal detail', async () => {
    const res = await request(app).get('/habilitation/lien/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
    expect(res.status).toBe(500);
    expect(res.text).toContain('Erreur inattendue');
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
});
