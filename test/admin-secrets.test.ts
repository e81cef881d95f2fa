// Nothing secret or internal leaves the server through AdminJS: every resource's list, search, show, record
// and bulk actions, as each ANCT role, through the real web process, with a row in every table.
import type { Model, ModelStatic, Sequelize } from 'sequelize';
import { JournalEntry } from '../db/models/index.js';
import type { Lifecycles } from '../services/lifecycles.js';
import { buildResources } from '../admin/resources.js';
import { HIDDEN_TABLES, INTERNAL_FIELDS, REVIEWED_PUBLIC_FIELDS, SECRET_LOOKING } from '../admin/internal-fields.js';
import { ALL_MODELS } from '../db/models/index.js';
import { adminAgent } from './support/admin-session.js';
import { createAdminFixtures, type AdminFixtures } from './support/admin-fixtures.js';
import { useBackOfficeStack } from './support/back-office-stack.js';
import { createStaffMember } from './support/factories.js';

let staff: Awaited<ReturnType<typeof createStaffMember>>[];
let fixtures: AdminFixtures;

let RESOURCES: { id: string; actions: string[] }[];
const FORBIDDEN_KEYS = new Set(Object.values(INTERNAL_FIELDS).flat());

const stack = useBackOfficeStack({
  prepare: async () => {
    RESOURCES = buildResources({} as Lifecycles, 'http://localhost:3000', Buffer.alloc(32)).map((r) => ({
      id: (r.resource as typeof Model).tableName,
      actions: Object.keys(r.options?.actions ?? {}),
    }));
    staff = [await createStaffMember('anct_jury'), await createStaffMember('anct_staff'), await createStaffMember('tech_admin')];
    fixtures = await createAdminFixtures(staff.map((s) => s.id));
    const entry = await JournalEntry.findOne({ where: { actorId: staff[1].id } });
    fixtures.ids.journal = String(entry!.id);
  },
});

/** Every key of a JSON value, at any depth (AdminJS flattens params: « details.ip »). */
function keysOf(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => keysOf(item, into));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      for (const part of key.split('.')) into.add(part);
      keysOf(inner, into);
    }
  }
  return into;
}

function leaks(body: unknown): string[] {
  const text = JSON.stringify(body);
  return [
    ...[...keysOf(body)].filter((key) => FORBIDDEN_KEYS.has(key)).map((key) => `key ${key}`),
    ...fixtures.secrets.filter((secret) => text.includes(secret)).map((secret) => `value ${secret.slice(0, 12)}…`),
  ];
}

describe('the back-office API', () => {
  it('declares every secret-looking column either internal or reviewed, and exposes no hidden table', () => {
    const resourceIds = RESOURCES.map((r) => r.id);
    expect(resourceIds.filter((id) => HIDDEN_TABLES.includes(id))).toEqual([]);
    const unreviewed = ALL_MODELS.filter((model) => !HIDDEN_TABLES.includes(model.tableName)).flatMap((model) => Object.keys((model as unknown as ModelStatic<Model>).getAttributes())
      .filter((name) => SECRET_LOOKING.test(name))
      .filter((name) => !(INTERNAL_FIELDS[model.tableName] ?? []).includes(name) && !(REVIEWED_PUBLIC_FIELDS[model.tableName] ?? []).includes(name))
      .map((name) => `${model.tableName}.${name}`));
    expect(unreviewed).toEqual([]);
    expect(ALL_MODELS.map((model) => model.tableName).filter((table) => !resourceIds.includes(table) && !HIDDEN_TABLES.includes(table))).toEqual([]);
  });

  it.each([0, 1, 2])('serialises no secret for role #%i, in any action of any resource', async (index) => {
    const agent = await adminAgent(stack.web.url, staff[index].email, staff[index].totp);
    const found: string[] = [];
    const call = async (path: string) => {
      const res = await agent.get(`/admin/api${path}`);
      if (res.status !== 200) found.push(`${path}: answered ${res.status}`);
      found.push(...leaks(res.body).map((leak) => `${path}: ${leak}`));
      return res.body;
    };
    let calls = 0;
    for (const resource of RESOURCES) {
      const id = fixtures.ids[resource.id];
      if (!id) throw new Error(`no fixture row for ${resource.id}`);
      const pk = resource.id === 'organisation_memberships' ? 'userId' : 'id';
      const lists = [
        await call(`/resources/${resource.id}/actions/list?perPage=100`),
        await call(`/resources/${resource.id}/actions/list?filters.${pk}=${encodeURIComponent(id)}`),
      ];
      await call(`/resources/${resource.id}/search`);
      await call(`/resources/${resource.id}/search/a`);
      await call(`/resources/${resource.id}/actions/search?query=a`);
      const show = await call(`/resources/${resource.id}/records/${encodeURIComponent(id)}/show`);
      const recordActions = new Set<string>([...resource.actions.filter((name) => !['list', 'search', 'new', 'bulkDelete'].includes(name)), 'show', 'edit', 'delete']);
      for (const body of [...lists, show]) {
        for (const record of [...(body.records ?? []), ...(body.record ? [body.record] : [])]) {
          for (const action of record.recordActions ?? []) recordActions.add(action.name);
        }
      }
      for (const action of recordActions) await call(`/resources/${resource.id}/records/${encodeURIComponent(id)}/${action}`);
      await call(`/resources/${resource.id}/bulk/bulkDelete?recordIds=${encodeURIComponent(id)}`);
      for (const action of ['new', 'list']) await call(`/resources/${resource.id}/actions/${action}`);
      calls += 1;
    }
    const dashboard = await agent.get('/admin/api/dashboard');
    found.push(...leaks(dashboard.body));
    const page = await agent.get('/admin/resources/users');
    found.push(...leaks(page.text.includes('REDUX_STATE') ? page.text : ''));
    for (const table of HIDDEN_TABLES) {
      const res = await agent.get(`/admin/api/resources/${table}/actions/list`);
      expect(res.status).toBe(404);
      expect(JSON.stringify(res.body)).not.toMatch(/tokenHash|keyHash|codeHash/);
    }
    expect(calls).toBe(RESOURCES.length);
    expect(found).toEqual([]);
  });
});
