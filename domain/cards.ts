// Aidant cards: the physical TOTP card (a serial number and a seed from the stock) and the digital card (an
// authenticator application). The tolerances follow the reference service (§4.2 of the brief).

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
