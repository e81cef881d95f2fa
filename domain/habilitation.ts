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
  awaiting_training: 'Formation à suivre',
  trained: 'Formation suivie',
  account_activated: 'Compte activé',
  card_shipping: 'Carte en cours d’envoi',
  card_linking: 'Carte à lier par le référent',
  completed: 'Habilitation terminée',
  lapsed: 'Délai de formation dépassé',
  cancelled: 'Annulée',
} as const;
export type OnboardingStatus = keyof typeof ONBOARDING_STATUSES;
export const ONBOARDING_STATUS_KEYS = Object.keys(ONBOARDING_STATUSES) as OnboardingStatus[];
export const FINAL_ONBOARDING_STATUSES: readonly OnboardingStatus[] = ['completed', 'lapsed', 'cancelled'];

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
}

export const DEFAULT_ONBOARDING_POLICY: OnboardingPolicy = { trainingDelayMonths: 2, reminderOffsetsDays: [30, 7] };

export function workflowIdForRequest(requestId: string): string {
  return `habilitation-request/${requestId}`;
}

export function workflowIdForOnboarding(onboardingId: string): string {
  return `aidant-onboarding/${onboardingId}`;
}
