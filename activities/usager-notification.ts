// Activities of the usager's notification (workflows/usager-notification.ts): claim the uses not yet claimed
// into a batch, e-mail the batch once (outbox key: the batch), mark it. The usager's name, address and the
// structures are read here: none enters a workflow history.
import { ApplicationFailure } from '@temporalio/activity';
import { QueryTypes, type Sequelize } from 'sequelize';
import { DEMARCHES, isDemarche } from '../domain/demarches.js';
import { EmailNotDeliverableError, sendEmailOnce, type OutboxDeps, type SendOutcome } from '../services/outbox.js';

export type UsagerNotificationOutcome = 'sent' | 'no_email' | 'failed';

export function createUsagerNotificationActivities(deps: { sequelize: Sequelize }, outbox: OutboxDeps) {
  return {
    /** Claims into `batch` the usager's uses not claimed yet; answers how many the batch holds (the same when repeated). */
    async claimUsagerNotifications(input: { usagerId: string; batch: string }): Promise<number> {
      return deps.sequelize.transaction(async (transaction) => {
        await deps.sequelize.query('UPDATE usager_notifications SET batch = $2 WHERE usager_id = $1 AND batch IS NULL', { bind: [input.usagerId, input.batch], transaction });
        const [{ count }] = await deps.sequelize.query<{ count: number }>('SELECT count(*)::int AS count FROM usager_notifications WHERE batch = $1', {
          bind: [input.batch], transaction, type: QueryTypes.SELECT,
        });
        return count;
      });
    },

    /** E-mails the batch to the usager, once; `no_email` when no address is known (or the usager was anonymised). */
    async sendUsagerNotification(input: { usagerId: string; batch: string }): Promise<SendOutcome | 'no_email'> {
      const [usager] = await deps.sequelize.query<{ given_name: string; family_name: string; email: string | null; anonymised_at: Date | null }>(
        'SELECT given_name, family_name, email, anonymised_at FROM usagers WHERE id = $1', { bind: [input.usagerId], type: QueryTypes.SELECT },
      );
      if (!usager?.email || usager.anonymised_at) return 'no_email';
      const uses = await deps.sequelize.query<{ structure: string | null; demarches: string[] | null; created_at: Date }>(`
        SELECT o.name AS structure, j.demarches, j.created_at
        FROM usager_notifications n JOIN journal j ON j.id = n.journal_id LEFT JOIN organisations o ON o.id = j.organisation_id
        WHERE n.batch = $1 ORDER BY j.created_at, j.id`,
      { bind: [input.batch], type: QueryTypes.SELECT });
      try {
        return await sendEmailOnce(outbox, {
          idempotencyKey: input.batch, template: 'usager_autorisation_used', to: [usager.email],
          data: {
            recipientName: `${usager.given_name} ${usager.family_name}`.trim(),
            uses: uses.map((u) => ({
              structureName: u.structure ?? '', at: new Date(u.created_at).toISOString(),
              demarche: (u.demarches ?? []).map((d) => (isDemarche(d) ? DEMARCHES[d].titre : d)).join(', '),
            })),
          },
        });
      } catch (error) {
        if (error instanceof EmailNotDeliverableError) throw ApplicationFailure.create({ type: error.name, message: error.message, nonRetryable: true });
        throw error;
      }
    },

    /** Marks the batch notified (its e-mail, if any, is in the outbox once). Answers how many uses it marked. */
    async markUsagerNotified(input: { batch: string; outcome: UsagerNotificationOutcome; at: string }): Promise<number> {
      const marked = await deps.sequelize.query('UPDATE usager_notifications SET notified_at = $2, outcome = $3 WHERE batch = $1 AND notified_at IS NULL RETURNING journal_id', {
        bind: [input.batch, input.at, input.outcome], type: QueryTypes.SELECT,
      });
      return marked.length;
    },
  };
}
