// Mandat durations and derived states. A mandat belongs to the structure, not to the aidant.
import { addDays } from './duration.js';

export const MANDAT_DURATIONS = {
  SHORT: { days: 1, label: 'Mandat court (expire demain)' },
  MONTH: { days: 31, label: "Mandat d'un mois (31 jours)" },
  SEMESTER: { days: 182, label: 'Mandat de 6 mois (182 jours)' },
  LONG: { days: 365, label: 'Mandat long (12 mois)' },
} as const;

export type MandatDuration = keyof typeof MANDAT_DURATIONS;
export const MANDAT_DURATION_KEYS = Object.keys(MANDAT_DURATIONS) as MandatDuration[];

/** Projection of the mandat lifecycle kept in the database for pages and the back-office. */
export const MANDAT_STATUSES = ['active', 'expired', 'revoked', 'superseded'] as const;
export type MandatStatus = (typeof MANDAT_STATUSES)[number];

export function mandatExpiry(createdAt: Date, duration: MandatDuration): Date {
  return addDays(createdAt, MANDAT_DURATIONS[duration].days);
}

/** Expiry reminders are sent for long mandats only (30 and 7 days before). */
export const MANDAT_REMINDER_OFFSETS_DAYS = [30, 7] as const;
export const REMINDED_DURATIONS: readonly MandatDuration[] = ['SEMESTER', 'LONG'];
