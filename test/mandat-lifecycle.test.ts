// Lifecycle 3, the mandat, at its real length on the time-skipping server with a real worker, PostgreSQL and
// the mail sink: reminders 30 and 7 days before the expiry for SEMESTER and LONG mandats only, grouped in one
// e-mail per structure and day and sent once (also across a worker restart), the expiry journaled, the
// revocations (one démarche, the last one, the whole mandat) while the workflow sleeps months, the validators'
// French refusals, the closure a year later, and a history that stays small.
import type { WorkflowHandle } from '@temporalio/client';
import { QueryTypes } from 'sequelize';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Autorisation, JournalEntry, Mandat, OrganisationMembership, type Organisation } from '../db/models/index.js';
import { DEFAULT_MANDAT_POLICY, MANDAT_REFUSALS, workflowIdForMandat, workflowIdForReminderDigest, type MandatPolicy } from '../domain/mandat-lifecycle.js';
import type { MandatDuration } from '../domain/mandat.js';
import type { Demarche } from '../domain/demarches.js';
import { InvalidTransitionError } from '../domain/errors.js';
import { createLifecycles } from '../services/lifecycles.js';
import type { mandatWorkflow } from '../workflows/mandat.js';
import type { mandatReminderDigestWorkflow } from '../workflows/mandat-reminder-digest.js';
import { mandatDueSignal, mandatStateQuery, revokeAutorisationUpdate } from '../workflows/messages.js';
import { createPerson, createStructure } from './support/espace.js';
import { createTestMandat, createUsager } from './support/mandats.js';
import { mailsTo } from './support/mail.js';
import { startTestWorker, useTimeSkippingStack } from './support/temporal.js';
import { workflowHistorySettled } from './support/wait.js';

const stack = useTimeSkippingStack();

const DAY = 86_400_000;
const REMINDER = 'Ces mandats vont bientôt expirer';
const reminders = async (to: string) => (await mailsTo(to)).filter((m) => m.subject === REMINDER);

const lifecycles = (policy: MandatPolicy = DEFAULT_MANDAT_POLICY) => createLifecycles(stack.env.client, {
  taskQueue: stack.worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 365 * DAY }, mandatPolicy: policy,
});

const now = async () => new Date(await stack.env.currentTimeMs());

async function mandatOf(organisation: Organisation, aidantId: string, duration: MandatDuration, options: { demarches?: Demarche[]; givenName?: string; createdAt?: Date } = {}) {
  const usager = await createUsager({ givenName: options.givenName ?? 'Élise', familyName: 'Moreau' });
  const { mandat } = await createTestMandat(organisation, { id: aidantId } as never, { duration, demarches: options.demarches, createdAt: options.createdAt ?? await now(), usager });
  return mandat;
}

async function start(mandatId: string, policy: MandatPolicy = DEFAULT_MANDAT_POLICY, taskQueue = stack.worker.taskQueue): Promise<WorkflowHandle<typeof mandatWorkflow>> {
  const handle = await stack.env.client.workflow.start<typeof mandatWorkflow>('mandatWorkflow', {
    workflowId: workflowIdForMandat(mandatId), taskQueue, args: [{ mandatId, policy }],
  });
  await workflowHistorySettled(handle);
  return handle;
}

/** Skips workflow time up to `at`, then waits until the given workflows have done what their timers asked. */
async function skipTo(at: number, handles: WorkflowHandle[]) {
  const left = at - (await stack.env.currentTimeMs());
  if (left > 0) await stack.env.sleep(left);
  for (const handle of handles) await workflowHistorySettled(handle);
}

/** Waits for the structure's digest of `day` to end (the wait itself skips its settling delay); answers how many mandats it reminded. */
const digestOf = (organisationId: string, day: string) =>
  stack.env.client.workflow.getHandle<typeof mandatReminderDigestWorkflow>(workflowIdForReminderDigest(organisationId, day)).result();

const reminderOf = async (handle: WorkflowHandle, offsetDays: number) => {
  const due = (await handle.query(mandatStateQuery)).reminders.find((r) => r.offsetDays === offsetDays)!;
  return { day: due.day, at: Date.parse(due.at) };
};

async function eventCount(handle: WorkflowHandle): Promise<number> {
  return (JSON.parse(historyToJSON(await handle.fetchHistory())) as { events: unknown[] }).events.length;
}

const journalCount = (action: string, mandatId: string) => JournalEntry.count({ where: { action, mandatId } });

