// The data exports through the real back-office, as each ANCT role: « Exporter en CSV » on the lists of users,
// structures and habilitation requests for the ANCT team and the technical admin only; the download (headers,
// BOM, dated file name, the list's filters applied) journaled with its filters; the comité refused (403, and
// nothing journaled), a malformed filter refused in French, a visitor without a session sent to the login.
import request from 'supertest';
import { JournalEntry } from '../db/models/index.js';
import { AIDANT_CSV_HEADERS, REQUEST_CSV_HEADERS, STRUCTURE_CSV_HEADERS } from '../domain/data-exports.js';
import { adminAgent } from './support/admin-session.js';
import { useBackOfficeStack } from './support/back-office-stack.js';
import { parseCsv } from './support/csv.js';
import { createPerson, createStructure } from './support/espace.js';
import { createStaffMember, createSubmittedRequest } from './support/factories.js';

type Staff = Awaited<ReturnType<typeof createStaffMember>>;
let jury: Staff;
let staff: Staff;
let tech: Staff;
const stack = useBackOfficeStack({
  prepare: async () => { [jury, staff, tech] = [await createStaffMember('anct_jury'), await createStaffMember('anct_staff'), await createStaffMember('tech_admin')]; },
});
const as = (person: Staff) => adminAgent(stack.web.url, person.email, person.totp);
type Agent = Awaited<ReturnType<typeof as>>;

async function download(agent: Agent, path: string, query: Record<string, string> = {}) {
  return agent.get(path).query(query).buffer(true)
    .parse((res, callback) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => callback(null, Buffer.concat(chunks)));
    });
}
const csvOf = (body: Buffer) => parseCsv(body.toString('utf8').replace(/^\uFEFF/, ''));
const EXPORTS = [['users', 'aidants'], ['organisations', 'structures'], ['habilitation_requests', 'habilitation_requests']] as const;

describe('the data exports in the back-office', () => {
  it('offers « Exporter en CSV » on the three lists to the ANCT team and the technical admin, not to the comité', async () => {
    for (const [resource, kind] of EXPORTS) {
      for (const person of [staff, tech]) {
        const page = await (await as(person)).get(`/admin/api/resources/${resource}/actions/exportCsv`);
        expect(page.status).toBe(200);
        expect(page.body.notice?.type).not.toBe('error');
      }
      const list = await (await as(staff)).get(`/admin/api/resources/${resource}/actions/list`);
      expect(list.status).toBe(200);
      const refused = await (await as(jury)).get(`/admin/api/resources/${resource}/actions/exportCsv`);
      expect(refused.body.notice).toMatchObject({ type: 'error', message: 'forbiddenError' });
      const denied = await (await as(jury)).get(`/admin/exports/${kind}.csv`);
      expect(denied.status).toBe(403);
      expect(denied.text).toBe('Vous n’avez pas les droits nécessaires pour exporter ces données.');
    }
    expect(await JournalEntry.count({ where: { action: 'data_exported', actorId: jury.id } })).toBe(0);
  });

  it('downloads each export with the list’s filters, as a dated CSV file for Excel, and journals it with its filters', async () => {
    const structure = await createStructure();
    const aidant = await createPerson(structure);
    const submitted = await createSubmittedRequest(stack.sequelize);
    const agent = await as(staff);

    const aidants = await download(agent, '/admin/exports/aidants.csv', { 'filters.organisationId': structure.id, 'filters.lastName': 'ignoré' });
    expect(aidants.status).toBe(200);
    expect(aidants.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(aidants.headers['content-disposition']).toMatch(/^attachment; filename="aidants-aidants-connect-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(aidants.headers['cache-control']).toBe('no-store');
    expect([...(aidants.body as Buffer).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [aidantHeaders, ...aidantRows] = csvOf(aidants.body);
    expect(aidantHeaders).toEqual([...AIDANT_CSV_HEADERS]);
    expect(aidantRows.map((row) => row[AIDANT_CSV_HEADERS.indexOf('E-mail')])).toEqual([aidant.user.email]);

    const structures = await download(agent, '/admin/exports/structures.csv', { 'filters.departmentCode': '17', 'filters.type': 'ccas' });
    expect(structures.headers['content-disposition']).toMatch(/^attachment; filename="structures-aidants-connect-/);
    const [structureHeaders, ...structureRows] = csvOf(structures.body);
    expect(structureHeaders).toEqual([...STRUCTURE_CSV_HEADERS]);
    const row = structureRows.find((r) => r.includes(structure.id))!;
    expect(row[STRUCTURE_CSV_HEADERS.indexOf('Aidants actifs')]).toBe('1');

    const requests = await download(agent, '/admin/exports/habilitation_requests.csv', { 'filters.departmentCode': submitted.departmentCode!, 'filters.status': submitted.status });
    const [requestHeaders, ...requestRows] = csvOf(requests.body);
    expect(requestHeaders).toEqual([...REQUEST_CSV_HEADERS]);
    expect(requestRows.some((r) => r.includes(submitted.id))).toBe(true);

    const entries = await JournalEntry.findAll({ where: { action: 'data_exported', actorId: staff.id }, order: [['id', 'ASC']] });
    expect(entries.map((entry) => entry.details)).toEqual([
      { export: 'aidants', filters: { organisationId: structure.id } },
      { export: 'structures', filters: { departmentCodes: ['17'], type: 'ccas' } },
      { export: 'habilitation_requests', filters: { status: submitted.status, departmentCodes: [submitted.departmentCode] } },
    ]);
  });

  it('refuses a malformed filter in French, an unknown export, and a visitor without a session', async () => {
    const malformed = await (await as(tech)).get('/admin/exports/structures.csv').query({ 'filters.departmentCode': "17' OR '1'='1", 'filters.isActive': 'peut-être' });
    expect(malformed.status).toBe(400);
    expect(malformed.text).toBe('Export impossible : Département inconnu : 17\', OR, \'1\'=\'1 (un code comme 17, 2A ou 974, plusieurs séparés par des virgules). Le filtre « structure active » vaut « true » ou « false ».');
    expect(await JournalEntry.count({ where: { action: 'data_exported', actorId: tech.id } })).toBe(0);
    expect((await (await as(tech)).get('/admin/exports/usagers.csv')).status).toBe(404);
    const anonymous = await request(stack.web.url).get('/admin/exports/aidants.csv');
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toBe('/admin/login');
  });
});
