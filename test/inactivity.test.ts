// The daily inactivity duty (workflows/inactive-aidants.ts) on the time-skipping server with a real worker,
// PostgreSQL and mail sink: months are skipped, not waited. Rows are dated relative to the server's clock; the
// duty reads "now" from it. The outbox delay is set to a year here so that this file's skipped clock never
// purges the bodies other test files read from the outbox.
import { Client } from '@temporalio/client';
import { ConfigError, loadConfig } from '../config/index.js';
import { Op, QueryTypes } from 'sequelize';
import { AidantRequest, Card, EmailOutbox, HabilitationRequest, Issuer, JournalEntry, User } from '../db/models/index.js';
import { DEFAULT_INACTIVITY_POLICY } from '../domain/inactivity.js';
import { addMonths, DAY_MS } from '../domain/duration.js';
import { appendJournal } from '../services/journal.js';
import { createPerson, createStructure } from './support/espace.js';
import { unique } from './support/env.js';
import { createSubmittedRequest, validStepBodies } from './support/factories.js';
import { parseAidants, parseIssuer, parseReferent, parseStructure } from '../domain/habilitation-form.js';
import { createRequestDraft, saveAidants, saveReferent } from '../services/habilitation.js';
import { registerIssuer } from '../services/issuers.js';
import { waitForMails } from './support/mail.js';
import { useTimeSkippingStack } from './support/temporal.js';
import { previewInactivityPurges } from '../services/inactivity.js';
import type { inactiveAidantsWorkflow } from '../workflows/inactive-aidants.js';

const YEAR_MS = 365 * DAY_MS;
// 40 days rather than 90 for the encouragement, so that this file's clock stays well short of 3 months ahead
// (other test files' drafts are never reminded by it).
const ENCOURAGEMENT_MS = 40 * DAY_MS;
const stack = useTimeSkippingStack({ ownDatabase: true, inactivity: { ...DEFAULT_INACTIVITY_POLICY, outboxBodyRetentionMs: YEAR_MS, aidantEncouragementAfterMs: ENCOURAGEMENT_MS } });

const serverNow = async () => new Date(await stack.env.currentTimeMs());
// A plain client: awaiting the result does not unlock time skipping (the time-skipping client's would, and the
// server would skip ahead while the duty's activities run). The clock moves only by env.sleep.
const runDuty = () => new Client({ connection: stack.env.connection }).workflow.execute<typeof inactiveAidantsWorkflow>('inactiveAidantsWorkflow', {
  workflowId: unique('inactivity-'), taskQueue: stack.worker.taskQueue, args: [],
});
const keysLike = async (prefix: string) => (await EmailOutbox.findAll({ where: { idempotencyKey: { [Op.like]: `${prefix}%` } }, order: [['createdAt', 'ASC']] }))
  .map((row) => row.idempotencyKey);

/** An aidant (with a référent in the structure) who last logged in at `lastLoginAt`, card validated long before. */
async function inactiveAidant(lastLoginAt: Date) {
  const structure = await createStructure();
  const referent = await createPerson(structure, { role: 'referent', card: null });
  const aidant = await createPerson(structure);
  await aidant.user.update({ lastLoginAt });
  await Card.update({ validatedAt: addMonths(lastLoginAt, -1) }, { where: { id: aidant.card!.id } });
  return { structure, referent, aidant: aidant.user };
}

const login = async (user: User) => user.update({ lastLoginAt: await serverNow() });

/** An aidant who created a mandat when this file started. */
let active: { aidant: User; since: Date } | undefined;
async function encouragementKey(): Promise<string> {
  const [{ last }] = await stack.sequelize.query<{ last: Date }>("SELECT max(created_at) AS last FROM journal WHERE actor_id = :id AND action = 'create_attestation'", {
    replacements: { id: active!.aidant.id }, type: QueryTypes.SELECT,
  });
  return `inactive-aidant/${active!.aidant.id}/${last.getTime()}/encouragement`;
}

