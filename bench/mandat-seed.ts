// Seeds the mandat benchmarks' data set in a few set-based statements (INSERT … SELECT generate_series), on the
// real schema with every constraint and index in place: `structures` structures, each with `aidantsPerStructure`
// people (the first one référent and aidant, the others aidants), `mandatsPerStructure` mandats over
// 80 % as many usagers (a fifth of the usagers have an older, ended mandat before their current one), and
// 1 to 5 autorisations per mandat (3 on average) across the ten démarches. The mix: the older mandats are
// expired (60 %), revoked (25 %) or superseded (15 %); the current ones active (78 %), expired (15 %) or revoked
// (7 %); one active mandat in twenty has one démarche revoked. Active durations: LONG 50 %, SEMESTER 30 %,
// MONTH 15 %, SHORT 5 %, each signed at some point of its length so that it expires from tomorrow on.
// The journal is not seeded (its hash chain is written row by row, and no benchmark reads it). Ids are
// PostgreSQL 18's uuidv7() in insertion order, so that the primary keys and the autorisations' (mandat_id,
// démarche) index are appended to rather than written at random pages; the rows
// themselves are inserted in a shuffled order (see `mandat facts`).
import { randomBytes } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { DEMARCHE_KEYS } from '../domain/demarches.js';
import { MANDAT_TEXT_VERSION } from '../domain/mandat.js';

export interface SeedOptions {
  structures: number;
  mandatsPerStructure: number;
  aidantsPerStructure?: number;
  /** Tells this run's rows apart (names, e-mails, subs); random unless given. */
  tag?: string;
  /** Prints each step's time. */
  progress?: (step: string, seconds: number) => void;
}

export interface SeedResult {
  tag: string;
  counts: { organisations: number; aidants: number; usagers: number; mandats: number; autorisations: number };
  seconds: number;
}

const DEMARCHES_SQL = `ARRAY[${DEMARCHE_KEYS.map((d) => `'${d}'`).join(',')}]::text[]`;

