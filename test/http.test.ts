// The Express application in-process (supertest), on real PostgreSQL and a real Temporal server and worker.
import request from 'supertest';
import type { Client } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import { HabilitationRequest } from '../db/models/index.js';
import { createLogger } from '../infra/logger.js';
import { createLifecycles, resumeSubmittedDrafts } from '../services/lifecycles.js';
import { createApp } from '../server/app.js';
import { testConfig, testSequelize, unique } from './support/env.js';
import { createJuryMember, validFormBody } from './support/factories.js';
import { confirmationPath, mailsTo, waitForMails } from './support/mail.js';
import { connectClient, startTestWorker, unreachableClient } from './support/temporal.js';

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

  it('stores a valid request, asks the demandeur to confirm their e-mail, then starts its lifecycle', async () => {
    const agent = request.agent(appWith());
    const token = csrfFrom((await agent.get('/habilitation')).text);
    const body = validFormBody();
    const res = await agent.post('/habilitation').type('form').send({ ...body, _csrf: token });
    expect(res.status).toBe(303);
    const id = /\/habilitation\/demandes\/([0-9a-f-]{36})\/confirmation$/.exec(res.headers.location)![1];
    expect((await agent.get(res.headers.location)).text).toContain('Confirmez votre adresse e-mail');
    expect((await HabilitationRequest.findByPk(id))!).toMatchObject({ status: 'draft', submittedAt: null });

    const link = await confirmationPath(body.issuerEmail);
    expect((await waitForMails(body.issuerEmail, 1))[0].subject).toBe('Aidants Connect - Confirmez votre adresse e-mail pour votre demande d’habilitation');
    const confirmed = await agent.get(link);
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.location).toBe(`/habilitation/demandes/${id}`);
    const mails = await waitForMails(body.issuerEmail, 2);
    expect(mails.map((m) => m.subject)).toContain('Aidants Connect - Votre demande d’habilitation a été soumise');
    expect((await HabilitationRequest.findByPk(id))!.status).toBe('awaiting_comite');
    const page = await agent.get(`/habilitation/demandes/${id}`);
    expect(page.text).toContain('En attente de la décision du comité');
    expect(page.text).toContain('Karim Benali');

    // clicking the link again is harmless
    expect((await agent.get(link)).headers.location).toBe(`/habilitation/demandes/${id}`);
    await new Promise((r) => setTimeout(r, 500));
    expect(await mailsTo(body.issuerEmail)).toHaveLength(2);
  });

  it('lets the demandeur correct and resubmit a request after the comité asks for changes', async () => {
    const app = appWith();
    const agent = request.agent(app);
    const body = validFormBody();
    let token = csrfFrom((await agent.get('/habilitation')).text);
    const created = await agent.post('/habilitation').type('form').send({ ...body, _csrf: token });
    const id = /demandes\/([0-9a-f-]{36})/.exec(created.headers.location)![1];
    await agent.get(await confirmationPath(body.issuerEmail));
    for (let i = 0; i < 100 && (await HabilitationRequest.findByPk(id))!.status !== 'awaiting_comite'; i += 1) await new Promise((r) => setTimeout(r, 100));
    const lifecycles = createLifecycles(client, { taskQueue: worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } });
    const jury = await createJuryMember();
    await lifecycles.decideHabilitationRequest(id, { decision: 'require_changes', motif: 'Merci de préciser le nom exact de la structure.', juryMemberId: jury.id });

    const status = await agent.get(`/habilitation/demandes/${id}`);
    expect(status.text).toContain('Merci de préciser le nom exact de la structure.');
    expect(status.text).toContain(`/habilitation/demandes/${id}/modifier`);
    const form = await agent.get(`/habilitation/demandes/${id}/modifier`);
    expect(form.text).toContain(`value="${body.structureName}"`); // prefilled with what was submitted
    token = csrfFrom(form.text);
    const invalid = await agent.post(`/habilitation/demandes/${id}/modifier`).type('form').send({ ...body, siret: '123', _csrf: token });
    expect(invalid.status).toBe(400);
    const resubmitted = await agent.post(`/habilitation/demandes/${id}/modifier`).type('form').send({ ...body, structureName: 'CCAS d’Anglet (Pyrénées-Atlantiques)', _csrf: token });
    expect(resubmitted.status).toBe(303);
    for (let i = 0; i < 100 && (await HabilitationRequest.findByPk(id))!.status !== 'awaiting_comite'; i += 1) await new Promise((r) => setTimeout(r, 100));
    expect((await HabilitationRequest.findByPk(id))!).toMatchObject({ status: 'awaiting_comite', name: 'CCAS d’Anglet (Pyrénées-Atlantiques)' });
    expect((await agent.get(`/habilitation/demandes/${id}/modifier`)).headers.location).toBe(`/habilitation/demandes/${id}`);
    expect(await lifecycles.decideHabilitationRequest(id, { decision: 'validate', motif: 'Merci, dossier complet.', juryMemberId: jury.id })).toEqual({ status: 'validated' });
  });

  it('answers a known e-mail with the same page and a reminder of the demandeur’s profile', async () => {
    const agent = request.agent(appWith());
    const first = validFormBody();
    let token = csrfFrom((await agent.get('/habilitation')).text);
    const firstRes = await agent.post('/habilitation').type('form').send({ ...first, _csrf: token });
    await agent.get(await confirmationPath(first.issuerEmail));
    const firstId = /demandes\/([0-9a-f-]{36})/.exec(firstRes.headers.location)![1];

    token = csrfFrom((await agent.get('/habilitation')).text);
    const second = await agent.post('/habilitation').type('form').send({ ...validFormBody({ issuerEmail: first.issuerEmail, structureName: 'Mairie de Rioux' }), _csrf: token });
    expect(second.status).toBe(303);
    const secondPage = await agent.get(second.headers.location);
    expect(secondPage.text).toContain('Un e-mail vient d’être envoyé à l’adresse indiquée');
    const reminder = (await waitForMails(first.issuerEmail, 3)).find((m) => m.subject === 'Aidants Connect - Rappel de votre profil demandeur');
    expect(reminder?.text).toContain(`/habilitation/demandes/${firstId}`);
    expect(reminder?.text).toContain('/habilitation/confirmer/');
  });

  it('refuses an expired or unknown confirmation link, and lets the demandeur ask for a new one', async () => {
    const agent = request.agent(appWith());
    const body = validFormBody();
    const token = csrfFrom((await agent.get('/habilitation')).text);
    const res = await agent.post('/habilitation').type('form').send({ ...body, _csrf: token });
    const id = /demandes\/([0-9a-f-]{36})/.exec(res.headers.location)![1];
    const link = await confirmationPath(body.issuerEmail);
    await sequelize.query(`UPDATE issuer_email_confirmations SET expires_at = now() - interval '1 minute' WHERE habilitation_request_id = '${id}'`);
    const expired = await agent.get(link);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('Ce lien de confirmation a expiré');
    expect((await agent.get('/habilitation/confirmer/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG')).status).toBe(404);

    const resend = await agent.post(`/habilitation/demandes/${id}/renvoyer`).type('form').send({ _csrf: csrfFrom(expired.text) });
    expect(resend.status).toBe(303);
    const fresh = await confirmationPath(body.issuerEmail, 2);
    expect(fresh).not.toBe(link);
    expect((await agent.get(fresh)).headers.location).toBe(`/habilitation/demandes/${id}`);
  });

  it('keeps the request when Temporal is unreachable, then transmits it', async () => {
    const unreachable = unreachableClient();
    const down = request.agent(appWith({ client: unreachable }));
    const body = validFormBody({ structureName: `Mairie ${unique()}` });
    let token = csrfFrom((await down.get('/habilitation')).text);
    const res = await down.post('/habilitation').type('form').send({ ...body, _csrf: token });
    expect(res.status).toBe(503);
    expect(res.text).toContain('Votre demande est bien enregistrée');
    const stored = (await HabilitationRequest.findOne({ where: { name: body.structureName } }))!;
    expect(stored.status).toBe('draft');

    // The demandeur asks again once Temporal answers; confirming while it is down again keeps the request too.
    const up = request.agent(appWith());
    token = csrfFrom((await up.get('/habilitation')).text);
    await up.post(`/habilitation/demandes/${stored.id}/renvoyer`).type('form').send({ _csrf: token });
    const link = await confirmationPath(body.issuerEmail);
    const confirmedWhileDown = await down.get(link);
    expect(confirmedWhileDown.status).toBe(503);
    expect((await stored.reload()).submittedAt).not.toBeNull();
    // The start-up sweep transmits it (exactly once: one lifecycle per request).
    await resumeSubmittedDrafts(createLifecycles(client, { taskQueue: worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } }));
    expect((await waitForMails(body.issuerEmail, 2)).map((m) => m.subject)).toContain('Aidants Connect - Votre demande d’habilitation a été soumise');
    expect((await stored.reload()).status).toBe('awaiting_comite');
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
    const unreachable = unreachableClient();
    const res = await request(appWith({ client: unreachable })).get('/health');
    expect(res.status).toBe(503);
    expect(res.body.database.status).toBe('ok');
    expect(res.body.temporal.status).toBe('down');
  });
});
