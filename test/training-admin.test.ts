// Training sessions in the back-office, through the real web process (AdminJS API), PostgreSQL and a real
// worker: the ANCT team publishes and edits sessions (French errors next to the fields, the comité only
// reads), sees who is registered, and records the attendance of a session in one action, which records the
// training on each attendee's onboarding through its lifecycle — refusing an onboarding already trained
// without failing the others, and applying nothing twice on a second click.
import type { Client } from '@temporalio/client';
import { generateSync } from 'otplib';
import { DEMO_PASSWORD } from '../services/demo-data.js';
import { AidantOnboarding, JournalEntry, TrainingRegistration, TrainingSession } from '../db/models/index.js';
import { parisDay, workflowIdForOnboarding } from '../domain/habilitation.js';
import { renderContext } from '../emails/render.js';
import { createLifecycles } from '../services/lifecycles.js';
import { registerToSession } from '../services/training-sessions.js';
import { recordTrainingUpdate } from '../workflows/messages.js';
import { adminAgent } from './support/admin-session.js';
import { useBackOfficeStack } from './support/back-office-stack.js';
import { createStaffMember, createStructureWithOnboarding } from './support/factories.js';
import { connectClient } from './support/temporal.js';
import { waitFor } from './support/wait.js';

let client: Client;
let jury: Awaited<ReturnType<typeof createStaffMember>>;
let staff: typeof jury;
/** Logs in through the browser (a code is accepted once: not shared with the API sessions). */
let browserStaff: typeof jury;

const stack = useBackOfficeStack({
  browser: true,
  prepare: async () => {
    [jury, staff, browserStaff] = [await createStaffMember('anct_jury'), await createStaffMember('anct_staff'), await createStaffMember('anct_staff')];
    client = await connectClient();
  },
});
afterAll(async () => { await client?.connection.close(); });

const DAY = 86_400_000;
const NEW = '/admin/api/resources/training_sessions/actions/new';
const record = (id: string, action: string) => `/admin/api/resources/training_sessions/records/${id}/${action}`;

type Agent = Awaited<ReturnType<typeof adminAgent>>;
const send = (agent: Agent, path: string, fields: Record<string, string>) => {
  let call = agent.post(path);
  for (const [name, value] of Object.entries(fields)) call = call.field(name, value);
  return call;
};

const lifecycles = () => createLifecycles(client, { taskQueue: stack.worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } });

/** An aidant to train whose lifecycle runs on the test worker, and their référent. */
async function runningOnboarding() {
  const { organisation, referent, onboarding } = await createStructureWithOnboarding();
  await client.workflow.start('aidantOnboardingWorkflow', {
    workflowId: workflowIdForOnboarding(onboarding.id), taskQueue: stack.worker.taskQueue,
    args: [{ onboardingId: onboarding.id, policy: { trainingDelayMonths: 2, reminderOffsetsDays: [] } }],
  });
  return { organisation, referent, onboarding };
}