export async function seedMandats(sequelize: Sequelize, options: SeedOptions): Promise<SeedResult> {
  const tag = options.tag ?? randomBytes(3).toString('hex');
  const S = options.structures;
  const P = options.mandatsPerStructure;
  const A = options.aidantsPerStructure ?? 3;
  const U = Math.max(1, Math.round(P * 0.8)); // usagers per structure; mandats k < P - U are the older ones
  const OLD = P - U;
  const started = performance.now();
  const count = async (sql: string) => (await sequelize.query<{ n: number }>(sql, { type: QueryTypes.SELECT }))[0].n;

  await sequelize.transaction(async (transaction) => {
    let stepStarted = performance.now();
    const step = async (name: string, sql: string) => {
      await sequelize.query(sql, { transaction, replacements: { tag, S, P, A, U, OLD, textVersion: MANDAT_TEXT_VERSION } });
      options.progress?.(name, (performance.now() - stepStarted) / 1000);
      stepStarted = performance.now();
    };
    await step('settings', 'SET LOCAL synchronous_commit = off; SET LOCAL work_mem = \'256MB\'; SET LOCAL maintenance_work_mem = \'256MB\'');

    await step('organisations', `
      CREATE TEMP TABLE seed_orgs ON COMMIT DROP AS SELECT s, gen_random_uuid() AS id FROM generate_series(0, :S - 1) s;
      INSERT INTO organisations (id, name, type, siret, address, zipcode, city, department_code)
      SELECT id, 'Structure ' || :tag || ' n°' || s, (ARRAY['france_services','ccas','mairie','association','epn'])[s % 5 + 1],
             lpad(s::text, 14, '0'), s || ' rue du Banc d’essai', lpad((1000 + s % 95000)::text, 5, '0'), 'Ville ' || s,
             lpad((s % 95 + 1)::text, 2, '0')
      FROM seed_orgs`);

    await step('aidants', `
      CREATE TEMP TABLE seed_aidants ON COMMIT DROP AS
        SELECT o.s, j, gen_random_uuid() AS id, o.id AS organisation_id FROM seed_orgs o, generate_series(0, :A - 1) j;
      INSERT INTO users (id, email, first_name, last_name, current_organisation_id)
      SELECT id, 'aidant-' || :tag || '-' || s || '-' || j || '@banc.invalid', 'Aidant ' || j, 'Structure ' || s, organisation_id FROM seed_aidants;
      INSERT INTO organisation_memberships (user_id, organisation_id, is_referent, can_create_mandats)
      SELECT id, organisation_id, j = 0, true FROM seed_aidants`);

    await step('usagers', `
      CREATE TEMP TABLE seed_usagers ON COMMIT DROP AS
        SELECT o.s, k, gen_random_uuid() AS id FROM seed_orgs o, generate_series(0, :U - 1) k;
      INSERT INTO usagers (id, sub, given_name, family_name, gender, birthdate, birthplace)
      SELECT id, 'banc-' || :tag || '-' || s || '-' || k,
             (ARRAY['Élise','Jean','Fatou','Mohamed','Chloé','Pierre','Inès','Lucas','Aïcha','Hugo','Léa','Karim'])[k % 12 + 1],
             (ARRAY['Moreau','Martin','Diallo','Bernard','Petit','Nguyen','Durand','Leroy','Roux','Benali','Faure','Girard','Lefèvre'])[(s * 7 + k) % 13 + 1]
               || CASE WHEN k % 13 = 0 THEN '' ELSE '-' || k END,
             (ARRAY['female','male','unspecified'])[k % 3 + 1],
             (1930 + k % 70) || '-' || lpad((k % 12 + 1)::text, 2, '0') || '-' || lpad((k % 28 + 1)::text, 2, '0'), '75056'
      FROM seed_usagers`);

    // Each mandat's facts, computed once: h picks its state and duration, g spreads its dates.
    await step('mandat facts', `
      CREATE TEMP TABLE seed_mandats ON COMMIT DROP AS
      WITH base AS (
        -- Ids in the order the mandats are inserted (uuidv7, time-ordered), and that order shuffled: a
        -- structure's mandats lie across the table as if signed over time, while each index grows at its end.
        SELECT s, k, n, uuidv7() AS id, organisation_id, h, g FROM (
          SELECT o.s, k, o.s::bigint * :P + k AS n, o.id AS organisation_id,
                 (o.s * 31 + k * 17) % 100 AS h, (o.s * 7919 + k * 104729) % 1000 AS g
          FROM seed_orgs o, generate_series(0, :P - 1) k
          ORDER BY md5((o.s::bigint * :P + k)::text)
        ) shuffled
      ), typed AS (
        SELECT *, CASE
            WHEN k < :OLD THEN CASE WHEN h < 60 THEN 'expired' WHEN h < 85 THEN 'revoked' ELSE 'superseded' END
            ELSE CASE WHEN h < 78 THEN 'active' WHEN h < 93 THEN 'expired' ELSE 'revoked' END
          END AS status,
          CASE WHEN g % 20 = 0 THEN 'SHORT' WHEN g % 20 < 4 THEN 'MONTH' WHEN g % 20 < 10 THEN 'SEMESTER' ELSE 'LONG' END AS duration
        FROM base
      ), dated AS (
        SELECT *, (CASE duration WHEN 'SHORT' THEN 1 WHEN 'MONTH' THEN 31 WHEN 'SEMESTER' THEN 182 ELSE 365 END) AS days FROM typed
      ), signed AS (
        SELECT *, now() - make_interval(days => CASE status
            WHEN 'active' THEN g % greatest(days - 1, 1)      -- expires between tomorrow and a full length ahead
            WHEN 'expired' THEN days + g % 700                -- expired up to almost two years ago
            WHEN 'revoked' THEN g % 500
            ELSE 400 + g % 300 END) - interval '2 hours' * (status <> 'active')::int AS created_at
        FROM dated
      )
      SELECT m.s, m.k, n, m.id, m.organisation_id, h, g, status, duration, created_at, created_at + make_interval(days => days) AS expires_at,
             CASE WHEN status = 'revoked' THEN created_at + interval '1 hour' END AS revoked_at,
             CASE WHEN status IN ('revoked', 'superseded') THEN created_at + interval '1 hour' END AS autorisations_revoked_at,
             1 + (n % 5)::int AS demarches, a.id AS created_by_id, u.id AS usager_id
      FROM signed m
      JOIN seed_aidants a ON a.s = m.s AND a.j = m.k % :A
      JOIN seed_usagers u ON u.s = m.s AND u.k = m.k % :U`);

    await step('mandats', `
      INSERT INTO mandats (id, organisation_id, usager_id, created_by_id, duration, status, created_at, expires_at, revoked_at,
                           template_hash, attestation_hash, text_version, workflow_started_at)
      SELECT id, organisation_id, usager_id, created_by_id, duration, status, created_at, expires_at, revoked_at,
             md5(:textVersion), md5(id::text), :textVersion, created_at
      FROM seed_mandats ORDER BY id`);

    await step('autorisations', `
      INSERT INTO autorisations (id, mandat_id, demarche, revoked_at, revoked_by_id, created_at)
      SELECT uuidv7(), m.id, (${DEMARCHES_SQL})[(m.n + 3 * j) % 10 + 1],
             coalesce(m.autorisations_revoked_at, CASE WHEN m.status = 'active' AND m.g % 20 = 7 AND j = 1 THEN m.created_at + interval '1 hour' END),
             CASE WHEN m.autorisations_revoked_at IS NOT NULL OR (m.status = 'active' AND m.g % 20 = 7 AND j = 1) THEN m.created_by_id END,
             m.created_at
      FROM (SELECT * FROM seed_mandats ORDER BY id) m, generate_series(0, m.demarches - 1) j`);
  });
  const analyzeStarted = performance.now();
  await sequelize.query('ANALYZE organisations, users, organisation_memberships, usagers, mandats, autorisations');
  options.progress?.('analyze', (performance.now() - analyzeStarted) / 1000);

  const like = `'%${tag}%'`;
  const ofTag = `SELECT id FROM organisations WHERE name LIKE 'Structure ${tag} n°%'`;
  return {
    tag,
    counts: {
      organisations: await count(`SELECT count(*)::int AS n FROM organisations WHERE name LIKE 'Structure ${tag} n°%'`),
      aidants: await count(`SELECT count(*)::int AS n FROM users WHERE email LIKE ${like}`),
      usagers: await count(`SELECT count(*)::int AS n FROM usagers WHERE sub LIKE ${like}`),
      mandats: await count(`SELECT count(*)::int AS n FROM mandats WHERE organisation_id IN (${ofTag})`),
      autorisations: await count(`SELECT count(*)::int AS n FROM autorisations a JOIN mandats m ON m.id = a.mandat_id WHERE m.organisation_id IN (${ofTag})`),
    },
    seconds: (performance.now() - started) / 1000,
  };
}
