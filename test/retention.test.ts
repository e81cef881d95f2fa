// The daily retention duty on the time-skipping server, years skipped: mandats and their autorisations deleted
// exactly 6 years after their end and not a day before, usagers 6 years after their last mandat ended and kept
// while a mandat remains, inactive aidant accounts anonymised 6 years after their last login; the journal keeps
// every entry about them and still verifies; each run journaled once with its counts; bounded batches across
// continueAsNew; the dry run deletes nothing.
//
// The duty purges the whole database by design: this file works in a database of its own, so that moving its
// server's clock years ahead never touches another test file's rows.
import { Client } from '@temporalio/client';
import { QueryTypes } from 'sequelize';
import { Autorisation, JournalEntry, Mandat, OrganisationMembership, Usager, User, type Organisation } from '../db/models/index.js';
import { DAY_MS } from '../domain/duration.js';
import { MANDAT_TEXT_VERSION } from '../domain/mandat.js';
import { DEFAULT_RETENTION_POLICY, yearsBefore } from '../domain/retention.js';
import { appendJournal, journalSeals, sealJournal, verifyJournalChain } from '../services/journal.js';
import { journalRetentionRun, previewRetention, purgeRetentionBatch } from '../services/retention.js';
import { createRetentionActivities } from '../activities/retention.js';
import { createPerson, createStructure } from './support/espace.js';
import { createUsager } from './support/mandats.js';
import { unique } from './support/env.js';
import { useTimeSkippingStack } from './support/temporal.js';
import type { retentionWorkflow } from '../workflows/retention.js';

const stack = useTimeSkippingStack({ ownDatabase: true });

let keeperCase: { usagerId: string; mandatId: string; lastEnd: Date };
const addYears = (date: Date, years: number) => yearsBefore(date, -years);
const serverNow = async () => new Date(await stack.env.currentTimeMs());
/** Moves the server's clock to `at` (never back). */
async function skipTo(at: Date) {
  const left = at.getTime() - (await stack.env.currentTimeMs());
  if (left > 0) await stack.env.sleep(left);
}

/**
 * Runs the duty at the server's current time. A plain client, not the environment's: that one lets the server
 * skip time while it waits for the result, which would move the clock past the boundaries tested here.
 */
async function runRetention(progress: Parameters<typeof retentionWorkflow>[0] = {}) {
  const workflowId = unique('retention-');
  const client = new Client({ connection: stack.env.connection, namespace: 'default' });
  const handle = await client.workflow.start<typeof retentionWorkflow>('retentionWorkflow', {
    workflowId, taskQueue: stack.worker.taskQueue, args: [progress],
  });
  const result = await handle.result();
  const entries = await JournalEntry.findAll({ where: { action: 'retention_purge', idempotencyKey: `retention/${workflowId}` } });
  return { result, entries, handle };
}

/** `count` mandats written straight to the database (one statement), each with its autorisations. */
async function insertMandats(options: {
  organisation: Organisation; usagerId: string; aidantId: string; count?: number; createdAt: Date; expiresAt: Date;
  status?: 'active' | 'expired' | 'revoked'; revokedAt?: Date | null; demarches?: string[];
}): Promise<string[]> {
  const rows = await stack.sequelize.query<{ id: string }>(`
    INSERT INTO mandats (organisation_id, usager_id, created_by_id, duration, status, created_at, expires_at, revoked_at, template_hash, attestation_hash, text_version)
    SELECT :organisationId, :usagerId, :aidantId, 'LONG', :status, :createdAt, :expiresAt, :revokedAt, 'template', md5(random()::text), :textVersion
    FROM generate_series(1, :count) RETURNING id`, {
    replacements: {
      organisationId: options.organisation.id, usagerId: options.usagerId, aidantId: options.aidantId, status: options.status ?? 'expired',
      createdAt: options.createdAt, expiresAt: options.expiresAt, revokedAt: options.revokedAt ?? null, textVersion: MANDAT_TEXT_VERSION, count: options.count ?? 1,
    },
    type: QueryTypes.SELECT,
  });
  const ids = rows.map((row) => row.id);
  for (const demarche of options.demarches ?? ['social']) {
    await stack.sequelize.query(`INSERT INTO autorisations (mandat_id, demarche, created_at) SELECT id, :demarche, created_at FROM mandats WHERE id = ANY(ARRAY[:ids]::uuid[])`,
      { replacements: { demarche, ids } });
  }
  return ids;
}

