// The back-office's data exports below the web layer, and their route in-process: each export's content on a
// small fixture (headers, a row read field by field, the numbers of mandats and démarches right, formulas
// neutralised), the filters, the streaming (the next batch fetched only once the client took the previous
// one, nothing more once it has gone), and 100 000 aidant rows streamed over HTTP in bounded memory.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runInNewContext } from 'node:vm';
import v8 from 'node:v8';
import express from 'express';
import { Sequelize } from 'sequelize';
import { Issuer, JournalEntry, OrganisationMembership, type Organisation } from '../db/models/index.js';
import { CSV_BOM } from '../domain/csv.js';
import {
  AIDANT_CSV_HEADERS, dataExportFileName, parseDataExportFilters, REQUEST_CSV_HEADERS, STRUCTURE_CSV_HEADERS, type DataExportFilters, type DataExportKind,
} from '../domain/data-exports.js';
import { MANDAT_TEXT_VERSION } from '../domain/mandat.js';
import { REQUEST_STATUSES } from '../domain/habilitation.js';
import { dataExportBatches, writeDataExportCsv } from '../services/data-exports.js';
import { appendJournal } from '../services/journal.js';
import { dataExportRoute } from '../admin/data-export-route.js';
import { parseCsv } from './support/csv.js';
import { testEnv, testSequelize, unique } from './support/env.js';
import { createPerson, createStructure } from './support/espace.js';
import { createStaffMember, createSubmittedRequest } from './support/factories.js';
import { createTestMandat, createUsager, DAY } from './support/mandats.js';
import { pausedClient } from './support/paused-client.js';

let sequelize: Sequelize;
beforeAll(() => { sequelize = testSequelize(); });
afterAll(() => sequelize.close());


async function exported(kind: DataExportKind, filters: DataExportFilters, batchSize = 2) {
  const client = pausedClient();
  client.release();
  const count = await writeDataExportCsv(sequelize, kind, filters, client.out, { batchSize });
  const text = client.text();
  expect(text.startsWith(CSV_BOM)).toBe(true);
  const [headers, ...rows] = parseCsv(text.slice(1));
  expect(rows).toHaveLength(count);
  return { headers, rows };
}

const cell = <H extends readonly string[]>(headers: H, row: string[]) => (name: H[number]) => row[headers.indexOf(name)];

/** A structure with three people, mandats in all states, uses of autorisations and a training; another structure. */
async function fixture() {
  const a = await createStructure();
  const b = await createStructure();
  await sequelize.query(`UPDATE organisations SET name = '=SOMME(A1)', department_code = '2B' WHERE id = $1`, { bind: [a.id] });
  const karim = await createPerson(a); // aidant, validated physical card
  await sequelize.query(`UPDATE users SET last_name = '-Benali', email = $2, last_login_at = '2026-03-10T23:30:00Z' WHERE id = $1`, { bind: [karim.user.id, `${unique('karim-')}@exemple.fr`] });
  await OrganisationMembership.create({ userId: karim.user.id, organisationId: b.id, isReferent: false, canCreateMandats: true });
  const camille = await createPerson(a, { role: 'referent_aidant', card: null });
  const gone = await createPerson(a, { active: false, card: 'digital' });
  await sequelize.query(`UPDATE cards SET validated_at = NULL WHERE aidant_id = $1`, { bind: [gone.user.id] });
  // Karim in A: two active mandats, a revoked one, an expired one (still « active » in its status column, past its expiry).
  for (let i = 0; i < 2; i += 1) await createTestMandat(a, karim.user, { duration: 'LONG' });
  const { mandat: revoked } = await createTestMandat(a, karim.user, { duration: 'LONG' });
  await sequelize.query(`UPDATE mandats SET status = 'revoked', revoked_at = now() WHERE id = $1`, { bind: [revoked.id] });
  await createTestMandat(a, karim.user, { duration: 'SHORT', createdAt: new Date(Date.now() - 30 * DAY) });
  await createTestMandat(b, karim.user, { duration: 'LONG' });
  await createTestMandat(a, camille.user, { duration: 'LONG' });
  await createTestMandat(a, gone.user, { duration: 'LONG' });
  const usager = await createUsager();
  const use = (actor: string, organisationId: string) => appendJournal({ action: 'use_autorisation', actorId: actor, organisationId, usagerId: usager.id, demarches: ['social'] });
  for (let i = 0; i < 3; i += 1) await use(karim.user.id, a.id);
  await use(karim.user.id, b.id);
  await use(camille.user.id, a.id);
  await appendJournal({ action: 'connect_aidant', actorId: karim.user.id, organisationId: a.id });
  await sequelize.query(`
    INSERT INTO aidant_onboardings (organisation_id, user_id, email, first_name, last_name, training_deadline, training_date, status, completed_at)
    VALUES ($1, $2, 'karim@exemple.fr', 'Karim', 'Benali', now(), '2026-02-03', 'completed', now()),
           ($1, $2, 'karim@exemple.fr', 'Karim', 'Benali', now(), '2025-01-20', 'completed', now())`, { bind: [a.id, karim.user.id] });
  return { a, b, karim, camille, gone };
}

