// The mandat benchmarks' seeding script (bench/mandat-seed.ts) at a tiny scale: the counts asked for, on the
// real schema (every constraint held), with the intended mix, and data the authorisation check and the usagers
// list read as they read real mandats.
import { QueryTypes, type Sequelize } from 'sequelize';
import { seedMandats } from '../bench/mandat-seed.js';
import { findActingAutorisation } from '../services/autorisations.js';
import { listUsagers } from '../services/mandats.js';
import { testSequelize, unique } from './support/env.js';

let sequelize: Sequelize;
beforeAll(() => { sequelize = testSequelize(); });
afterAll(() => sequelize.close());

describe('mandat seeding for the benchmarks', () => {
  it('builds the asked numbers of structures, aidants, usagers, mandats and autorisations, with a realistic mix', async () => {
    const tag = unique('s');
    const seed = await seedMandats(sequelize, { structures: 2, mandatsPerStructure: 50, tag });
    expect(seed.counts).toEqual({ organisations: 2, aidants: 6, usagers: 80, mandats: 100, autorisations: 300 });

    const rows = await sequelize.query<{ status: string; in_force: boolean; n: number }>(`
      SELECT m.status, m.expires_at > now() AS in_force, count(*)::int AS n
      FROM mandats m JOIN organisations o ON o.id = m.organisation_id
      WHERE o.name LIKE :prefix GROUP BY 1, 2`, { replacements: { prefix: `Structure ${tag} n°%` }, type: QueryTypes.SELECT });
    const count = (status: string) => rows.filter((r) => r.status === status).reduce((n, r) => n + r.n, 0);
    expect(count('active')).toBeGreaterThan(50); // most of them
    for (const status of ['expired', 'revoked', 'superseded']) expect(count(status)).toBeGreaterThan(0);
    expect(rows.filter((r) => r.status === 'active' && !r.in_force)).toEqual([]);
    expect(rows.filter((r) => r.status === 'expired' && r.in_force)).toEqual([]);

    // An active mandat's démarche is allowed to an aidant of its structure; an expired one's is not.
    const pick = (status: string) => sequelize.query<{ aidantId: string; organisationId: string; usagerId: string; demarche: string }>(`
      SELECT m.created_by_id AS "aidantId", m.organisation_id AS "organisationId", m.usager_id AS "usagerId", a.demarche
      FROM mandats m JOIN autorisations a ON a.mandat_id = m.id AND a.revoked_at IS NULL JOIN organisations o ON o.id = m.organisation_id
      WHERE o.name LIKE :prefix AND m.status = :status ORDER BY m.created_at LIMIT 1`,
    { replacements: { prefix: `Structure ${tag} n°%`, status }, type: QueryTypes.SELECT });
    const [active] = await pick('active');
    expect(await findActingAutorisation(sequelize, active)).not.toBeNull();
    const [expired] = await pick('expired');
    expect(await findActingAutorisation(sequelize, expired)).toBeNull();

    const list = await listUsagers(sequelize, { organisationId: active.organisationId, tab: 'active' });
    expect(list.counts.active).toBeGreaterThan(0);
    expect(list.counts.active + list.counts.expired + list.counts.revoked).toBeLessThanOrEqual(40);
  });
});
