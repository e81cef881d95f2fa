// What the ANCT's periodic duties read and write: the aidants to train asked by référents in a week (weekly
// digest), the aidants of each structure without a working card (référents' monthly e-mail), and the daily
// statistics snapshot the back-office dashboard draws. Every count is one set-based query, grouped in SQL
// (by région through the département → région table handed as JSON), over indexes that exist.
import { QueryTypes, type Sequelize } from 'sequelize';
import {
  STATISTICS_WEEKS, type RegionFigures, type StatisticsFigures, type StatisticsSnapshot, type WeekFigures,
} from '../domain/anct-view.js';
import { ONBOARDING_STATUS_KEYS, parisDay, type OnboardingStatus } from '../domain/habilitation.js';
import { compareRegions, DEPARTMENT_REGIONS, regionOfDepartment, REGIONS, UNKNOWN_REGION } from '../domain/regions.js';

// ---------------------------------------------------------------------------------------------------------
// Weekly digest: aidants to train asked by référents

export interface AidantToTrain {
  firstName: string; lastName: string; email: string; profession: string | null;
  structureName: string; city: string; departmentCode: string; askedAt: string;
}

/** Aidants asked by a référent in [from, to) and not withdrawn since, grouped by région (reading order). */
export async function aidantsToTrainAsked(sequelize: Sequelize, period: { from: string; to: string }): Promise<{ region: string; aidants: AidantToTrain[] }[]> {
  const rows = await sequelize.query<{
    first_name: string; last_name: string; email: string; profession: string | null; structure_name: string; city: string; department_code: string; created_at: Date;
  }>(`
    SELECT a.first_name, a.last_name, a.email, a.profession, o.name AS structure_name, o.city, o.department_code, a.created_at
    FROM aidant_onboardings a JOIN organisations o ON o.id = a.organisation_id
    WHERE a.requested_by_id IS NOT NULL AND a.created_at >= $1 AND a.created_at < $2 AND a.status <> 'cancelled'
    ORDER BY o.department_code, o.name, a.last_name, a.first_name, a.id`, { bind: [period.from, period.to], type: QueryTypes.SELECT });
  const byRegion = new Map<string, AidantToTrain[]>();
  for (const r of rows) {
    const region = regionOfDepartment(r.department_code);
    if (!byRegion.has(region)) byRegion.set(region, []);
    byRegion.get(region)!.push({
      firstName: r.first_name, lastName: r.last_name, email: r.email, profession: r.profession, structureName: r.structure_name,
      city: r.city, departmentCode: r.department_code, askedAt: new Date(r.created_at).toISOString(),
    });
  }
  return [...byRegion.entries()].sort(([a], [b]) => compareRegions(a, b)).map(([region, aidants]) => ({ region, aidants }));
}

/** How many aidants aidantsToTrainAsked would list (the workflow decides with a count: no names in its history). */
export async function countAidantsToTrainAsked(sequelize: Sequelize, period: { from: string; to: string }): Promise<number> {
  const [row] = await sequelize.query<{ n: string }>(`
    SELECT count(*) AS n FROM aidant_onboardings
    WHERE requested_by_id IS NOT NULL AND created_at >= $1 AND created_at < $2 AND status <> 'cancelled'`, { bind: [period.from, period.to], type: QueryTypes.SELECT });
  return Number(row.n);
}

// ---------------------------------------------------------------------------------------------------------
// Monthly e-mail to référents: aidants without a working card

export interface PersonRow { id: string; firstName: string; lastName: string; email: string }
export interface StructureWithoutCards {
  organisationId: string;
  structureName: string;
  /** Active aidants of the structure with no validated, working card nor application. */
  aidants: PersonRow[];
  /** The structure's active référents, each e-mailed. */
  referents: PersonRow[];
}

/**
 * One batch of active structures (ordered by id, after `after`): those with at least one active aidant without
 * a working card, with their référents. `next` is where the next batch starts (null: no structure left).
 */