describe('the data exports, pure part', () => {
  it('reads the list’s filters each export applies, ignores the others, and refuses a malformed one', () => {
    const id = '0b1a4b0e-3f43-4c33-9a53-2a7d2f0c1d11';
    expect(parseDataExportFilters('aidants', {
      'filters.departmentCode': '2a, 75 ;974', 'filters.organisationId': id.toUpperCase(), 'filters.isActive': 'true', 'filters.lastName': 'x', page: '2',
    })).toEqual({ filters: { departmentCodes: ['2A', '75', '974'], organisationId: id, isActive: true }, errors: [] });
    expect(parseDataExportFilters('structures', { 'filters.type': 'ccas', 'filters.isActive': 'false', 'filters.status': 'refused' }))
      .toEqual({ filters: { type: 'ccas', isActive: false }, errors: [] });
    expect(parseDataExportFilters('habilitation_requests', { 'filters.status': 'refused', 'filters.submittedAt~~from': '2026-01-01' }).filters)
      .toEqual({ status: 'refused', submittedFrom: new Date('2026-01-01') });
    expect(parseDataExportFilters('aidants', { 'filters.departmentCode': '17,999', 'filters.organisationId': '12', 'filters.isActive': 'oui' }).errors).toEqual([
      'Département inconnu : 999 (un code comme 17, 2A ou 974, plusieurs séparés par des virgules).',
      'L’identifiant de la structure est mal formé.', 'Le filtre « compte actif » vaut « true » ou « false ».',
    ]);
    expect(parseDataExportFilters('habilitation_requests', { 'filters.status': 'approved', 'filters.type': ['ccas', 'epn'] }).errors)
      .toEqual(['Le filtre « type de structure » est donné plusieurs fois.', 'Le statut « approved » n’existe pas.']);
    expect(dataExportFileName('habilitation_requests', new Date('2026-03-31T22:30:00Z'))).toBe('demandes-habilitation-aidants-connect-2026-04-01.csv');
  });
});

