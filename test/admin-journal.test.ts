// The journal in the back-office, through the real web process as each ANCT role: read-only for everyone
// (creation, edition, deletion refused server-side), the list's filters, the record page in French, the CSV
// export (same filters as the list, escaping, BOM, dated file name, streamed, journaled, refused to the comité),
// and the chain verification for the technical admin only (journaled).
import request from 'supertest';
import { Op } from 'sequelize';
import { JournalEntry } from '../db/models/index.js';
import { DEMARCHES } from '../domain/demarches.js';
import { JOURNAL_CSV_HEADERS } from '../domain/journal-export.js';
import { appendJournal, journalSeals, sealJournal } from '../services/journal.js';
import { adminAgent } from './support/admin-session.js';
import { useBackOfficeStack } from './support/back-office-stack.js';
import { parseCsv } from './support/csv.js';
import { createPerson, createStructure } from './support/espace.js';
import { createStaffMember } from './support/factories.js';
import { createUsager } from './support/mandats.js';

type Staff = Awaited<ReturnType<typeof createStaffMember>>;
let jury: Staff;
let staff: Staff;
let tech: Staff;
const stack = useBackOfficeStack({
  prepare: async () => { [jury, staff, tech] = [await createStaffMember('anct_jury'), await createStaffMember('anct_staff'), await createStaffMember('tech_admin')]; },
});
const as = (person: Staff) => adminAgent(stack.web.url, person.email, person.totp);
type Agent = Awaited<ReturnType<typeof as>>;

/** The raw bytes of a download (supertest would decode them and could hide the BOM). */
async function download(agent: Agent, query: Record<string, string>) {
  return agent.get('/admin/journal/export.csv').query(query).buffer(true)
    .parse((res, callback) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => callback(null, Buffer.concat(chunks)));
    });
}
const csvOf = (body: Buffer) => parseCsv(body.toString('utf8').replace(/^\uFEFF/, ''));

/** The scenario's details as the record page and the export say them (in PostgreSQL's jsonb key order). */
const DETAILS = 'note : ligne 1\nligne 2; « cité » "entre guillemets"\nMotif : =HYPERLINK("http://evil.example","clic")\ncontact : @moi\nmontant : -12';

/** AdminJS's own refusal, translated by its frontend (not, say, the database's trigger answering a 500). */
const refused = (res: { status: number; body: { notice?: { type?: string; message?: string } } }) =>
  res.status === 200 && res.body?.notice?.type === 'error' && res.body.notice.message === 'forbiddenError';
const pause = () => new Promise((resolve) => setTimeout(resolve, 5)); // entries a few milliseconds apart, for the date bounds

/** A small journal of two structures, an aidant and a usager. */
async function scenario() {
  const [a, b] = [await createStructure(), await createStructure()];
  const aidant = await createPerson(a);
  const usager = await createUsager();
  const ids: string[] = [];
  const add = async (input: Parameters<typeof appendJournal>[0]) => {
    const key = `${input.action}-${Math.random()}`;
    await appendJournal({ ...input, idempotencyKey: key });
    ids.push((await JournalEntry.findOne({ where: { idempotencyKey: key } }))!.id);
    await pause();
  };
  await add({ action: 'connect_aidant', actorId: aidant.user.id, organisationId: a.id });
  await add({
    action: 'use_autorisation', actorId: aidant.user.id, organisationId: a.id, usagerId: usager.id, demarches: ['social'],
    details: { motif: '=HYPERLINK("http://evil.example","clic")', note: 'ligne 1\nligne 2; « cité » "entre guillemets"', montant: '-12', contact: '@moi' },
  });
  await add({ action: 'cancel_mandat', actorId: aidant.user.id, organisationId: b.id, usagerId: usager.id });
  await add({ action: 'card_association', actorId: staff.id, organisationId: a.id });
  return { a, b, aidant, usager, ids };
}

