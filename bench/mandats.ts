// The mandat reads at scale (issue 9): seeds 1 million mandats and 3 million autorisations across 10 000
// structures (bench/mandat-seed.ts), then measures, one call at a time on a warm cache:
// - the authorisation check through services/autorisations.ts (findActingAutorisation, as mayActFor and the
//   identity provider call it), next to the same query sent raw through node-postgres (prepared statement);
// - the usagers list of an aidant's structure through services/mandats.ts listUsagers (what
//   server/espace/usagers-router.ts runs), on each tab and with a name search;
// and prints the query plans (EXPLAIN (ANALYZE, BUFFERS)) of the exact SQL those functions send.
import pg from 'pg';
import { QueryTypes, Sequelize } from 'sequelize';
import { findActingAutorisation } from '../services/autorisations.js';
import { listUsagers, type UsagerTab } from '../services/mandats.js';
import { seedMandats, type SeedResult } from './mandat-seed.js';

export type Line = (name: string, figures: string) => void;

export const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];
const ms = (n: number) => `${n.toFixed(2)} ms`;

/** Runs `task` over `inputs` one at a time (after `warmUp` untimed calls) and answers the latencies. */
async function latencies<I>(inputs: I[], warmUp: number, task: (input: I) => Promise<unknown>): Promise<number[]> {
  for (const input of inputs.slice(0, warmUp)) await task(input);
  const timings: number[] = [];
  for (const input of inputs.slice(warmUp)) {
    const started = performance.now();
    await task(input);
    timings.push(performance.now() - started);
  }
  return timings;
}

const figures = (timings: number[]) => `p50 ${ms(quantile(timings, 0.5))}  p99 ${ms(quantile(timings, 0.99))}  max ${ms(Math.max(...timings))}  (${timings.length} calls)`;

// The same statement as services/autorisations.ts findActingAutorisation, with positional parameters; the
// benchmark checks that both answer the same for every sample.
const RAW_CHECK = `
  SELECT a.id AS autorisation_id, m.id AS mandat_id, m.expires_at
  FROM mandats m
  JOIN autorisations a ON a.mandat_id = m.id AND a.demarche = $4 AND a.revoked_at IS NULL
  JOIN organisations o ON o.id = m.organisation_id AND o.is_active AND $4 = ANY (o.allowed_demarches)
  JOIN organisation_memberships om ON om.organisation_id = m.organisation_id AND om.user_id = $1
    AND om.is_active AND om.can_create_mandats
  JOIN users aidant ON aidant.id = om.user_id AND aidant.is_active
  JOIN usagers u ON u.id = m.usager_id AND u.anonymised_at IS NULL
  WHERE m.usager_id = $3 AND m.organisation_id = $2
    AND m.expires_at > $5 AND m.status = 'active' AND m.revoked_at IS NULL
  ORDER BY m.expires_at DESC
  LIMIT 1`;

interface CheckSample { aidantId: string; organisationId: string; usagerId: string; demarche: string }

/**
 * Samples of the check: 80 % from active mandats (a démarche of theirs, most allowed; some revoked or the
 * démarche revoked), 20 % from ended mandats (refused), each asked by an aidant of the mandat's structure.
 */
async function checkSamples(sequelize: Sequelize, seed: SeedResult, count: number): Promise<CheckSample[]> {
  const sample = (where: string, n: number) => sequelize.query<CheckSample>(`
    SELECT om.user_id AS "aidantId", m.organisation_id AS "organisationId", m.usager_id AS "usagerId",
           (SELECT a.demarche FROM autorisations a WHERE a.mandat_id = m.id ORDER BY random() LIMIT 1) AS demarche
    FROM (SELECT * FROM mandats WHERE ${where} ORDER BY random() LIMIT :n) m
    JOIN LATERAL (SELECT user_id FROM organisation_memberships WHERE organisation_id = m.organisation_id ORDER BY random() LIMIT 1) om ON true`,
  { replacements: { n }, type: QueryTypes.SELECT });
  const inForce = await sample("status = 'active' AND expires_at > now()", Math.round(count * 0.8));
  const ended = await sample("status <> 'active'", count - inForce.length);
  void seed;
  // Interleaved, so that allowed and refused calls are spread over the run.
  return [...inForce, ...ended].map((s, i) => ({ s, k: (i * 7919) % (inForce.length + ended.length) })).sort((a, b) => a.k - b.k).map(({ s }) => s);
}

/** A connection that records the SQL a service function sends (no models bound to it). */
function recordingSequelize(databaseUrl: string) {
  const sent: string[] = [];
  const sequelize = new Sequelize(databaseUrl, {
    dialect: 'postgres', pool: { max: 1 }, logging: (sql) => sent.push(sql.replace(/^Executing \([^)]*\): /, '')),
  });
  return { sequelize, last: () => sent[sent.length - 1] };
}

async function printPlan(sequelize: Sequelize, title: string, sql: string): Promise<void> {
  const rows = await sequelize.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, { type: QueryTypes.SELECT });
  process.stdout.write(`\n  ${title}\n${rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n')}\n\n`);
}

export interface MandatScale { structures: number; mandatsPerStructure: number }

export const FULL_SCALE: MandatScale = { structures: 10_000, mandatsPerStructure: 100 };

