// Activities of the mandat lifecycle (lifecycle 3). Each runs in one transaction, under a lock on the mandat,
// journaled under an idempotency key derived from the workflow and the step: a retried activity changes
// nothing twice. Instants (`at`) come from the workflow's clock, so that the database and the lifecycle agree
// on what is expired (and a time-skipping test moves both). A domain refusal fails at once (refusal()).
import { ApplicationFailure, Context } from '@temporalio/activity';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { Autorisation, JournalEntry, Mandat } from '../db/models/index.js';
import { InvalidTransitionError, NotFoundError } from '../domain/errors.js';
import { MANDAT_REFUSALS, revocationError, workflowIdForReminderDigest, type MandatSnapshot } from '../domain/mandat-lifecycle.js';
import { appendJournal } from '../services/journal.js';
import { snapshotOf } from '../services/mandat-snapshot.js';
import { EmailNotDeliverableError, sendEmailOnce, type OutboxDeps, type SendOutcome } from '../services/outbox.js';
import { mandatDueSignal, type MandatReminderDigestInput } from '../workflows/messages.js';
import { refusal } from './onboarding.js';

/** A claimed batch as the digest workflow sees it: counts and ids only (no personal data in its history). */
export interface ReminderBatch {
  mandats: number;
  /** The structure's active aidants who can create mandats, read now. */
  recipientIds: string[];
}

const notFound = () => refusal(new NotFoundError('Ce mandat est introuvable.'));

const journaled = async (key: string, transaction: Transaction) => (await JournalEntry.count({ where: { idempotencyKey: key }, transaction })) > 0;

