// Mandat rules shared by the espace aidant, the identity provider, the back-office and the mandat workflow.
// A mandat belongs to the structure, not to the aidant. Pure: no I/O, no node:crypto (workflows import this
// module; the attestation hash itself is in domain/attestation.ts).
import { DEMARCHES, isDemarche, type Demarche } from './demarches.js';

export const MANDAT_DURATIONS = {
  SHORT: { days: 1, label: 'Mandat court (expire demain)', text: 'pour une durée de 1 jour' },
  MONTH: { days: 31, label: "Mandat d'un mois (31 jours)", text: 'pour une durée d’un mois (31 jours)' },
  SEMESTER: { days: 182, label: 'Mandat de 6 mois (182 jours)', text: 'pour une durée de six mois (182 jours)' },
  LONG: { days: 365, label: 'Mandat long (12 mois)', text: 'pour une durée de 1 an' },
} as const;

export type MandatDuration = keyof typeof MANDAT_DURATIONS;
export const MANDAT_DURATION_KEYS = Object.keys(MANDAT_DURATIONS) as MandatDuration[];
/** The order the reference's form offers the durations in. */
export const MANDAT_DURATION_FORM_ORDER: readonly MandatDuration[] = ['SHORT', 'MONTH', 'LONG', 'SEMESTER'];

export function isMandatDuration(value: unknown): value is MandatDuration {
  return typeof value === 'string' && Object.hasOwn(MANDAT_DURATIONS, value);
}

/** Projection of the mandat lifecycle kept in the database for pages and the back-office. */
export const MANDAT_STATUSES = ['active', 'expired', 'revoked', 'superseded'] as const;
export type MandatStatus = (typeof MANDAT_STATUSES)[number];

/**
 * The version of the legal text of the mandat signed today (the reference's current template is dated
 * 2026-03-23). Kept with each mandat and covered by its attestation hash: a mandat is always shown with the
 * text its usager agreed to.
 */
export const MANDAT_TEXT_VERSION = '2026-03-23';
export const MANDAT_TEXT_VERSIONS: readonly string[] = [MANDAT_TEXT_VERSION];

/** « Expire bientôt » (badge, reminders): an active mandat expiring within this many days. */
export const MANDAT_EXPIRES_SOON_DAYS = 30;
/** Expired or revoked mandats stay visible, and renewable, this many days. */
export const MANDAT_OUTDATED_AFTER_DAYS = 365;

/** Expiry reminders are sent for long mandats only (30 and 7 days before). */
export const MANDAT_REMINDER_OFFSETS_DAYS = [30, 7] as const;
export const REMINDED_DURATIONS: readonly MandatDuration[] = ['SEMESTER', 'LONG'];

// ---------------------------------------------------------------------------------------------------------
// Days. A mandat « d’un jour » signed at 10 h expires the next day at 10 h, Paris time, as its attestation
// says — also across a daylight-saving change, when that day lasts 23 or 25 hours (the reference adds
// N × 24 h, which would print 11 h or 9 h). A day is a calendar day in Europe/Paris.

const PARIS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});
const HOUR_MS = 3_600_000;

/** The Paris wall-clock time of an instant, written as if it were UTC (milliseconds). */
function parisWallClock(instant: number): number {
  const parts: Record<string, number> = {};
  for (const part of PARIS.formatToParts(new Date(instant))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const ms = ((instant % 1000) + 1000) % 1000;
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second, ms);
}

/**
 * The instant a Paris wall-clock time designates: the earlier one when the time occurs twice (autumn), the
 * time one hour later when it does not exist (the spring gap), as calendars do.
 */
function parisInstant(wall: number): number {
  const before = wall - (parisWallClock(wall - 24 * HOUR_MS) - (wall - 24 * HOUR_MS));
  const after = wall - (parisWallClock(wall + 24 * HOUR_MS) - (wall + 24 * HOUR_MS));
  const matching = [before, after].filter((instant) => parisWallClock(instant) === wall).sort((a, b) => a - b);
  return matching[0] ?? before;
}

/** The same Paris wall-clock time `days` calendar days later (or earlier when negative). */
export function addParisDays(date: Date, days: number): Date {
  const wall = new Date(parisWallClock(date.getTime()));
  wall.setUTCDate(wall.getUTCDate() + days);
  return new Date(parisInstant(wall.getTime()));
}

export function mandatExpiry(createdAt: Date, duration: MandatDuration): Date {
  return addParisDays(createdAt, MANDAT_DURATIONS[duration].days);
}

