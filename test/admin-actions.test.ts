// Back-office actions through the real web process (AdminJS API), the real workflows and PostgreSQL:
// decisions are offered to jury members only, and always go through the workflow.
import type { Client } from '@temporalio/client';
import supertest from 'supertest';
import { AidantOnboarding, HabilitationRequest, Issuer, JournalEntry, RequestMessage } from '../db/models/index.js';
import { workflowIdForRequest } from '../domain/habilitation.js';
import { createLifecycles } from '../services/lifecycles.js';
import { requestStatusQuery } from '../workflows/messages.js';
import { adminAgent } from './support/admin-session.js';
import { useBackOfficeStack } from './support/back-office-stack.js';
import { createStaffMember, createSubmittedRequest, createStructureWithOnboarding } from './support/factories.js';
import { ANCT_TEST_EMAIL, connectClient } from './support/temporal.js';
import { openDemandeurSpace, waitForSubject } from './support/mail.js';
import { waitFor } from './support/wait.js';

let client: Client;
let jury: Awaited<ReturnType<typeof createStaffMember>>;
let staff: typeof jury;
let tech: typeof jury;

const stack = useBackOfficeStack({
  prepare: async () => {
    [jury, staff, tech] = [await createStaffMember('anct_jury'), await createStaffMember('anct_staff'), await createStaffMember('tech_admin')];
    client = await connectClient();
  },
});
afterAll(async () => {
  await client?.connection.close();
});

async function awaitingRequest() {
  const request = await createSubmittedRequest(stack.sequelize);
  const lifecycles = createLifecycles(client, { taskQueue: stack.worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } });
  await lifecycles.startHabilitationRequest(request.id);
  const handle = client.workflow.getHandle(workflowIdForRequest(request.id));
  await waitFor('the request to await the comité', () => handle.query(requestStatusQuery), (status) => status === 'awaiting_comite');
  return request;
}

const decide = (agent: Awaited<ReturnType<typeof adminAgent>>, id: string, action: string, motif: string) =>
  agent.post(`/admin/api/resources/habilitation_requests/records/${id}/${action}`).field('motif', motif);

