// The retention's SQL: each batch function handles at most `batchSize` rows in one short transaction and says
// whether it found fewer (nothing more due). Every function takes the run's `now` (read from Temporal by the
// workflow): nothing here decides with the database's clock. A retried batch deletes what is still due and
// there, so retries are harmless.
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { retentionCutoffs, type RetentionCounts, type RetentionPolicy, type RetentionStage } from '../domain/retention.js';
import { appendJournal } from './journal.js';

/**
 * When a mandat `m` ended: its expiry, or its revocation, whichever came first; a superseded mandat (every
 * autorisation taken over by a newer mandat, migration 0001 keeps revoked_at for status 'revoked' only) ended
 * with its last autorisation's revocation.
 */
export const MANDAT_ENDED_AT = `least(m.expires_at, m.revoked_at,
  CASE WHEN m.status = 'superseded' THEN (SELECT max(a.revoked_at) FROM autorisations a WHERE a.mandat_id = m.id) END)`;

/** The same condition as MANDAT_ENDED_AT <= :cutoff, written so that PostgreSQL can use an index per branch. */
const MANDAT_DUE = `(m.expires_at <= :cutoff OR m.revoked_at <= :cutoff
  OR (m.status = 'superseded' AND (SELECT max(a.revoked_at) FROM autorisations a WHERE a.mandat_id = m.id) <= :cutoff))`;

/** A usager's delay counts from their last mandat's end (kept on the usager once the mandats are gone) or their creation. */
const USAGER_LAST_END = 'coalesce(u.last_mandat_ended_at, u.created_at)';

/** An account the retention anonymises: an aidant or référent (never ANCT staff), not yet anonymised. */
const AIDANT_ACCOUNT = `u.anonymised_at IS NULL AND u.staff_roles = '{}'`;
const AIDANT_LAST_LOGIN = 'coalesce(u.last_login_at, u.created_at)';

/** The address an anonymised account gets: unique, valid for the table's check, and reaching nobody. */
export const anonymisedEmail = (userId: string) => `supprime-${userId}@aidants-connect.invalid`;

export interface RetentionBatch {
  counts: Partial<RetentionCounts>;
  /** Fewer rows than the batch size were due: this stage is finished for this run. */
  done: boolean;
}

export async function purgeRetentionBatch(sequelize: Sequelize, stage: RetentionStage, now: Date, policy: RetentionPolicy): Promise<RetentionBatch> {
  const cutoffs = retentionCutoffs(now, policy);
  return sequelize.transaction(async (transaction) => {
    switch (stage) {
      case 'mandats': return purgeMandats(sequelize, cutoffs.mandatEndedBefore, policy.batchSize, transaction);
      case 'usagers': return purgeUsagers(sequelize, cutoffs.usagerLastMandatBefore, policy.batchSize, transaction);
      case 'aidants': return anonymiseAidants(sequelize, cutoffs.aidantLastLoginBefore, now, policy.batchSize, transaction);
    }
  });
}

/** Mandats ended at or before the cutoff, with their autorisations (reminders and connections follow by cascade). */
async function purgeMandats(sequelize: Sequelize, cutoff: Date, batchSize: number, transaction: Transaction): Promise<RetentionBatch> {
  const due = await sequelize.query<{ id: string; usager_id: string; ended_at: Date }>(`
    SELECT m.id, m.usager_id, ${MANDAT_ENDED_AT} AS ended_at FROM mandats m
    WHERE ${MANDAT_DUE} ORDER BY m.id LIMIT :batchSize FOR UPDATE OF m SKIP LOCKED`,
  { replacements: { cutoff, batchSize }, type: QueryTypes.SELECT, transaction });
  if (due.length === 0) return { counts: { mandats: 0, autorisations: 0 }, done: true };
  const ids = due.map((row) => row.id);
  // The usager's own delay counts from the end of their last mandat: keep it before the mandats go.
  await sequelize.query(`
    UPDATE usagers u SET last_mandat_ended_at = greatest(u.last_mandat_ended_at, ended.at)
    FROM (SELECT m.usager_id, max(${MANDAT_ENDED_AT}) AS at FROM mandats m WHERE m.id = ANY(ARRAY[:ids]::uuid[]) GROUP BY m.usager_id) ended
    WHERE u.id = ended.usager_id`, { replacements: { ids }, transaction });
  const autorisations = await deleteCount(sequelize, 'DELETE FROM autorisations WHERE mandat_id = ANY(ARRAY[:ids]::uuid[])', { ids }, transaction);
  const mandats = await deleteCount(sequelize, 'DELETE FROM mandats WHERE id = ANY(ARRAY[:ids]::uuid[])', { ids }, transaction);
  return { counts: { mandats, autorisations }, done: due.length < batchSize };
}