const autorisationsOf = (mandatIds: string[]) => Autorisation.count({ where: { mandatId: mandatIds } });

describe('retention', () => {
  it('deletes a mandat and its autorisations exactly 6 years after its end, then its usager once no mandat is left; the journal stays whole', async () => {
    const organisation = await createStructure();
    const { user: aidant } = await createPerson(organisation, { card: null });
    const ended = new Date((await serverNow()).getTime() - 10 * DAY_MS);
    const usager = await createUsager({ givenName: 'Marie', familyName: 'Effacée' });
    const [expired] = await insertMandats({ organisation, usagerId: usager.id, aidantId: aidant.id, createdAt: new Date(ended.getTime() - 365 * DAY_MS), expiresAt: ended, demarches: ['social', 'papiers'] });
    // Another usager: a mandat revoked on the same day, and a later one that keeps them.
    const keeper = await createUsager();
    const [revoked] = await insertMandats({ organisation, usagerId: keeper.id, aidantId: aidant.id, createdAt: new Date(ended.getTime() - 30 * DAY_MS), expiresAt: addYears(ended, 1), status: 'revoked', revokedAt: ended });
    const [later] = await insertMandats({ organisation, usagerId: keeper.id, aidantId: aidant.id, createdAt: ended, expiresAt: addYears(ended, 1) });
    const autorisationId = (await Autorisation.findOne({ where: { mandatId: expired } }))!.id;
    await appendJournal({ action: 'create_attestation', actorId: aidant.id, organisationId: organisation.id, usagerId: usager.id, mandatId: expired, details: { attestationHash: 'h' } });
    await appendJournal({ action: 'use_autorisation', actorId: aidant.id, organisationId: organisation.id, usagerId: usager.id, mandatId: expired, autorisationId, demarches: ['social'] });
    const aboutUsager = await JournalEntry.findAll({ where: { usagerId: usager.id }, order: [['id', 'ASC']] });

    // A day before the 6 years: everything stays.
    await skipTo(new Date(addYears(ended, 6).getTime() - DAY_MS));
    const early = await runRetention();
    expect(early.result.counts).toEqual({ mandats: 0, autorisations: 0, usagers: 0, aidants: 0 });
    expect(await Mandat.count({ where: { id: [expired, revoked, later] } })).toBe(3);
    expect(await autorisationsOf([expired])).toBe(2);
    expect(await Usager.findByPk(usager.id)).not.toBeNull();

    // 6 years after the end: the two ended mandats go with their autorisations, and the usager left without mandat.
    await skipTo(addYears(ended, 6));
    const due = await runRetention();
    expect(due.result.counts).toEqual({ mandats: 2, autorisations: 3, usagers: 1, aidants: 0 });
    expect(await Mandat.count({ where: { id: [expired, revoked] } })).toBe(0);
    expect(await autorisationsOf([expired, revoked])).toBe(0);
    expect(await Usager.findByPk(usager.id)).toBeNull();
    // Kept while a mandat remains.
    expect(await Usager.findByPk(keeper.id)).not.toBeNull();
    expect(await Mandat.findByPk(later)).not.toBeNull();

    // Every entry about the deleted usager is still there, unchanged, and the chain verifies.
    expect((await JournalEntry.findAll({ where: { usagerId: usager.id }, order: [['id', 'ASC']] })).map((e) => e.toJSON())).toEqual(aboutUsager.map((e) => e.toJSON()));
    expect(aboutUsager).toHaveLength(2);
    expect(await verifyJournalChain()).toEqual({ checked: expect.any(Number), brokenAt: null });

    // The run is journaled once, with its counts (and the early one too, with zeros).
    expect(due.entries).toHaveLength(1);
    expect(due.entries[0].details).toMatchObject({ counts: { mandats: 2, autorisations: 3, usagers: 1, aidants: 0 }, years: { mandats: 6, usagers: 6, aidants: 6 } });
    expect(early.entries).toHaveLength(1);

    keeperCase = { usagerId: keeper.id, mandatId: later, lastEnd: addYears(ended, 1) };
  }, 120_000);

  it('deletes the other usager 6 years after their last mandat ended, not a day before', async () => {
    await skipTo(new Date(addYears(keeperCase.lastEnd, 6).getTime() - DAY_MS));
    await runRetention();
    expect(await Mandat.findByPk(keeperCase.mandatId)).not.toBeNull();
    expect(await Usager.findByPk(keeperCase.usagerId)).not.toBeNull();
    await skipTo(addYears(keeperCase.lastEnd, 6));
    const run = await runRetention();
    expect(run.result.counts).toMatchObject({ mandats: 1, autorisations: 1, usagers: 1 });
    expect(await Mandat.findByPk(keeperCase.mandatId)).toBeNull();
    expect(await Usager.findByPk(keeperCase.usagerId)).toBeNull();
  }, 120_000);

  it('anonymises an aidant account 6 years after its last login, not a day before; its journal entries stay', async () => {
    const organisation = await createStructure();
    const { user: aidant } = await createPerson(organisation, { card: null });
    const lastLogin = await serverNow();
    await User.update({ lastLoginAt: lastLogin, phone: '0601020304' }, { where: { id: aidant.id } });
    await appendJournal({ action: 'connect_aidant', actorId: aidant.id, organisationId: organisation.id });
    const entries = await JournalEntry.findAll({ where: { actorId: aidant.id }, order: [['id', 'ASC']] });
    // The chain's hashes of the aidant's entries (sealed now): the anonymisation must leave them as they are.
    const hashesOf = async (ids: string[]) => {
      await sealJournal(JournalEntry.sequelize!, { wait: true });
      const seals = await journalSeals(JournalEntry.sequelize!, ids);
      return ids.map((id) => seals.get(id)?.hash);
    };
    const hashesBefore = await hashesOf(entries.map((e) => String(e.id)));
    expect(hashesBefore.every((hash) => /^[0-9a-f]{64}$/.test(hash ?? ''))).toBe(true);

    await skipTo(new Date(addYears(lastLogin, 6).getTime() - DAY_MS));
    await runRetention();
    expect(await User.findByPk(aidant.id)).toMatchObject({ email: aidant.email, lastName: aidant.lastName, isActive: true });

    await skipTo(addYears(lastLogin, 6));
    const due = await runRetention();
    expect(due.result.counts.aidants).toBeGreaterThanOrEqual(1);
    const anonymised = await User.findByPk(aidant.id);
    expect(anonymised).toMatchObject({ email: `supprime-${aidant.id}@aidants-connect.invalid`, firstName: 'Aidant', lastName: 'supprimé', phone: null, profession: null, isActive: false });
    expect(await OrganisationMembership.count({ where: { userId: aidant.id } })).toBe(0);
    expect((await JournalEntry.findAll({ where: { actorId: aidant.id }, order: [['id', 'ASC']] })).map((e) => String(e.id))).toEqual(entries.map((e) => String(e.id)));
    expect(await hashesOf(entries.map((e) => String(e.id)))).toEqual(hashesBefore);
    expect(await verifyJournalChain()).toEqual({ checked: expect.any(Number), brokenAt: null });
  }, 120_000);

  it('counts a never-logged-in account from its creation', async () => {
    const organisation = await createStructure();
    const { user: aidant } = await createPerson(organisation, { card: null });
    const created = (await serverNow());
    await stack.sequelize.query('UPDATE users SET created_at = :created WHERE id = :id', { replacements: { created, id: aidant.id } });
    await skipTo(new Date(addYears(created, 6).getTime() - DAY_MS));
    await runRetention();
    expect((await User.findByPk(aidant.id))!.email).toBe(aidant.email);
    await skipTo(addYears(created, 6));
    await runRetention();
    expect((await User.findByPk(aidant.id))!.email).toBe(`supprime-${aidant.id}@aidants-connect.invalid`);
  }, 120_000);

  it('works in bounded batches, continuing as new, and journals the run once', async () => {
    const organisation = await createStructure();
    const { user: aidant } = await createPerson(organisation, { card: null });
    const usager = await createUsager();
    const now = await serverNow();
    const ended = new Date(yearsBefore(now, 6).getTime() - DAY_MS);
    const ids = await insertMandats({ organisation, usagerId: usager.id, aidantId: aidant.id, count: 2500, createdAt: new Date(ended.getTime() - DAY_MS), expiresAt: ended });
    expect(DEFAULT_RETENTION_POLICY.batchSize).toBe(1000);

    const run = await runRetention({ batchesPerRun: 2 });
    expect(run.result.counts).toMatchObject({ mandats: 2500, autorisations: 2500, usagers: 1 });
    // 1000 + 1000 + 500 mandats, then one batch each for usagers and aidants.
    expect(run.result.batches).toBe(5);
    expect(await Mandat.count({ where: { id: ids } })).toBe(0);
    expect(await autorisationsOf(ids)).toBe(0);
    // The first run continued as new (its history stays small); the journal has one entry for the whole run.
    const first = new Client({ connection: stack.env.connection, namespace: 'default' }).workflow.getHandle(run.handle.workflowId, run.handle.firstExecutionRunId);
    expect((await first.describe()).status.name).toBe('CONTINUED_AS_NEW');
    expect(run.entries).toHaveLength(1);
    expect(run.entries[0].details).toMatchObject({ counts: { mandats: 2500, autorisations: 2500, usagers: 1 }, batches: 5 });

    // Idempotent: a retried batch finds nothing more, a retried journal write adds nothing.
    expect(await purgeRetentionBatch(stack.sequelize, 'mandats', now, DEFAULT_RETENTION_POLICY)).toEqual({ counts: { mandats: 0, autorisations: 0 }, done: true });
    const { journalRetentionRun: journalActivity } = createRetentionActivities({ sequelize: stack.sequelize });
    await journalActivity({ runKey: run.handle.workflowId, now: now.toISOString(), counts: run.result.counts, batches: 5 });
    await journalRetentionRun({ runKey: run.handle.workflowId, now, counts: run.result.counts, batches: 5, policy: DEFAULT_RETENTION_POLICY });
    expect(await JournalEntry.count({ where: { idempotencyKey: `retention/${run.handle.workflowId}` } })).toBe(1);
  }, 300_000);

  it('previews what a run would delete, with the oldest dates, and deletes nothing', async () => {
    const organisation = await createStructure();
    const { user: aidant } = await createPerson(organisation, { card: null });
    const now = await serverNow();
    await stack.sequelize.query('UPDATE users SET last_login_at = :at WHERE id = :id', { replacements: { at: now, id: aidant.id } });
    const usager = await createUsager();
    const oldest = new Date(yearsBefore(now, 7).getTime());
    const due = [
      ...await insertMandats({ organisation, usagerId: usager.id, aidantId: aidant.id, createdAt: new Date(oldest.getTime() - DAY_MS), expiresAt: oldest, demarches: ['social', 'logement'] }),
      ...await insertMandats({ organisation, usagerId: usager.id, aidantId: aidant.id, createdAt: new Date(oldest.getTime() - DAY_MS), expiresAt: addYears(oldest, 1), status: 'revoked', revokedAt: oldest }),
    ];
    const notYet = await createUsager();
    await insertMandats({ organisation, usagerId: notYet.id, aidantId: aidant.id, createdAt: new Date(now.getTime() - DAY_MS), expiresAt: new Date(now.getTime() - 1000) });

    const preview = await previewRetention(stack.sequelize, now, DEFAULT_RETENTION_POLICY);
    expect(preview.mandats).toEqual({ count: 2, oldest });
    expect(preview.autorisations.count).toBe(3);
    expect(preview.usagers).toEqual({ count: 1, oldest });
    expect(preview.aidants.count).toBe(0);
    expect(await Mandat.count({ where: { id: due } })).toBe(2);
    expect(await Usager.findByPk(usager.id)).not.toBeNull();
    // The same cutoffs as a run: the run deletes exactly what the preview counted.
    const run = await runRetention();
    expect(run.result.counts).toMatchObject({ mandats: 2, autorisations: 3, usagers: 1 });
    expect(await Usager.findByPk(notYet.id)).not.toBeNull();
  }, 120_000);
});