describe('the data exports, content', () => {
  it('aidants: one row per aidant and structure, with card, training, mandats and démarches counted; formulas neutralised', async () => {
    const { a, b, karim, camille, gone } = await fixture();
    const { headers, rows } = await exported('aidants', { departmentCodes: ['2B', '17'] });
    expect(headers).toEqual([...AIDANT_CSV_HEADERS]);
    const mine = rows.filter((row) => [karim, camille, gone].some((p) => row.includes(p.user.id)));
    expect(mine).toHaveLength(4);
    const rowOf = (userId: string, organisationId: string) => mine.find((row) => row.includes(userId) && row.includes(organisationId))!;
    const k = cell(AIDANT_CSV_HEADERS, rowOf(karim.user.id, a.id));
    expect(AIDANT_CSV_HEADERS.map((name) => k(name))).toEqual([
      "'-Benali", 'Karim', expect.stringMatching(/^karim-.*@exemple\.fr$/), 'Travailleur social', "'=SOMME(A1)", '26170021400016', '2B', a.habilitationNumber,
      'Oui', 'Non', 'Oui', 'Oui', '11/03/2026',
      'Carte physique', karim.card!.serialNumber, 'Oui', '03/02/2026',
      '4', '2', '3', karim.user.id, a.id,
    ]);
    const kb = cell(AIDANT_CSV_HEADERS, rowOf(karim.user.id, b.id));
    expect([kb('Structure'), kb('Département'), kb('Mandats créés'), kb('Mandats actifs'), kb('Démarches effectuées')]).toEqual([b.name, '17', '1', '1', '1']);
    const c = cell(AIDANT_CSV_HEADERS, rowOf(camille.user.id, a.id));
    expect([c('Référent'), c('Aidant (crée des mandats)'), c('Type de carte'), c('Carte validée'), c('Date de formation'), c('Dernière connexion'), c('Mandats créés'), c('Mandats actifs'), c('Démarches effectuées')])
      .toEqual(['Oui', 'Oui', 'Aucune', '', '', '', '1', '1', '1']);
    const g = cell(AIDANT_CSV_HEADERS, rowOf(gone.user.id, a.id));
    expect([g('Compte actif'), g('Type de carte'), g('N° de série de la carte physique'), g('Carte validée'), g('Démarches effectuées')])
      .toEqual(['Non', 'Application d’authentification', '', 'Non', '0']);

    // Filters: the structure, the account's state, the département.
    const only = async (filters: DataExportFilters) => (await exported('aidants', filters)).rows.map((row) => `${cell(AIDANT_CSV_HEADERS, row)('Identifiant de l’aidant')}/${cell(AIDANT_CSV_HEADERS, row)('Identifiant de la structure')}`).sort();
    expect(await only({ organisationId: a.id })).toEqual([`${karim.user.id}/${a.id}`, `${camille.user.id}/${a.id}`, `${gone.user.id}/${a.id}`].sort());
    expect(await only({ organisationId: a.id, isActive: false })).toEqual([`${gone.user.id}/${a.id}`]);
    expect(await only({ organisationId: b.id, departmentCodes: ['2B'] })).toEqual([]);
  });

  it('structures: habilitation, active aidants and référents, active mandats', async () => {
    const { a, b } = await fixture();
    const { headers, rows } = await exported('structures', { departmentCodes: ['2B'] });
    expect(headers).toEqual([...STRUCTURE_CSV_HEADERS]);
    const row = rows.find((r) => r.includes(a.id))!;
    const s = cell(STRUCTURE_CSV_HEADERS, row);
    expect(STRUCTURE_CSV_HEADERS.map((name) => s(name))).toEqual([
      "'=SOMME(A1)", 'CCAS', '26170021400016', '1 place de la Mairie', '17460', 'Préguillac', '2B', a.habilitationNumber, '', 'Oui',
      expect.stringMatching(/^\d{2}\/\d{2}\/\d{4}$/),
      '2', // Karim and Camille (the inactive account is not counted)
      '1', // Camille
      '4', // Karim's two, Camille's and the inactive account's; not the revoked nor the expired
      a.id,
    ]);
    expect(rows.some((r) => r.includes(b.id))).toBe(false); // another département
    const bRow = cell(STRUCTURE_CSV_HEADERS, (await exported('structures', { departmentCodes: ['17'], type: 'ccas', isActive: true }, 500)).rows.find((r) => r.includes(b.id))!);
    expect([bRow('Aidants actifs'), bRow('Référents actifs'), bRow('Mandats actifs')]).toEqual(['1', '0', '1']);
    expect((await exported('structures', { departmentCodes: ['2B'], isActive: false })).rows.some((r) => r.includes(a.id))).toBe(false);
  });

  it('habilitation requests: status, dates, structure, demandeur, référent and aidants to train; no drafts unless asked', async () => {
    const request = await createSubmittedRequest(sequelize, {
      structure: { name: '@CCAS de Corte', zipcode: '20250', city: 'Corte' },
      aidants: {
        aidant1_firstName: 'Karim', aidant1_lastName: 'Benali', aidant1_email: `${unique('a1-')}@exemple.fr`, aidant1_profession: 'Travailleur social',
        aidant2_firstName: 'Inès', aidant2_lastName: 'Morel', aidant2_email: `${unique('a2-')}@exemple.fr`, aidant2_profession: 'Conseillère numérique',
      },
    });
    await sequelize.query(`UPDATE habilitation_requests SET status = 'awaiting_comite' WHERE id = $1`, { bind: [request.id] });
    const draft = await createSubmittedRequest(sequelize, { structure: { zipcode: '20250' } });
    await sequelize.query(`UPDATE habilitation_requests SET status = 'draft', submitted_at = NULL WHERE id = $1`, { bind: [draft.id] });
    const departement = request.departmentCode!;
    const { headers, rows } = await exported('habilitation_requests', { departmentCodes: [departement] });
    expect(headers).toEqual([...REQUEST_CSV_HEADERS]);
    expect(rows.some((row) => row.includes(draft.id))).toBe(false);
    const r = cell(REQUEST_CSV_HEADERS, rows.find((row) => row.includes(request.id))!);
    const issuer = (await Issuer.findByPk(request.issuerId))!;
    expect(REQUEST_CSV_HEADERS.map((name) => r(name))).toEqual([
      "'@CCAS de Corte", REQUEST_STATUSES.awaiting_comite, 'CCAS', '78234567800018', '20250', 'Corte', departement, '',
      'Léa Roux', issuer.email, 'Directrice', 'Léa Roux', issuer.email, '2',
      expect.stringMatching(/^\d{2}\/\d{2}\/\d{4}$/), expect.stringMatching(/^\d{2}\/\d{2}\/\d{4}$/), '', '', '', request.id, '',
    ]);
    const drafts = await exported('habilitation_requests', { departmentCodes: [departement], status: 'draft' });
    expect(drafts.rows.map((row) => cell(REQUEST_CSV_HEADERS, row)('Identifiant de la demande'))).toContain(draft.id);
    expect(drafts.rows.some((row) => row.includes(request.id))).toBe(false);
  });
});