describe('back-office actions', () => {
  it('refuses the comité decisions to anyone but jury members and tech admins, server-side', async () => {
    const request = await awaitingRequest();
    const asStaff = await adminAgent(stack.web.url, staff.email, staff.totp);
    const res = await decide(asStaff, request.id, 'validate', 'Je ne suis pas du comité');
    expect(res.body.notice).toMatchObject({ type: 'error' });
    expect(JSON.stringify(res.body)).toMatch(/forbidden|droits/i);
    expect((await HabilitationRequest.findByPk(request.id))!.status).toBe('awaiting_comite');
  });

  it('lets a jury member refuse with a motif, through the workflow, once', async () => {
    const request = await awaitingRequest();
    const asJury = await adminAgent(stack.web.url, jury.email, jury.totp);
    const missing = await decide(asJury, request.id, 'refuse', '');
    expect(missing.body.notice).toEqual({ type: 'error', message: 'Le champ « Motif (communiqué au demandeur) » est obligatoire.' });

    const [first, second] = await Promise.all([
      decide(asJury, request.id, 'refuse', 'Structure hors périmètre'),
      decide(asJury, request.id, 'refuse', 'Structure hors périmètre'),
    ]);
    expect(first.body.notice).toEqual({ type: 'success', message: 'La demande a été refusée.' });
    expect(second.body.notice).toEqual({ type: 'success', message: 'La demande a été refusée.' });
    expect((await HabilitationRequest.findByPk(request.id))!.status).toBe('refused');
    expect(await JournalEntry.count({ where: { action: 'habilitation_request_decided', habilitationRequestId: request.id } })).toBe(1);

    const late = await decide(asJury, request.id, 'validate', 'Finalement oui');
    expect(late.body.notice.type).toBe('error');
    expect(late.body.notice.message).toContain('n’attend pas de décision du comité');
  });

  it('carries the message thread between the ANCT and the demandeur, by e-mail and on the request page', async () => {
    const request = await awaitingRequest();
    const issuer = (await Issuer.findByPk(request.issuerId))!;
    const asStaff = await adminAgent(stack.web.url, staff.email, staff.totp);
    const empty = await asStaff.post(`/admin/api/resources/habilitation_requests/records/${request.id}/sendMessage`).field('content', '');
    expect(empty.body.notice.type).toBe('error');
    const sent = await asStaff.post(`/admin/api/resources/habilitation_requests/records/${request.id}/sendMessage`).field('content', 'Pouvez-vous préciser vos horaires d’accueil ?');
    expect(sent.body.notice).toEqual({ type: 'success', message: 'Message envoyé au demandeur.' });
    const mail = await waitForSubject(issuer.email, 'Aidants Connect - Vous avez reçu un nouveau message de l’équipe Aidants Connect');
    expect(mail?.text).toContain('Pouvez-vous préciser vos horaires d’accueil ?');

    const demandeur = supertest.agent(stack.web.url);
    const landing = await openDemandeurSpace(demandeur, request.issuerId, { requestId: request.id });
    const page = await demandeur.get(landing);
    expect(page.text).toContain('Pouvez-vous préciser vos horaires d’accueil ?');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const tooShort = await demandeur.post(`${landing}/messages`).type('form').send({ _csrf: csrf, content: ' ' });
    expect(tooShort.status).toBe(400);
    expect(tooShort.text).toContain('Le message doit contenir entre 2 et 5 000 caractères.');
    const reply = await demandeur.post(`${landing}/messages`).type('form').send({ _csrf: csrf, content: 'Du lundi au vendredi, 9 h - 17 h.' });
    expect(reply.status).toBe(303);
    expect((await demandeur.get(landing)).text).toContain('Du lundi au vendredi, 9 h - 17 h.');
    expect(await RequestMessage.count({ where: { habilitationRequestId: request.id } })).toBe(2);
    expect((await waitForSubject(ANCT_TEST_EMAIL, `[Aidants Connect] Nouveau message du demandeur : ${request.name}`))?.text).toContain('9 h - 17 h');

    // The record page gathers the thread and the aidants to train.
    const shown = (await asStaff.get(`/admin/api/resources/habilitation_requests/records/${request.id}/show`)).body.record.params;
    expect(shown.thread.split('\n')).toEqual([
      expect.stringMatching(/, équipe ANCT : Pouvez-vous préciser vos horaires d’accueil \?$/),
      expect.stringMatching(/, demandeur : Du lundi au vendredi, 9 h - 17 h\.$/),
    ]);
    expect(shown.aidantsToTrain).toMatch(/^Karim Benali — aidant-[0-9a-f]+@exemple\.fr — Travailleur social$/);
  });

  it('serves the dashboard figures: requests awaiting the comité and for how long', async () => {
    const request = await awaitingRequest();
    await stack.sequelize.query(`UPDATE habilitation_requests SET submitted_at = now() - interval '400 days' WHERE id = '${request.id}'`);
    const asJury = await adminAgent(stack.web.url, jury.email, jury.totp);
    const res = await asJury.get('/admin/api/dashboard');
    expect(res.status).toBe(200);
    expect(res.body.awaitingComite).toBeGreaterThanOrEqual(1);
    expect(res.body.oldestWaitingDays).toBeGreaterThanOrEqual(400);
    expect(res.body.longestWaiting[0]).toEqual({ id: request.id, name: request.name, days: expect.any(Number) });
    // « waiting longer than the reminder delay » is one click away (the web server's delay: the default 14 days)
    expect(res.body.overdueDays).toBe(14);
    const overdue = await asJury.get(`/admin/api/resources/habilitation_requests/actions/list?${res.body.overdueRequestsFilter}&perPage=500`);
    expect((overdue.body.records as { id: string }[]).map((r) => r.id)).toContain(request.id);
    const fresh = await awaitingRequest();
    const stillOverdue = await asJury.get(`/admin/api/resources/habilitation_requests/actions/list?${res.body.overdueRequestsFilter}&perPage=500`);
    expect((stillOverdue.body.records as { id: string }[]).map((r) => r.id)).not.toContain(fresh.id);
    expect(res.body).toEqual(expect.objectContaining({ trainingsDueThisMonth: expect.any(Number), lapsedOnboardings: expect.any(Number), shipmentsInProgress: expect.any(Number) }));

    // Drafts being filled in are left out of the list unless the status filter asks for them.
    const draft = await HabilitationRequest.create({
      issuerId: request.issuerId, name: `Brouillon ${request.id}`, type: 'ccas', typeOther: null, siret: request.siret, address: null, zipcode: null, city: null,
      departmentCode: null, franceServicesNumber: null, webSite: null, missionDescription: null, referentFirstName: null, referentLastName: null,
      referentEmail: null, referentPhone: null, referentProfession: null, organisationId: null, habilitationNumber: null, submittedAt: null, decidedAt: null,
    });
    const ids = async (query: string) => ((await asJury.get(`/admin/api/resources/habilitation_requests/actions/list?perPage=500${query}`)).body.records as { id: string }[]).map((r) => r.id);
    expect(await ids('')).toContain(request.id);
    expect(await ids('')).not.toContain(draft.id);
    expect(await ids('&filters.status=draft')).toContain(draft.id);

    const list = await asJury.get('/admin/api/resources/habilitation_requests/actions/list?filters.status=awaiting_comite&sortBy=submittedAt&direction=asc');
    const row = (list.body.records as { id: string; params: Record<string, unknown> }[]).find((r) => r.id === request.id);
    expect(row?.params.daysWaiting).toBeGreaterThanOrEqual(400);
    const shown = await asJury.get(`/admin/api/resources/habilitation_requests/records/${request.id}/show`);
    expect(shown.body.record.params.daysWaiting).toBeGreaterThanOrEqual(400);
  });

  it('lists the aidants to train whose deadline falls this month in one click from the dashboard', async () => {
    const dueSoon = await createStructureWithOnboarding();
    const dueLater = await createStructureWithOnboarding();
    const now = new Date();
    const lastDayOfMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) - 3_600_000);
    await dueSoon.onboarding.update({ trainingDeadline: lastDayOfMonth });
    await dueLater.onboarding.update({ trainingDeadline: new Date(lastDayOfMonth.getTime() + 2 * 3_600_000) });
    const asStaff = await adminAgent(stack.web.url, staff.email, staff.totp);
    const { trainingsDueThisMonthFilter } = (await asStaff.get('/admin/api/dashboard')).body as { trainingsDueThisMonthFilter: string };
    const list = await asStaff.get(`/admin/api/resources/aidant_onboardings/actions/list?${trainingsDueThisMonthFilter}&perPage=500`);
    const ids = (list.body.records as { id: string }[]).map((r) => r.id);
    expect(ids).toContain(dueSoon.onboarding.id);
    expect(ids).not.toContain(dueLater.onboarding.id);
  });

  it('records a training through the onboarding workflow and refuses a future date', async () => {
    const { onboarding } = await createStructureWithOnboarding();
    await client.workflow.start('aidantOnboardingWorkflow', {
      workflowId: `aidant-onboarding/${onboarding.id}`, taskQueue: stack.worker.taskQueue,
      args: [{ onboardingId: onboarding.id, policy: { trainingDelayMonths: 2, reminderOffsetsDays: [30, 7] } }],
    });
    const asTech = await adminAgent(stack.web.url, tech.email, tech.totp);
    const path = `/admin/api/resources/aidant_onboardings/records/${onboarding.id}/recordTraining`;
    const future = await asTech.post(path).field('trainingDate', '2999-01-01');
    expect(future.body.notice).toEqual({ type: 'error', message: 'La date de formation ne peut pas être dans le futur.' });
    const ok = await asTech.post(path).field('trainingDate', new Date().toISOString().slice(0, 10));
    expect(ok.body.notice.type).toBe('success');
    // Polled with the suite's generous bound: the workflow applies the training on its worker, later on a loaded machine.
    await waitFor('the onboarding to reach card shipping', async () => (await AidantOnboarding.findByPk(onboarding.id))!.status, (status) => status === 'card_shipping');
    await client.workflow.getHandle(`aidant-onboarding/${onboarding.id}`).terminate('end of test');
  });

  it('refuses an impossible training date before the workflow, and cancels a lapsed onboarding it offers to cancel', async () => {
    const asTech = await adminAgent(stack.web.url, tech.email, tech.totp);
    const { onboarding } = await createStructureWithOnboarding();
    // A training delay of zero months: the deadline is the start, the onboarding lapses at once.
    const handle = await client.workflow.start('aidantOnboardingWorkflow', {
      workflowId: `aidant-onboarding/${onboarding.id}`, taskQueue: stack.worker.taskQueue,
      args: [{ onboardingId: onboarding.id, policy: { trainingDelayMonths: 0, reminderOffsetsDays: [] } }],
    });
    const record = `/admin/api/resources/aidant_onboardings/records/${onboarding.id}`;
    const impossible = await asTech.post(`${record}/recordTraining`).field('trainingDate', '2026-02-30');
    expect(impossible.body.notice).toEqual({ type: 'error', message: 'La date de formation n’existe pas.' });

    await waitFor('the onboarding lapsed', async () => (await AidantOnboarding.findByPk(onboarding.id))!.status, (s) => s === 'lapsed');
    const shown = await asTech.get(`${record}/show`);
    expect((shown.body.record.recordActions as { name: string }[]).map((a) => a.name)).toContain('cancel');
    const cancelled = await asTech.post(`${record}/cancel`).field('reason', 'La structure renonce');
    expect(cancelled.body.notice).toEqual({ type: 'success', message: 'Habilitation annulée.' });
    expect(await handle.result()).toBe('cancelled');
    expect((await AidantOnboarding.findByPk(onboarding.id))!).toMatchObject({ status: 'cancelled', cancelReason: 'La structure renonce' });
  });
});
