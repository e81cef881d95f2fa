// The daily inactivity duty's database side (workflows/inactive-aidants.ts runs it, activities/inactivity.ts
// calls it). Each step takes `now` from the workflow (never the database's clock), handles at most `limit`
// rows after the keyset cursor `after`, each row in its own short transaction that re-checks the row under a
// lock, changes it, journals it and stores its e-mails in the outbox; the e-mails are delivered after the
// commit. Each step is idempotent: the state it records (which episode was told) and the e-mails' keys (the
// episode's start) make a retried or repeated run change and send nothing twice.
//
// Episodes:
// - inactive aidant: starts at the last login; warned once (users.inactivity_warned_login = that login), then
//   deactivated once the warning is old enough and no login came since (last_login_at unchanged). Any login
//   changes last_login_at and so ends the episode: a later absence is a new episode, warned again.
// - encouragement: starts at the aidant's last activity (a mandat created, a démarche done or a renewal
//   started: journal create_attestation, use_autorisation, init_renew_mandat, as the reference counts it);
//   sent once per activity (users.encouraged_activity_at). An aidant who never had any activity is not
//   encouraged (the reference's rule: the login warning covers them).
// - draft: starts at its last change (the request row or its aidants); reminded once (draft_reminded_change),
//   deleted once idle long enough; a change starts a new episode.
// Never concerned: the ANCT's staff accounts, the demo accounts (e-mail at a `.demo` domain), accounts already
// deactivated, people who are only référents (no mandats: the reference warns only aidants who can create them).
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { inactivityThresholds, daysToReactivate, type InactivityPolicy } from '../domain/inactivity.js';
import { appendJournal } from './journal.js';
import { enqueueEmail, type EnqueueDeps, type EmailRequest } from './outbox.js';

export interface InactivityDeps {
  sequelize: Sequelize;
  /** Renders the e-mails and mints the demandeurs' private links (services/outbox.ts). */
  outbox: EnqueueDeps;
  policy: InactivityPolicy;
}

/** One batch: how many rows it changed, the cursor to continue from (null: nothing left), the e-mails to deliver. */
export interface InactivityBatch { count: number; next: string | null; emails: string[] }

export interface BatchInput { now: Date; after: string | null; limit: number }

const ACTIVITY_ACTIONS = ['create_attestation', 'use_autorisation', 'init_renew_mandat'];

/** An aidant the duty may concern (alias `u`): active, not ANCT staff, not a demo account, able to create mandats somewhere. */
const CONCERNED_AIDANT = `u.is_active AND cardinality(u.staff_roles) = 0 AND u.email NOT LIKE '%.demo'
  AND EXISTS (SELECT 1 FROM organisation_memberships m JOIN organisations o ON o.id = m.organisation_id
              WHERE m.user_id = u.id AND m.is_active AND m.can_create_mandats AND o.is_active)`;

/** Keyset batches start after this id (ids are UUIDs). */
const FIRST_ID = '00000000-0000-0000-0000-000000000000';

/** The next batch of concerned aidants meeting `condition` (`:after`, `:limit` and its own replacements). */
const aidantCandidates = (deps: InactivityDeps, condition: string, replacements: Record<string, unknown>) => ids(deps.sequelize,
  `SELECT u.id FROM users u WHERE ${CONCERNED_AIDANT} AND ${condition} AND u.id > :after ORDER BY u.id LIMIT :limit`, replacements);

const fullName = (person: { first_name: string; last_name: string }) => `${person.first_name} ${person.last_name}`.trim();

async function ids(sequelize: Sequelize, sql: string, replacements: Record<string, unknown>): Promise<string[]> {
  const rows = await sequelize.query<{ id: string }>(sql, { replacements, type: QueryTypes.SELECT });
  return rows.map((row) => row.id);
}

/** Runs `each` on every candidate in its own transaction; the cursor is the last candidate when the page was full. */
async function inBatch(
  deps: InactivityDeps, input: BatchInput, candidates: string[],
  each: (id: string, transaction: Transaction) => Promise<EmailRequest[] | null>,
): Promise<InactivityBatch> {
  let count = 0;
  const emails: string[] = [];
  for (const id of candidates) {
    const stored = await deps.sequelize.transaction(async (transaction) => {
      const requests = await each(id, transaction);
      if (!requests) return null;
      for (const request of requests) await enqueueEmail(deps.outbox, request, transaction);
      return requests.map((request) => request.idempotencyKey);
    });
    if (stored) { count += 1; emails.push(...stored); }
  }
  return { count, next: candidates.length === input.limit ? candidates[candidates.length - 1] : null, emails };
}