describe('the journal in the back-office', () => {
  it.each([['jury', () => jury], ['staff', () => staff], ['tech', () => tech]])('refuses creation, edition and deletion to %s, server-side', async (_name, who) => {
    const agent = await as(who());
    const entry = (await JournalEntry.findOne({ where: { action: 'admin_login', actorId: who().id } }))!;
    const before = await JournalEntry.count();
    expect(refused(await agent.get('/admin/api/resources/journal/actions/new'))).toBe(true);
    expect(refused(await agent.post('/admin/api/resources/journal/actions/new').field('action', 'admin_login'))).toBe(true);
    expect(refused(await agent.post(`/admin/api/resources/journal/records/${entry.id}/edit`).field('action', 'connect_aidant'))).toBe(true);
    expect(refused(await agent.post(`/admin/api/resources/journal/records/${entry.id}/delete`))).toBe(true);
    expect(refused(await agent.post(`/admin/api/resources/journal/bulk/bulkDelete?recordIds=${entry.id}`))).toBe(true);
    expect((await JournalEntry.findByPk(entry.id))!.toJSON()).toEqual(entry.toJSON());
    expect(await JournalEntry.count({ where: { id: { [Op.lte]: entry.id } } })).toBeGreaterThan(0);
    expect(await JournalEntry.count()).toBeGreaterThanOrEqual(before); // nothing deleted (others may append)
  });

  it('lists and shows the journal to the ANCT team and the technical admin, not to the comité', async () => {
    // Shown before it is sealed (the sealer's lock held meanwhile, as a busy sealer would): the chain's fields say
    // so; the worker seals it about a second later.
    const sealer = await JournalEntry.sequelize!.transaction();
    let ids: string[];
    try {
      await JournalEntry.sequelize!.query("SELECT pg_advisory_xact_lock(hashtext('journal_seal'))", { transaction: sealer });
      ({ ids } = await scenario());
      const pending = await (await as(staff)).get(`/admin/api/resources/journal/records/${ids[1]}/show`);
      expect(pending.body.record.params).toMatchObject({ chainPosition: expect.stringMatching(/^pas encore scellée/), hash: expect.stringMatching(/^pas encore scellée/) });
    } finally {
      await sealer.commit();
    }
    await sealJournal(JournalEntry.sequelize!, { wait: true });
    const seal = (await journalSeals(JournalEntry.sequelize!, [ids[1]])).get(ids[1])!;
    expect(refused(await (await as(jury)).get('/admin/api/resources/journal/actions/list'))).toBe(true);
    expect(refused(await (await as(jury)).get(`/admin/api/resources/journal/records/${ids[1]}/show`))).toBe(true);
    for (const person of [staff, tech]) {
      const shown = await (await as(person)).get(`/admin/api/resources/journal/records/${ids[1]}/show`);
      expect(shown.status).toBe(200);
      // Nothing but « Afficher » on an entry: no edition, no deletion, no bulk action.
      expect((shown.body.record.recordActions as { name: string }[]).map((action) => action.name)).toEqual(['show']);
      expect(shown.body.record.bulkActions).toEqual([]);
      expect(shown.body.record.title).toBe(`Utilisation d'une autorisation (entrée n° ${ids[1]})`);
      expect(shown.body.record.params).toMatchObject({
        action: 'use_autorisation',
        demarchesText: DEMARCHES.social.titreCourt,
        detailsText: DETAILS,
        chainPosition: seal.position, hash: seal.hash, previousHash: seal.previousHash,
      });
    }
  });

  it('filters by action, structure, auteur, usager and dates, and exports exactly what the list shows', async () => {
    const { a, aidant, usager, ids } = await scenario();
    const agent = await as(staff);
    const [e2, e3] = await JournalEntry.findAll({ where: { id: [ids[1], ids[2]] }, order: [['id', 'ASC']] });
    const queries: [Record<string, string>, string[]][] = [
      [{ 'filters.organisationId': a.id }, [ids[0], ids[1], ids[3]]],
      [{ 'filters.organisationId': a.id, 'filters.action': 'use_autorisation' }, [ids[1]]],
      [{ 'filters.usagerId': usager.id }, [ids[1], ids[2]]],
      [{ 'filters.actorId': aidant.user.id }, [ids[0], ids[1], ids[2]]],
      [{ 'filters.actorId': aidant.user.id, 'filters.createdAt~~from': e2.createdAt.toISOString(), 'filters.createdAt~~to': new Date(e3.createdAt.getTime() + 1).toISOString() }, [ids[1], ids[2]]],
    ];
    for (const [query, expected] of queries) {
      const list = await agent.get('/admin/api/resources/journal/actions/list').query({ ...query, perPage: '100' });
      expect((list.body.records as { id: string }[]).map((record) => String(record.id)).sort()).toEqual([...expected].sort());
      const exported = await download(agent, query);
      expect(exported.status).toBe(200);
      expect(csvOf(exported.body).slice(1).map((row) => row[0])).toEqual(expected);
    }
  });

  it('exports a CSV for Excel: BOM, French headers, dated file name, fields escaped and formulas neutralised; the export is journaled', async () => {
    const { a, aidant, usager, ids } = await scenario();
    const res = await download(await as(staff), { 'filters.organisationId': a.id, 'filters.action': 'use_autorisation' });
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="journal-aidants-connect-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect([...(res.body as Buffer).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [headers, row, ...rest] = csvOf(res.body);
    expect(headers).toEqual([...JOURNAL_CSV_HEADERS]);
    expect(rest).toEqual([]);
    const column = (name: (typeof JOURNAL_CSV_HEADERS)[number]) => row[JOURNAL_CSV_HEADERS.indexOf(name)];
    expect(column('N° d’entrée')).toBe(ids[1]);
    expect(column('Date (heure de Paris)')).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);
    expect(column('Action')).toBe("Utilisation d'une autorisation");
    expect(column('Auteur')).toBe(`${aidant.user.firstName} ${aidant.user.lastName}`);
    expect(column('Structure')).toBe(a.name);
    expect(column('Identifiant de l’usager')).toBe(usager.id);
    expect(column('Démarches')).toBe(DEMARCHES.social.titreCourt);
    // A formula is text (a leading apostrophe) only when it would start the cell; quotes and line breaks stay in the field.
    expect(column('Détails')).toBe(DETAILS);
    // The entry's seal: sealed by the export before it read.
    expect(column('Empreinte')).toBe((await journalSeals(JournalEntry.sequelize!, [ids[1]])).get(ids[1])!.hash);
    expect((res.body as Buffer).toString('utf8')).toContain(';"note : ligne 1\nligne 2; « cité » ""entre guillemets""\nMotif : =HYPERLINK(""http://evil.example"",""clic"")');

    const formulas = await scenarioWithFormulaCells();
    const cells = csvOf((await download(await as(staff), { 'filters.organisationId': formulas.organisationId })).body)[1];
    expect(cells[JOURNAL_CSV_HEADERS.indexOf('Structure')]).toBe(`'${formulas.name}`);

    expect(await JournalEntry.findOne({ where: { action: 'journal_exported', actorId: staff.id }, order: [['id', 'DESC']] })).toMatchObject({
      details: { filters: { organisationId: formulas.organisationId } },
    });
  });

  it('streams a large export in chunks: every row, no Content-Length', async () => {
    const organisation = await createStructure();
    const count = 20_000;
    await stack.sequelize.query(`
      INSERT INTO journal (action, organisation_id, details)
      SELECT 'connect_aidant', $1, jsonb_build_object('n', g) FROM generate_series(1, $2::int) g`, { bind: [organisation.id, count] });
    const res = await download(await as(tech), { 'filters.organisationId': organisation.id });
    expect(res.status).toBe(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    const rows = csvOf(res.body);
    expect(rows).toHaveLength(count + 1);
    expect(rows[count][JOURNAL_CSV_HEADERS.indexOf('Détails')]).toBe(`n : ${count}`);
  });

  it('refuses the export to the comité, a malformed filter in French, and a visitor without a session', async () => {
    const denied = await (await as(jury)).get('/admin/journal/export.csv');
    expect(denied.status).toBe(403);
    expect(denied.text).toBe('Vous n’avez pas les droits nécessaires pour exporter le journal.');
    expect(await JournalEntry.count({ where: { action: 'journal_exported', actorId: jury.id } })).toBe(0);
    const malformed = await (await as(staff)).get('/admin/journal/export.csv').query({ 'filters.usagerId': "1' OR '1'='1", 'filters.createdAt~~to': 'demain' });
    expect(malformed.status).toBe(400);
    expect(malformed.text).toBe('Export impossible : L’identifiant de l’usager est mal formé. La date de fin est mal formée.');
    const anonymous = await request(stack.web.url).get('/admin/journal/export.csv');
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toBe('/admin/login');
  });

  it('verifies the chain for the technical admin only, in French, journaled', async () => {
    for (const person of [jury, staff]) {
      const agent = await as(person);
      expect(refused(await agent.get('/admin/api/resources/journal/actions/verifyJournal'))).toBe(true);
      const attempt = await agent.post('/admin/api/resources/journal/actions/verifyJournal');
      expect(refused(attempt)).toBe(true);
      expect(attempt.body.verification).toBeUndefined();
      expect(await JournalEntry.count({ where: { action: 'journal_verified', actorId: person.id } })).toBe(0);
    }
    const done = await (await as(tech)).post('/admin/api/resources/journal/actions/verifyJournal');
    expect(done.body.verification).toMatchObject({ brokenAt: null, message: expect.stringMatching(/^Chaîne d’empreintes intacte : [\d\s]+ entrées vérifiées, aucune n’a été modifiée ni supprimée\.$/) });
    expect(done.body.notice).toEqual({ type: 'success', message: done.body.verification.message });
    const entry = await JournalEntry.findOne({ where: { action: 'journal_verified', actorId: tech.id } });
    expect(entry!.details).toEqual({ checked: done.body.verification.checked, brokenAt: null });
  });
});

/** A structure whose name a spreadsheet would run as a formula. */
async function scenarioWithFormulaCells() {
  const name = `=cmd|' /C calc'!A0 ${Math.random()}`;
  const organisation = await createStructure(name);
  await appendJournal({ action: 'perimeter_changed', organisationId: organisation.id });
  return { organisationId: organisation.id, name };
}
