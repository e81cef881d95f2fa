// The journal's chain sealed after commit (migration 0033): writers never wait for each other, an entry
// committed late is sealed later and never lost, one sealer at a time, the seals append-only, an entry neither
// sealed nor pending reported, and the migration carrying an existing chain over (and back).
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { JournalEntry } from '../db/models/index.js';
import { createMigrator } from '../db/migrate.js';
import { appendJournal, journalSeals, sealJournal, verifyJournalChain } from '../services/journal.js';
import { sealedJournalPosition } from '../services/journal-export.js';
import { testSequelize, unique } from './support/env.js';
import { withScratchDatabase } from './support/scratch-database.js';

let sequelize: Sequelize;
beforeAll(() => { sequelize = testSequelize(); });
afterAll(() => sequelize.close());

/** The id of the entry marked `marker`. */
async function entryId(marker: string, transaction?: Transaction): Promise<string> {
  const entry = await JournalEntry.findOne({ where: { details: { marker } }, transaction });
  return String(entry!.id);
}

describe('the journal, chained after commit', () => {
  it('lets two writers journal at once, and seals a late commit with a smaller id after the other, never lost', async () => {
    const [early, late] = [unique('early-'), unique('late-')];
    const open = await sequelize.transaction();
    try {
      await appendJournal({ action: 'admin_login', details: { marker: late } }, open);
      const lateId = await entryId(late, open);
      // Another writer, while the first transaction is open: it does not wait (the chain lock of migration 0001
      // made it wait until the first one's commit).
      await sequelize.transaction(async (transaction) => {
        await sequelize.query("SET LOCAL lock_timeout = '2s'", { transaction });
        await appendJournal({ action: 'admin_login', details: { marker: early } }, transaction);
      });
      const earlyId = await entryId(early);
      expect(BigInt(lateId)).toBeLessThan(BigInt(earlyId));
      // Sealing meanwhile seals what committed, and does not wait for the open transaction either.
      await sealJournal(sequelize, { wait: true });
      const snapshot = await sealedJournalPosition(sequelize);
      expect((await journalSeals(sequelize, [earlyId])).get(earlyId)).toBeDefined();
      expect((await journalSeals(sequelize, [lateId])).get(lateId)).toBeUndefined();
      await open.commit();

      await sealJournal(sequelize, { wait: true });
      const seals = await journalSeals(sequelize, [earlyId, lateId]);
      expect(BigInt(seals.get(lateId)!.position)).toBeGreaterThan(BigInt(seals.get(earlyId)!.position));
      // The export's snapshot taken before the late commit stays without it.
      expect(BigInt(seals.get(lateId)!.position)).toBeGreaterThan(BigInt(snapshot));
      expect(await verifyJournalChain()).toEqual({ checked: expect.any(Number), brokenAt: null });
    } finally {
      if (!(open as unknown as { finished?: string }).finished) await open.rollback();
    }
  });

  it('seals with one sealer at a time: another leaves it the queue, or waits for it when asked', async () => {
    const marker = unique('queued-');
    await appendJournal({ action: 'admin_login', details: { marker } });
    const id = await entryId(marker);
    const holder = await sequelize.transaction();
    try {
      await sequelize.query("SELECT pg_advisory_xact_lock(hashtext('journal_seal'))", { transaction: holder });
      expect(await sealJournal(sequelize)).toBe(0);
      expect((await journalSeals(sequelize, [id])).get(id)).toBeUndefined();
      const waiting = sealJournal(sequelize, { wait: true });
      let done = false;
      void waiting.then(() => { done = true; });
      await sequelize.query('SELECT pg_sleep(0.2)');
      expect(done).toBe(false);
      await holder.commit();
      await waiting; // it, or another test file's sealer that took the lock first, has sealed the entry
    } finally {
      if (!(holder as unknown as { finished?: string }).finished) await holder.rollback();
    }
    expect((await journalSeals(sequelize, [id])).get(id)?.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses to change or delete a seal', async () => {
    await appendJournal({ action: 'admin_login', details: { marker: unique() } });
    await sealJournal(sequelize, { wait: true });
    await expect(sequelize.query("UPDATE journal_seals SET hash = 'x' WHERE position = (SELECT max(position) FROM journal_seals)")).rejects.toThrow(/append-only/);
    await expect(sequelize.query('DELETE FROM journal_seals WHERE position = (SELECT max(position) FROM journal_seals)')).rejects.toThrow(/append-only/);
    await expect(sequelize.query('TRUNCATE journal_seals')).rejects.toThrow(/append-only/);
  });

  it('reports an entry taken out of the queue without a seal', async () => {
    const transaction = await sequelize.transaction();
    try {
      // The sealer's lock first: no other sealer sees the entry before the queue row goes.
      await sequelize.query("SELECT pg_advisory_xact_lock(hashtext('journal_seal'))", { transaction });
      const marker = unique('unqueued-');
      await appendJournal({ action: 'admin_login', details: { marker } }, transaction);
      const id = await entryId(marker, transaction);
      await sequelize.query('DELETE FROM journal_unsealed WHERE entry_id = $1', { bind: [id], transaction });
      expect(await verifyJournalChain(transaction)).toEqual({ checked: expect.any(Number), brokenAt: id });
    } finally {
      await transaction.rollback();
    }
  });
});

describe('migration 0033', () => {
  it('carries the existing chain over in id order, and its down migration puts it back on the entries', async () => {
    await withScratchDatabase(sequelize, async (scratch) => {
      const rows = <T extends object>(sql: string) => scratch.query<T>(sql, { type: QueryTypes.SELECT });
      const migrator = createMigrator(scratch);
      await migrator.up({ to: '0032-ephemeral-tables' });
      await scratch.query("INSERT INTO journal (action, details) SELECT 'admin_login', jsonb_build_object('n', g) FROM generate_series(1, 5) g");
      const chained = await rows<{ id: string; previous_hash: string; hash: string }>('SELECT j.id::text AS id, j.previous_hash, j.hash FROM journal j ORDER BY j.id');
      await migrator.up({ to: '0033-journal-seals' });
      expect(await rows('SELECT position::text AS position, entry_id::text AS id, previous_hash, hash FROM journal_seals ORDER BY position'))
        .toEqual(chained.map((entry, i) => ({ position: String(i + 1), ...entry })));
      // New entries continue the chain after the carried one.
      await scratch.query("INSERT INTO journal (action, details) VALUES ('admin_login', '{\"n\": 6}')");
      expect(await rows('SELECT journal_seal(NULL, false) AS sealed')).toEqual([{ sealed: 1 }]);
      const [sixth] = await rows<{ previous_hash: string }>('SELECT previous_hash FROM journal_seals WHERE position = 6');
      expect(sixth.previous_hash).toBe(chained[4].hash);
      expect(await rows("SELECT count(*)::int AS broken FROM journal_seals s JOIN journal j ON j.id = s.entry_id WHERE journal_entry_digest(s.previous_hash, j) <> s.hash"))
        .toEqual([{ broken: 0 }]);

      await scratch.query("INSERT INTO journal (action, details) VALUES ('admin_login', '{\"n\": 7}')"); // pending at the down migration
      await migrator.down({ to: '0033-journal-seals' });
      const back = await rows<{ id: string; previous_hash: string; hash: string }>('SELECT j.id::text AS id, j.previous_hash, j.hash FROM journal j ORDER BY j.id');
      expect(back.slice(0, 5)).toEqual(chained);
      expect(back).toHaveLength(7);
      expect(back[6].previous_hash).toBe(back[5].hash);
      expect(await rows("SELECT to_regclass('journal_seals') AS t")).toEqual([{ t: null }]);
    });
  });
});