// ---------------------------------------------------------------------------------------------------------
// States. Expiry is read from the dates, never waited for: a mandat whose workflow is late is expired all the
// same. The stored status only adds what dates cannot say (revoked as a whole, superseded).

export interface AutorisationState { demarche: Demarche; revokedAt: Date | null }
export interface MandatFacts {
  expiresAt: Date;
  /** Set when the whole mandat was revoked. */
  revokedAt?: Date | null;
  status?: MandatStatus;
  autorisations: readonly AutorisationState[];
}

export type MandatState = 'active' | 'expired' | 'revoked';
export const MANDAT_STATE_LABELS: Record<MandatState, string> = { active: 'Actif', expired: 'Expiré', revoked: 'Révoqué' };

export const isExpired = (expiresAt: Date, now: Date): boolean => expiresAt.getTime() <= now.getTime();

/** Revoked: no autorisation left (revoked one by one, as a whole, or superseded by a newer mandat). */
export function isRevoked(mandat: MandatFacts): boolean {
  return Boolean(mandat.revokedAt) || mandat.status === 'revoked' || mandat.status === 'superseded'
    || mandat.autorisations.every((autorisation) => autorisation.revokedAt !== null);
}

/** A revocation before the expiry counts; an expired mandat is expired whatever happened after. */
export function mandatState(mandat: MandatFacts, now: Date): MandatState {
  if (isRevoked(mandat)) return 'revoked';
  return isExpired(mandat.expiresAt, now) ? 'expired' : 'active';
}

/** Active while it is not expired and at least one of its autorisations is not revoked. */
export const isMandatActive = (mandat: MandatFacts, now: Date): boolean => mandatState(mandat, now) === 'active';

/** The autorisations one may act with now (none when the mandat is expired or revoked as a whole). */
export function activeDemarches(mandat: MandatFacts, now: Date): Demarche[] {
  if (mandatState(mandat, now) !== 'active') return [];
  return mandat.autorisations.filter((a) => a.revokedAt === null).map((a) => a.demarche).sort();
}

/** When a revoked mandat stopped: its own revocation date, else its last autorisation's. */
export function revocationDate(mandat: MandatFacts): Date | null {
  if (mandat.revokedAt) return mandat.revokedAt;
  const dates = mandat.autorisations.map((a) => a.revokedAt?.getTime() ?? 0);
  return dates.length && Math.min(...dates) > 0 ? new Date(Math.max(...dates)) : null;
}

/** When the mandat stopped being active (expiry or revocation), null while active. */
export function endDate(mandat: MandatFacts, now: Date): Date | null {
  const state = mandatState(mandat, now);
  if (state === 'active') return null;
  const revoked = state === 'revoked' ? revocationDate(mandat) : null;
  return revoked && revoked.getTime() < mandat.expiresAt.getTime() ? revoked : mandat.expiresAt;
}

export function expiresSoon(mandat: MandatFacts, now: Date): boolean {
  return isMandatActive(mandat, now) && mandat.expiresAt.getTime() <= addParisDays(now, MANDAT_EXPIRES_SOON_DAYS).getTime();
}

/** Expired or revoked mandats are shown (and renewable) for a year; active ones always. */
export function isVisible(mandat: MandatFacts, now: Date): boolean {
  const end = endDate(mandat, now);
  return end === null || end.getTime() > addParisDays(now, -MANDAT_OUTDATED_AFTER_DAYS).getTime();
}

/** The earliest expiry date a visible mandat can have now (pages and queries start from it). */
export const visibleSince = (now: Date): Date => addParisDays(now, -MANDAT_OUTDATED_AFTER_DAYS);

// ---------------------------------------------------------------------------------------------------------
// Supersession: a new mandat of a structure for a usager revokes that structure's active autorisations for
// the same démarches. Other structures' mandats, expired or revoked autorisations are left as they are.

export interface ExistingMandat extends MandatFacts {
  id: string;
  organisationId: string;
  usagerId: string;
  autorisations: readonly (AutorisationState & { id: string })[];
}

export function supersededAutorisations(
  existing: readonly ExistingMandat[], next: { organisationId: string; usagerId: string; demarches: readonly Demarche[] }, now: Date,
): { mandatId: string; autorisationId: string; demarche: Demarche }[] {
  const demarches = new Set(next.demarches);
  return existing
    .filter((m) => m.organisationId === next.organisationId && m.usagerId === next.usagerId && isMandatActive(m, now))
    .flatMap((m) => m.autorisations
      .filter((a) => a.revokedAt === null && demarches.has(a.demarche))
      .map((a) => ({ mandatId: m.id, autorisationId: a.id, demarche: a.demarche })));
}