interface AidantRow { id: string; email: string; first_name: string; last_name: string; last_login_at: Date }

async function lockedAidant(sequelize: Sequelize, id: string, condition: string, replacements: Record<string, unknown>, transaction: Transaction): Promise<AidantRow | null> {
  const [row] = await sequelize.query<AidantRow>(
    `SELECT u.id, u.email, u.first_name, u.last_name, u.last_login_at FROM users u WHERE u.id = :id AND ${CONCERNED_AIDANT} AND ${condition} FOR NO KEY UPDATE OF u`,
    { replacements: { ...replacements, id }, type: QueryTypes.SELECT, transaction },
  );
  return row ?? null;
}

// --- Inactive aidants: warning, then deactivation

// As the reference's `deactivation_warnable`: also a card (or application) validated before the same threshold, so
// that an aidant given a new card lately is not warned at once.
const WARNABLE = `u.last_login_at <= :before AND u.inactivity_warned_login IS DISTINCT FROM u.last_login_at
  AND EXISTS (SELECT 1 FROM cards c WHERE c.aidant_id = u.id AND c.validated_at <= :before)`;

/** Aidants with no login since `aidantWarningAfterMonths`, not yet warned in this episode: warned (« réactivez votre compte »). */
export async function warnInactiveAidants(deps: InactivityDeps, input: BatchInput): Promise<InactivityBatch> {
  const before = inactivityThresholds(deps.policy, input.now).warnLoginBefore;
  const replacements = { before, after: input.after ?? FIRST_ID, limit: input.limit };
  const candidates = await aidantCandidates(deps, WARNABLE, replacements);
  return inBatch(deps, input, candidates, async (id, transaction) => {
    const aidant = await lockedAidant(deps.sequelize, id, WARNABLE, replacements, transaction);
    if (!aidant) return null;
    await deps.sequelize.query('UPDATE users SET inactivity_warned_login = last_login_at, inactivity_warned_at = :now WHERE id = :id', {
      replacements: { id, now: input.now }, transaction,
    });
    const deadline = new Date(input.now.getTime() + deps.policy.aidantDeactivationAfterWarningMs);
    return [{
      idempotencyKey: `inactive-aidant/${id}/${aidant.last_login_at.getTime()}/warning`, template: 'inactive_aidant_warning', to: [aidant.email],
      data: { recipientName: fullName(aidant), lastLoginAt: aidant.last_login_at.toISOString(), deadline: deadline.toISOString(), days: daysToReactivate(deps.policy) },
    }];
  });
}

// Warned in this very episode (no login since: the login the warning was for is still the last one) long enough ago.
const DEACTIVABLE = 'u.inactivity_warned_login = u.last_login_at AND u.inactivity_warned_at <= :before';

/**
 * Aidants warned long enough ago and still not logged in: the account is deactivated (as a référent's removal
 * from the last structure does; a référent can reactivate it), journaled `aidant_deactivated` in each of their
 * structures with the reason; the aidant is e-mailed, and so is each référent of those structures.
 */
