// What the ANCT reads of the service: the periods its digests cover (Paris calendar) and the shape of the
// statistics snapshot the back-office dashboard draws. Pure: the activities compute with these.
import { DAY_MS } from './duration.js';
import { parisDay } from './habilitation.js';
import type { OnboardingStatus } from './habilitation.js';

const calendarMs = (day: string) => Date.parse(`${day}T00:00:00Z`);
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** How far ahead of UTC the Paris wall clock is at this instant (1 or 2 hours). */
function parisOffsetMs(ms: number): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The instant a day (YYYY-MM-DD) begins in Paris. */
export function parisMidnight(day: string): Date {
  const guess = calendarMs(day);
  return new Date(guess - parisOffsetMs(guess - parisOffsetMs(guess)));
}

/** The ISO 8601 week of a calendar day: '2026-W49'. */
export function isoWeek(day: string): string {
  const ms = calendarMs(day);
  const weekday = (new Date(ms).getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(ms + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** A Paris week, Monday 00:00 to the next Monday 00:00. */
export interface ParisWeek {
  /** The ISO week ('2026-W48'): the digest's idempotency key. */
  week: string;
  firstDay: string;
  lastDay: string;
  /** ISO 8601 instants, `to` excluded. */
  from: string;
  to: string;
}

/** The last whole Paris week before `now` (the weekly digest's period). */
export function previousParisWeek(now: Date | number): ParisWeek {
  const today = parisDay(now);
  const weekday = (new Date(calendarMs(today)).getUTCDay() + 6) % 7;
  const thisMonday = calendarMs(today) - weekday * DAY_MS;
  const monday = dayOf(thisMonday - 7 * DAY_MS);
  return {
    week: isoWeek(monday), firstDay: monday, lastDay: dayOf(thisMonday - DAY_MS),
    from: parisMidnight(monday).toISOString(), to: parisMidnight(dayOf(thisMonday)).toISOString(),
  };
}

/** The Paris month of `now`, '2026-11' (the référents' monthly e-mail is sent once per month). */
export const parisMonth = (now: Date | number): string => parisDay(now).slice(0, 7);

/** How many weeks the activity charts show: the last 12 months. */
export const STATISTICS_WEEKS = 52;

/** The figures of one région (structures and aidants habilitated today, what is on its way). */
export interface RegionFigures {
  region: string;
  /** Active (habilitated) structures. */
  structures: number;
  /** Active aidants (who can create mandats) of the région's active structures. */
  aidants: number;
  /** Habilitation requests waiting for the comité. */
  awaitingComite: number;
  /** Onboardings by step (status), only the steps with any. */
  onboardings: Partial<Record<OnboardingStatus, number>>;
}

/** A Paris week (its Monday) of the last 12 months: mandats created and démarches done (use_autorisation). */
export interface WeekFigures { week: string; mandats: number; demarches: number }

/** What a daily snapshot holds (table statistics_snapshots, JSONB): aggregates only, no personal data. */
export interface StatisticsFigures {
  /** Every région, in reading order (zeros included), the unknown région last when it has any. */
  regions: RegionFigures[];
  totals: { structures: number; aidants: number; awaitingComite: number; onboardings: Partial<Record<OnboardingStatus, number>> };
  weeks: WeekFigures[];
}

export interface StatisticsSnapshot {
  /** The Paris day of the snapshot (one a day). */
  day: string;
  takenAt: string;
  figures: StatisticsFigures;
}