// ---------------------------------------------------------------------------------------------------------
// Renewal: a usager is renewable by a structure while one of its mandats there is active, or expired or
// revoked less than a year ago (straight to the recap, no FranceConnect).

export const RENEWAL_REFUSALS = {
  notRenewable: 'Erreur : cet usager n’a aucun mandat renouvelable.',
  notFound: 'Erreur : cet usager est introuvable ou inaccessible.',
} as const;

export function renewalDecision<M extends MandatFacts & { createdAt: Date }>(mandats: readonly M[], now: Date):
  { renewable: true; from: M } | { renewable: false; message: string } {
  const renewable = mandats.filter((m) => isVisible(m, now)).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return renewable.length ? { renewable: true, from: renewable[0] } : { renewable: false, message: RENEWAL_REFUSALS.notRenewable };
}

// ---------------------------------------------------------------------------------------------------------
// The choice of démarches and duration (creation and renewal forms).

export const MANDAT_CHOICE_ERRORS = {
  noDemarche: 'Vous devez sélectionner au moins une démarche.',
  notAllowed: (titre: string) => `La démarche « ${titre} » n’est pas autorisée pour votre structure.`,
  unknownDemarche: 'Choisissez des démarches dans la liste proposée.',
  noDuration: 'Veuillez sélectionner la durée du mandat.',
} as const;

/**
 * The warning shown whenever « argent » is chosen (form, recap, the identity provider's choice). The
 * reference's text is known in part (its last sentence is verbatim); the first is ours.
 */
export const ARGENT_WARNING = 'Attention : périmètre « Argent - Impôts - Consommation » : l’aidant ne peut pas effectuer à la place '
  + 'de la personne une demande auprès de la commission de surendettement de la Banque de France. La déclaration de surendettement '
  + 'doit être signée par le demandeur, sous peine d’irrecevabilité (art. R. 721-2 et R. 761-1 du code de la consommation).';

export const needsArgentWarning = (demarches: readonly string[]): boolean => demarches.includes('argent');

/** The démarches offered to a structure, in the reference's order. */
export const offeredDemarches = (allowed: readonly string[]): Demarche[] =>
  (Object.keys(DEMARCHES) as Demarche[]).filter((demarche) => allowed.includes(demarche));

export interface MandatChoice { demarches: Demarche[]; duration: MandatDuration }

/** Reads the démarches (one value or several) and the duration a form sent, against the structure's démarches. */
export function parseMandatChoice(body: { demarches?: unknown; duration?: unknown }, allowed: readonly string[]):
  { value?: MandatChoice; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const sent = [body.demarches ?? []].flat();
  const demarches = [...new Set(sent.filter(isDemarche))].sort();
  if (sent.length === 0) errors.demarches = MANDAT_CHOICE_ERRORS.noDemarche;
  else if (sent.some((d) => !isDemarche(d))) errors.demarches = MANDAT_CHOICE_ERRORS.unknownDemarche;
  else {
    const refused = demarches.find((d) => !allowed.includes(d));
    if (refused) errors.demarches = MANDAT_CHOICE_ERRORS.notAllowed(DEMARCHES[refused].titre);
  }
  if (!isMandatDuration(body.duration)) errors.duration = MANDAT_CHOICE_ERRORS.noDuration;
  return Object.keys(errors).length ? { errors } : { value: { demarches, duration: body.duration as MandatDuration }, errors };
}

// ---------------------------------------------------------------------------------------------------------
// The attestation: its content, serialised canonically (sorted keys, sorted démarches, ISO instants), is what
// domain/attestation.ts hashes.

export interface AttestationFacts {
  mandatId: string;
  organisationId: string;
  aidantId: string;
  /** The usager's stable identifier (keyed hash of the FranceConnect sub), not a row id. */
  usagerSub: string;
  demarches: readonly Demarche[];
  duration: MandatDuration;
  createdAt: Date;
  expiresAt: Date;
  textVersion: string;
}

export function attestationContent(facts: AttestationFacts): string {
  const content: Record<string, unknown> = {
    aidantId: facts.aidantId,
    createdAt: facts.createdAt.toISOString(),
    demarches: [...new Set(facts.demarches)].sort(),
    duration: facts.duration,
    expiresAt: facts.expiresAt.toISOString(),
    mandatId: facts.mandatId,
    organisationId: facts.organisationId,
    textVersion: facts.textVersion,
    usagerSub: facts.usagerSub,
  };
  return JSON.stringify(Object.fromEntries(Object.keys(content).sort().map((key) => [key, content[key]])));
}
