// The usager's notification of each use of an autorisation (the identity provider's userinfo): recorded in
// the transaction that journals the use, then the usager's notification workflow is woken after the commit
// (lifecycles.notifyUsager), once per batch. A wake-up that failed (Temporal unreachable), or one left out because
// the workflow's claim raced with the use (services/identity-provider.ts useAccessToken), is caught up by the sweep.
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Lifecycles } from './lifecycles.js';
import { startPeriodicSweep } from './periodic-sweep.js';

/** Records the use journaled as `journalId` for the usager's notification (inside the journal's transaction). */
export async function recordUsagerNotification(sequelize: Sequelize, transaction: Transaction, input: { journalId: string | number; usagerId: string }): Promise<void> {
  await sequelize.query('INSERT INTO usager_notifications (journal_id, usager_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', {
    bind: [String(input.journalId), input.usagerId], transaction,
  });
}

export const USAGER_NOTIFICATION_SWEEP_INTERVAL_MS = 60_000;
/** A record this recent is left to the request that made it, which is waking the workflow. */
export const USAGER_NOTIFICATION_SWEEP_GRACE_MS = 60_000;

/** Wakes the notification of every usager with a use not claimed for `graceMs` (at most `limit`); answers how many. */
export async function wakePendingUsagerNotifications(
  deps: { sequelize: Sequelize; lifecycles: Lifecycles },
  options: { graceMs?: number; limit?: number; now?: Date; usagerIds?: string[] } = {},
): Promise<{ woken: number; failures: Error[] }> {
  const now = options.now ?? new Date();
  const rows = await deps.sequelize.query<{ usager_id: string }>(`
    SELECT usager_id FROM usager_notifications
    WHERE batch IS NULL AND recorded_at <= $1 ${options.usagerIds ? 'AND usager_id = ANY($3::uuid[])' : ''}
    GROUP BY usager_id ORDER BY min(recorded_at) LIMIT $2`,
  { bind: [new Date(now.getTime() - (options.graceMs ?? USAGER_NOTIFICATION_SWEEP_GRACE_MS)), options.limit ?? 100, ...(options.usagerIds ? [options.usagerIds] : [])], type: QueryTypes.SELECT });
  let woken = 0;
  const failures: Error[] = [];
  for (const { usager_id: usagerId } of rows) {
    try {
      await deps.lifecycles.notifyUsager(usagerId);
      woken += 1;
    } catch (error) {
      failures.push(error as Error);
    }
  }
  return { woken, failures };
}

/** Sweeps now, then every `intervalMs` until stopped. Returns the function that stops it. */
export function startUsagerNotificationSweep(
  deps: { sequelize: Sequelize; lifecycles: Lifecycles },
  options: { intervalMs?: number; onWoken?: (count: number) => void; onError?: (error: Error) => void } = {},
): () => void {
  return startPeriodicSweep(async () => {
    const { woken, failures } = await wakePendingUsagerNotifications(deps);
    if (woken > 0) options.onWoken?.(woken);
    if (failures[0]) options.onError?.(failures[0]);
  }, options.intervalMs ?? USAGER_NOTIFICATION_SWEEP_INTERVAL_MS, options.onError);
}