export async function deactivateWarnedAidants(deps: InactivityDeps, input: BatchInput): Promise<InactivityBatch> {
  const before = inactivityThresholds(deps.policy, input.now).deactivateWarnedBefore;
  const replacements = { before, after: input.after ?? FIRST_ID, limit: input.limit };
  const candidates = await aidantCandidates(deps, DEACTIVABLE, replacements);
  return inBatch(deps, input, candidates, async (id, transaction) => {
    const aidant = await lockedAidant(deps.sequelize, id, DEACTIVABLE, replacements, transaction);
    if (!aidant) return null;
    const episode = `inactive-aidant/${id}/${aidant.last_login_at.getTime()}`;
    const structures = await deps.sequelize.query<{ id: string; name: string }>(
      `SELECT o.id, o.name FROM organisation_memberships m JOIN organisations o ON o.id = m.organisation_id
       WHERE m.user_id = :id AND m.is_active AND o.is_active ORDER BY o.name`,
      { replacements: { id }, type: QueryTypes.SELECT, transaction },
    );
    await deps.sequelize.query('UPDATE users SET is_active = false, updated_at = now() WHERE id = :id', { replacements: { id }, transaction });
    const lastLoginAt = aidant.last_login_at.toISOString();
    for (const structure of structures) {
      await appendJournal({
        action: 'aidant_deactivated', actorId: null, organisationId: structure.id,
        details: { aidantId: id, reason: 'inactivity', reasonLabel: 'Compte désactivé sans connexion après l’avertissement d’inactivité', lastLoginAt },
        idempotencyKey: `${episode}/deactivated/${structure.id}`,
      }, transaction);
    }
    const referents = structures.length === 0 ? [] : await deps.sequelize.query<{ id: string; email: string; first_name: string; last_name: string; organisation_id: string }>(
      `SELECT u.id, u.email, u.first_name, u.last_name, m.organisation_id FROM organisation_memberships m JOIN users u ON u.id = m.user_id
       WHERE m.organisation_id IN (:structureIds) AND m.is_referent AND m.is_active AND u.is_active AND u.id <> :id ORDER BY u.id`,
      { replacements: { id, structureIds: structures.map((s) => s.id) }, type: QueryTypes.SELECT, transaction },
    );
    const aidantName = fullName(aidant);
    return [
      { idempotencyKey: `${episode}/deactivated`, template: 'inactive_aidant_deactivated', to: [aidant.email], data: { recipientName: aidantName, lastLoginAt } },
      ...referents.map((referent): EmailRequest => ({
        idempotencyKey: `${episode}/deactivated/referent/${referent.organisation_id}/${referent.id}`, template: 'inactive_aidant_deactivated_referent', to: [referent.email],
        data: { recipientName: fullName(referent), aidantName, structureName: structures.find((s) => s.id === referent.organisation_id)!.name, lastLoginAt },
      })),
    ];
  });
}

// --- Aidants without activity: encouragement

const LAST_ACTIVITY = `(SELECT max(j.created_at) FROM journal j WHERE j.actor_id = u.id AND j.action IN (:actions))`;
const ENCOURAGEABLE = `${LAST_ACTIVITY} <= :before AND u.encouraged_activity_at IS DISTINCT FROM ${LAST_ACTIVITY}`;

/** Aidants whose last activity is older than `aidantEncouragementAfterMs`, not yet encouraged since it: the encouragement e-mail. */
export async function encourageInactiveAidants(deps: InactivityDeps, input: BatchInput): Promise<InactivityBatch> {
  const before = inactivityThresholds(deps.policy, input.now).encourageActivityBefore;
  const replacements = { before, actions: ACTIVITY_ACTIONS, after: input.after ?? FIRST_ID, limit: input.limit };
  const candidates = await aidantCandidates(deps, ENCOURAGEABLE, replacements);
  return inBatch(deps, input, candidates, async (id, transaction) => {
    const aidant = await lockedAidant(deps.sequelize, id, ENCOURAGEABLE, replacements, transaction);
    if (!aidant) return null;
    const [{ last }] = await deps.sequelize.query<{ last: Date }>(`SELECT ${LAST_ACTIVITY} AS last FROM users u WHERE u.id = :id`, {
      replacements: { id, actions: ACTIVITY_ACTIONS }, type: QueryTypes.SELECT, transaction,
    });
    await deps.sequelize.query('UPDATE users SET encouraged_activity_at = :last WHERE id = :id', { replacements: { id, last }, transaction });
    return [{
      idempotencyKey: `inactive-aidant/${id}/${last.getTime()}/encouragement`, template: 'aidant_activity_encouragement', to: [aidant.email],
      data: { recipientName: fullName(aidant), lastActivityAt: last.toISOString() },
    }];
  });
}

// --- Sent e-mails' bodies

/** A sent e-mail whose body is kept no longer (`:before`: the delay ago). */
const SENT_BODY_DUE = `status = 'sent' AND body_purged_at IS NULL AND sent_at <= :before`;