describe('mandat lifecycle (time skipping)', () => {
  it('reminds SEMESTER and LONG mandats 30 and 7 days before the expiry (never SHORT nor MONTH), expires each one journaled, and closes a year later with a small history', async () => {
    const structure = await createStructure();
    const aidant = await createPerson(structure, { card: null });
    const referentOnly = await createPerson(structure, { role: 'referent', card: null }); // cannot create mandats: not reminded
    const handles: Record<MandatDuration, WorkflowHandle> = {} as never;
    const mandats: Record<string, Mandat> = {};
    for (const duration of ['SHORT', 'MONTH', 'SEMESTER', 'LONG'] as const) {
      mandats[duration] = await mandatOf(structure, aidant.user.id, duration, { givenName: `Usager ${duration}` });
      handles[duration] = await start(mandats[duration].id);
    }
    expect((await handles.SHORT.query(mandatStateQuery)).reminders).toEqual([]);
    expect((await handles.MONTH.query(mandatStateQuery)).reminders).toEqual([]);
    expect((await handles.LONG.query(mandatStateQuery)).reminders.map((r) => r.offsetDays)).toEqual([30, 7]);

    // SHORT and MONTH: expired at their date, journaled, and never reminded.
    await skipTo(mandats.MONTH.expiresAt.getTime() + 60_000, Object.values(handles));
    for (const duration of ['SHORT', 'MONTH'] as const) {
      expect((await Mandat.findByPk(mandats[duration].id))!.status).toBe('expired');
      expect(await journalCount('expire_mandat', mandats[duration].id)).toBe(1);
      expect((await handles[duration].query(mandatStateQuery)).phase).toBe('expired');
    }
    expect(await reminders(aidant.user.email)).toHaveLength(0);

    // Each reminder of SEMESTER, then of LONG: one e-mail each, listing its one mandat, at 08:00 Paris.
    const sent: string[] = [];
    for (const duration of ['SEMESTER', 'LONG'] as const) {
      for (const offset of [30, 7]) {
        const due = await reminderOf(handles[duration], offset);
        expect(new Date(due.at).toLocaleTimeString('fr-FR', { timeZone: 'Europe/Paris' })).toBe('08:00:00');
        expect(mandats[duration].expiresAt.getTime() - due.at).toBeGreaterThan((offset - 1) * DAY);
        expect(mandats[duration].expiresAt.getTime() - due.at).toBeLessThan((offset + 1) * DAY);
        await skipTo(due.at - 60_000, Object.values(handles));
        expect(await reminders(aidant.user.email)).toHaveLength(sent.length); // not before its hour
        await skipTo(due.at + 60_000, Object.values(handles));
        expect(await digestOf(structure.id, due.day)).toBe(1);
        sent.push(`Usager ${duration}`);
        const mails = await reminders(aidant.user.email);
        expect(mails).toHaveLength(sent.length);
        expect(mails.at(-1)!.text).toMatch(/^Bonjour Karim Benali,/);
        expect(mails.at(-1)!.text).toContain(`Usager ${duration} Moreau : expire le ${mandats[duration].expiresAt.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' })} (2 démarches)`);
        expect(mails.at(-1)!.text).toContain('http://localhost:3000/espace-aidant/usagers');
      }
    }
    expect(await reminders(referentOnly.user.email)).toHaveLength(0);
    const recorded = await stack.sequelize.query<{ offset_days: number }>('SELECT offset_days FROM mandat_reminders WHERE mandat_id = $1 AND reminded_at IS NOT NULL ORDER BY offset_days', { bind: [mandats.LONG.id], type: QueryTypes.SELECT });
    expect(recorded.map((r) => r.offset_days)).toEqual([7, 30]);

    await skipTo(mandats.LONG.expiresAt.getTime() + 60_000, Object.values(handles));
    for (const duration of ['SEMESTER', 'LONG'] as const) {
      expect((await Mandat.findByPk(mandats[duration].id))!.status).toBe('expired');
      expect(await JournalEntry.findOne({ where: { action: 'expire_mandat', mandatId: mandats[duration].id } })).toMatchObject({ organisationId: structure.id, actorId: null });
    }
    expect((await handles.LONG.query(mandatStateQuery)).renewableUntil).toBe(new Date(mandats.LONG.expiresAt.getTime() + 365 * DAY).toISOString());

    // Renewable for a year, then closed: the workflow ends, after a history of a few dozen events.
    await stack.env.sleep(364 * DAY);
    expect((await handles.LONG.query(mandatStateQuery)).phase).toBe('expired');
    await stack.env.sleep(2 * DAY);
    for (const handle of Object.values(handles)) expect(await handle.result()).toBe('closed');
    expect(await eventCount(handles.LONG)).toBeLessThan(80);
    expect(await reminders(aidant.user.email)).toHaveLength(4);
  });

  it('groups the mandats of one structure falling due the same day in one e-mail per recipient; another structure gets its own', async () => {
    const [a, b] = [await createStructure(), await createStructure()];
    const aidantA = await createPerson(a, { card: null });
    const aidantB = await createPerson(b, { card: null });
    const both = await createPerson(a, { card: null }); // aidant of both structures: one e-mail from each
    await OrganisationMembership.create({ userId: both.user.id, organisationId: b.id, isReferent: false, canCreateMandats: true });
    const inactive = await createPerson(a, { card: null });
    await OrganisationMembership.update({ isActive: false }, { where: { userId: inactive.user.id } });

    const signedAt = await now();
    const handles: WorkflowHandle[] = [];
    for (const name of ['Anne', 'Bruno', 'Chloé']) handles.push(await start((await mandatOf(a, aidantA.user.id, 'LONG', { givenName: name, createdAt: signedAt })).id));
    handles.push(await start((await mandatOf(b, aidantB.user.id, 'LONG', { givenName: 'Denis', createdAt: signedAt, demarches: ['logement'] })).id));

    const due = await reminderOf(handles[0], 30);
    await skipTo(due.at + 60_000, handles);
    expect(await digestOf(a.id, due.day)).toBe(3);
    expect(await digestOf(b.id, due.day)).toBe(1);
    // The digest's history holds ids and counts only: the usagers' names are read by its e-mail activity.
    const digestHistory = historyToJSON(await stack.env.client.workflow.getHandle(workflowIdForReminderDigest(a.id, due.day)).fetchHistory());
    expect(digestHistory).not.toMatch(/Moreau|Anne|@exemple\.fr/);

    const [mailA] = await reminders(aidantA.user.email);
    expect(await reminders(aidantA.user.email)).toHaveLength(1);
    expect(mailA.to).toEqual([aidantA.user.email]);
    for (const name of ['Anne', 'Bruno', 'Chloé']) expect(mailA.text).toContain(`${name} Moreau : expire le`);
    expect(mailA.text).toContain('Ces 3 mandats');
    expect(mailA.text).not.toContain('Denis');
    expect(mailA.text).not.toMatch(/1950|17300/); // nothing personal beyond the name (no birth date, no birthplace)

    const [mailB] = await reminders(aidantB.user.email);
    expect(await reminders(aidantB.user.email)).toHaveLength(1);
    expect(mailB.text).toContain('Ce mandat');
    expect(mailB.text).toContain('Denis Moreau : expire le');
    expect(mailB.text).toContain('(1 démarche)');
    expect(mailB.text).not.toContain('Anne');

    const toBoth = await reminders(both.user.email);
    expect(toBoth).toHaveLength(2);
    expect(toBoth.filter((m) => m.text.includes('Anne') && !m.text.includes('Denis'))).toHaveLength(1);
    expect(toBoth.filter((m) => m.text.includes('Denis') && !m.text.includes('Anne'))).toHaveLength(1);
    expect(await reminders(inactive.user.email)).toHaveLength(0);
  });

  it('revokes one démarche then the last one while the workflow sleeps months: active, then revoked, never reminded, closed a year after the revocation', async () => {
    const structure = await createStructure();
    const aidant = await createPerson(structure, { card: null });
    const mandat = await mandatOf(structure, aidant.user.id, 'LONG', { demarches: ['papiers', 'social'] });
    const handle = await start(mandat.id);
    const doors = lifecycles();

    await skipTo((await now()).getTime() + 100 * DAY, [handle]);
    // A double click: both requests taken from the same state, applied once.
    expect(await Promise.all([doors.revokeAutorisation(mandat.id, 'papiers', aidant.user.id), doors.revokeAutorisation(mandat.id, 'papiers', aidant.user.id)])).toEqual(['active', 'active']);
    expect(await journalCount('cancel_autorisation', mandat.id)).toBe(1);
    expect((await Mandat.findByPk(mandat.id))!).toMatchObject({ status: 'active', revokedAt: null });
    expect((await Autorisation.findOne({ where: { mandatId: mandat.id, demarche: 'papiers' } }))!).toMatchObject({ revokedById: aidant.user.id });
    expect((await Autorisation.findOne({ where: { mandatId: mandat.id, demarche: 'papiers' } }))!.revokedAt!.getTime()).toBeGreaterThan(mandat.createdAt.getTime() + 99 * DAY);
    await expect(doors.revokeAutorisation(mandat.id, 'papiers', aidant.user.id)).rejects.toThrow(new InvalidTransitionError(MANDAT_REFUSALS.demarcheRevoked));

    await skipTo((await now()).getTime() + 60 * DAY, [handle]);
    expect(await doors.revokeAutorisation(mandat.id, 'social', aidant.user.id)).toBe('revoked');
    const revoked = (await Mandat.findByPk(mandat.id))!;
    expect(revoked.status).toBe('revoked');
    expect(await JournalEntry.findOne({ where: { action: 'cancel_autorisation', mandatId: mandat.id, autorisationId: (await Autorisation.findOne({ where: { mandatId: mandat.id, demarche: 'social' } }))!.id } }))
      .toMatchObject({ actorId: aidant.user.id, organisationId: structure.id, details: { mandatRevoked: true } });
    await expect(doors.revokeMandat(mandat.id, aidant.user.id)).rejects.toThrow(MANDAT_REFUSALS.revoked);
    await expect(doors.revokeAutorisation(mandat.id, 'social', aidant.user.id)).rejects.toThrow(MANDAT_REFUSALS.revoked);

    // No reminder for a revoked mandat; renewable a year from its revocation, then closed.
    const state = await handle.query(mandatStateQuery);
    expect(state.renewableUntil).toBe(new Date(revoked.revokedAt!.getTime() + 365 * DAY).toISOString());
    await skipTo(Date.parse(state.reminders[1].at) + DAY, [handle]);
    expect(await reminders(aidant.user.email)).toHaveLength(0);
    expect(await journalCount('expire_mandat', mandat.id)).toBe(0);
    expect((await handle.query(mandatStateQuery)).phase).toBe('revoked');
    expect(await handle.result()).toBe('closed');
  });

  it('starts through lifecycles.startMandat, revokes a whole mandat at once, and refuses with French messages an unknown démarche, a missing author and an expired mandat', async () => {
    const structure = await createStructure();
    const aidant = await createPerson(structure, { card: null });
    const doors = lifecycles();

    const whole = await mandatOf(structure, aidant.user.id, 'SEMESTER', { demarches: ['famille', 'logement', 'travail'] });
    // Started through the web layer's door (twice: the second start is a no-op), and asked at once.
    await doors.startMandat(whole.id);
    await doors.startMandat(whole.id);
    const wholeHandle = stack.env.client.workflow.getHandle(workflowIdForMandat(whole.id));
    await expect(doors.revokeAutorisation(whole.id, 'argent', aidant.user.id)).rejects.toThrow(MANDAT_REFUSALS.unknownDemarche);
    await expect(doors.revokeAutorisation(whole.id, 'n’importe quoi', aidant.user.id)).rejects.toThrow(MANDAT_REFUSALS.unknownDemarche);
    await expect(wholeHandle.executeUpdate(revokeAutorisationUpdate, { args: [{ demarche: 'famille', actorId: '' }] })).rejects.toMatchObject({ cause: { message: MANDAT_REFUSALS.actor } });
    expect(await doors.revokeMandat(whole.id, aidant.user.id)).toBe('revoked');
    expect(await journalCount('cancel_autorisation', whole.id)).toBe(3);
    expect(await JournalEntry.findOne({ where: { action: 'cancel_mandat', mandatId: whole.id } })).toMatchObject({ actorId: aidant.user.id, organisationId: structure.id, demarches: ['famille', 'logement', 'travail'] });
    expect(await Autorisation.count({ where: { mandatId: whole.id, revokedAt: null } })).toBe(0);
    // Refused updates leave nothing in the history.
    const history = JSON.stringify(JSON.parse(historyToJSON(await wholeHandle.fetchHistory())));
    expect(history.match(/WORKFLOW_EXECUTION_UPDATE_ACCEPTED/g)).toHaveLength(1);

    const expiring = await mandatOf(structure, aidant.user.id, 'SHORT');
    const expiringHandle = await start(expiring.id);
    await skipTo(expiring.expiresAt.getTime() + 60_000, [expiringHandle]);
    await expect(doors.revokeAutorisation(expiring.id, 'papiers', aidant.user.id)).rejects.toThrow(MANDAT_REFUSALS.expired);
    await expect(doors.revokeMandat(expiring.id, aidant.user.id)).rejects.toThrow(MANDAT_REFUSALS.expired);
    expect(await journalCount('cancel_autorisation', expiring.id)).toBe(0);
  });

  it('continues as new when revocations grow its history, and goes on from the database', async () => {
    const structure = await createStructure();
    const aidant = await createPerson(structure, { card: null });
    const policy = { ...DEFAULT_MANDAT_POLICY, maxHistoryEvents: 25 };
    const mandat = await mandatOf(structure, aidant.user.id, 'LONG', { demarches: ['papiers', 'famille', 'social', 'travail', 'logement'] });
    const handle = await start(mandat.id, policy);
    const firstRun = (await handle.describe()).runId;
    const doors = lifecycles(policy);
    for (const demarche of ['papiers', 'famille', 'social', 'travail'] as const) {
      expect(await doors.revokeAutorisation(mandat.id, demarche, aidant.user.id)).toBe('active');
    }
    const latest = stack.env.client.workflow.getHandle(workflowIdForMandat(mandat.id));
    await workflowHistorySettled(latest);
    expect((await latest.describe()).runId).not.toBe(firstRun);
    expect(await latest.query(mandatStateQuery)).toMatchObject({ phase: 'active', revocations: 4 });

    const due = await reminderOf(latest, 30);
    await skipTo(due.at + 60_000, [latest]);
    expect(await digestOf(structure.id, due.day)).toBe(1);
    expect((await reminders(aidant.user.email))[0].text).toContain('(1 démarche)');
    await skipTo(mandat.expiresAt.getTime() + 60_000, [latest]);
    expect((await Mandat.findByPk(mandat.id))!.status).toBe('expired');
    expect(await journalCount('expire_mandat', mandat.id)).toBe(1);
  });

  // One offset only: `digestOf(…).result()` lets the test server skip time until the result is read, and under
  // load it may skip on to the 7-day reminder, whose own digest would add a second (legitimate) e-mail.
  it('sends the reminder once when the worker restarts between the record and the send, and a late wake-up sends nothing again', async () => {
    // A worker of its own, without sticky cache: the test server does not move a workflow off a stopped worker's sticky queue.
    const options = { sequelize: stack.sequelize, connection: stack.env.nativeConnection, maxCachedWorkflows: 0 };
    const policy: MandatPolicy = { ...DEFAULT_MANDAT_POLICY, reminderOffsetsDays: [30] };
    const first = await startTestWorker(options);
    const structure = await createStructure();
    const aidant = await createPerson(structure, { card: null });
    const signedAt = await now();
    const handles = [
      await start((await mandatOf(structure, aidant.user.id, 'SEMESTER', { givenName: 'Fanny', createdAt: signedAt })).id, policy, first.taskQueue),
      await start((await mandatOf(structure, aidant.user.id, 'SEMESTER', { givenName: 'Gilles', createdAt: signedAt })).id, policy, first.taskQueue),
    ];
    const due = await reminderOf(handles[0], 30);
    await skipTo(due.at + 60_000, handles); // recorded, the digest settling
    const rows = await stack.sequelize.query<{ batch: string | null; reminded_at: Date | null }>('SELECT batch, reminded_at FROM mandat_reminders WHERE organisation_id = $1', { bind: [structure.id], type: QueryTypes.SELECT });
    expect(rows).toEqual([{ batch: null, reminded_at: null }, { batch: null, reminded_at: null }]);
    expect(await reminders(aidant.user.email)).toHaveLength(0);

    await first.stop();
    const restarted = await startTestWorker({ ...options, taskQueue: first.taskQueue });
    try {
      expect(await digestOf(structure.id, due.day)).toBe(2);
      const mails = await reminders(aidant.user.email);
      expect(mails).toHaveLength(1);
      expect(mails[0].text).toContain('Fanny Moreau');
      expect(mails[0].text).toContain('Gilles Moreau');

      // The mandat's activity retried (a lost answer) wakes the digest again: a new run finds nothing to send.
      await stack.env.client.workflow.signalWithStart('mandatReminderDigestWorkflow', {
        workflowId: workflowIdForReminderDigest(structure.id, due.day), taskQueue: first.taskQueue,
        args: [{ organisationId: structure.id, day: due.day, settleMs: DEFAULT_MANDAT_POLICY.digestSettleMs }], signal: mandatDueSignal, signalArgs: [],
      });
      expect(await digestOf(structure.id, due.day)).toBe(0);
      expect(await reminders(aidant.user.email)).toHaveLength(1);
    } finally {
      await restarted.stop();
    }
  });
});