/** Usagers left with no mandat whose last mandat ended (or who were created) at or before the cutoff. */
async function purgeUsagers(sequelize: Sequelize, cutoff: Date, batchSize: number, transaction: Transaction): Promise<RetentionBatch> {
  const due = await sequelize.query<{ id: string }>(`
    SELECT u.id FROM usagers u
    WHERE ${USAGER_LAST_END} <= :cutoff AND NOT EXISTS (SELECT 1 FROM mandats m WHERE m.usager_id = u.id)
    ORDER BY u.id LIMIT :batchSize FOR UPDATE OF u SKIP LOCKED`,
  { replacements: { cutoff, batchSize }, type: QueryTypes.SELECT, transaction });
  if (due.length === 0) return { counts: { usagers: 0 }, done: true };
  // Checked again: a mandat signed since the select keeps its usager (connections and notifications follow by cascade).
  const usagers = await deleteCount(sequelize, `
    DELETE FROM usagers u WHERE u.id = ANY(ARRAY[:ids]::uuid[]) AND NOT EXISTS (SELECT 1 FROM mandats m WHERE m.usager_id = u.id)`,
  { ids: due.map((row) => row.id) }, transaction);
  return { counts: { usagers }, done: due.length < batchSize };
}

/**
 * Aidant accounts whose last login (or creation) is at or before the cutoff are anonymised, not deleted: comité
 * decisions, cards, training registrations and mandats still retained name the account, and the journal's
 * authors keep their foreign key. The person's data goes: names, e-mail, phone, profession, memberships,
 * links, and the same data copied into their onboardings.
 */
async function anonymiseAidants(sequelize: Sequelize, cutoff: Date, now: Date, batchSize: number, transaction: Transaction): Promise<RetentionBatch> {
  const due = await sequelize.query<{ id: string; email: string }>(`
    SELECT u.id, u.email FROM users u WHERE ${AIDANT_ACCOUNT} AND ${AIDANT_LAST_LOGIN} <= :cutoff
    ORDER BY u.id LIMIT :batchSize FOR UPDATE OF u SKIP LOCKED`,
  { replacements: { cutoff, batchSize }, type: QueryTypes.SELECT, transaction });
  if (due.length === 0) return { counts: { aidants: 0 }, done: true };
  const ids = due.map((row) => row.id);
  await sequelize.query(`
    UPDATE aidant_onboardings o SET email = 'supprime-' || u.id || '@aidants-connect.invalid', first_name = 'Aidant', last_name = 'supprimé',
      profession = NULL, updated_at = :now
    FROM users u WHERE u.id = ANY(ARRAY[:ids]::uuid[]) AND (o.user_id = u.id OR o.email = u.email)`, { replacements: { ids, now }, transaction });
  for (const table of ['organisation_memberships', 'login_links', 'setup_links']) {
    await sequelize.query(`DELETE FROM ${table} WHERE user_id = ANY(ARRAY[:ids]::uuid[])`, { replacements: { ids }, transaction });
  }
  const aidants = await sequelize.query(`
    UPDATE users SET email = 'supprime-' || id || '@aidants-connect.invalid', first_name = 'Aidant', last_name = 'supprimé', profession = NULL,
      phone = NULL, is_active = false, current_organisation_id = NULL, password_hash = NULL, sealed_admin_totp_secret = NULL,
      admin_totp_last_step = NULL, anonymised_at = :now, updated_at = :now
    WHERE id = ANY(ARRAY[:ids]::uuid[]) AND anonymised_at IS NULL`, { replacements: { ids, now }, type: QueryTypes.BULKUPDATE, transaction }) as unknown as number;
  return { counts: { aidants }, done: due.length < batchSize };
}

