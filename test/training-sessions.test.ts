// Training registrations in the espace référent, through the real app, PostgreSQL, a real worker delivering
// the e-mails to the mail sink: register, change, cancel, each journaled and e-mailed to the aidant and every
// référent greeted by name; a full, closed, started or too late session refused in French next to the field,
// even when two référents register at once; another structure's aidant answers 404; the invitation and the
// reminders lead référents to these pages.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { Express } from 'express';
import type { Client } from '@temporalio/client';
import { AidantOnboarding, JournalEntry, TrainingRegistration, TrainingSession, type Organisation, type User } from '../db/models/index.js';
import { workflowIdForOnboarding } from '../domain/habilitation.js';
import { renderContext, renderEmail } from '../emails/render.js';
import { createLogger } from '../infra/logger.js';
import { createApp } from '../server/app.js';
import { createLifecycles } from '../services/lifecycles.js';
import { cancelRegistration, registerToSession, type TrainingDeps } from '../services/training-sessions.js';
import { cancelOnboardingUpdate } from '../workflows/messages.js';
import { testConfig, unique } from './support/env.js';
import { createPerson, createStructure, csrfOf, espaceCookie } from './support/espace.js';
import { createStaffMember } from './support/factories.js';
import { axeViolations, launchChromium } from './support/browser.js';
import { waitForSubject } from './support/mail.js';
import { useWorkerStack } from './support/temporal.js';

const stack = useWorkerStack();
const config = testConfig();
const DAY = 86_400_000;
let app: Express;
let client: Client;
let staffId: string;

beforeAll(async () => {
  client = stack.client;
  const lifecycles = createLifecycles(client, { taskQueue: stack.worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } });
  app = createApp({ config, sequelize: stack.sequelize, temporal: client, lifecycles, log: createLogger('test', 'error') });
  staffId = (await createStaffMember('anct_staff')).id;
});

const deps = (): TrainingDeps => ({
  sequelize: stack.sequelize, render: renderContext(config.http.publicUrl),
  sendEmail: (delivery) => createLifecycles(client, { taskQueue: stack.worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } }).sendEmail(delivery),
});

/** A session starting `inDays` days from now, for a day of 8 hours. */
function createSession(overrides: Partial<{ inDays: number; capacity: number; isOpen: boolean; location: string }> = {}) {
  const startsAt = new Date(Date.now() + (overrides.inDays ?? 10) * DAY);
  return TrainingSession.create({
    startsAt, endsAt: new Date(startsAt.getTime() + 8 * 3_600_000), mode: 'in_person', location: overrides.location ?? `Salle ${unique()}, 1 place de la Mairie`,
    capacity: overrides.capacity ?? 10, isOpen: overrides.isOpen ?? true, createdById: staffId,
  });
}

function createOnboarding(organisation: Organisation, overrides: Partial<{ deadlineInDays: number; status: 'awaiting_training' | 'lapsed'; firstName: string }> = {}) {
  return AidantOnboarding.create({
    organisationId: organisation.id, habilitationRequestId: null, aidantRequestId: null, userId: null, email: `${unique('aidant-')}@exemple.fr`,
    firstName: overrides.firstName ?? 'Amélie', lastName: 'Petit', profession: 'Conseillère', status: overrides.status ?? 'awaiting_training',
    trainingDeadline: new Date(Date.now() + (overrides.deadlineInDays ?? 60) * DAY), trainingDate: null,
    lapsedAt: overrides.status === 'lapsed' ? new Date() : null, cancelledAt: null, cancelReason: null, completedAt: null,
  });
}

/** A structure with two référents (the second one also named, to check each is greeted), logged in as the first. */
async function structureWithReferents() {
  const organisation = await createStructure();
  const referent = (await createPerson(organisation, { role: 'referent', card: null })).user;
  const coReferent = (await createPerson(organisation, { role: 'referent_aidant', card: null })).user;
  await coReferent.update({ firstName: 'Louise', lastName: 'Durand' });
  const cookie = await espaceCookie(stack.sequelize, referent, organisation.id);
  return { organisation, referent, coReferent, cookie };
}

const scopeOf = (referent: User, organisation: Organisation) => ({ userId: referent.id, organisationId: organisation.id });