/**
 * Clears the rendered body (HTML and text, which may hold private links and personal data) of e-mails sent more
 * than `outboxBodyRetentionMs` ago; the row stays as the record of the sending (key, template, recipients,
 * subject, dates). E-mails pending, being sent or failed keep their bodies (they may still be sent, or are
 * being investigated).
 */
export async function purgeSentEmailBodies(deps: InactivityDeps, input: BatchInput): Promise<InactivityBatch> {
  const before = inactivityThresholds(deps.policy, input.now).purgeSentBefore;
  const purged = (await ids(deps.sequelize,
    `UPDATE email_outbox SET html = '', text_body = '', body_purged_at = :now
     WHERE id IN (SELECT id FROM email_outbox WHERE ${SENT_BODY_DUE} ORDER BY sent_at LIMIT :limit FOR UPDATE SKIP LOCKED)
     RETURNING id`,
    { now: input.now, before, limit: input.limit },
  )).length;
  return { count: purged, next: purged === input.limit ? 'more' : null, emails: [] };
}

// --- Habilitation-request drafts never submitted

/** The draft's last change (alias `r`): the request row, or its list of aidants (rewritten at each save). */
const LAST_CHANGE = `greatest(r.updated_at, (SELECT max(a.created_at) FROM aidant_requests a WHERE a.habilitation_request_id = r.id))`;
const DRAFT = `r.status = 'draft' AND r.submitted_at IS NULL`;
const REMINDABLE = `${DRAFT} AND ${LAST_CHANGE} <= :before AND ${LAST_CHANGE} > :deleteBefore AND r.draft_reminded_change IS DISTINCT FROM ${LAST_CHANGE}`;
const DELETABLE = `${DRAFT} AND ${LAST_CHANGE} <= :deleteBefore`;

interface DraftRow { id: string; issuer_id: string; name: string; last_change: Date; email: string; first_name: string; last_name: string }

async function lockedDraft(sequelize: Sequelize, id: string, condition: string, replacements: Record<string, unknown>, transaction: Transaction): Promise<DraftRow | null> {
  const [row] = await sequelize.query<DraftRow>(
    `SELECT r.id, r.issuer_id, r.name, ${LAST_CHANGE} AS last_change, i.email, i.first_name, i.last_name
     FROM habilitation_requests r JOIN issuers i ON i.id = r.issuer_id WHERE r.id = :id AND ${condition} FOR UPDATE OF r`,
    { replacements: { ...replacements, id }, type: QueryTypes.SELECT, transaction },
  );
  return row ?? null;
}

/**
 * Drafts unchanged for `draftReminderAfterMonths`, not yet reminded since their last change: the demandeur is
 * e-mailed a fresh private link to the draft (minted by the outbox, never a record id) and the date it will be
 * deleted. Journaled per draft (its id in the details only: a journal row pointing at it would forbid its deletion).
 */
export async function remindIdleDrafts(deps: InactivityDeps, input: BatchInput): Promise<InactivityBatch> {
  const thresholds = inactivityThresholds(deps.policy, input.now);
  const replacements = { before: thresholds.remindDraftChangedBefore, deleteBefore: thresholds.deleteDraftChangedBefore, after: input.after ?? FIRST_ID, limit: input.limit };
  const candidates = await ids(deps.sequelize,
    `SELECT r.id FROM habilitation_requests r WHERE ${REMINDABLE} AND r.id > :after ORDER BY r.id LIMIT :limit`, replacements);
  return inBatch(deps, input, candidates, async (id, transaction) => {
    const draft = await lockedDraft(deps.sequelize, id, REMINDABLE, replacements, transaction);
    if (!draft) return null;
    // Not through the model: the reminder is not a change of the draft (updated_at stays).
    await deps.sequelize.query('UPDATE habilitation_requests SET draft_reminded_change = :lastChange, draft_reminded_at = :now WHERE id = :id', {
      replacements: { id, lastChange: draft.last_change, now: input.now }, transaction,
    });
    const deletionDate = new Date(draft.last_change.getTime() + (thresholds.remindDraftChangedBefore.getTime() - thresholds.deleteDraftChangedBefore.getTime()));
    const key = `habilitation-draft/${id}/${draft.last_change.getTime()}/reminder`;
    await appendJournal({
      action: 'habilitation_draft_reminded', details: { draftId: id, lastChangeAt: draft.last_change.toISOString(), deletionDate: deletionDate.toISOString() }, idempotencyKey: key,
    }, transaction);
    return [{
      idempotencyKey: key, template: 'habilitation_draft_reminder', to: [draft.email],
      data: { issuerName: `${draft.first_name} ${draft.last_name}`.trim(), structureName: draft.name, lastChangeAt: draft.last_change.toISOString(), deletionDate: deletionDate.toISOString(), requestUrl: '' },
      privateLink: { issuerId: draft.issuer_id, field: 'requestUrl', requestId: id },
    }];
  });
}