export async function structuresWithAidantsWithoutCard(sequelize: Sequelize, input: { after: string | null; limit: number }): Promise<{ next: string | null; structures: StructureWithoutCards[] }> {
  const batch = await sequelize.query<{ id: string; name: string }>(`
    SELECT id, name FROM organisations WHERE is_active AND ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
  { bind: [input.after, input.limit], type: QueryTypes.SELECT });
  if (batch.length === 0) return { next: null, structures: [] };
  const ids = batch.map((o) => o.id);
  const people = await sequelize.query<{ organisation_id: string; id: string; first_name: string; last_name: string; email: string; is_referent: boolean; without_card: boolean }>(`
    SELECT m.organisation_id, u.id, u.first_name, u.last_name, u.email, m.is_referent,
           m.can_create_mandats AND NOT EXISTS (
             SELECT 1 FROM cards c WHERE c.aidant_id = u.id AND c.validated_at IS NOT NULL AND c.is_functional) AS without_card
    FROM organisation_memberships m JOIN users u ON u.id = m.user_id AND u.is_active
    WHERE m.organisation_id = ANY($1::uuid[]) AND m.is_active AND (m.is_referent OR m.can_create_mandats)
    ORDER BY m.organisation_id, u.last_name, u.first_name, u.id`, { bind: [ids], type: QueryTypes.SELECT });
  const person = (r: (typeof people)[number]): PersonRow => ({ id: r.id, firstName: r.first_name, lastName: r.last_name, email: r.email });
  const structures = batch.map((o) => {
    const members = people.filter((r) => r.organisation_id === o.id);
    return {
      organisationId: o.id, structureName: o.name,
      aidants: members.filter((r) => r.without_card).map(person), referents: members.filter((r) => r.is_referent).map(person),
    };
  }).filter((s) => s.aidants.length > 0 && s.referents.length > 0);
  return { next: batch.length < input.limit ? null : batch[batch.length - 1].id, structures };
}

// ---------------------------------------------------------------------------------------------------------
// Statistics snapshot

const regionsJson = JSON.stringify(DEPARTMENT_REGIONS);
const REGION_OF = (column: string) => `COALESCE($1::jsonb ->> upper(${column}), '${UNKNOWN_REGION.replace(/'/g, "''")}')`;

/** Structures, aidants, requests waiting for the comité and onboardings by step, per région (and in total). */
export async function countByRegion(sequelize: Sequelize): Promise<Pick<StatisticsFigures, 'regions' | 'totals'>> {
  const q = <T extends object>(sql: string) => sequelize.query<T>(sql, { bind: sql.includes('$1') ? [regionsJson] : [], type: QueryTypes.SELECT });
  const [structures, aidants, awaiting, onboardings, [totalAidants]] = await Promise.all([
    q<{ region: string; n: string }>(`SELECT ${REGION_OF('o.department_code')} AS region, count(*) AS n FROM organisations o WHERE o.is_active GROUP BY 1`),
    q<{ region: string; n: string }>(`
      SELECT ${REGION_OF('o.department_code')} AS region, count(DISTINCT m.user_id) AS n
      FROM organisation_memberships m JOIN organisations o ON o.id = m.organisation_id AND o.is_active JOIN users u ON u.id = m.user_id AND u.is_active
      WHERE m.is_active AND m.can_create_mandats GROUP BY 1`),
    q<{ region: string; n: string }>(`SELECT ${REGION_OF('h.department_code')} AS region, count(*) AS n FROM habilitation_requests h WHERE h.status = 'awaiting_comite' GROUP BY 1`),
    q<{ region: string; status: OnboardingStatus; n: string }>(`
      SELECT ${REGION_OF('o.department_code')} AS region, a.status, count(*) AS n
      FROM aidant_onboardings a JOIN organisations o ON o.id = a.organisation_id GROUP BY 1, 2`),
    q<{ n: string }>(`
      SELECT count(DISTINCT m.user_id) AS n FROM organisation_memberships m JOIN organisations o ON o.id = m.organisation_id AND o.is_active
      JOIN users u ON u.id = m.user_id AND u.is_active WHERE m.is_active AND m.can_create_mandats`),
  ]);
  const byRegion = new Map<string, RegionFigures>(REGIONS.map((region) => [region, { region, structures: 0, aidants: 0, awaitingComite: 0, onboardings: {} }]));
  const of = (region: string) => {
    if (!byRegion.has(region)) byRegion.set(region, { region, structures: 0, aidants: 0, awaitingComite: 0, onboardings: {} });
    return byRegion.get(region)!;
  };
  for (const r of structures) of(r.region).structures = Number(r.n);
  for (const r of aidants) of(r.region).aidants = Number(r.n);
  for (const r of awaiting) of(r.region).awaitingComite = Number(r.n);
  for (const r of onboardings) of(r.region).onboardings[r.status] = Number(r.n);
  const regions = [...byRegion.values()].sort((a, b) => compareRegions(a.region, b.region));
  const onboardingTotals: Partial<Record<OnboardingStatus, number>> = {};
  for (const status of ONBOARDING_STATUS_KEYS) {
    const n = regions.reduce((sum, r) => sum + (r.onboardings[status] ?? 0), 0);
    if (n > 0) onboardingTotals[status] = n;
  }
  return {
    regions,
    totals: {
      structures: regions.reduce((sum, r) => sum + r.structures, 0),
      aidants: Number(totalAidants.n), // an aidant of two structures counts once
      awaitingComite: regions.reduce((sum, r) => sum + r.awaitingComite, 0),
      onboardings: onboardingTotals,
    },
  };
}

/**
 * Mandats created and démarches done (journal `use_autorisation`) per Paris week, the last 52 weeks up to `at`
 * (the current week included, partial), zeros included. Index ranges: mandats (created_at), journal (action, created_at).
 */
export async function countByWeek(sequelize: Sequelize, at: string): Promise<WeekFigures[]> {
  const rows = await sequelize.query<{ week: string; mandats: string; demarches: string }>(`
    WITH bounds AS (
      SELECT date_trunc('week', $1::timestamptz AT TIME ZONE 'Europe/Paris') - interval '${STATISTICS_WEEKS - 1} weeks' AS first,
             date_trunc('week', $1::timestamptz AT TIME ZONE 'Europe/Paris') AS last
    ),
    weeks AS (SELECT generate_series(first, last, interval '1 week') AS week FROM bounds),
    mandats_by_week AS (
      SELECT date_trunc('week', m.created_at AT TIME ZONE 'Europe/Paris') AS week, count(*) AS n
      FROM mandats m, bounds WHERE m.created_at >= (bounds.first AT TIME ZONE 'Europe/Paris') AND m.created_at < $1::timestamptz GROUP BY 1
    ),
    uses_by_week AS (
      SELECT date_trunc('week', j.created_at AT TIME ZONE 'Europe/Paris') AS week, count(*) AS n
      FROM journal j, bounds WHERE j.action = 'use_autorisation' AND j.created_at >= (bounds.first AT TIME ZONE 'Europe/Paris') AND j.created_at < $1::timestamptz GROUP BY 1
    )
    SELECT to_char(w.week, 'YYYY-MM-DD') AS week, COALESCE(m.n, 0) AS mandats, COALESCE(u.n, 0) AS demarches
    FROM weeks w LEFT JOIN mandats_by_week m ON m.week = w.week LEFT JOIN uses_by_week u ON u.week = w.week
    ORDER BY w.week`, { bind: [at], type: QueryTypes.SELECT });
  return rows.map((r) => ({ week: r.week, mandats: Number(r.mandats), demarches: Number(r.demarches) }));
}

/** Stores the day's snapshot (the Paris day of `at`); a rerun the same day replaces it. */
export async function saveStatisticsSnapshot(sequelize: Sequelize, at: string, figures: StatisticsFigures): Promise<string> {
  const day = parisDay(new Date(at));
  await sequelize.query(`
    INSERT INTO statistics_snapshots (taken_on, taken_at, figures) VALUES ($1, $2, $3::jsonb)
    ON CONFLICT (taken_on) DO UPDATE SET taken_at = EXCLUDED.taken_at, figures = EXCLUDED.figures`, { bind: [day, at, JSON.stringify(figures)] });
  return day;
}

/** The latest snapshot (null before the first one). */
export async function latestStatisticsSnapshot(sequelize: Sequelize): Promise<StatisticsSnapshot | null> {
  const [row] = await sequelize.query<{ taken_on: string; taken_at: Date; figures: StatisticsFigures }>(
    `SELECT to_char(taken_on, 'YYYY-MM-DD') AS taken_on, taken_at, figures FROM statistics_snapshots ORDER BY taken_on DESC LIMIT 1`, { type: QueryTypes.SELECT });
  return row ? { day: row.taken_on, takenAt: new Date(row.taken_at).toISOString(), figures: row.figures } : null;
}