/** Posts the aidant's form (register or change) as the logged-in référent. */
async function post(cookie: string, path: string, body: Record<string, string>) {
  const page = await request(app).get(path).set('Cookie', cookie);
  const csrf = csrfOf(page);
  return request(app).post(path).set('Cookie', `${cookie}; ${csrf.cookie}`).type('form').send({ _csrf: csrf.token, ...body });
}

describe('training sessions in the espace référent', () => {
  it('lists the aidants awaiting training with their deadline, and offers only open sessions to come, before the deadline, with places', async () => {
    const { organisation, cookie } = await structureWithReferents();
    const onboarding = await createOnboarding(organisation, { deadlineInDays: 30 });
    const other = await createOnboarding(organisation, { status: 'lapsed', firstName: 'Bruno' });
    const offered = await createSession({ inDays: 10, capacity: 3 });
    const closed = await createSession({ inDays: 11, isOpen: false });
    const tooLate = await createSession({ inDays: 31 });
    const full = await createSession({ inDays: 12, capacity: 1 });
    await TrainingRegistration.create({ sessionId: full.id, onboardingId: (await createOnboarding(await createStructure())).id, registeredById: staffId });

    const list = await request(app).get('/espace-referent/formations').set('Cookie', cookie);
    expect(list.status).toBe(200);
    expect(list.text).toContain('Amélie Petit');
    expect(list.text).toContain(onboarding.trainingDeadline.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' }));
    expect(list.text).toContain('Pas encore inscrit(e)');
    expect(list.text).not.toContain('Bruno Petit');
    expect(list.text).toContain(`href="/espace-referent/formations/${onboarding.id}"`);

    const page = await request(app).get(`/espace-referent/formations/${onboarding.id}`).set('Cookie', cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`value="${offered.id}"`);
    expect(page.text).toContain('3 places restantes');
    for (const refused of [closed, tooLate, full]) expect(page.text).not.toContain(`value="${refused.id}"`);
    expect(other.status).toBe('lapsed');
  });

  it('registers an aidant: journaled, and e-mailed to the aidant and every référent, each greeted by name', async () => {
    const { organisation, referent, coReferent, cookie } = await structureWithReferents();
    const onboarding = await createOnboarding(organisation);
    const session = await createSession({ capacity: 2, location: 'Maison France Services, 3 rue des Écoles' });
    const path = `/espace-referent/formations/${onboarding.id}`;

    const res = await post(cookie, path, { sessionId: session.id });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(path);
    const after = await request(app).get(path).set('Cookie', cookie);
    expect(after.text).toContain('Amélie Petit est inscrit(e) à la session.');
    expect(after.text).toContain('Maison France Services, 3 rue des Écoles');
    expect(after.text).toContain('Annuler l’inscription');
    expect((await request(app).get('/espace-referent/formations').set('Cookie', cookie)).text).toContain('Changer ou annuler');

    const registration = (await TrainingRegistration.findOne({ where: { onboardingId: onboarding.id, cancelledAt: null } }))!;
    expect(registration).toMatchObject({ sessionId: session.id, registeredById: referent.id });
    const entry = (await JournalEntry.findOne({ where: { action: 'training_registration', onboardingId: onboarding.id } }))!;
    expect(entry).toMatchObject({ actorId: referent.id, organisationId: organisation.id });
    expect(entry.details).toMatchObject({ registrationId: registration.id, sessionId: session.id, previousSessionId: null });

    const toAidant = await waitForSubject(onboarding.email, 'Aidants Connect - Votre inscription à la formation');
    expect(toAidant?.text).toMatch(/^Bonjour Amélie Petit,/);
    expect(toAidant?.text).toContain('Maison France Services, 3 rue des Écoles');
    expect(toAidant?.text).toContain('adressez-vous à votre référent');
    expect(toAidant?.text).toContain('http://localhost:3000/formation');
    for (const [user, name] of [[referent, 'Camille Martin'], [coReferent, 'Louise Durand']] as const) {
      const mail = await waitForSubject(user.email, 'Aidants Connect - Inscription à la formation d’Amélie Petit');
      expect(mail?.text).toMatch(new RegExp(`^Bonjour ${name},`));
      expect(mail?.text).toContain('http://localhost:3000/espace-referent/formations');
    }

    // The same choice posted again (a double click) changes nothing.
    const again = await post(cookie, path, { sessionId: session.id });
    expect(again.status).toBe(303);
    expect((await request(app).get(path).set('Cookie', cookie)).text).toContain('était déjà inscrit(e) à cette session');
    expect(await TrainingRegistration.count({ where: { onboardingId: onboarding.id } })).toBe(1);
    expect(await JournalEntry.count({ where: { action: 'training_registration', onboardingId: onboarding.id } })).toBe(1);
  });

  it('never overfills a session, even when two référents register at the same moment', async () => {
    const first = await structureWithReferents();
    const second = await structureWithReferents();
    const session = await createSession({ capacity: 1 });
    const [a, b] = [await createOnboarding(first.organisation), await createOnboarding(second.organisation)];
    const results = await Promise.allSettled([
      registerToSession(deps(), scopeOf(first.referent, first.organisation), { onboardingId: a.id, sessionId: session.id }),
      registerToSession(deps(), scopeOf(second.referent, second.organisation), { onboardingId: b.id, sessionId: session.id }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason.fieldErrors).toEqual({ sessionId: 'Cette session est complète : choisissez-en une autre.' });
    expect(await TrainingRegistration.count({ where: { sessionId: session.id, cancelledAt: null } })).toBe(1);

    // The page says it next to the sessions; the database refuses it too, whatever writes.
    const late = await createOnboarding(first.organisation);
    const res = await post(first.cookie, `/espace-referent/formations/${late.id}`, { sessionId: session.id });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Cette session est complète : choisissez-en une autre.');
    expect(res.text).toContain('Le formulaire contient des erreurs');
    await expect(TrainingRegistration.create({ sessionId: session.id, onboardingId: late.id, registeredById: first.referent.id })).rejects.toThrow(/is full/);
  });

  it('refuses, in French next to the sessions, a session after the deadline, a closed one, one that started; and an aidant not awaiting training', async () => {
    const { organisation, cookie } = await structureWithReferents();
    const onboarding = await createOnboarding(organisation, { deadlineInDays: 20 });
    const path = `/espace-referent/formations/${onboarding.id}`;
    const tooLate = await createSession({ inDays: 25 });
    const closed = await createSession({ isOpen: false });
    const started = await createSession({ inDays: -0.1 });
    const ok = await createSession();
    const cases: [string, string][] = [
      [tooLate.id, 'Cette session se termine après la date limite de formation de l’aidant'],
      [closed.id, 'Cette session est fermée aux inscriptions : choisissez-en une autre.'],
      [started.id, 'Cette session a déjà commencé : choisissez une session à venir.'],
      ['', 'Choisissez une session de formation.'],
      ['pas-un-identifiant', 'Choisissez une session de formation.'],
    ];
    for (const [sessionId, message] of cases) {
      const res = await post(cookie, path, { sessionId });
      expect(res.status).toBe(400);
      expect(res.text).toContain(message);
      expect(res.text).toContain('fr-fieldset--error');
    }
    // The page comes back with the sessions still offered, to choose another one.
    const again = await post(cookie, path, { sessionId: closed.id });
    expect(again.text).toContain(`value="${ok.id}"`);
    expect(await TrainingRegistration.count({ where: { onboardingId: onboarding.id } })).toBe(0);

    const lapsed = await createOnboarding(organisation, { status: 'lapsed' });
    const notAwaiting = await post(cookie, `/espace-referent/formations/${lapsed.id}`, { sessionId: ok.id });
    expect(notAwaiting.status).toBe(409);
    expect(notAwaiting.text).toContain('L’inscription à une session n’est possible que pour un aidant en attente de formation (statut actuel : « Délai de formation dépassé »).');
  });

  it('changes to another session and cancels: each journaled, and everyone concerned e-mailed', async () => {
    const { organisation, referent, coReferent, cookie } = await structureWithReferents();
    const onboarding = await createOnboarding(organisation);
    const path = `/espace-referent/formations/${onboarding.id}`;
    const [first, second] = [await createSession({ inDays: 10, capacity: 1 }), await createSession({ inDays: 20 })];
    expect((await post(cookie, path, { sessionId: first.id })).status).toBe(303);

    const change = await post(cookie, path, { sessionId: second.id });
    expect(change.status).toBe(303);
    expect((await request(app).get(path).set('Cookie', cookie)).text).toContain('La session d’Amélie Petit a été changée.');
    const registrations = await TrainingRegistration.findAll({ where: { onboardingId: onboarding.id }, order: [['createdAt', 'ASC']] });
    expect(registrations.map((r) => [r.sessionId, r.cancelledAt !== null, r.cancelledById])).toEqual([[first.id, true, referent.id], [second.id, false, null]]);
    // The place left is free again.
    const other = await createOnboarding(organisation);
    expect(await registerToSession(deps(), scopeOf(referent, organisation), { onboardingId: other.id, sessionId: first.id })).toBe('registered');
    expect((await JournalEntry.findAll({ where: { onboardingId: onboarding.id }, order: [['id', 'ASC']] })).map((e) => [e.action, e.actorId, e.organisationId]))
      .toEqual([['training_registration', referent.id, organisation.id], ['training_registration_cancelled', referent.id, organisation.id], ['training_registration', referent.id, organisation.id]]);
    const changed = await waitForSubject(onboarding.email, 'Aidants Connect - Votre session de formation a changé');
    expect(changed?.text).toContain('Cette session remplace celle du');
    expect(await waitForSubject(coReferent.email, 'Aidants Connect - Nouvelle session de formation d’Amélie Petit')).toBeDefined();

    const page = await request(app).get(path).set('Cookie', cookie);
    const csrf = csrfOf(page);
    const cancel = () => request(app).post(`${path}/annulation`).set('Cookie', `${cookie}; ${csrf.cookie}`).type('form').send({ _csrf: csrf.token });
    expect((await cancel()).status).toBe(303);
    expect((await request(app).get(path).set('Cookie', cookie)).text).toContain('L’inscription a été annulée.');
    expect(await TrainingRegistration.count({ where: { onboardingId: onboarding.id, cancelledAt: null } })).toBe(0);
    expect(await JournalEntry.count({ where: { action: 'training_registration_cancelled', onboardingId: onboarding.id, actorId: referent.id } })).toBe(2);
    const cancelled = await waitForSubject(onboarding.email, 'Aidants Connect - Votre inscription à la formation est annulée');
    expect(cancelled?.text).toMatch(/^Bonjour Amélie Petit,/);
    expect(cancelled?.text).toContain('votre référent vous inscrira à une autre session');
    const toReferent = await waitForSubject(referent.email, 'Aidants Connect - Inscription d’Amélie Petit à la formation annulée');
    expect(toReferent?.text).toMatch(/^Bonjour Camille Martin,/);
    // Cancelling again (a double click) says there is nothing to cancel.
    expect((await cancel()).status).toBe(303);
    expect((await request(app).get(path).set('Cookie', cookie)).text).toContain('Cet aidant n’était inscrit à aucune session.');
    expect(await cancelRegistration(deps(), scopeOf(referent, organisation), { onboardingId: onboarding.id })).toBe(false);
  });

  it('answers 404 for an aidant of another structure, an unknown or a malformed id, whatever the method', async () => {
    const mine = await structureWithReferents();
    const theirs = await structureWithReferents();
    const theirAidant = await createOnboarding(theirs.organisation);
    const session = await createSession();
    const myAidant = await createOnboarding(mine.organisation);
    const page = await request(app).get(`/espace-referent/formations/${myAidant.id}`).set('Cookie', mine.cookie);
    const csrf = csrfOf(page);
    for (const id of [theirAidant.id, '00000000-0000-4000-8000-000000000000', 'pas-un-id']) {
      const shown = await request(app).get(`/espace-referent/formations/${id}`).set('Cookie', mine.cookie);
      expect(shown.status).toBe(404);
      expect(shown.text).toContain('n’est pas rattaché à votre structure active');
      for (const suffix of ['', '/annulation']) {
        const posted = await request(app).post(`/espace-referent/formations/${id}${suffix}`).set('Cookie', `${mine.cookie}; ${csrf.cookie}`).type('form')
          .send({ _csrf: csrf.token, sessionId: session.id });
        expect(posted.status).toBe(404);
      }
    }
    expect(await TrainingRegistration.count({ where: { onboardingId: theirAidant.id } })).toBe(0);
    expect((await request(app).get('/espace-referent/formations').set('Cookie', mine.cookie)).text).not.toContain(theirAidant.id);
    // An aidant (not référent) cannot reach these pages; nobody logged out either.
    const aidant = (await createPerson(mine.organisation)).user;
    expect((await request(app).get('/espace-referent/formations').set('Cookie', await espaceCookie(stack.sequelize, aidant, mine.organisation.id))).status).toBe(403);
    expect((await request(app).get('/espace-referent/formations')).headers.location).toBe('/connexion?next=%2Fespace-referent%2Fformations');
  });

  it('frees the place of an aidant whose onboarding is cancelled', async () => {
    const { organisation, referent } = await structureWithReferents();
    const onboarding = await createOnboarding(organisation);
    const session = await createSession({ capacity: 1 });
    await registerToSession(deps(), scopeOf(referent, organisation), { onboardingId: onboarding.id, sessionId: session.id });
    const handle = await client.workflow.start('aidantOnboardingWorkflow', {
      workflowId: workflowIdForOnboarding(onboarding.id), taskQueue: stack.worker.taskQueue,
      args: [{ onboardingId: onboarding.id, policy: { trainingDelayMonths: 2, reminderOffsetsDays: [] } }],
    });
    const lifecycles = createLifecycles(client, { taskQueue: stack.worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } });
    await lifecycles.updateOnboarding(onboarding.id, cancelOnboardingUpdate, { reason: 'La personne quitte la structure', actorId: referent.id, requestedBy: 'referent' });
    expect(await handle.result()).toBe('cancelled');
    expect(await TrainingRegistration.count({ where: { sessionId: session.id, cancelledAt: null } })).toBe(0);
    expect(await JournalEntry.findOne({ where: { action: 'training_registration_cancelled', onboardingId: onboarding.id } })).toMatchObject({ actorId: referent.id, details: expect.objectContaining({ reason: 'onboarding_cancelled' }) });
  });

  it('keeps its rules in the database: one active registration per aidant, places, dates, attended or cancelled', async () => {
    const { organisation, referent } = await structureWithReferents();
    const onboarding = await createOnboarding(organisation);
    const [a, b] = [await createSession(), await createSession()];
    await TrainingRegistration.create({ sessionId: a.id, onboardingId: onboarding.id, registeredById: referent.id });
    await expect(TrainingRegistration.create({ sessionId: b.id, onboardingId: onboarding.id, registeredById: referent.id })).rejects.toMatchObject({ original: { constraint: 'training_registrations_one_active' } });
    await expect(createSession({ capacity: 0 })).rejects.toThrow(/check/i);
    const closedSession = await createSession({ isOpen: false });
    await expect(TrainingRegistration.create({ sessionId: closedSession.id, onboardingId: (await createOnboarding(organisation)).id, registeredById: referent.id })).rejects.toThrow(/closed/);
    await expect(TrainingSession.create({ startsAt: new Date(), endsAt: new Date(Date.now() - 1000), mode: 'online', location: 'https://visio.exemple.fr', capacity: 3, createdById: staffId }))
      .rejects.toThrow(/training_session_ends_after_start/);
    await expect(stack.sequelize.query(`UPDATE training_registrations SET cancelled_at = now(), cancelled_by_id = '${referent.id}', attendance_recorded_at = now(), attendance_recorded_by_id = '${referent.id}' WHERE onboarding_id = '${onboarding.id}'`))
      .rejects.toThrow(/training_registration_attended_is_active/);
    await expect(TrainingSession.update({ capacity: 0 }, { where: { id: b.id } })).rejects.toThrow(/check/);
    // The capacity never goes under the registrations already made.
    await TrainingRegistration.create({ sessionId: a.id, onboardingId: (await createOnboarding(organisation)).id, registeredById: referent.id });
    await expect(TrainingSession.update({ capacity: 1 }, { where: { id: a.id } })).rejects.toThrow(/has more registrations than 1/);
    await TrainingSession.update({ capacity: 2 }, { where: { id: a.id } });
  });

  it('leads référents from the invitation and the reminders to this page, and the aidant to the page explaining the training', async () => {
    const context = renderContext(config.http.publicUrl, { trainingRegistrationUrl: config.habilitation.trainingRegistrationUrl });
    const base = { recipientName: 'Léa Roux', aidantName: 'Amélie Petit', structureName: 'CCAS', deadline: '2027-01-31T10:00:00.000Z' };
    const forReferent = await renderEmail('onboarding_training_invitation', { ...base, isAidant: false }, context);
    expect(forReferent.text).toContain('Inscrire l’aidant à une session depuis votre espace référent : http://localhost:3000/espace-referent/formations');
    const reminder = await renderEmail('onboarding_training_reminder', { ...base, daysLeft: 7, isAidant: false }, context);
    expect(reminder.text).toContain('Inscrire à une session de formation : http://localhost:3000/espace-referent/formations');
    const forAidant = await renderEmail('onboarding_training_invitation', { ...base, isAidant: true }, context);
    expect(forAidant.text).toContain('Votre référent vous inscrit à une session');
    expect(forAidant.text).toContain('Comment se passe la formation : http://localhost:3000/formation');
    expect((await renderEmail('onboarding_training_reminder', { ...base, daysLeft: 7, isAidant: true }, context)).text).toContain('http://localhost:3000/formation');

    // The référent's link asks for a login first, then comes back to the page.
    const anonymous = await request(app).get('/espace-referent/formations');
    expect(anonymous.headers.location).toBe('/connexion?next=%2Fespace-referent%2Fformations');
    const explained = await request(app).get('/formation');
    expect(explained.text).toContain('Le ou la référente de la structure inscrit chaque aidant à une session');
    expect(explained.text).toContain('href="/espace-referent/formations"');
  });
});

describe('accessibility of the training pages', () => {
  it('finds no WCAG 2.1 A/AA violation on the list, an aidant’s page, its errors and its registration', async () => {
    const server: Server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const browser = await launchChromium();
    try {
      const { organisation, cookie } = await structureWithReferents();
      const onboarding = await createOnboarding(organisation);
      await createSession({ inDays: 10, capacity: 1 });
      const chosen = await createSession({ inDays: 12, capacity: 8 });
      const [name, value] = cookie.split('=');
      const context = await browser.newContext({ bypassCSP: true });
      await context.addCookies([{ name, value, url: baseUrl }]);
      const page = await context.newPage();
      const checked: Record<string, string[]> = {};
      const check = async (what: string) => { checked[what] = await axeViolations(page); };
      await page.goto(`${baseUrl}/espace-referent/formations`);
      await check('liste');
      await page.click(`a[href="/espace-referent/formations/${onboarding.id}"]`);
      await check('aidant, sans inscription');
      await page.click('button[type=submit]:has-text("Inscrire à cette session")');
      await check('aidant, sans session choisie');
      // Its own session: other test files publish sessions in the same database, full ones too.
      await page.click(`label[for="session-${chosen.id}"]`);
      // On a loaded machine the registration can wait behind other test files: give it time, and say what came
      // back when it is not the confirmation.
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes(`/formations/${onboarding.id}`), { timeout: 90_000 }),
        page.click('button[type=submit]:has-text("Inscrire à cette session")'),
      ]);
      expect(answer.status()).toBe(303);
      // The page the registration leads to, once loaded: its success notice, or what it says instead (and where).
      const next = answer.request().redirectedTo();
      expect(next).not.toBeNull();
      expect((await next!.response())?.status()).toBe(200);
      // Waited for, not counted at once: the load state can still be the page before's when the redirect has answered.
      const confirmed = await page.locator('.fr-alert--success').waitFor({ timeout: 60_000 })
        .then(() => 'inscrit', async () => `${page.url()}: ${await page.textContent('main')}`);
      expect(confirmed).toBe('inscrit');
      await check('aidant, inscrit');
      expect(Object.keys(checked)).toHaveLength(4);
      expect(Object.fromEntries(Object.entries(checked).filter(([, found]) => found.length > 0))).toEqual({});
      expect(await TrainingRegistration.count({ where: { onboardingId: onboarding.id, cancelledAt: null } })).toBe(1);
      await context.close();
    } finally {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 120_000);
});
