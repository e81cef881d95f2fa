// The retention the CGU promise, as pure rules: how long each kind of personal data is kept once it stopped
// serving, and the instant before which a record is due for deletion. Shared by the configuration, the daily
// retention duty (workflows/retention.ts), its activities and the back-office preview.

export interface RetentionPolicy {
  /** A mandat and its autorisations are deleted this many years after their end (expiry or revocation). */
  mandatYears: number;
  /** A usager left with no mandat is deleted this many years after their last mandat ended (or their creation). */
  usagerYears: number;
  /** An aidant account is anonymised this many years after its last login (or its creation, never logged in). */
  aidantYears: number;
  /** Rows one activity call handles at most, in one short transaction. */
  batchSize: number;
}

/** The CGU's promises: 6 years for mandats (their own legal term), 3 + 3 years for usagers and aidant accounts. */
export const DEFAULT_RETENTION_POLICY: RetentionPolicy = { mandatYears: 6, usagerYears: 6, aidantYears: 6, batchSize: 1000 };

/** The stages of one retention run, in order: mandats first, so that their usagers may follow in the same run. */
export const RETENTION_STAGES = ['mandats', 'usagers', 'aidants'] as const;
export type RetentionStage = (typeof RETENTION_STAGES)[number];

/** What a run counts: rows deleted (mandats, autorisations, usagers) or anonymised (aidant accounts). */
export interface RetentionCounts {
  mandats: number;
  autorisations: number;
  usagers: number;
  aidants: number;
}
export const RETENTION_COUNT_KEYS = ['mandats', 'autorisations', 'usagers', 'aidants'] as const satisfies readonly (keyof RetentionCounts)[];

export const emptyRetentionCounts = (): RetentionCounts => ({ mandats: 0, autorisations: 0, usagers: 0, aidants: 0 });

/** French labels of the counts (back-office preview, journal details shown in French). */
export const RETENTION_KIND_LABELS: Record<keyof RetentionCounts, string> = {
  mandats: 'Mandats terminés',
  autorisations: 'Autorisations de ces mandats',
  usagers: 'Usagers sans mandat',
  aidants: 'Comptes d’aidants inactifs (anonymisés)',
};

/** `date` moved back by whole calendar years (UTC): a record that ended at or before it is due. */
export function yearsBefore(date: Date, years: number): Date {
  const result = new Date(date.getTime());
  result.setUTCFullYear(result.getUTCFullYear() - years);
  return result;
}

export interface RetentionCutoffs {
  mandatEndedBefore: Date;
  usagerLastMandatBefore: Date;
  aidantLastLoginBefore: Date;
}

/** The instants at or before which each kind is due, for a run at `now` (read from Temporal by the duty). */
export function retentionCutoffs(now: Date, policy: RetentionPolicy): RetentionCutoffs {
  return {
    mandatEndedBefore: yearsBefore(now, policy.mandatYears),
    usagerLastMandatBefore: yearsBefore(now, policy.usagerYears),
    aidantLastLoginBefore: yearsBefore(now, policy.aidantYears),
  };
}