/** A connection of its own that records the export's page queries. */
function countingSequelize() {
  const queries: string[] = [];
  const counting = new Sequelize(testEnv.databaseUrl, { dialect: 'postgres', logging: (sql) => { if (sql.includes('WITH page AS')) queries.push(sql); } });
  return { sequelize: counting, queries };
}

/** `count` aidants of a new structure, written set-based; every tenth with a mandat and two uses of it. */
async function seedAidants(count: number): Promise<Organisation> {
  const organisation = await createStructure();
  const tag = unique('bulk-');
  await sequelize.query(`
    INSERT INTO users (email, first_name, last_name, profession, current_organisation_id)
    SELECT $2 || '-' || g || '@exemple.fr', 'Prénom ' || g, 'Nom ' || g, 'Travailleur social', $1 FROM generate_series(1, $3::int) g`,
  { bind: [organisation.id, tag, count] });
  await sequelize.query(`INSERT INTO organisation_memberships (user_id, organisation_id) SELECT id, $1 FROM users WHERE current_organisation_id = $1`, { bind: [organisation.id] });
  const usager = await createUsager();
  await sequelize.query(`
    INSERT INTO mandats (organisation_id, usager_id, created_by_id, duration, expires_at, template_hash, attestation_hash, text_version)
    SELECT $1, $2, u.id, 'LONG', now() + interval '300 days', 'x', md5(u.id::text), $3
    FROM users u WHERE u.current_organisation_id = $1 AND split_part(u.first_name, ' ', 2)::int % 10 = 0`,
  { bind: [organisation.id, usager.id, MANDAT_TEXT_VERSION] });
  await sequelize.query(`
    INSERT INTO journal (action, actor_id, organisation_id, usager_id, demarches)
    SELECT 'use_autorisation', m.created_by_id, $1, m.usager_id, ARRAY['social'] FROM mandats m, generate_series(1, 2) WHERE m.organisation_id = $1`,
  { bind: [organisation.id] });
  return organisation;
}

