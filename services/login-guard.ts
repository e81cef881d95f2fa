// What protects every login of the service, whatever process serves it: failed attempts counted in the
// database over a sliding window, and TOTP codes accepted once (a code seen over a shoulder or replayed
// from a log is refused even within its validity window).
import { Op, QueryTypes } from 'sequelize';
import { LoginFailure, User } from '../db/models/index.js';

// Failed logins are counted per (address typed, client IP) and per client IP, never per address alone:
// - an attacker cannot lock someone else out: their failures block only the pairs and the IPs they use,
//   and the person logging in from their own IP is not slowed by them;
// - from one IP, an attacker gets at most `maxFailures` guesses per address and `maxFailuresPerIp` in all
//   per window, then that IP is refused for every address (so spraying many addresses does not help);
// - what an attacker with many IPs can still do is `maxFailures` guesses per address per IP per window
//   (also capped by the per-IP POST limit of server/web/rate-limit.ts); each guess must get both the password
//   and a single-use 6-digit TOTP code right, which keeps this out of reach without the password, and a
//   success never clears the counters of other IPs;
// - people sharing one IP (an office behind NAT) share its per-IP budget: a colleague's typos count too,
//   which is why that budget is larger.
export const LOGIN_POLICY = {
  /** Failed attempts allowed per (address, IP) within the window before that pair is refused. */
  maxFailures: 5,
  /** Failed attempts allowed per IP, all addresses together, within the window before that IP is refused. */
  maxFailuresPerIp: 20,
  windowMs: 15 * 60_000,
} as const;

export interface LoginAttempt {
  /** The e-mail typed, normalised. */
  key: string;
  /** The client's address as express sees it (see TRUST_PROXY). */
  ip: string;
}

const sequelizeOf = () => LoginFailure.sequelize!;

/** True when this address failed too often from this IP, or this IP failed too often whatever the address. */
export async function tooManyFailures(attempt: LoginAttempt, now = new Date()): Promise<boolean> {
  const since = new Date(now.getTime() - LOGIN_POLICY.windowMs);
  const [row] = await sequelizeOf().query<{ pair: string; per_ip: string }>(
    `SELECT count(*) FILTER (WHERE key = :key) AS pair, count(*) AS per_ip
       FROM login_failures WHERE ip = :ip AND created_at > :since`,
    { replacements: { key: attempt.key, ip: attempt.ip, since }, type: QueryTypes.SELECT },
  );
  return Number(row?.pair ?? 0) >= LOGIN_POLICY.maxFailures || Number(row?.per_ip ?? 0) >= LOGIN_POLICY.maxFailuresPerIp;
}

export async function recordFailure(attempt: LoginAttempt): Promise<void> {
  // An empty address still counts against the IP.
  await sequelizeOf().query('INSERT INTO login_failures (key, ip) VALUES (:key, :ip)', {
    replacements: { key: attempt.key || '(vide)', ip: attempt.ip.slice(0, 100) },
  });
  // Older attempts no longer count: keep the table small.
  await LoginFailure.destroy({ where: { createdAt: { [Op.lt]: new Date(Date.now() - LOGIN_POLICY.windowMs) } } });
}

/** After a success: forgets this pair's failures only (not those of other IPs, nor the IP's budget). */
export async function clearFailures(attempt: LoginAttempt): Promise<void> {
  await sequelizeOf().query('DELETE FROM login_failures WHERE key = :key AND ip = :ip', { replacements: { ...attempt } });
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
