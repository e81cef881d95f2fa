// What protects every login of the service, whatever process serves it: failed attempts counted in the
// database over a sliding window, and TOTP codes accepted once (a code seen over a shoulder or replayed
// from a log is refused even within its validity window).
import { Op } from 'sequelize';
import { LoginFailure, User } from '../db/models/index.js';

export const LOGIN_POLICY = {
  /** Failed attempts allowed per key within the window before logins are refused. */
  maxFailures: 5,
  windowMs: 15 * 60_000,
} as const;

/** True when `key` (the e-mail typed) failed too often recently. */
export async function tooManyFailures(key: string, now = new Date()): Promise<boolean> {
  const since = new Date(now.getTime() - LOGIN_POLICY.windowMs);
  return (await LoginFailure.count({ where: { key, createdAt: { [Op.gt]: since } } })) >= LOGIN_POLICY.maxFailures;
}

export async function recordFailure(key: string): Promise<void> {
  if (!key) return;
  await LoginFailure.create({ key });
  // Older attempts no longer count: keep the table small.
  await LoginFailure.destroy({ where: { key, createdAt: { [Op.lt]: new Date(Date.now() - LOGIN_POLICY.windowMs) } } });
}

export async function clearFailures(key: string): Promise<void> {
  await LoginFailure.destroy({ where: { key } });
}

/**
 * Accepts a back-office TOTP time step once: true only when it is newer than the last accepted one for this
 * person (one atomic UPDATE, so two logins racing with the same code cannot both win).
 */
export async function consumeAdminTotpStep(userId: string, step: number): Promise<boolean> {
  const [count] = await User.update(
    { adminTotpLastStep: step },
    { where: { id: userId, [Op.or]: [{ adminTotpLastStep: null }, { adminTotpLastStep: { [Op.lt]: step } }] } },
  );
  return count === 1;
}
