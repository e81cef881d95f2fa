// The journal's CSV export and chain verification below the web layer: the escaping (quotes, line breaks,
// formulas), the filters read from the back-office list's parameters, the streaming (bounded batches, each
// fetched only once the client took the previous one, stopping when the client leaves), and the chain checked
// batch by batch, a break found across a batch boundary.
import { QueryTypes, Sequelize } from 'sequelize';
import {
  CSV_BOM, csvField, describeDemarches, describeDetails, JOURNAL_CSV_HEADERS, journalCsvFileName, parseJournalFilters,
} from '../domain/journal-export.js';
import { describeVerification } from '../domain/journal-verification.js';
import { appendJournal, verifyJournalChain } from '../services/journal.js';
import { journalBatches, sealedJournalPosition, writeJournalCsv } from '../services/journal-export.js';
import { testEnv, testSequelize } from './support/env.js';
import { createStructure } from './support/espace.js';
import { parseCsv } from './support/csv.js';
import { pausedClient } from './support/paused-client.js';

let sequelize: Sequelize;
beforeAll(() => { sequelize = testSequelize(); });
afterAll(() => sequelize.close());

/** `count` entries of a new structure, written in one statement (each queued for sealing by the journal's trigger). */
async function generateEntries(count: number): Promise<string> {
  const organisation = await createStructure();
  await sequelize.query(`
    INSERT INTO journal (action, organisation_id, details)
    SELECT 'connect_aidant', $1, jsonb_build_object('n', g) FROM generate_series(1, $2::int) g`, { bind: [organisation.id, count] });
  return organisation.id;
}

/** A connection of its own that records the export's queries. */
function countingSequelize() {
  const queries: string[] = [];
  const counting = new Sequelize(testEnv.databaseUrl, { dialect: 'postgres', logging: (sql) => { if (sql.includes('FROM journal j')) queries.push(sql); } });
  return { sequelize: counting, queries };
}


