// Habilitation: the demandeur's request for a structure, the comité's decisions, and each aidant's onboarding.
// Stored values are English snake_case; labels are the French words people read.

export const REQUEST_STATUSES = {
  draft: 'Brouillon',
  awaiting_comite: 'En attente de la décision du comité',
  changes_required: 'Modifications demandées par l’équipe Aidants Connect',
  validated: 'Éligibilité validée',
  refused: 'Éligibilité refusée',
  closed: 'Clôturée',
} as const;
export type RequestStatus = keyof typeof REQUEST_STATUSES;
export const REQUEST_STATUS_KEYS = Object.keys(REQUEST_STATUSES) as RequestStatus[];

/**
 * What the demandeur reads of a request's state (a submitted draft is waiting for its workflow to start; a
 * resubmitted request, for its workflow to take it back to the comité).
 */
export const requestStatusLabel = (request: { status: RequestStatus; submittedAt: Date | null; resubmittedAt?: Date | null }): string =>
  ((request.status === 'draft' && request.submittedAt) || (request.status === 'changes_required' && request.resubmittedAt)
    ? 'Transmise, en cours d’enregistrement' : REQUEST_STATUSES[request.status]);

/** Statuses in which the demandeur may still edit the request. */
export const EDITABLE_REQUEST_STATUSES: readonly RequestStatus[] = ['draft', 'changes_required'];

export const COMITE_DECISIONS = {
  validate: { label: 'Valider', to: 'validated' },
  refuse: { label: 'Refuser', to: 'refused' },
  require_changes: { label: 'Demander des modifications', to: 'changes_required' },
} as const satisfies Record<string, { label: string; to: RequestStatus }>;
export type ComiteDecision = keyof typeof COMITE_DECISIONS;

export const ONBOARDING_STATUSES = {
  /** Asked by a référent of an already habilitated structure: the ANCT decides whether the aidant may be trained. */
  awaiting_eligibility: 'En attente de la décision d’éligibilité de l’ANCT',
  awaiting_training: 'Formation à suivre',
  trained: 'Formation suivie',
  account_activated: 'Compte activé',
  card_shipping: 'Carte en cours d’envoi',
  card_linking: 'Carte à lier par le référent',
  completed: 'Habilitation terminée',
  lapsed: 'Délai de formation dépassé',
  cancelled: 'Annulée',
  eligibility_refused: 'Éligibilité refusée par l’ANCT',
} as const;
export type OnboardingStatus = keyof typeof ONBOARDING_STATUSES;
export const ONBOARDING_STATUS_KEYS = Object.keys(ONBOARDING_STATUSES) as OnboardingStatus[];
export const FINAL_ONBOARDING_STATUSES: readonly OnboardingStatus[] = ['completed', 'lapsed', 'cancelled', 'eligibility_refused'];

/**
 * The one rule for cancelling an onboarding (back-office, espaces demandeur and référent, the workflow alike):
 * any onboarding not yet completed, cancelled or refused, a lapsed one included (the structure gives up on it)
 * and one still awaiting the ANCT's eligibility decision (the référent withdraws the request).
 */
export function canCancelOnboarding(status: OnboardingStatus): boolean {
  return status !== 'completed' && status !== 'cancelled' && status !== 'eligibility_refused';
}

/** A day (YYYY-MM-DD) as people in France count it, for comparing calendar dates. */
export function parisDay(date: Date | number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(date));
}

/**
 * The date a training was followed: a real calendar date (not 2026-02-30), not in the future, and not before
 * the request that asked for it existed. `today` and `notBefore` are Paris days (YYYY-MM-DD).
 */
export function trainingDateError(trainingDate: unknown, context: { today: string; notBefore?: string | null }): string | null {
  const match = typeof trainingDate === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(trainingDate) : null;
  if (!match) return 'La date de formation est invalide.';
  const [year, month, day] = match.slice(1).map(Number);
  const parsed = new Date(Date.UTC(year, month - 1, day));
  if (parsed.getUTCFullYear() !== year || parsed.getUTCMonth() !== month - 1 || parsed.getUTCDate() !== day) return 'La date de formation n’existe pas.';
  if (trainingDate as string > context.today) return 'La date de formation ne peut pas être dans le futur.';
  if (context.notBefore && (trainingDate as string) < context.notBefore) return 'La date de formation ne peut pas précéder la demande d’habilitation.';
  return null;
}