describe('inactivity duty (time skipping)', () => {
  it('warns an aidant without login for 5 months once, deactivates them a month later once, and tells the référents', async () => {
    const { structure, referent, aidant } = await inactiveAidant(new Date(addMonths(await serverNow(), -5).getTime() + DAY_MS));
    const episode = `inactive-aidant/${aidant.id}/${aidant.lastLoginAt!.getTime()}`;
    const since = await serverNow();
    active = { aidant: (await createPerson(structure)).user, since };
    await appendJournal({ action: 'create_attestation', actorId: active.aidant.id, organisationId: structure.id, details: { test: unique() } });
    await runDuty();
    expect(await keysLike(episode)).toEqual([]); // a day short of 5 months
    expect(await keysLike(await encouragementKey())).toEqual([]); // active today

    await stack.env.sleep(2 * DAY_MS);
    await runDuty();
    await runDuty();
    expect(await keysLike(episode)).toEqual([`${episode}/warning`]);

    await stack.env.sleep(29 * DAY_MS); // 29 days after the warning
    await runDuty();
    expect((await aidant.reload()).isActive).toBe(true);

    await stack.env.sleep(2 * DAY_MS);
    await runDuty();
    await runDuty();
    expect((await aidant.reload()).isActive).toBe(false);
    expect((await keysLike(episode)).sort()).toEqual([
      `${episode}/deactivated`, `${episode}/deactivated/referent/${structure.id}/${referent.user.id}`, `${episode}/warning`,
    ].sort());
    const told = await EmailOutbox.findOne({ where: { idempotencyKey: `${episode}/deactivated/referent/${structure.id}/${referent.user.id}` } });
    expect(told!.recipients).toEqual([referent.user.email]);
    expect(told!.textBody).toMatch(/récupérez-la et renvoyez-la/);
    const journal = await JournalEntry.findAll({ where: { action: 'aidant_deactivated', organisationId: structure.id } });
    expect(journal).toHaveLength(1);
    expect(journal[0].details).toMatchObject({ aidantId: aidant.id, reason: 'inactivity' });
    // Delivered once each, though the duty ran twice at each step.
    const received = await waitForMails(aidant.email, 2);
    expect(received.map((m) => m.subject).sort()).toEqual(['Aidants Connect - Réactivez votre compte', 'Aidants Connect - Votre compte a été désactivé']);
    expect(received.find((m) => m.subject.includes('désactivé'))!.text).toMatch(/carte .*doit être rendue/);
    expect((await waitForMails(referent.user.email, 1)).map((m) => m.subject)).toEqual([`Aidants Connect - Le compte de ${aidant.firstName} ${aidant.lastName} a été désactivé`]);
  });

  it('a login after the warning ends the episode: no deactivation, and a later absence is warned again', async () => {
    const { aidant } = await inactiveAidant(new Date(addMonths(await serverNow(), -5).getTime() - DAY_MS));
    const first = `inactive-aidant/${aidant.id}/${aidant.lastLoginAt!.getTime()}`;
    await runDuty();
    expect(await keysLike(first)).toEqual([`${first}/warning`]);

    await stack.env.sleep(20 * DAY_MS);
    await login(aidant);
    await stack.env.sleep(15 * DAY_MS); // 35 days after the warning
    await runDuty();
    expect((await aidant.reload()).isActive).toBe(true);
    expect(await keysLike(`inactive-aidant/${aidant.id}/`)).toEqual([`${first}/warning`]);

    // Five months without login after that one (the login written back, rather than five more months skipped).
    await aidant.update({ lastLoginAt: new Date(addMonths(await serverNow(), -5).getTime() - DAY_MS) });
    await runDuty();
    const second = `inactive-aidant/${aidant.id}/${aidant.lastLoginAt!.getTime()}`;
    expect(await keysLike(`inactive-aidant/${aidant.id}/`)).toEqual([`${first}/warning`, `${second}/warning`]);
    expect((await aidant.reload()).isActive).toBe(true);
  });

  it('clears the body of e-mails sent longer ago than the delay, not before, and never of pending or failed ones', async () => {
    const now = await serverNow();
    const row = (status: 'sent' | 'pending' | 'failed') => EmailOutbox.create({
      idempotencyKey: unique(`purge-${status}-`), template: 'habilitation_request_submitted', recipients: ['x@exemple.fr'], subject: 'Sujet', html: '<p>lien</p>', textBody: 'lien',
      status, messageId: null, sentAt: status === 'sent' ? new Date(now.getTime() - YEAR_MS + DAY_MS) : null, attempts: 1,
      lastError: null, failedAt: status === 'failed' ? new Date(now.getTime() - YEAR_MS) : null, createdAt: new Date(now.getTime() - YEAR_MS),
    });
    const sent = await row('sent');
    const pending = await row('pending');
    const failed = await row('failed');
    const policy = { ...DEFAULT_INACTIVITY_POLICY, outboxBodyRetentionMs: YEAR_MS };
    expect((await previewInactivityPurges(stack.sequelize, policy, await serverNow())).emailBodies.count).toBe(0);
    await runDuty();
    expect((await sent.reload()).html).toBe('<p>lien</p>');

    await stack.env.sleep(2 * DAY_MS);
    // The dry run counts it, and clears nothing.
    expect((await previewInactivityPurges(stack.sequelize, policy, await serverNow())).emailBodies).toEqual({ count: 1, oldest: sent.sentAt });
    expect((await sent.reload()).html).toBe('<p>lien</p>');
    await runDuty();
    expect((await previewInactivityPurges(stack.sequelize, policy, await serverNow())).emailBodies.count).toBe(0);
    await sent.reload();
    expect([sent.html, sent.textBody, sent.subject, sent.status]).toEqual(['', '', 'Sujet', 'sent']);
    const [{ purged }] = await stack.sequelize.query<{ purged: Date | null }>('SELECT body_purged_at AS purged FROM email_outbox WHERE id = :id', { replacements: { id: sent.id }, type: QueryTypes.SELECT });
    expect(purged).not.toBeNull();
    expect((await pending.reload()).html).toBe('<p>lien</p>');
    expect((await failed.reload()).textBody).toBe('lien');
  });

  it('reminds a draft idle for 3 months once, again only after a change and 3 more idle months, deletes it at 12, never touches a submitted request', async () => {
    const submitted = await createSubmittedRequest(stack.sequelize);
    const setChanged = async (request: HabilitationRequest, at: Date) => {
      await stack.sequelize.query('UPDATE habilitation_requests SET updated_at = :at WHERE id = :id', { replacements: { at, id: request.id } });
      await stack.sequelize.query('UPDATE aidant_requests SET created_at = :at WHERE habilitation_request_id = :id', { replacements: { at, id: request.id } });
    };
    const draftOf = async () => {
      const bodies = validStepBodies();
      const issuer = await registerIssuer(stack.sequelize, parseIssuer(bodies.issuer).value!);
      await Issuer.update({ emailVerifiedAt: new Date() }, { where: { id: issuer.id } });
      const request = await createRequestDraft(issuer.id, parseStructure(bodies.structure).value!);
      const referent = parseReferent(bodies.referent, issuer).value!;
      await saveReferent(stack.sequelize, request.id, referent);
      await saveAidants(stack.sequelize, request.id, parseAidants(bodies.aidants, referent).value!);
      return request;
    };
    const draft = await draftOf();
    const old = await draftOf();
    let now = await serverNow();
    await setChanged(submitted, addMonths(now, -13));
    await setChanged(draft, new Date(addMonths(now, -3).getTime() + DAY_MS));
    await setChanged(old, new Date(addMonths(now, -12).getTime() + DAY_MS));
    // The dry run counts the 12-month draft only, and deletes nothing.
    expect((await previewInactivityPurges(stack.sequelize, DEFAULT_INACTIVITY_POLICY, now)).drafts.count).toBe(0);
    expect((await previewInactivityPurges(stack.sequelize, DEFAULT_INACTIVITY_POLICY, new Date(now.getTime() + 2 * DAY_MS))).drafts.count).toBe(1);
    expect(await HabilitationRequest.findByPk(old.id)).not.toBeNull();
    await runDuty();
    expect(await keysLike(`habilitation-draft/${draft.id}/`)).toEqual([]);
    expect(await HabilitationRequest.findByPk(old.id)).not.toBeNull();

    await stack.env.sleep(2 * DAY_MS);
    await runDuty();
    await runDuty();
    const reminders = await keysLike(`habilitation-draft/${draft.id}/`);
    expect(reminders).toHaveLength(1);
    const mail = await EmailOutbox.findOne({ where: { idempotencyKey: reminders[0] } });
    expect(mail!.textBody).toMatch(/\/habilitation\/lien\/[A-Za-z0-9_-]{43}/);
    expect(mail!.textBody).not.toContain(draft.id);
    expect(await JournalEntry.count({ where: { action: 'habilitation_draft_reminded', idempotencyKey: reminders[0] } })).toBe(1);

    expect(await HabilitationRequest.findByPk(old.id)).toBeNull();
    expect(await AidantRequest.count({ where: { habilitationRequestId: old.id } })).toBe(0);
    expect(await JournalEntry.count({ where: { action: 'habilitation_draft_deleted', idempotencyKey: `habilitation-draft/${old.id}/deleted` } })).toBe(1);
    expect(await HabilitationRequest.findByPk(submitted.id)).not.toBeNull();
    expect(await keysLike(`habilitation-draft/${submitted.id}/`)).toEqual([]);

    // Changed after the reminder, then idle 3 months again: reminded again (a new episode), once.
    now = await serverNow();
    await setChanged(draft, new Date(addMonths(now, -3).getTime() - 60_000));
    await runDuty();
    await runDuty();
    expect(await keysLike(`habilitation-draft/${draft.id}/`)).toHaveLength(2);
  });

  it('encourages an aidant without mandat nor démarche for the delay, once, and journals each run with its counts', async () => {
    // Active since the start of this file (the journal's dates are the database's clock): not encouraged then, checked in the first test.
    const key = await encouragementKey();
    expect((await serverNow()).getTime()).toBeGreaterThan(active!.since.getTime() + ENCOURAGEMENT_MS);
    const counts = await runDuty();
    await runDuty();
    expect(await keysLike(key)).toEqual([key]);
    expect(counts.encouraged ?? 0).toBeLessThanOrEqual(1); // sent by an earlier run already, or by this one
    expect((await waitForMails(active!.aidant.email, 1)).map((m) => m.subject)).toEqual(['Aidants Connect - Accompagnez vos usagers avec Aidants Connect']);
    const runs = await JournalEntry.findAll({ where: { action: 'inactivity_duty_run', createdAt: { [Op.gte]: active!.since } } });
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs[0].details).toMatchObject({ counts: expect.objectContaining({ warned: expect.any(Number) }) });
  });
});

describe('inactivity configuration', () => {
  it('defaults to 5 months, 30 days, 90 days, 7 days, 3 and 12 months, and names each bad value', () => {
    expect(loadConfig({}).inactivity).toEqual(DEFAULT_INACTIVITY_POLICY);
    expect(DEFAULT_INACTIVITY_POLICY).toEqual({
      aidantWarningAfterMonths: 5, aidantDeactivationAfterWarningMs: 30 * DAY_MS, aidantEncouragementAfterMs: 90 * DAY_MS,
      outboxBodyRetentionMs: 7 * DAY_MS, draftReminderAfterMonths: 3, draftDeletionAfterMonths: 12,
    });
    let problems: string[] = [];
    try {
      loadConfig({ INACTIVE_AIDANT_WARNING_AFTER_MONTHS: 'cinq', OUTBOX_BODY_RETENTION: 'une semaine', HABILITATION_DRAFT_REMINDER_AFTER_MONTHS: '12' });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['HABILITATION_DRAFT_REMINDER_AFTER_MONTHS', 'INACTIVE_AIDANT_WARNING_AFTER_MONTHS', 'OUTBOX_BODY_RETENTION']);
  });
});
