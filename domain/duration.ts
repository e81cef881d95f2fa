// Pure duration helpers, shared by configuration, workflows and tests.
// Workflows receive durations as milliseconds inside their policy input, never read them from config.

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  second: 1_000,
  seconds: 1_000,
  m: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

export const DAY_MS = UNIT_MS.d;

/** Parses "90", "15s", "30 minutes", "14 days" into milliseconds; returns undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = match[2].toLowerCase() || 'ms';
  const factor = UNIT_MS[unit];
  if (factor === undefined) return undefined;
  return Math.round(Number(match[1]) * factor);
}

/** Adds calendar months the way a French administrative deadline is counted (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: Date, months: number): Date {
  const result = new Date(date.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(day, lastDay));
  return result;
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/** Whole days elapsed from `from` to `to` (timestamps in milliseconds). */
export function daysBetween(from: number, to: number): number {
  return Math.floor((to - from) / DAY_MS);
}

/** A date as people in France read it (Paris time), e.g. 23/11/2026. */
export const frenchDate = (date: Date): string => date.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' });

/** A date and time as people in France read them (Paris time), e.g. 23/11/2026 à 14:05. */
export const frenchDateTime = (date: Date): string =>
  `${frenchDate(date)} à ${date.toLocaleTimeString('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' })}`;
