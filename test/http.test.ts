// The Express application in-process (supertest), on real PostgreSQL and a real Temporal server and worker.
import request from 'supertest';
import { Client, Connection } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import { HabilitationRequest } from '../db/models/index.js';
import { createLogger } from '../infra/logger.js';
import { createLifecycles, resumeSubmittedDrafts } from '../services/lifecycles.js';
import { createApp } from '../server/app.js';
import { testConfig, testSequelize, unique } from './support/env.js';
import { validFormBody } from './support/factories.js';
import { waitForMails } from './support/mail.js';
import { connectClient, startTestWorker } from './support/temporal.js';

let sequelize: Sequelize;
let client: Client;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
const log = createLogger('test', 'error');

const appWith = (overrides: { client?: Client; devTools?: boolean } = {}) => {
  const temporal = overrides.client ?? client;
  return createApp({
    config: testConfig({ DEV_TOOLS: String(overrides.devTools ?? true) }), sequelize, temporal, log,
    lifecycles: createLifecycles(temporal, { taskQueue: worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } }),
  });
};

beforeAll(async () => {
  sequelize = testSequelize();
  client = await connectClient();
  worker = await startTestWorker({ sequelize });
});
afterAll(async () => {
  await worker.stop();
  await client.connection.close();
  await sequelize.close();
});

const csrfFrom = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];

describe('public pages', () => {
  it('serves the home page in French with the DSFR', async () => {
    const res = await request(appWith()).get('/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<html lang="fr"');
    expect(res.text).toContain('/dsfr/dsfr.min.css');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect((await request(appWith()).get('/dsfr/dsfr.min.css')).status).toBe(200);
  });

  it('answers a French 404 page', async () => {
    const res = await request(appWith()).get('/nulle-part');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Page introuvable');
    expect((await request(appWith()).get('/habilitation/demandes/pas-un-identifiant')).status).toBe(404);
  });

  it('refuses a form posted without its CSRF token, in French', async () => {
    const res = await request(appWith()).post('/habilitation').type('form').send(validFormBody());
    expect(res.status).toBe(403);
    expect(res.text).toContain('Votre session a expiré');
  });

  it('answers 400 to a malformed or oversized body', async () => {
    const res = await request(appWith()).post('/habilitation').type('form').send(`x=${'a'.repeat(200_000)}`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Requête incorrecte');
  });

  it('shows each error next to its field and keeps what was typed', async () => {
    const agent = request.agent(appWith());
    const token = csrfFrom((await agent.get('/habilitation')).text);
    const res = await agent.post('/habilitation').type('form').send({ ...validFormBody({ siret: '78234567800019', structureName: 'Mairie <de> Rioux' }), pledge_dpo: '', _csrf: token });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<title>Erreur dans le formulaire - Demande d’habilitation');
    expect(res.text).toMatch(/id="field-siret"[^>]*aria-invalid="true"/);
    expect(res.text).toContain('<p id="field-siret-error" class="fr-error-text">Ce numéro SIRET n’est pas valide : vérifiez les 14 chiffres.</p>');
    expect(res.text).toContain('id="field-pledge_dpo-error"');
    expect(res.text).toContain('value="Mairie &lt;de&gt; Rioux"');
    expect(res.text).toContain('value="78234567800019"');
  });

  it('stores a valid request, starts its lifecycle and shows its private status page', async () => {
    const agent = request.agent(appWith());
    const token = csrfFrom((await agent.get('/habilitation')).text);
    const body = validFormBody();
    const res = await agent.post('/habilitation').type('form').send({ ...body, _csrf: token });
    expect(res.status).toBe(303);
    const id = /\/habilitation\/demandes\/([0-9a-f-]{36})$/.exec(res.headers.location)![1];
    expect(await waitForMails(body.issuerEmail, 1)).toHaveLength(1);
    expect((await HabilitationRequest.findByPk(id))!.status).toBe('awaiting_comite');
    const page = await agent.get(res.headers.location);
    expect(page.status).toBe(200);
    expect(page.text).toContain('En attente de la décision du comité');
  });

  it('keeps the request when Temporal is unreachable and says so', async () => {
    const unreachable = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1 second' }) });
    const agent = request.agent(appWith({ client: unreachable }));
    const token = csrfFrom((await agent.get('/habilitation')).text);
    const body = validFormBody({ structureName: `Mairie ${unique()}` });
    const res = await agent.post('/habilitation').type('form').send({ ...body, _csrf: token });
    expect(res.status).toBe(503);
    expect(res.text).toContain('Votre demande est bien enregistrée');
    const stored = await HabilitationRequest.findOne({ where: { name: body.structureName } });
    expect(stored!.submittedAt).not.toBeNull();
    // Once Temporal answers again, the start-up sweep transmits it (exactly once: one lifecycle per request).
    await resumeSubmittedDrafts(createLifecycles(client, { taskQueue: worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } }));
    expect(await waitForMails(body.issuerEmail, 1)).toHaveLength(1);
    expect((await stored!.reload()).status).toBe('awaiting_comite');
  });

  it('serves the demo codes page only when development tools are enabled', async () => {
    expect((await request(appWith({ devTools: true })).get('/dev/codes')).status).toBe(200);
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
    const unreachable = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1 second' }) });
    const res = await request(appWith({ client: unreachable })).get('/health');
    expect(res.status).toBe(503);
    expect(res.body.database.status).toBe('ok');
    expect(res.body.temporal.status).toBe('down');
  });
});
