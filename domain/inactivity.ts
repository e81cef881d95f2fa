// The inactivity duty's rules (workflows/inactive-aidants.ts), pure: how long an aidant or a draft may stay
// idle before each step, and how long a sent e-mail keeps its body. Durations in months are calendar months
// (domain/duration.ts addMonths); the others are fixed durations. Configured in config/ (README « Configuration »).
import { addMonths } from './duration.js';

export interface InactivityPolicy {
  /** No login for this many months → the aidant is warned (« connectez-vous dans un délai de … jours »). */
  aidantWarningAfterMonths: number;
  /** Still no login this long after the warning → the account is deactivated. */
  aidantDeactivationAfterWarningMs: number;
  /** No mandat created nor démarche done for this long → the encouragement e-mail. */
  aidantEncouragementAfterMs: number;
  /** A sent e-mail's body is purged from the outbox this long after it was sent. */
  outboxBodyRetentionMs: number;
  /** A habilitation-request draft never submitted nor changed for this many months → its demandeur is reminded. */
  draftReminderAfterMonths: number;
  /** … and for this many months → the draft is deleted. */
  draftDeletionAfterMonths: number;
}

const DAY_MS = 86_400_000;

export const DEFAULT_INACTIVITY_POLICY: InactivityPolicy = {
  aidantWarningAfterMonths: 5,
  aidantDeactivationAfterWarningMs: 30 * DAY_MS,
  aidantEncouragementAfterMs: 90 * DAY_MS,
  outboxBodyRetentionMs: 7 * DAY_MS,
  draftReminderAfterMonths: 3,
  draftDeletionAfterMonths: 12,
};

/** At most this many rows per activity call (one short transaction each), so a million rows never take one attempt. */
export const INACTIVITY_BATCH_SIZE = 200;

/** The instants before which each step is due, at `now`. */
export function inactivityThresholds(policy: InactivityPolicy, now: Date) {
  return {
    warnLoginBefore: addMonths(now, -policy.aidantWarningAfterMonths),
    deactivateWarnedBefore: new Date(now.getTime() - policy.aidantDeactivationAfterWarningMs),
    encourageActivityBefore: new Date(now.getTime() - policy.aidantEncouragementAfterMs),
    purgeSentBefore: new Date(now.getTime() - policy.outboxBodyRetentionMs),
    remindDraftChangedBefore: addMonths(now, -policy.draftReminderAfterMonths),
    deleteDraftChangedBefore: addMonths(now, -policy.draftDeletionAfterMonths),
  };
}

/** Days left to log in, as the warning says it (rounded up). */
export const daysToReactivate = (policy: InactivityPolicy) => Math.ceil(policy.aidantDeactivationAfterWarningMs / DAY_MS);

/** The purges of the daily duty the technical admin can preview (services/inactivity.ts previewInactivityPurges). */
export const INACTIVITY_PURGE_KEYS = ['drafts', 'emailBodies'] as const;
export const INACTIVITY_PURGE_LABELS: Record<(typeof INACTIVITY_PURGE_KEYS)[number], string> = {
  drafts: 'Brouillons de demande d’habilitation inactifs à supprimer',
  emailBodies: 'Contenus d’e-mails envoyés à effacer',
};