/**
 * Drafts unchanged for `draftDeletionAfterMonths`: deleted with what belongs to them only (their aidants,
 * messages, private links and e-mail confirmations, by the schema's cascades), and their demandeur's profile
 * when it holds no other request. A draft something else still points at (the append-only journal) is kept.
 */
export async function deleteIdleDrafts(deps: InactivityDeps, input: BatchInput): Promise<InactivityBatch> {
  const thresholds = inactivityThresholds(deps.policy, input.now);
  const replacements = { deleteBefore: thresholds.deleteDraftChangedBefore, after: input.after ?? FIRST_ID, limit: input.limit };
  const candidates = await ids(deps.sequelize,
    `SELECT r.id FROM habilitation_requests r WHERE ${DELETABLE} AND r.id > :after ORDER BY r.id LIMIT :limit`, replacements);
  let count = 0;
  for (const id of candidates) {
    try {
      await deps.sequelize.transaction(async (transaction) => {
        const draft = await lockedDraft(deps.sequelize, id, DELETABLE, replacements, transaction);
        if (!draft) return;
        await deps.sequelize.query('DELETE FROM habilitation_requests WHERE id = :id', { replacements: { id }, transaction });
        const issuerDeleted = (await deps.sequelize.query(
          'DELETE FROM issuers WHERE id = :issuerId AND NOT EXISTS (SELECT 1 FROM habilitation_requests WHERE issuer_id = :issuerId) RETURNING id',
          { replacements: { issuerId: draft.issuer_id }, type: QueryTypes.SELECT, transaction },
        )).length > 0;
        await appendJournal({
          action: 'habilitation_draft_deleted', details: { draftId: id, lastChangeAt: draft.last_change.toISOString(), issuerDeleted },
          idempotencyKey: `habilitation-draft/${id}/deleted`,
        }, transaction);
        count += 1;
      });
    } catch (error) {
      // 23503: a row that must be kept (a journal entry) still points at the draft: leave it, say so.
      if ((error as { parent?: { code?: string } }).parent?.code !== '23503') throw error;
    }
  }
  return { count, next: candidates.length === input.limit ? candidates[candidates.length - 1] : null, emails: [] };
}

// --- The run's record

export async function journalInactivityRun(input: { key: string; now: Date; counts: Record<string, number> }): Promise<void> {
  await appendJournal({ action: 'inactivity_duty_run', details: { at: input.now.toISOString(), counts: input.counts }, idempotencyKey: `inactivity-duty/${input.key}` });
}

/**
 * What the duty's purges would touch if it ran at `now`, touching nothing (the technical admin's « dry run »,
 * beside the retention's): idle drafts to delete, sent e-mails whose body would be cleared, with the oldest date.
 */
export async function previewInactivityPurges(sequelize: Sequelize, policy: InactivityPolicy, now: Date) {
  const thresholds = inactivityThresholds(policy, now);
  const one = async (sql: string, replacements: Record<string, unknown>) => {
    const [row] = await sequelize.query<{ count: string; oldest: Date | null }>(sql, { replacements, type: QueryTypes.SELECT });
    return { count: Number(row!.count), oldest: row!.oldest ? new Date(row!.oldest) : null };
  };
  return {
    drafts: await one(`SELECT count(*) AS count, min(${LAST_CHANGE}) AS oldest FROM habilitation_requests r WHERE ${DELETABLE}`, { deleteBefore: thresholds.deleteDraftChangedBefore }),
    emailBodies: await one(`SELECT count(*) AS count, min(sent_at) AS oldest FROM email_outbox WHERE ${SENT_BODY_DUE}`, { before: thresholds.purgeSentBefore }),
  };
}
