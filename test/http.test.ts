// The Express application in-process (supertest), on real PostgreSQL and a real Temporal server and worker.
import request from 'supertest';
import type { Client } from '@temporalio/client';
import { createLogger } from '../infra/logger.js';
import { createLifecycles } from '../services/lifecycles.js';
import { createApp } from '../server/app.js';
import { Issuer } from '../db/models/index.js';
import { testConfig, unique } from './support/env.js';
import { validStepBodies } from './support/factories.js';
import { unreachableClient, useWorkerStack } from './support/temporal.js';

const stack = useWorkerStack();
const log = createLogger('test', 'error');

const appWith = (overrides: { client?: Client; devTools?: boolean } = {}) => {
  const temporal = overrides.client ?? stack.client;
  return createApp({
    config: testConfig({ DEV_TOOLS: String(overrides.devTools ?? true) }), sequelize: stack.sequelize, temporal, log,
    lifecycles: createLifecycles(temporal, { taskQueue: stack.worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } }),
  });
};

describe('public pages', () => {
  it('serves the home page in French with the DSFR', async () => {
    const res = await request(appWith()).get('/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<html lang="fr"');
    expect(res.text).toContain('/dsfr/dsfr.min.css');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect((await request(appWith()).get('/dsfr/dsfr.min.css')).status).toBe(200);
  });

  it('answers a French 404 page', async () => {
    const res = await request(appWith()).get('/nulle-part');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Page introuvable');
    expect((await request(appWith()).get('/habilitation/demandes/pas-un-identifiant')).status).toBe(404);
    expect((await request(appWith()).get('/habilitation/demandeur/7026ed93-cba3-4a60-ba5e-dcf4f4140efd')).status).toBe(404);
  });

  it('refuses a form posted without its CSRF token, in French', async () => {
    const res = await request(appWith()).post('/habilitation').type('form').send(validStepBodies().issuer);
    expect(res.status).toBe(403);
    expect(res.text).toContain('Votre session a expiré');
  });

  it('answers 400 to a malformed or oversized body', async () => {
    const res = await request(appWith()).post('/habilitation').type('form').send(`x=${'a'.repeat(200_000)}`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Requête incorrecte');
  });

  it('serves the demo codes page only when development tools are enabled', async () => {
    const demo = await Issuer.create({ email: `${unique('demandeur-')}@mairie.demo`, firstName: 'Nadia', lastName: 'Démo', profession: 'Secrétaire', phone: null, emailVerifiedAt: new Date() });
    const page = await request(appWith({ devTools: true })).get('/dev/codes');
    expect(page.status).toBe(200);
    // The demo demandeur's space, one click away, through a private link minted for the page.
    const link = new RegExp(`href="http://localhost:3000(/habilitation/lien/[A-Za-z0-9_-]{43})">Nadia Démo \\(${demo.email}\\)`).exec(page.text);
    expect(link).not.toBeNull();
    expect(page.text).not.toContain(demo.id);
    const agent = request.agent(appWith());
    expect((await agent.get(link![1])).headers.location).toBe('/habilitation/espace');
    expect((await agent.get('/habilitation/espace')).text).toContain(`Nadia Démo (${demo.email})`);
    expect((await request(appWith({ devTools: false })).get('/dev/codes')).status).toBe(404);
  });
});

describe('/health', () => {
  it('reports the database and Temporal separately', async () => {
    const res = await request(appWith()).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: { status: 'ok' }, temporal: { status: 'ok' } });
  });

  it('answers 503 when Temporal is down', async () => {
    const unreachable = unreachableClient();
    const res = await request(appWith({ client: unreachable })).get('/health');
    expect(res.status).toBe(503);
    expect(res.body.database.status).toBe('ok');
    expect(res.body.temporal.status).toBe('down');
  });
});