describe('the data exports, streamed', () => {
  it('fetches one bounded batch at a time, the next only once the client took the previous one, and stops when the client goes away', async () => {
    const organisation = await seedAidants(3000);
    const { sequelize: counted, queries } = countingSequelize();
    try {
      const client = pausedClient();
      const done = writeDataExportCsv(counted, 'aidants', { organisationId: organisation.id }, client.out, { batchSize: 1000 });
      await client.blocked();
      expect(queries).toHaveLength(1);
      client.release();
      expect(await done).toBe(3000);
      expect(queries).toHaveLength(4); // three full batches, then an empty read that ends the export
      const gone = pausedClient();
      queries.length = 0;
      const stopped = writeDataExportCsv(counted, 'aidants', { organisationId: organisation.id }, gone.out, { batchSize: 500 });
      await gone.blocked();
      gone.out.destroy();
      expect(await stopped).toBe(500);
      expect(queries).toHaveLength(1);
      // Never OFFSET: each page starts after the last key of the previous one.
      expect(queries.join('\n')).not.toMatch(/OFFSET/i);
    } finally {
      await counted.close();
    }
  });

  it('counts with one query per batch, whatever the batch holds', async () => {
    const organisation = await seedAidants(50);
    let total = 0;
    let created = 0;
    let done = 0;
    for await (const rows of dataExportBatches(sequelize, 'aidants', { organisationId: organisation.id }, { batchSize: 20 })) {
      total += rows.length;
      created += rows.reduce((sum, row) => sum + Number(row.mandats_created), 0);
      done += rows.reduce((sum, row) => sum + Number(row.demarches_done), 0);
    }
    expect([total, created, done]).toEqual([50, 5, 10]);
  });

  it('streams 100 000 aidant rows over HTTP in bounded memory, and journals the export', async () => {
    const ROWS = 100_000;
    const seeding = Date.now();
    const organisation = await seedAidants(ROWS);
    process.stdout.write(`seeded ${ROWS} aidants in ${Date.now() - seeding} ms\n`);
    const staff = await createStaffMember('anct_staff');
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const app = express();
    app.use((req, _res, next) => { (req as unknown as { session: unknown }).session = { adminUser: { id: staff.id, email: staff.email, title: 'Agent ANCT', roles: ['anct_staff'] } }; next(); });
    app.get('/admin/exports/:kind.csv', dataExportRoute(sequelize));
    const server = app.listen(0);
    try {
      const { port } = server.address() as AddressInfo;
      gc();
      const baseline = process.memoryUsage().heapUsed;
      let maxGrowth = 0;
      let samples = 0;
      const sample = () => { gc(); samples += 1; maxGrowth = Math.max(maxGrowth, process.memoryUsage().heapUsed - baseline); };
      // Sampled every 2 MB received (a full collection each time, so only what is still held is counted);
      // sampling on a timer would starve the stream of the event loop.
      let bytes = 0;
      let nextSample = 0;
      const streaming = Date.now();
      let lines = 0;
      let createdSum = 0;
      let tail = '';
      const status = await new Promise<number>((resolve, reject) => {
        http.get(`http://127.0.0.1:${port}/admin/exports/aidants.csv?filters.organisationId=${organisation.id}`, (res) => {
          // Nothing kept but counters and the last partial line: the client is not what is measured.
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            bytes += Buffer.byteLength(chunk);
            if (bytes >= nextSample) { sample(); nextSample = bytes + 2e6; }
            const text = tail + chunk;
            const parts = text.split('\r\n');
            tail = parts.pop()!;
            lines += parts.length;
            for (const line of parts) {
              const fields = line.split('";"');
              if (fields.length === AIDANT_CSV_HEADERS.length && /^\d+$/.test(fields[17])) createdSum += Number(fields[17]);
            }
          });
          res.on('end', () => resolve(res.statusCode!));
          res.on('error', reject);
        }).on('error', reject);
      });
      sample();
      expect(status).toBe(200);
      expect(lines).toBe(ROWS + 1);
      expect(createdSum).toBe(ROWS / 10);
      // Holding the rows would take at least the file itself in the heap (and several times it as row
      // objects); the stream keeps one batch of 2000 rows at a time.
      process.stdout.write(`100 000 aidant rows: ${(bytes / 1e6).toFixed(1)} MB streamed in ${Date.now() - streaming} ms, max heap growth ${(maxGrowth / 1e6).toFixed(1)} MB over ${samples} samples\n`);
      expect(samples).toBeGreaterThan(3);
      expect(bytes).toBeGreaterThan(20e6);
      expect(maxGrowth).toBeLessThan(bytes / 4);
    } finally {
      server.close();
    }
    expect(await JournalEntry.findOne({ where: { action: 'data_exported', actorId: staff.id } })).toMatchObject({
      details: { export: 'aidants', filters: { organisationId: organisation.id } },
    });
  }, 400_000);
});