export const SHIPMENT_STATUSES = {
  preparing: 'En préparation',
  sent: 'Envoyé',
  delivered: 'Colis livré',
  lost: 'Colis perdu',
  returned: 'Colis retourné',
} as const;
export type ShipmentStatus = keyof typeof SHIPMENT_STATUSES;
export const SHIPMENT_STATUS_KEYS = Object.keys(SHIPMENT_STATUSES) as ShipmentStatus[];

export const STRUCTURE_TYPES = {
  france_services: 'Réseau France Services',
  ccas: 'CCAS',
  mairie: 'Mairie',
  association: 'Association',
  departement: 'Conseil départemental',
  epn: 'Espace public numérique',
  autre: 'Autre',
} as const;
export type StructureType = keyof typeof STRUCTURE_TYPES;
export const STRUCTURE_TYPE_KEYS = Object.keys(STRUCTURE_TYPES) as StructureType[];

/** The five pledges the demandeur must accept before submitting. */
export const PLEDGES = {
  cgu: 'J’accepte les conditions générales d’utilisation du service.',
  not_free: 'Je comprends que la formation des aidants est payante.',
  dpo: 'J’ai informé le délégué à la protection des données de ma structure.',
  professionals_only: 'Les aidants sont des professionnels (ni bénévoles, ni services civiques, ni stagiaires).',
  without_elected: 'Aucun élu n’est inscrit comme aidant.',
} as const;
export type Pledge = keyof typeof PLEDGES;
export const PLEDGE_KEYS = Object.keys(PLEDGES) as Pledge[];

/**
 * Cancelling an aidant's onboarding: by the ANCT (actorId: the staff member) or by the structure's side (the
 * demandeur on the request's page, the référent in the espace référent).
 */
export interface CancelOnboardingInput { reason: string; actorId?: string; requestedBy?: 'anct' | 'demandeur' | 'referent' }

/** The reason recorded when an onboarding left lapsed is closed by the lifecycle itself. */
export const LAPSED_CLOSE_REASON = 'Délai de formation dépassé depuis trop longtemps : la demande d’habilitation de l’aidant est close.';

/** The motif of a cancellation is kept and e-mailed: between 3 and 500 characters. */
export function cancelReasonError(reason: unknown): string | null {
  const length = typeof reason === 'string' ? reason.trim().length : 0;
  return length < 3 || length > 500 ? 'Indiquez le motif de l’annulation (entre 3 et 500 caractères).' : null;
}

/** Durations the habilitation lifecycles run on; given to workflows as input so tests can shorten them. */
export interface OnboardingPolicy {
  /** Training must be followed within this delay after eligibility (two calendar months in production). */
  trainingDelayMonths: number;
  /** Reminders before the training deadline, in days. */
  reminderOffsetsDays: number[];
  /** A lapsed onboarding not reopened within this delay is closed (absent from inputs of older runs). */
  lapsedCloseDelayMs?: number;
  /** The référents and the aidant are told this long before the closure. */
  lapsedCloseReminderMs?: number;
}

export const DEFAULT_LAPSED_CLOSE_DELAY_MS = 90 * 86_400_000;
export const DEFAULT_LAPSED_CLOSE_REMINDER_MS = 14 * 86_400_000;

export const DEFAULT_ONBOARDING_POLICY: OnboardingPolicy = {
  trainingDelayMonths: 2, reminderOffsetsDays: [30, 7], lapsedCloseDelayMs: DEFAULT_LAPSED_CLOSE_DELAY_MS, lapsedCloseReminderMs: DEFAULT_LAPSED_CLOSE_REMINDER_MS,
};

export function workflowIdForRequest(requestId: string): string {
  return `habilitation-request/${requestId}`;
}

export function workflowIdForOnboarding(onboardingId: string): string {
  return `aidant-onboarding/${onboardingId}`;
}