export async function seedForBench(sequelize: Sequelize, scale: MandatScale, line: Line): Promise<SeedResult> {
  process.stdout.write(`Seeding ${scale.structures * scale.mandatsPerStructure} mandats across ${scale.structures} structures…\n`);
  const steps: string[] = [];
  const seed = await seedMandats(sequelize, {
    ...scale, progress: (step, seconds) => { steps.push(`${step} ${seconds.toFixed(1)} s`); process.stdout.write(`  … ${steps.at(-1)}\n`); },
  });
  const c = seed.counts;
  line('mandat seeding (set-based SQL, one transaction)', `${seed.seconds.toFixed(0)} s: ${c.organisations} structures, ${c.aidants} aidants, ${c.usagers} usagers, ${c.mandats} mandats, ${c.autorisations} autorisations`);
  line('  seeding steps', steps.join(', '));
  const [mix] = await sequelize.query<Record<string, number>>(`
    SELECT count(*) FILTER (WHERE status = 'active')::int AS active, count(*) FILTER (WHERE status = 'expired')::int AS expired,
           count(*) FILTER (WHERE status = 'revoked')::int AS revoked, count(*) FILTER (WHERE status = 'superseded')::int AS superseded
    FROM mandats`, { type: QueryTypes.SELECT });
  line('  mandats by status', Object.entries(mix).map(([k, v]) => `${k} ${v}`).join(', '));
  const [size] = await sequelize.query<{ mandats: string; autorisations: string }>(`
    SELECT pg_size_pretty(pg_total_relation_size('mandats')) AS mandats, pg_size_pretty(pg_total_relation_size('autorisations')) AS autorisations`, { type: QueryTypes.SELECT });
  line('  size on disk (with indexes)', `mandats ${size.mandats}, autorisations ${size.autorisations}`);
  return seed;
}

/** The authorisation check and the usagers list, with their plans. */
export async function benchMandatReads(options: { sequelize: Sequelize; databaseUrl: string; seed: SeedResult; line: Line; calls?: number }): Promise<void> {
  const { sequelize, seed, line } = options;
  const calls = options.calls ?? 5_000;
  const warmUp = 500;

  // 1. The authorisation check.
  const samples = await checkSamples(sequelize, seed, calls + warmUp);
  const answers: boolean[] = [];
  const viaService = await latencies(samples, warmUp, async (s) => answers.push((await findActingAutorisation(sequelize, s)) !== null));
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  const rawAnswers: boolean[] = [];
  const viaRaw = await latencies(samples, warmUp, async (s) => {
    const result = await client.query({ name: 'acting-autorisation', text: RAW_CHECK, values: [s.aidantId, s.organisationId, s.usagerId, s.demarche, new Date()] });
    rawAnswers.push(result.rowCount === 1);
  });
  await client.end();
  const allowed = answers.filter(Boolean).length;
  const disagreements = answers.filter((a, i) => a !== rawAnswers[i]).length;
  line('authorisation check, findActingAutorisation', `${figures(viaService)}  (${allowed} of ${answers.length} allowed)`);
  line('authorisation check, raw SQL (pg, prepared)', `${figures(viaRaw)}  (${disagreements} answers differ)`);

  const recording = recordingSequelize(options.databaseUrl);
  const allowedSample = samples.find((_, i) => answers[i]) ?? samples[0];
  await findActingAutorisation(recording.sequelize, allowedSample);
  await printPlan(sequelize, 'Plan of the authorisation check (an allowed call):', recording.last());

  // 2. The usagers list of an aidant (its current structure), on each tab and with a search.
  const organisations = await sequelize.query<{ id: string }>(
    `SELECT id FROM organisations WHERE name LIKE :prefix ORDER BY random() LIMIT 1200`,
    { replacements: { prefix: `Structure ${seed.tag} n°%` }, type: QueryTypes.SELECT },
  );
  // 1 100 calls per case (the first 100 untimed), over up to 1 200 structures drawn at random.
  const orgIds = Array.from({ length: 1_100 }, (_, i) => organisations[i % organisations.length].id);
  const TABS: UsagerTab[] = ['active', 'expired', 'revoked'];
  const sizes: number[] = [];
  for (const tab of TABS) {
    const timings = await latencies(orgIds, 100, async (organisationId) => {
      const list = await listUsagers(sequelize, { organisationId, tab });
      sizes.push(list.counts.active + list.counts.expired + list.counts.revoked);
    });
    line(`usagers list (listUsagers), tab ${tab}`, figures(timings));
  }
  const searched = await latencies(orgIds, 100, (organisationId) => listUsagers(sequelize, { organisationId, tab: 'active', search: 'mor' }));
  line('usagers list (listUsagers), search « mor »', figures(searched));
  line('  usagers per structure listed', `mean ${(sizes.reduce((a, b) => a + b, 0) / sizes.length).toFixed(0)}`);

  // The same list's SQL alone (as listUsagers sent it, for each structure): the rest is Node's share.
  await listUsagers(recording.sequelize, { organisationId: organisations[0].id, tab: 'active' });
  const listSql = recording.last();
  const sqlOnly = await latencies(orgIds, 100, (organisationId) =>
    sequelize.query(listSql.replaceAll(organisations[0].id, organisationId), { type: QueryTypes.SELECT }));
  line('usagers list, its SQL alone (same statement)', figures(sqlOnly));
  await printPlan(sequelize, 'Plan of the usagers list (one structure):', listSql);
  await recording.sequelize.close();
}
