// Aidant cards: the physical TOTP card (a serial number and a seed from the stock) and the digital card (an
// authenticator application). The tolerances follow the reference service (§4.2 of the brief).
import type { OnboardingStatus } from './habilitation.js';

export const CARD_KINDS = { physical: 'Carte physique', digital: 'Application d’authentification' } as const;
export type CardKind = keyof typeof CARD_KINDS;

export const CARD_POLICY = {
  digits: 6,
  /** A physical card shows a new code every 60 s; authenticator applications ignore the period and use 30 s. */
  periodSeconds: { physical: 60, digital: 30 } as Record<CardKind, number>,
  /** Time steps accepted either side of now for a card not yet validated (its clock may have drifted in stock). */
  unconfirmedTolerance: 10,
  /** … for a validated card or application. */
  confirmedTolerance: 1,
  /** … for a physical card after `failuresBeforeDrift` failed codes, until the next successful login. */
  driftedTolerance: 30,
  failuresBeforeDrift: 3,
} as const;

export const CODE_PATTERN = /^\d{6}$/;

/** Why a card leaves its aidant (mandatory, journaled); « autre » needs a text. */
export const UNLINK_REASONS = {
  perte: 'Perte',
  casse: 'Casse',
  dysfonctionnement: 'Dysfonctionnement',
  depart: 'Départ de l’aidant',
  erreur: 'Erreur d’association',
  autre: 'Autre',
} as const;
export type UnlinkReason = keyof typeof UNLINK_REASONS;

/** The French error of an unlink reason, or null when it is acceptable. */
export function unlinkReasonError(reason: string | undefined, other: string | undefined): string | null {
  if (!reason || !(reason in UNLINK_REASONS)) return 'Choisissez la raison de la dissociation.';
  if (reason === 'autre' && !(other ?? '').trim()) return 'Précisez la raison : ce champ est obligatoire quand la raison indiquée est « Autre ».';
  if ((other ?? '').length > 500) return 'La raison ne doit pas dépasser 500 caractères.';
  return null;
}

/** Where a card stands (cards.status, computed by PostgreSQL from its columns: migrations/0014-card-stock.ts). */
export const CARD_STATUSES = {
  in_stock: 'En stock',
  linked: 'Associée, à valider',
  validated: 'Validée',
  unlinked: 'Dissociée, de retour en stock',
} as const;
export type CardStatus = keyof typeof CARD_STATUSES;

/** The reason kept on a card back in stock, in French: « Perte », « Autre : … ». */
export function unlinkReasonText(reason: UnlinkReason, other: string | undefined): string {
  const text = (other ?? '').trim();
  return text ? `${UNLINK_REASONS[reason]} : ${text}` : UNLINK_REASONS[reason];
}

/** Why an application is removed from its person (journaled). */
export const APPLICATION_REMOVAL_REASON = 'Suppression de l’application';

export const SERIAL_PATTERN = /^[A-Z0-9-]{4,32}$/;

/** A serial number as typed (spaces around, lower case) in the stock's form; null when malformed. */
export function normaliseSerial(typed: string): string | null {
  const serial = typed.trim().toUpperCase();
  return SERIAL_PATTERN.test(serial) ? serial : null;
}

/**
 * The onboarding steps a validated card completes: once the account is activated, a working card (linked by
 * the référent from the stock or an application) makes the welcome kit moot, whether it is still being
 * prepared, on its way or delivered. Before the training, a card does not end the onboarding.
 */
export const CARD_COMPLETES_ONBOARDING_FROM = ['account_activated', 'card_shipping', 'card_linking'] as const satisfies readonly OnboardingStatus[];
