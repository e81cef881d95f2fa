// The retention durations of the CGU (domain/retention.ts), read from the environment by config/index.ts.
import { DEFAULT_RETENTION_POLICY, type RetentionPolicy } from '../domain/retention.js';

export const RETENTION_VARIABLES = ['RETENTION_MANDAT_YEARS', 'RETENTION_USAGER_YEARS', 'RETENTION_AIDANT_YEARS', 'RETENTION_BATCH_SIZE'] as const;

/** Reads the retention policy; each bad variable adds a problem naming it (the caller stops the start). */
export function readRetentionPolicy(read: (name: string) => string | undefined, problems: string[]): RetentionPolicy {
  const whole = (name: string, fallback: number, min: number, max: number, what: string): number => {
    const value = read(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      problems.push(`${name}: must be ${what} between ${min} and ${max} (got "${value}")`);
      return fallback;
    }
    return n;
  };
  const years = (name: string, fallback: number) => whole(name, fallback, 1, 100, 'a whole number of years');
  return {
    mandatYears: years('RETENTION_MANDAT_YEARS', DEFAULT_RETENTION_POLICY.mandatYears),
    usagerYears: years('RETENTION_USAGER_YEARS', DEFAULT_RETENTION_POLICY.usagerYears),
    aidantYears: years('RETENTION_AIDANT_YEARS', DEFAULT_RETENTION_POLICY.aidantYears),
    batchSize: whole('RETENTION_BATCH_SIZE', DEFAULT_RETENTION_POLICY.batchSize, 10, 10_000, 'a number of rows'),
  };
}
