// Pure rules of the mandat lifecycle (lifecycle 3), shared by the workflow, its activities, the web layer and
// the tests: the policy, when an expiry reminder falls due, the digest grouping them, and the French refusals.
import { DAY_MS } from './duration.js';
import { REMINDED_DURATIONS, MANDAT_REMINDER_OFFSETS_DAYS, type MandatDuration, type MandatStatus } from './mandat.js';
import type { Demarche } from './demarches.js';

export interface MandatPolicy {
  /** Reminders this many days before the expiry (30 and 7). */
  reminderOffsetsDays: number[];
  /** Durations that get reminders (SEMESTER and LONG). */
  remindedDurations: MandatDuration[];
  /** A reminder is recorded at this hour (Paris time) of its day, so that a structure's mandats due that day meet in one e-mail. */
  reminderHourParis: number;
  /** The digest waits this long after the first mandat recorded for its day before sending (the others of that hour join it). */
  digestSettleMs: number;
  /** An expired or revoked mandat stays renewable this long, then its lifecycle closes. */
  renewableForMs: number;
  /** Past this many events, the workflow continues as new at its next wait (its state lives in the database). */
  maxHistoryEvents?: number;
}

export const DEFAULT_MANDAT_POLICY: MandatPolicy = {
  reminderOffsetsDays: [...MANDAT_REMINDER_OFFSETS_DAYS],
  remindedDurations: [...REMINDED_DURATIONS],
  reminderHourParis: 8,
  digestSettleMs: 15 * 60_000,
  renewableForMs: 365 * DAY_MS,
  maxHistoryEvents: 2_000,
};

export const workflowIdForMandat = (mandatId: string) => `mandat/${mandatId}`;

/** One digest per structure and Paris day (ids only: no personal data in a workflow id). */
export const workflowIdForReminderDigest = (organisationId: string, day: string) => `mandat-reminders/${organisationId}/${day}`;

/** The Paris calendar day (YYYY-MM-DD) of an instant. */
export function parisDayOf(instant: number | Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
}

/** Minutes Paris is ahead of UTC at `instant` (60 in winter, 120 in summer). */
function parisOffsetMinutes(instant: number): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Paris', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute));
  return Math.round((asUtc - Math.floor(instant / 60_000) * 60_000) / 60_000);
}

/** The instant of `hour`:00 Paris time on the Paris day `day` (YYYY-MM-DD), across daylight-saving changes. */
export function parisHourOn(day: string, hour: number): number {
  const [y, m, d] = day.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d, hour);
  // The offset at the guess may differ from the one at the answer on a changeover day: correct once.
  const first = guess - parisOffsetMinutes(guess) * 60_000;
  return guess - parisOffsetMinutes(first) * 60_000;
}

export interface ReminderDue { offsetDays: number; day: string; at: number }

/**
 * When each reminder of a mandat falls due: at the policy's hour, on the Paris day `offset` calendar days
 * before the expiry's Paris day. None for the durations without reminders. Earliest reminder first.
 */
export function mandatReminders(expiresAt: number, duration: MandatDuration, policy: MandatPolicy): ReminderDue[] {
  if (!policy.remindedDurations.includes(duration)) return [];
  const [y, m, d] = parisDayOf(expiresAt).split('-').map(Number);
  return [...new Set(policy.reminderOffsetsDays)].sort((a, b) => b - a).map((offsetDays) => {
    // Calendar days before the expiry's Paris day (a daylight-saving change in between moves nothing).
    const day = new Date(Date.UTC(y, m - 1, d - offsetDays)).toISOString().slice(0, 10);
    return { offsetDays, day, at: parisHourOn(day, policy.reminderHourParis) };
  });
}

export interface DemarcheState { demarche: Demarche; revoked: boolean }

/** The workflow's view of a mandat, loaded from the database at each (re)start. */
export interface MandatSnapshot {
  mandatId: string;
  organisationId: string;
  duration: MandatDuration;
  status: MandatStatus;
  expiresAt: string;
  revokedAt: string | null;
  demarches: DemarcheState[];
}

/** The lifecycle's phase: a mandat in force, then expired or revoked (renewable a year), then closed. */
export type MandatPhase = MandatStatus | 'closed';

export const MANDAT_REFUSALS = {
  busy: 'Une autre action est en cours sur ce mandat : réessayez dans un instant.',
  revoked: 'Ce mandat est déjà révoqué.',
  expired: 'Ce mandat a expiré : il ne peut plus être révoqué.',
  superseded: 'Ce mandat a été remplacé par un nouveau mandat : il ne peut plus être révoqué.',
  closed: 'Ce mandat est clos.',
  unknownDemarche: 'Cette démarche ne fait pas partie de ce mandat.',
  demarcheRevoked: 'Cette démarche est déjà révoquée pour ce mandat.',
  actor: 'L’auteur de l’action est obligatoire.',
  renewal: 'Le mandat de renouvellement est inconnu ou ne renouvelle pas ce mandat.',
} as const;

/** Why a revocation is refused now (null when allowed): the mandat must be in force, and the démarche part of it and not yet revoked. */
export function revocationError(mandat: Pick<MandatSnapshot, 'status' | 'expiresAt' | 'demarches'> & { phase?: MandatPhase }, now: number, demarche?: string): string | null {
  if (mandat.phase === 'closed') return MANDAT_REFUSALS.closed;
  if (mandat.status === 'revoked') return MANDAT_REFUSALS.revoked;
  if (mandat.status === 'superseded') return MANDAT_REFUSALS.superseded;
  if (mandat.status === 'expired' || Date.parse(mandat.expiresAt) <= now) return MANDAT_REFUSALS.expired;
  if (demarche === undefined) return null;
  const found = mandat.demarches.find((d) => d.demarche === demarche);
  if (!found) return MANDAT_REFUSALS.unknownDemarche;
  if (found.revoked) return MANDAT_REFUSALS.demarcheRevoked;
  return null;
}