describe('the journal CSV, escaping', () => {
  it('quotes every field, doubles the quotes, keeps line breaks and separators inside, and neutralises formulas', () => {
    expect(csvField('Dupont; "le jeune"\nligne 2')).toBe('"Dupont; ""le jeune""\nligne 2"');
    expect(['=1+1', '+33 6', '-2', '@SUM(A1)', '\tx', '\rx'].map(csvField)).toEqual(["\"'=1+1\"", "\"'+33 6\"", "\"'-2\"", "\"'@SUM(A1)\"", "\"'\tx\"", "\"'\rx\""]);
    expect([null, undefined, 12, 'é'].map(csvField)).toEqual(['""', '""', '"12"', '"é"']);
    expect(csvField('a=b')).toBe('"a=b"');
  });

  it('describes details and démarches in French, and names the file with the date in Paris', () => {
    expect(describeDetails({ ip: '127.0.0.1', motif: 'Départ', custom: { a: 1 } })).toEqual(['Adresse IP : 127.0.0.1', 'Motif : Départ', 'custom : {"a":1}']);
    expect(describeDemarches(['social', 'inconnue'])).toMatch(/^[^,]+, inconnue$/);
    expect(describeDemarches(['social'])).not.toBe('social');
    expect(journalCsvFileName(new Date('2026-03-31T22:30:00Z'))).toBe('journal-aidants-connect-2026-04-01.csv');
  });

  it('reads the list’s filters, and refuses a malformed one instead of exporting more', () => {
    const id = '0b1a4b0e-3f43-4c33-9a53-2a7d2f0c1d11';
    expect(parseJournalFilters({
      'filters.action': 'use_autorisation', 'filters.organisationId': id, 'filters.actorId': id.toUpperCase(), 'filters.usagerId': id,
      'filters.createdAt~~from': '2026-01-01T00:00:00.000Z', 'filters.createdAt~~to': '2026-02-01', page: '3',
    })).toEqual({
      filters: { action: 'use_autorisation', organisationId: id, actorId: id, usagerId: id, from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01') },
      errors: [],
    });
    expect(parseJournalFilters({}).filters).toEqual({});
    expect(parseJournalFilters({ 'filters.action': 'drop_table', 'filters.usagerId': '12', 'filters.createdAt~~from': 'hier' }).errors).toEqual([
      'L’action « drop_table » n’existe pas dans le journal.', 'L’identifiant de l’usager est mal formé.', 'La date de début est mal formée.',
    ]);
    expect(parseJournalFilters({ 'filters.organisationId': [id, id] }).errors).toEqual(['Le filtre « structure » est donné plusieurs fois.']);
    expect(parseJournalFilters({ 'filters.createdAt~~from': '2026-02-01', 'filters.createdAt~~to': '2026-01-01' }).errors)
      .toEqual(['La date de début est postérieure à la date de fin.']);
  });

  it('says the verification’s result in French', () => {
    expect(describeVerification({ checked: 12345, brokenAt: null })).toMatch(/^Chaîne d’empreintes intacte : 12\s345 entrées vérifiées, aucune n’a été modifiée ni supprimée\.$/);
    expect(describeVerification({ checked: 1, brokenAt: '42' })).toMatch(/^Chaîne d’empreintes ROMPUE à l’entrée n° 42 \(1 entrée vérifiée\)/);
  });
});

describe('the journal CSV export, streamed', () => {
  it('writes a BOM, the French headers and one line per matching entry, up to the last entry at the start', async () => {
    const organisationId = await generateEntries(5);
    const upToPosition = await sealedJournalPosition(sequelize);
    await appendJournal({ action: 'connect_aidant', organisationId, details: { n: 'after the start' } });
    const client = pausedClient();
    client.release();
    expect(await writeJournalCsv(sequelize, { organisationId }, upToPosition, client.out, { batchSize: 2 })).toBe(5);
    const text = client.chunks.join('');
    expect(text.startsWith(CSV_BOM)).toBe(true);
    const [headers, ...rows] = parseCsv(text.slice(1));
    expect(headers).toEqual([...JOURNAL_CSV_HEADERS]);
    expect(rows.map((row) => row[15])).toEqual(['n : 1', 'n : 2', 'n : 3', 'n : 4', 'n : 5']);
    expect(rows.every((row) => row[2] === "Connexion d'un aidant" && row[3] === 'connect_aidant' && row[7] === organisationId)).toBe(true);
  });

  it('fetches one bounded batch at a time, the next only once the client took the previous one', async () => {
    const organisationId = await generateEntries(10_000);
    const { sequelize: counted, queries } = countingSequelize();
    try {
      const client = pausedClient();
      const done = writeJournalCsv(counted, { organisationId }, await sealedJournalPosition(sequelize), client.out, { batchSize: 1000 });
      await client.blocked();
      // The client took nothing: one batch fetched (its rows wait in the client's buffer), no read-ahead.
      expect(queries).toHaveLength(1);
      expect(client.chunks.join('').split('\r\n').length - 1).toBe(1); // only the header line reached the client
      client.release();
      expect(await done).toBe(10_000);
      // Ten full batches, then an empty read that ends the export.
      expect(queries).toHaveLength(11);
      expect(parseCsv(client.chunks.join('').slice(1))).toHaveLength(10_001);
    } finally {
      await counted.close();
    }
  });

  it('stops fetching when the client goes away', async () => {
    const organisationId = await generateEntries(3000);
    const { sequelize: counted, queries } = countingSequelize();
    try {
      const client = pausedClient();
      const done = writeJournalCsv(counted, { organisationId }, await sealedJournalPosition(sequelize), client.out, { batchSize: 500 });
      await client.blocked();
      client.out.destroy();
      expect(await done).toBe(500);
      expect(queries).toHaveLength(1);
    } finally {
      await counted.close();
    }
  });

  it('applies every filter in SQL', async () => {
    const organisation = await createStructure();
    // Three entries a few milliseconds apart, so that a millisecond bound falls between them.
    for (const n of [1, 2, 3]) {
      await appendJournal({ action: 'connect_aidant', organisationId: organisation.id, details: { n } });
      await sequelize.query('SELECT pg_sleep(0.005)');
    }
    const organisationId = organisation.id;
    const upToPosition = await sealedJournalPosition(sequelize);
    const ids = async (filters: Parameters<typeof journalBatches>[1]) => {
      const found: string[] = [];
      for await (const rows of journalBatches(sequelize, { organisationId, ...filters }, upToPosition, 2)) found.push(...rows.map((row) => row.id));
      return found;
    };
    const all = await ids({});
    expect(all).toHaveLength(3);
    expect(await ids({ action: 'admin_login' })).toEqual([]);
    expect(await ids({ action: 'connect_aidant' })).toEqual(all);
    const [{ floor, ceil }] = await sequelize.query<{ floor: Date; ceil: Date }>(`
      SELECT date_trunc('milliseconds', created_at) AS floor, date_trunc('milliseconds', created_at) + interval '1 millisecond' AS ceil
      FROM journal WHERE id = $1`, { type: QueryTypes.SELECT, bind: [all[1]] });
    expect(await ids({ from: floor })).toEqual(all.slice(1));
    expect(await ids({ to: ceil })).toEqual(all.slice(0, 2));
    expect(await ids({ from: floor, to: ceil })).toEqual([all[1]]);
    expect(await ids({ usagerId: '0b1a4b0e-3f43-4c33-9a53-2a7d2f0c1d11' })).toEqual([]);
  });
});

describe('the chain verification, in batches', () => {
  it('finds a tampered entry and a deleted one, also on a batch boundary, and counts what it checked', async () => {
    await generateEntries(6);
    expect((await verifyJournalChain(undefined, 4)).brokenAt).toBeNull();
    // The last three entries of the chain, in seal order (the verification sealed the six, maybe after others).
    const [last, deleted, tampered] = await sequelize.query<{ entry_id: string; position: string }>(
      'SELECT entry_id::text AS entry_id, position::text AS position FROM journal_seals ORDER BY position DESC LIMIT 3', { type: QueryTypes.SELECT });
    const transaction = await sequelize.transaction();
    try {
      // Tampering needs the triggers disabled, which only a superuser can do: this is what the chain is for.
      // (The ALTERs also lock the tables: no other test appends or seals meanwhile.)
      // The sealer's lock first, as every sealer takes it before reading the journal: no deadlock with a sealer
      // of another test file.
      await sequelize.query("SELECT pg_advisory_xact_lock(hashtext('journal_seal'))", { transaction });
      await sequelize.query('ALTER TABLE journal DISABLE TRIGGER journal_append_only', { transaction });
      await sequelize.query('ALTER TABLE journal_seals DISABLE TRIGGER journal_seals_append_only', { transaction });
      // An entry deleted with its seal: the next seal is found after a missing position, whether it opens a
      // batch, closes one or sits inside one.
      await sequelize.query(`DELETE FROM journal_seals WHERE entry_id = ${deleted.entry_id}`, { transaction });
      await sequelize.query(`DELETE FROM journal WHERE id = ${deleted.entry_id}`, { transaction });
      const beforeLast = Number(last.position) - 1;
      for (const batchSize of [beforeLast - 1, beforeLast, beforeLast + 7]) {
        expect(await verifyJournalChain(transaction, batchSize)).toEqual({ checked: beforeLast, brokenAt: last.entry_id });
      }
      await sequelize.query(`UPDATE journal SET details = '{"n": 0}' WHERE id = ${tampered.entry_id}`, { transaction });
      expect(await verifyJournalChain(transaction, 2)).toEqual({ checked: Number(tampered.position), brokenAt: tampered.entry_id });
    } finally {
      await transaction.rollback();
    }
    expect((await verifyJournalChain()).brokenAt).toBeNull();
  });
});