export function createMandatActivities(deps: { sequelize: Sequelize }, outbox: OutboxDeps) {
  /** Locks the mandat for the transaction's length: its workflow's steps and updates never interleave. */
  async function locked(mandatId: string, transaction: Transaction): Promise<Mandat> {
    const mandat = await Mandat.findByPk(mandatId, { transaction, lock: transaction.LOCK.UPDATE });
    if (!mandat) throw notFound();
    return mandat;
  }

  /** Revokes one autorisation (journaled `cancel_autorisation`); the last one in force revokes the mandat too. */
  async function revokeOne(mandat: Mandat, autorisation: Autorisation, input: { workflowId: string; actorId: string; at: Date }, transaction: Transaction): Promise<void> {
    await autorisation.update({ revokedAt: input.at, revokedById: input.actorId }, { transaction });
    const inForce = await Autorisation.count({ where: { mandatId: mandat.id, revokedAt: null }, transaction });
    if (inForce === 0) await mandat.update({ status: 'revoked', revokedAt: input.at }, { transaction });
    await appendJournal({
      action: 'cancel_autorisation', actorId: input.actorId, organisationId: mandat.organisationId, usagerId: mandat.usagerId, mandatId: mandat.id,
      autorisationId: autorisation.id, demarches: [autorisation.demarche], details: inForce === 0 ? { mandatRevoked: true } : {},
      idempotencyKey: `${input.workflowId}/cancel-autorisation/${autorisation.demarche}`,
    }, transaction);
  }

  /** The structure's active aidants who can create mandats (active account and membership). */
  async function recipientsOf(organisationId: string, transaction?: Transaction) {
    return deps.sequelize.query<{ id: string; first_name: string; last_name: string; email: string }>(`
      SELECT u.id, u.first_name, u.last_name, u.email
      FROM organisation_memberships om JOIN users u ON u.id = om.user_id
      WHERE om.organisation_id = $1 AND om.is_active AND om.can_create_mandats AND u.is_active
      ORDER BY u.last_name, u.first_name, u.id`,
    { bind: [organisationId], transaction, type: QueryTypes.SELECT });
  }

  return {
    async getMandatSnapshot(input: { mandatId: string }): Promise<MandatSnapshot> {
      const mandat = await Mandat.findByPk(input.mandatId);
      if (!mandat) throw notFound();
      return snapshotOf(mandat);
    },

    /** At the expiry: status `expired`, journaled `expire_mandat`. A mandat no longer in force (revoked, superseded) is left as it is. */
    async expireMandat(input: { mandatId: string; workflowId: string; at: string }): Promise<MandatSnapshot> {
      return deps.sequelize.transaction(async (t) => {
        const mandat = await locked(input.mandatId, t);
        if (mandat.status !== 'active') return snapshotOf(mandat, t);
        if (mandat.expiresAt.getTime() > Date.parse(input.at)) throw refusal(new InvalidTransitionError('Ce mandat n’a pas encore expiré.'));
        await mandat.update({ status: 'expired' }, { transaction: t });
        await appendJournal({
          action: 'expire_mandat', organisationId: mandat.organisationId, usagerId: mandat.usagerId, mandatId: mandat.id,
          details: { expiresAt: mandat.expiresAt.toISOString() }, idempotencyKey: `${input.workflowId}/expired`,
        }, t);
        return snapshotOf(mandat, t);
      });
    },

    async revokeAutorisation(input: { mandatId: string; workflowId: string; demarche: string; actorId: string; at: string }): Promise<MandatSnapshot> {
      return deps.sequelize.transaction(async (t) => {
        const mandat = await locked(input.mandatId, t);
        if (await journaled(`${input.workflowId}/cancel-autorisation/${input.demarche}`, t)) return snapshotOf(mandat, t); // an earlier attempt
        const current = await snapshotOf(mandat, t);
        // Already revoked in the database (a newer mandat superseded it in its creation's transaction, the
        // workflow is told afterwards): the workflow takes the database's state.
        if (current.demarches.some((d) => d.demarche === input.demarche && d.revoked)) return current;
        const error = revocationError(current, Date.parse(input.at), input.demarche);
        if (error) throw refusal(new InvalidTransitionError(error));
        const autorisation = (await Autorisation.findOne({ where: { mandatId: mandat.id, demarche: input.demarche }, transaction: t, lock: t.LOCK.UPDATE }))!;
        await revokeOne(mandat, autorisation, { ...input, at: new Date(input.at) }, t);
        return snapshotOf(mandat, t);
      });
    },

    /** Revokes every autorisation still in force (`cancel_autorisation` each), then the mandat (`cancel_mandat`). */
    async revokeMandat(input: { mandatId: string; workflowId: string; actorId: string; at: string }): Promise<MandatSnapshot> {
      return deps.sequelize.transaction(async (t) => {
        const mandat = await locked(input.mandatId, t);
        const key = `${input.workflowId}/cancel-mandat`;
        if (await journaled(key, t)) return snapshotOf(mandat, t);
        const error = revocationError(await snapshotOf(mandat, t), Date.parse(input.at));
        if (error) throw refusal(new InvalidTransitionError(error));
        const inForce = await Autorisation.findAll({ where: { mandatId: mandat.id, revokedAt: null }, order: [['demarche', 'ASC']], transaction: t, lock: t.LOCK.UPDATE });
        for (const autorisation of inForce) await revokeOne(mandat, autorisation, { ...input, at: new Date(input.at) }, t);
        await appendJournal({
          action: 'cancel_mandat', actorId: input.actorId, organisationId: mandat.organisationId, usagerId: mandat.usagerId, mandatId: mandat.id,
          demarches: inForce.map((a) => a.demarche), idempotencyKey: key,
        }, t);
        return snapshotOf(mandat, t);
      });
    },

    /**
     * Checks that `renewedById` renews this mandat (same structure; the renewal's creation already revoked the
     * overlapping autorisations and journaled it) and answers the mandat's state now. Nothing to write.
     */
    async recordMandatRenewal(input: { mandatId: string; renewedById: string; actorId: string }): Promise<MandatSnapshot> {
      const mandat = await Mandat.findByPk(input.mandatId);
      if (!mandat) throw notFound();
      const renewal = /^[0-9a-f-]{36}$/i.test(input.renewedById) ? await Mandat.findByPk(input.renewedById) : null;
      if (!renewal || renewal.renewedFromId !== mandat.id || renewal.organisationId !== mandat.organisationId) {
        throw refusal(new InvalidTransitionError(MANDAT_REFUSALS.renewal));
      }
      return snapshotOf(mandat);
    },

    /**
     * Records « this mandat is due at this offset on this day » once (a second record of the same offset is a
     * no-op), if the mandat is still in force, then wakes (or starts) its structure's digest of that day. The
     * Temporal call comes after the commit; repeated, it only wakes the digest again.
     */
    async recordMandatReminder(input: { mandatId: string; offsetDays: number; day: string; at: string; settleMs: number }): Promise<'recorded' | 'already_recorded' | 'not_in_force'> {
      const outcome = await deps.sequelize.transaction(async (t) => {
        const mandat = await locked(input.mandatId, t);
        const inForce = await Autorisation.count({ where: { mandatId: mandat.id, revokedAt: null }, transaction: t });
        if (mandat.status !== 'active' || inForce === 0 || mandat.expiresAt.getTime() <= Date.parse(input.at)) return { result: 'not_in_force' as const, organisationId: mandat.organisationId };
        const inserted = await deps.sequelize.query(
          `INSERT INTO mandat_reminders (mandat_id, offset_days, organisation_id, due_on, recorded_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT DO NOTHING RETURNING mandat_id`,
          { bind: [mandat.id, input.offsetDays, mandat.organisationId, input.day, input.at], transaction: t, type: QueryTypes.SELECT },
        );
        return { result: inserted.length > 0 ? 'recorded' as const : 'already_recorded' as const, organisationId: mandat.organisationId };
      });
      if (outcome.result === 'not_in_force') return outcome.result;
      const { client, info } = Context.current();
      const digest: MandatReminderDigestInput = { organisationId: outcome.organisationId, day: input.day, settleMs: input.settleMs };
      await client.workflow.signalWithStart('mandatReminderDigestWorkflow', {
        workflowId: workflowIdForReminderDigest(outcome.organisationId, input.day), taskQueue: info.taskQueue,
        args: [digest], signal: mandatDueSignal, signalArgs: [],
      });
      return outcome.result;
    },

    /**
     * Claims into `batch` every reminder of the structure's day not claimed yet whose mandat is still in force,
     * and answers how many mandats the batch holds and whom to tell. Repeated with the same batch, answers the same.
     */
    async claimMandatReminders(input: { organisationId: string; day: string; batch: string; at: string }): Promise<ReminderBatch> {
      return deps.sequelize.transaction(async (t) => {
        await deps.sequelize.query(`
          UPDATE mandat_reminders r SET batch = $3
          FROM mandats m
          WHERE r.mandat_id = m.id AND r.organisation_id = $1 AND r.due_on = $2 AND r.batch IS NULL
            AND m.status = 'active' AND m.expires_at > $4
            AND EXISTS (SELECT 1 FROM autorisations a WHERE a.mandat_id = m.id AND a.revoked_at IS NULL)`,
        { bind: [input.organisationId, input.day, input.batch, input.at], transaction: t });
        const [{ count }] = await deps.sequelize.query<{ count: number }>('SELECT count(DISTINCT mandat_id)::int AS count FROM mandat_reminders WHERE batch = $1', {
          bind: [input.batch], transaction: t, type: QueryTypes.SELECT,
        });
        return { mandats: count, recipientIds: (await recipientsOf(input.organisationId, t)).map((r) => r.id) };
      });
    },

    /**
     * E-mails a claimed batch to one recipient, once (outbox key: batch and recipient), read from the database
     * here so that no usager's name enters a workflow history. A recipient no longer entitled is skipped.
     */
    async sendMandatReminder(input: { organisationId: string; batch: string; recipientId: string }): Promise<SendOutcome | 'skipped'> {
      const recipient = (await recipientsOf(input.organisationId)).find((r) => r.id === input.recipientId);
      if (!recipient) return 'skipped';
      const mandats = await deps.sequelize.query<{ given_name: string; family_name: string; expires_at: Date; autorisations: number }>(`
        SELECT u.given_name, u.family_name, m.expires_at,
               (SELECT count(*)::int FROM autorisations a WHERE a.mandat_id = m.id AND a.revoked_at IS NULL) AS autorisations
        FROM (SELECT DISTINCT mandat_id FROM mandat_reminders WHERE batch = $1) r
        JOIN mandats m ON m.id = r.mandat_id JOIN usagers u ON u.id = m.usager_id
        ORDER BY m.expires_at, u.family_name, u.given_name, m.id`,
      { bind: [input.batch], type: QueryTypes.SELECT });
      const [structure] = await deps.sequelize.query<{ name: string }>('SELECT name FROM organisations WHERE id = $1', { bind: [input.organisationId], type: QueryTypes.SELECT });
      try {
        return await sendEmailOnce(outbox, {
          idempotencyKey: `${input.batch}/${recipient.id}`, template: 'mandat_expiry_reminder', to: [recipient.email],
          data: {
            recipientName: `${recipient.first_name} ${recipient.last_name}`.trim(), structureName: structure?.name ?? '',
            mandats: mandats.map((m) => ({ usagerName: `${m.given_name} ${m.family_name}`.trim(), expiresAt: new Date(m.expires_at).toISOString(), autorisations: m.autorisations })),
          },
        });
      } catch (error) {
        if (error instanceof EmailNotDeliverableError) throw ApplicationFailure.create({ type: error.name, message: error.message, nonRetryable: true });
        throw error;
      }
    },

    /** Marks a batch's reminders sent (its e-mails are in the outbox, each once). */
    async markMandatRemindersSent(input: { batch: string; at: string }): Promise<number> {
      const marked = await deps.sequelize.query('UPDATE mandat_reminders SET reminded_at = $2 WHERE batch = $1 AND reminded_at IS NULL RETURNING mandat_id', {
        bind: [input.batch, input.at], type: QueryTypes.SELECT,
      });
      return marked.length;
    },
  };
}