describe('training sessions in the back-office', () => {
  it('lets the ANCT team publish a session, with French errors next to the fields, and the comité only read', async () => {
    const asStaff = await adminAgent(stack.web.url, staff.email, staff.totp);
    // 08:00 UTC (9 or 10 in Paris): the seven-hour session stays within one day, whatever the hour the test runs.
    const startsAt = new Date(Date.now() + 20 * DAY);
    startsAt.setUTCHours(8, 0, 0, 0);
    const valid = { startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 7 * 3_600_000).toISOString(), mode: 'online', location: 'https://visio.exemple.fr/formation-ac', capacity: '12', isOpen: 'true' };

    const wrong = await send(asStaff, NEW, { ...valid, endsAt: valid.startsAt, capacity: '0', location: ' ' });
    expect(wrong.body.notice.type).toBe('error');
    expect(wrong.body.record.errors).toEqual({
      endsAt: { message: 'La fin de la session doit être après son début.' },
      capacity: { message: 'Indiquez le nombre de places : un nombre entier entre 1 et 1000.' },
      location: { message: 'Indiquez le lien de la visioconférence ou les instructions pour la rejoindre (entre 3 et 1 000 caractères).' },
    });
    const past = await send(asStaff, NEW, { ...valid, startsAt: new Date(Date.now() - DAY).toISOString() });
    expect(past.body.record.errors.startsAt).toEqual({ message: 'La session doit commencer dans le futur.' });

    const created = await send(asStaff, NEW, valid);
    expect(created.body.notice).toEqual({ type: 'success', message: 'Session publiée : les référents peuvent y inscrire leurs aidants.' });
    const id = created.body.record.id as string;
    expect(await TrainingSession.findByPk(id)).toMatchObject({ mode: 'online', capacity: 12, isOpen: true, createdById: staff.id, location: 'https://visio.exemple.fr/formation-ac' });
    expect(await JournalEntry.findOne({ where: { action: 'training_session_published', actorId: staff.id } })).toMatchObject({ details: expect.objectContaining({ sessionId: id, event: 'created' }) });

    const list = await asStaff.get('/admin/api/resources/training_sessions/actions/list?perPage=500');
    const row = (list.body.records as { id: string; params: Record<string, unknown> }[]).find((r) => r.id === id)!;
    expect(row.params).toMatchObject({ placesLeft: 12, title: expect.stringMatching(/^Session le \d{2}\/\d{2}\/\d{4} de \d{2}:\d{2} à \d{2}:\d{2} — À distance$/) });

    // The comité reads the sessions but neither publishes nor edits them.
    const asJury = await adminAgent(stack.web.url, jury.email, jury.totp);
    expect((await asJury.get(record(id, 'show'))).body.record.params.capacity).toBe(12);
    const refused = await send(asJury, NEW, valid);
    expect(refused.body.notice.type).toBe('error');
    const edit = await send(asJury, record(id, 'edit'), { ...valid, capacity: '3' });
    expect(edit.body.notice.type).toBe('error');
    expect((await TrainingSession.findByPk(id))!.capacity).toBe(12);
  });

  it('edits and closes a session, keeping its capacity over the registrations and its date while aidants are registered', async () => {
    const asStaff = await adminAgent(stack.web.url, staff.email, staff.totp);
    const { organisation, referent, onboarding } = await createStructureWithOnboarding();
    const session = await TrainingSession.create({
      startsAt: new Date(Date.now() + 10 * DAY), endsAt: new Date(Date.now() + 10 * DAY + 6 * 3_600_000), mode: 'in_person', location: '2 rue du Port, Royan', capacity: 5, createdById: staff.id,
    });
    await registerToSession({ sequelize: stack.sequelize, render: renderContext('http://localhost:3000'), sendEmail: async () => undefined },
      { userId: referent.id, organisationId: organisation.id }, { onboardingId: onboarding.id, sessionId: session.id });
    const fields = { startsAt: session.startsAt.toISOString(), endsAt: session.endsAt.toISOString(), mode: 'in_person', location: session.location, capacity: '5', isOpen: 'true' };

    const shown = await asStaff.get(record(session.id, 'show'));
    expect(shown.body.record.params.registrations).toMatch(/^Karim Benali \(CCAS \S+\) — inscrit\(e\) le \d{2}\/\d{2}\/\d{4} par Camille Martin — étape : Formation à suivre$/);
    expect(shown.body.record.params.placesLeft).toBe(4);

    const tooSmall = await send(asStaff, record(session.id, 'edit'), { ...fields, capacity: '0' });
    expect(tooSmall.body.record.errors.capacity.message).toBe('Indiquez le nombre de places : un nombre entier entre 1 et 1000.');
    const moved = await send(asStaff, record(session.id, 'edit'), { ...fields, startsAt: new Date(Date.now() + 12 * DAY).toISOString(), endsAt: new Date(Date.now() + 12 * DAY + 3_600_000).toISOString() });
    expect(moved.body.record.errors.startsAt.message).toContain('Des aidants sont inscrits à cette session : sa date et son lieu ne changent plus.');
    // The values typed come back with their errors.
    expect(moved.body.record.params.startsAt).not.toBe(session.startsAt.toISOString());

    const closed = await send(asStaff, record(session.id, 'edit'), { ...fields, capacity: '1', isOpen: 'false' });
    expect(closed.body.notice).toEqual({ type: 'success', message: 'Session mise à jour.' });
    expect(await TrainingSession.findByPk(session.id)).toMatchObject({ capacity: 1, isOpen: false });
    expect(await JournalEntry.findOne({ where: { action: 'training_session_published', actorId: staff.id }, order: [['id', 'DESC']] }))
      .toMatchObject({ details: { sessionId: session.id, event: 'updated', changes: { capacity: 1, isOpen: false } } });
  });

  it('records the attendance of a session in one action: each attendee trained through its lifecycle, a trained one refused, nothing twice', async () => {
    const asStaff = await adminAgent(stack.web.url, staff.email, staff.totp);
    const first = await runningOnboarding();
    const second = await runningOnboarding();
    const trainedElsewhere = await runningOnboarding();
    const absent = await runningOnboarding();
    const session = await TrainingSession.create({
      startsAt: new Date(Date.now() + 5 * DAY), endsAt: new Date(Date.now() + 5 * DAY + 7 * 3_600_000), mode: 'in_person', location: 'Salle du conseil, Saintes', capacity: 10, createdById: staff.id,
    });
    const deps = { sequelize: stack.sequelize, render: renderContext('http://localhost:3000'), sendEmail: async () => undefined };
    for (const { organisation, referent, onboarding } of [first, second, trainedElsewhere, absent]) {
      await registerToSession(deps, { userId: referent.id, organisationId: organisation.id }, { onboardingId: onboarding.id, sessionId: session.id });
    }
    const registrationOf = async (onboardingId: string) => (await TrainingRegistration.findOne({ where: { onboardingId } }))!.id;

    // Not before the session took place.
    const early = await send(asStaff, record(session.id, 'recordAttendance'), { attendees: await registrationOf(first.onboarding.id) });
    expect(early.body.notice).toEqual({ type: 'error', message: 'Cette session n’a pas encore eu lieu : les présences s’enregistrent une fois la session commencée.' });

    // The session took place; meanwhile one aidant's training was recorded from their onboarding (another date).
    await stack.sequelize.query(`UPDATE training_sessions SET starts_at = now() - interval '3 hours', ends_at = now() - interval '1 hour' WHERE id = '${session.id}'`);
    const otherDay = parisDay(Date.now() - 2 * DAY);
    await lifecycles().updateOnboarding(trainedElsewhere.onboarding.id, recordTrainingUpdate, { trainingDate: otherDay, actorId: staff.id });
    await waitFor('the other training recorded', async () => (await AidantOnboarding.findByPk(trainedElsewhere.onboarding.id))!.status, (s) => s !== 'awaiting_training');

    const form = await asStaff.get(record(session.id, 'recordAttendance'));
    const choices = JSON.parse(form.body.record.params.attendanceChoices) as { id: string; name: string }[];
    expect(choices).toHaveLength(4);
    const attendees = [first, second, trainedElsewhere].map((a) => a.onboarding.id);
    const ids = await Promise.all(attendees.map(registrationOf));

    const res = await send(asStaff, record(session.id, 'recordAttendance'), { attendees: ids.join(',') });
    const outcomes = Object.fromEntries((res.body.report as { registrationId: string; outcome: string; message: string }[]).map((l) => [l.registrationId, [l.outcome, l.message]]));
    expect(outcomes).toEqual({
      [ids[0]]: ['recorded', 'formation enregistrée, son compte va être activé'],
      [ids[1]]: ['recorded', 'formation enregistrée, son compte va être activé'],
      [ids[2]]: ['refused', expect.stringMatching(/^formation déjà enregistrée \(le \d{2}\/\d{2}\/\d{4}\), statut « /)],
    });
    expect(res.body.notice.type).toBe('info');
    expect(res.body.notice.message).toMatch(/^Présences enregistrées : Karim Benali \(formation enregistrée, son compte va être activé\) ; Karim Benali .*\. Non enregistrées : Karim Benali \(formation déjà enregistrée/);

    const sessionDay = parisDay((await TrainingSession.findByPk(session.id))!.startsAt);
    for (const { onboarding } of [first, second]) {
      const trained = await waitFor('the attendee trained', () => AidantOnboarding.findByPk(onboarding.id), (o) => !['awaiting_training', 'trained'].includes(o!.status));
      expect(trained!.trainingDate).toBe(sessionDay);
      expect(await JournalEntry.findOne({ where: { action: 'training_attendance_recorded', onboardingId: onboarding.id } }))
        .toMatchObject({ actorId: staff.id, organisationId: onboarding.organisationId });
    }
    expect((await AidantOnboarding.findByPk(trainedElsewhere.onboarding.id))!.trainingDate).toBe(otherDay);
    expect((await AidantOnboarding.findByPk(absent.onboarding.id))!.status).toBe('awaiting_training');

    // A second click applies nothing twice.
    const again = await send(asStaff, record(session.id, 'recordAttendance'), { attendees: ids.slice(0, 2).join(',') });
    expect((again.body.report as { outcome: string }[]).map((l) => l.outcome)).toEqual(['already', 'already']);
    for (const { onboarding } of [first, second]) {
      expect(await JournalEntry.count({ where: { action: 'training_attendance_recorded', onboardingId: onboarding.id } })).toBe(1);
      expect(await JournalEntry.count({ where: { action: 'onboarding_training_done', onboardingId: onboarding.id } })).toBe(1);
    }
    const none = await send(asStaff, record(session.id, 'recordAttendance'), { attendees: '' });
    expect(none.body.notice).toEqual({ type: 'error', message: 'Cochez au moins un aidant présent à la session.' });
    const asJury = await adminAgent(stack.web.url, jury.email, jury.totp);
    expect((await send(asJury, record(session.id, 'recordAttendance'), { attendees: ids[3] ?? ids[0] })).body.notice.type).toBe('error');

    for (const { onboarding } of [first, second, trainedElsewhere, absent]) await client.workflow.getHandle(workflowIdForOnboarding(onboarding.id)).terminate('end of test').catch(() => undefined);
  });

  it('checks the attendees in the back-office page and shows what was recorded for each', async () => {
    const { organisation, referent, onboarding } = await runningOnboarding();
    const session = await TrainingSession.create({
      startsAt: new Date(Date.now() + DAY), endsAt: new Date(Date.now() + DAY + 3_600_000), mode: 'online', location: 'https://visio.exemple.fr/ac', capacity: 4, createdById: staff.id,
    });
    await registerToSession({ sequelize: stack.sequelize, render: renderContext('http://localhost:3000'), sendEmail: async () => undefined },
      { userId: referent.id, organisationId: organisation.id }, { onboardingId: onboarding.id, sessionId: session.id });
    await stack.sequelize.query(`UPDATE training_sessions SET starts_at = now() - interval '2 hours', ends_at = now() - interval '1 hour' WHERE id = '${session.id}'`);
    const registration = (await TrainingRegistration.findOne({ where: { onboardingId: onboarding.id } }))!;

    const page = await stack.browser.newPage();
    await page.goto(`${stack.web.url}/admin/login`);
    await page.fill('#email', browserStaff.email);
    await page.fill('#password', DEMO_PASSWORD);
    await page.fill('#otp', generateSync({ secret: browserStaff.totp, period: 30, digits: 6 }));
    await page.click('button[type=submit]');
    await page.waitForURL(`${stack.web.url}/admin`);
    await page.goto(`${stack.web.url}/admin/resources/training_sessions/records/${session.id}/recordAttendance`);
    await page.getByText('Cochez les aidants présents').waitFor({ timeout: 120_000 });
    await page.click('button[type=submit]');
    await page.getByText('Cochez au moins un aidant présent à la session.').waitFor();
    await page.click(`label[for="attendee-${registration.id}"]`);
    await page.click('button[type=submit]');
    await page.getByText('Enregistrée — Karim Benali : formation enregistrée, son compte va être activé').waitFor({ timeout: 30_000 });
    await waitFor('the attendee trained', async () => (await AidantOnboarding.findByPk(onboarding.id))!.status, (s) => s !== 'awaiting_training');
    await page.close();
    await client.workflow.getHandle(workflowIdForOnboarding(onboarding.id)).terminate('end of test').catch(() => undefined);
  }, 240_000);
});