async function deleteCount(sequelize: Sequelize, sql: string, replacements: Record<string, unknown>, transaction: Transaction): Promise<number> {
  return sequelize.query(sql, { replacements, type: QueryTypes.BULKDELETE, transaction });
}

/** One journal entry per run (its key: the run's workflow id), with what it deleted and the rules applied. */
export async function journalRetentionRun(input: { runKey: string; now: Date; counts: RetentionCounts; batches: number; policy: RetentionPolicy }): Promise<void> {
  await appendJournal({
    action: 'retention_purge',
    details: {
      counts: input.counts, batches: input.batches, at: input.now.toISOString(),
      years: { mandats: input.policy.mandatYears, usagers: input.policy.usagerYears, aidants: input.policy.aidantYears },
    },
    idempotencyKey: `retention/${input.runKey}`,
  });
}

export interface RetentionPreviewKind {
  count: number;
  /** The oldest end (mandats), last mandat's end (usagers) or last login (aidants) among what is due. */
  oldest: Date | null;
}
export type RetentionPreview = Record<keyof RetentionCounts, RetentionPreviewKind> & { at: Date; policy: RetentionPolicy };

/**
 * What a run at `now` would delete, without deleting (the tech admin's « dry run »): usagers count those whose
 * every mandat is due too, as the run deletes the mandats first.
 */
export async function previewRetention(sequelize: Sequelize, now: Date, policy: RetentionPolicy): Promise<RetentionPreview> {
  const cutoffs = retentionCutoffs(now, policy);
  const one = async (sql: string, cutoff: Date) => {
    const [row] = await sequelize.query<{ count: string; oldest: Date | null }>(sql, { replacements: { cutoff, mandatCutoff: cutoffs.mandatEndedBefore }, type: QueryTypes.SELECT });
    return { count: Number(row.count), oldest: row.oldest ? new Date(row.oldest) : null };
  };
  const mandats = await one(`SELECT count(*) AS count, min(${MANDAT_ENDED_AT}) AS oldest FROM mandats m WHERE ${MANDAT_DUE}`, cutoffs.mandatEndedBefore);
  const autorisations = await one(`
    SELECT count(*) AS count, NULL::timestamptz AS oldest FROM autorisations a2 JOIN mandats m ON m.id = a2.mandat_id WHERE ${MANDAT_DUE}`,
  cutoffs.mandatEndedBefore);
  const usagers = await one(`
    WITH per_usager AS (
      SELECT m.usager_id, bool_and(${MANDAT_ENDED_AT} <= :mandatCutoff) AS all_due, max(${MANDAT_ENDED_AT}) AS last_end
      FROM mandats m GROUP BY m.usager_id)
    SELECT count(*) AS count, min(coalesce(greatest(u.last_mandat_ended_at, p.last_end), u.created_at)) AS oldest
    FROM usagers u LEFT JOIN per_usager p ON p.usager_id = u.id
    WHERE (p.usager_id IS NULL OR p.all_due) AND coalesce(greatest(u.last_mandat_ended_at, p.last_end), u.created_at) <= :cutoff`,
  cutoffs.usagerLastMandatBefore);
  const aidants = await one(`SELECT count(*) AS count, min(${AIDANT_LAST_LOGIN}) AS oldest FROM users u WHERE ${AIDANT_ACCOUNT} AND ${AIDANT_LAST_LOGIN} <= :cutoff`,
    cutoffs.aidantLastLoginBefore);
  return { mandats, autorisations, usagers, aidants, at: now, policy };
}
