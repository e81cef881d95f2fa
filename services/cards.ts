// The card stock and each person's cards, for the back-office and the espace référent alike: the CSV import
// (all or nothing), a physical card linked from the stock then validated by a code read from it, an
// authenticator application saved once a first code confirms it, unlinking (back to the stock) and removal.
// Each change is journaled in its transaction. A validated card then tells the person's onboarding that the
// card step is done, outside any transaction; what Temporal could not take then is told again by the sweep.
import { randomBytes } from 'node:crypto';
import { QueryTypes, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import { Card, OrganisationMembership, User } from '../db/models/index.js';
import { alreadyInStock, CARD_IMPORT_MAX_BYTES, parseCardCsv, type CardImportError } from '../domain/card-import.js';
import {
  APPLICATION_REMOVAL_REASON, CARD_COMPLETES_ONBOARDING_FROM, CARD_POLICY, CODE_PATTERN, normaliseSerial, UNLINK_REASONS, unlinkReasonError,
  unlinkReasonText, type UnlinkReason,
} from '../domain/cards.js';
import { InvalidTransitionError, ValidationError } from '../domain/errors.js';
import { cardValidatedUpdate } from '../workflows/messages.js';
import type { CardCodes } from './card-codes.js';
import { appendJournal } from './journal.js';
import { startPeriodicSweep } from './periodic-sweep.js';
import type { Lifecycles } from './lifecycles.js';
import type { SecretBox } from './secret-box.js';
import { hexToBase32, verifyCode } from './totp.js';

export const CARD_MESSAGES = {
  unknownSerial: 'Erreur : aucune carte n\'a été trouvée avec ce numéro de série.',
  serialLinked: 'Erreur : cette carte est déjà associée à un aidant.',
  serialMissing: 'Saisissez le numéro de série inscrit au dos de la carte.',
  serialMalformed: 'Le numéro de série ne contient que des lettres, des chiffres et des tirets (4 à 32 caractères), par exemple GADT0000042.',
  cardOutOfOrder: 'Erreur : cette carte est signalée hors service. Choisissez-en une autre.',
  alreadyCarded: 'Erreur : ce profil a déjà une carte physique. Supprimez-la avant d’en associer une autre.',
  deactivated: 'Erreur : ce profil est désactivé dans votre structure. Réactivez-le avant de lui associer une carte ou une application.',
  noPhysicalCard: 'Erreur : aucune carte physique n’est associée à ce profil.',
  codeMissing: 'Saisissez le code à 6 chiffres affiché par la carte ou l’application.',
  codeInvalid: 'Ce code n’est pas valide.',
  applicationExists: 'Attention : il existe déjà une carte numérique (application) pour ce profil. Supprimez-la avant d’en ajouter une autre.',
  noApplication: 'Erreur : ce profil n’a pas d’application d’authentification.',
} as const;

/** Who acts on whose cards, in which structure (null: the ANCT, outside any structure). */
export interface CardScope {
  userId: string;
  organisationId: string | null;
  actorId: string;
}

// --- The stock ---------------------------------------------------------------------------------------------

export type CardImportResult = { imported: number; errors: [] } | { imported: 0; errors: CardImportError[] };

const byLine = (a: CardImportError, b: CardImportError) => (a.line ?? 0) - (b.line ?? 0);

async function serialsInStock(sequelize: Sequelize, serials: string[]): Promise<Set<string>> {
  if (serials.length === 0) return new Set();
  const rows = await sequelize.query<{ serial: string }>('SELECT serial_number AS serial FROM cards WHERE serial_number = ANY($1::text[])', {
    bind: [serials], type: QueryTypes.SELECT,
  });
  return new Set(rows.map((row) => row.serial));
}

/**
 * Imports a CSV of physical cards (domain/card-import.ts) into the stock, all or nothing: any faulty line
 * (or a serial already in the stock) refuses the whole file, naming every such line. One bulk insert.
 */
export async function importCards(deps: { sequelize: Sequelize; secrets: SecretBox }, csvText: string, actorId: string): Promise<CardImportResult> {
  if (Buffer.byteLength(csvText, 'utf8') > CARD_IMPORT_MAX_BYTES) {
    return { imported: 0, errors: [{ line: null, message: `Le fichier dépasse ${CARD_IMPORT_MAX_BYTES / 1_000_000} Mo : découpez-le en plusieurs fichiers.` }] };
  }
  const { cards, errors } = parseCardCsv(csvText);
  const refusal = async (): Promise<CardImportError[]> => {
    const inStock = await serialsInStock(deps.sequelize, cards.map((card) => card.serialNumber));
    return [...errors, ...cards.filter((card) => inStock.has(card.serialNumber)).map(alreadyInStock)].sort(byLine);
  };
  const faulty = await refusal();
  if (faulty.length > 0) return { imported: 0, errors: faulty };
  const serials = cards.map((card) => card.serialNumber);
  const sealedSeeds = cards.map((card) => deps.secrets.seal(card.seedHex));
  try {
    await deps.sequelize.transaction(async (transaction) => {
      await deps.sequelize.query(
        `INSERT INTO cards (kind, serial_number, sealed_seed, period_seconds, tolerance)
         SELECT 'physical', imported.serial, imported.seed, $3, $4 FROM unnest($1::text[], $2::text[]) AS imported(serial, seed)`,
        { bind: [serials, sealedSeeds, CARD_POLICY.periodSeconds.physical, CARD_POLICY.unconfirmedTolerance], transaction },
      );
      await appendJournal({
        action: 'import_totp_cards', actorId, details: { count: cards.length, firstSerial: serials[0], lastSerial: serials[serials.length - 1] },
      }, transaction);
    });
  } catch (error) {
    // Another import took some of these serials meanwhile: the same refusal as if it had come first.
    if (error instanceof UniqueConstraintError) {
      const late = await refusal();
      if (late.length > 0) return { imported: 0, errors: late };
    }
    throw error;
  }
  return { imported: cards.length, errors: [] };
}

// --- A person's cards --------------------------------------------------------------------------------------

export interface PersonCards {
  physical: Card | null;
  digital: Card | null;
}

export async function cardsOf(userId: string): Promise<PersonCards> {
  const cards = await Card.findAll({ where: { aidantId: userId } });
  return { physical: cards.find((card) => card.kind === 'physical') ?? null, digital: cards.find((card) => card.kind === 'digital') ?? null };
}

/** Whether the person is active, and an active member of the structure (when one is given). */
export async function isActiveMember(userId: string, organisationId: string | null, transaction?: Transaction): Promise<boolean> {
  const user = await User.findByPk(userId, { attributes: ['id', 'isActive'], transaction });
  if (!user?.isActive) return false;
  if (!organisationId) return true;
  const membership = await OrganisationMembership.findOne({ where: { userId, organisationId }, attributes: ['isActive'], transaction });
  return Boolean(membership?.isActive);
}

async function assertActiveMember(scope: CardScope, transaction?: Transaction): Promise<void> {
  if (!(await isActiveMember(scope.userId, scope.organisationId, transaction))) throw new InvalidTransitionError(CARD_MESSAGES.deactivated);
}

/** A typed code without the spaces people put in it (« 123 456 »); the field's error when it is empty. */
function typedCode(code: string): string {
  const digits = code.replace(/\s+/g, '');
  if (!digits) throw new ValidationError({ code: CARD_MESSAGES.codeMissing });
  return digits;
}

/** Links a stock card, by its serial number, to the person: linked, not validated (wide tolerance). */
export async function linkPhysicalCard(sequelize: Sequelize, scope: CardScope, typedSerial: string): Promise<Card> {
  if (!typedSerial.trim()) throw new ValidationError({ serialNumber: CARD_MESSAGES.serialMissing });
  const serialNumber = normaliseSerial(typedSerial);
  if (!serialNumber) throw new ValidationError({ serialNumber: CARD_MESSAGES.serialMalformed });
  try {
    return await sequelize.transaction(async (transaction) => {
      await assertActiveMember(scope, transaction);
      if (await Card.count({ where: { aidantId: scope.userId, kind: 'physical' }, transaction }) > 0) throw new InvalidTransitionError(CARD_MESSAGES.alreadyCarded);
      const card = await Card.findOne({ where: { serialNumber }, transaction, lock: transaction.LOCK.UPDATE });
      if (!card || card.kind !== 'physical') throw new ValidationError({ serialNumber: CARD_MESSAGES.unknownSerial });
      if (card.aidantId) throw new ValidationError({ serialNumber: CARD_MESSAGES.serialLinked });
      if (!card.isFunctional) throw new ValidationError({ serialNumber: CARD_MESSAGES.cardOutOfOrder });
      // Its last accepted step stays: a code the card showed before never replays.
      await card.update({
        aidantId: scope.userId, linkedAt: new Date(), validatedAt: null, validatedById: null, tolerance: CARD_POLICY.unconfirmedTolerance, failedCodes: 0,
        unlinkedAt: null, unlinkReason: null,
      }, { transaction });
      await appendJournal({
        action: 'card_association', actorId: scope.actorId, organisationId: scope.organisationId,
        details: { aidantId: scope.userId, serialNumber, kind: 'physical' },
      }, transaction);
      return card;
    });
  } catch (error) {
    // The same person given a card twice at once: the unique (aidant, kind) index keeps one.
    if (error instanceof UniqueConstraintError) throw new InvalidTransitionError(CARD_MESSAGES.alreadyCarded);
    throw error;
  }
}

/**
 * Validates the person's linked card with a code read from it (its wide tolerance while unconfirmed): then
 * the narrow tolerance. A card already validated (a double click) is answered as validated.
 */
export async function validatePhysicalCard(deps: { sequelize: Sequelize; cardCodes: CardCodes }, scope: CardScope, code: string): Promise<{ card: Card; alreadyValidated: boolean }> {
  const digits = typedCode(code);
  const card = await Card.findOne({ where: { aidantId: scope.userId, kind: 'physical' } });
  if (!card) throw new InvalidTransitionError(CARD_MESSAGES.noPhysicalCard);
  if (card.validatedAt) return { card, alreadyValidated: true };
  await assertActiveMember(scope);
  if (!CODE_PATTERN.test(digits) || !(await deps.cardCodes.checkCardCode(card, digits))) throw new ValidationError({ code: CARD_MESSAGES.codeInvalid });
  const validated = await deps.sequelize.transaction(async (transaction) => {
    const [count] = await Card.update(
      { validatedAt: new Date(), validatedById: scope.actorId, tolerance: CARD_POLICY.confirmedTolerance, failedCodes: 0 },
      { where: { id: card.id, aidantId: scope.userId, validatedAt: null }, transaction },
    );
    if (count === 0) return false;
    await appendJournal({
      action: 'card_validation', actorId: scope.actorId, organisationId: scope.organisationId,
      details: { aidantId: scope.userId, serialNumber: card.serialNumber, kind: 'physical' },
    }, transaction);
    return true;
  });
  if (!validated) {
    const now = await Card.findByPk(card.id);
    if (now?.aidantId === scope.userId && now.validatedAt) return { card: now, alreadyValidated: true };
    throw new InvalidTransitionError(CARD_MESSAGES.noPhysicalCard);
  }
  return { card: (await Card.findByPk(card.id))!, alreadyValidated: false };
}

/** The field of an unlink reason's error: the reason itself, or the text « autre » needs. */
export function unlinkErrors(reason: string | undefined, other: string | undefined): Record<string, string> {
  const error = unlinkReasonError(reason, other);
  if (!error) return {};
  return reason && reason in UNLINK_REASONS ? { other: error } : { reason: error };
}

/** Unlinks the person's physical card: back to the stock (not validated, wide tolerance), with the reason. */
export async function unlinkPhysicalCard(sequelize: Sequelize, scope: CardScope, reason: string | undefined, other: string | undefined): Promise<Card> {
  const errors = unlinkErrors(reason, other);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  const key = reason as UnlinkReason;
  return sequelize.transaction(async (transaction) => {
    const card = await Card.findOne({ where: { aidantId: scope.userId, kind: 'physical' }, transaction, lock: transaction.LOCK.UPDATE });
    if (!card) throw new InvalidTransitionError(CARD_MESSAGES.noPhysicalCard);
    await unlink(card, scope, key, other, transaction);
    return card;
  });
}

/** The ANCT unlinks a card of the stock from its aidant (back-office): the same, journaled under the aidant's structure. */
export async function unlinkCardById(sequelize: Sequelize, cardId: string, actorId: string, reason: string | undefined, other: string | undefined): Promise<Card> {
  const errors = unlinkErrors(reason, other);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return sequelize.transaction(async (transaction) => {
    const card = await Card.findByPk(cardId, { transaction, lock: transaction.LOCK.UPDATE });
    if (!card || card.kind !== 'physical' || !card.aidantId) throw new InvalidTransitionError('Cette carte n’est associée à aucun aidant.');
    const aidant = await User.findByPk(card.aidantId, { attributes: ['id', 'currentOrganisationId'], transaction });
    await unlink(card, { userId: card.aidantId, organisationId: aidant?.currentOrganisationId ?? null, actorId }, reason as UnlinkReason, other, transaction);
    return card;
  });
}

async function unlink(card: Card, scope: CardScope, reason: UnlinkReason, other: string | undefined, transaction: Transaction): Promise<void> {
  const reasonText = unlinkReasonText(reason, other);
  await card.update({
    aidantId: null, linkedAt: null, validatedAt: null, validatedById: null, tolerance: CARD_POLICY.unconfirmedTolerance, failedCodes: 0,
    unlinkedAt: new Date(), unlinkReason: reasonText,
  }, { transaction });
  await appendJournal({
    action: 'card_dissociation', actorId: scope.actorId, organisationId: scope.organisationId,
    details: { aidantId: scope.userId, serialNumber: card.serialNumber, kind: 'physical', reason, reasonText },
  }, transaction);
}

// --- Authenticator applications ----------------------------------------------------------------------------

export const APPLICATION_ISSUER = 'Aidants Connect';

/** A new application secret (160 bits, hex like the cards' seeds): kept sealed in the session until confirmed. */
export const newApplicationSeed = (): string => randomBytes(20).toString('hex');

/** The base32 secret an application asks for when typed by hand. */
export const applicationSecret = (seedHex: string): string => hexToBase32(seedHex);

/** The otpauth URI of the QR code: issuer « Aidants Connect », 6 digits, 30 s. */
export function applicationUri(seedHex: string, accountName: string): string {
  const issuer = encodeURIComponent(APPLICATION_ISSUER);
  const params = new URLSearchParams({ secret: hexToBase32(seedHex), issuer: APPLICATION_ISSUER, algorithm: 'SHA1', digits: '6', period: String(CARD_POLICY.periodSeconds.digital) });
  return `otpauth://totp/${issuer}:${encodeURIComponent(accountName)}?${params.toString().replace(/\+/g, '%20')}`;
}

/** The time step of a first code from a new application (its secret in hex), or the code field's error. */
export function firstApplicationStep(seedHex: string, code: string): number {
  const digits = typedCode(code);
  const check = verifyCode(seedHex, CARD_POLICY.periodSeconds.digital, digits, new Date(), CARD_POLICY.confirmedTolerance);
  if (!check.valid || check.step === undefined) throw new ValidationError({ code: CARD_MESSAGES.codeInvalid });
  return check.step;
}

/**
 * Saves a confirmed application (validated, its first code's step used up) and journals its association, in
 * the caller's transaction. The unique (aidant, kind) index refuses a second one (UniqueConstraintError).
 */
export async function saveApplication(
  secrets: SecretBox, scope: CardScope, seedHex: string, step: number, transaction: Transaction, details: Record<string, unknown> = {},
): Promise<Card> {
  const now = new Date();
  const card = await Card.create({
    kind: 'digital', serialNumber: null, sealedSeed: secrets.seal(seedHex), periodSeconds: CARD_POLICY.periodSeconds.digital,
    aidantId: scope.userId, linkedAt: now, validatedAt: now, validatedById: scope.actorId, lastUsedStep: step, tolerance: CARD_POLICY.confirmedTolerance,
  }, { transaction });
  await appendJournal({
    action: 'card_association', actorId: scope.actorId, organisationId: scope.organisationId,
    details: { aidantId: scope.userId, serialNumber: null, kind: 'digital', ...details },
  }, transaction);
  return card;
}

/** Saves the person's application once a first code from it is right; that code is then used up. */
export async function confirmApplication(deps: { sequelize: Sequelize; secrets: SecretBox }, scope: CardScope, seedHex: string, code: string): Promise<Card> {
  typedCode(code);
  if (await Card.count({ where: { aidantId: scope.userId, kind: 'digital' } }) > 0) throw new InvalidTransitionError(CARD_MESSAGES.applicationExists);
  await assertActiveMember(scope);
  const step = firstApplicationStep(seedHex, code);
  try {
    return await deps.sequelize.transaction((transaction) => saveApplication(deps.secrets, scope, seedHex, step, transaction));
  } catch (error) {
    if (error instanceof UniqueConstraintError) throw new InvalidTransitionError(CARD_MESSAGES.applicationExists);
    throw error;
  }
}

/** Removes the person's application (its secret is deleted with it). */
export async function removeApplication(sequelize: Sequelize, scope: CardScope): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    const card = await Card.findOne({ where: { aidantId: scope.userId, kind: 'digital' }, transaction, lock: transaction.LOCK.UPDATE });
    if (!card) throw new InvalidTransitionError(CARD_MESSAGES.noApplication);
    await card.destroy({ transaction });
    await appendJournal({
      action: 'card_dissociation', actorId: scope.actorId, organisationId: scope.organisationId,
      details: { aidantId: scope.userId, serialNumber: null, kind: 'digital', reason: 'suppression_application', reasonText: APPLICATION_REMOVAL_REASON },
    }, transaction);
  });
}

// --- The onboarding's card step ----------------------------------------------------------------------------

interface CardNotice { onboardingId: string; cardId: string; actorId: string }

/**
 * The open onboardings a validated card completes (domain/cards.ts CARD_COMPLETES_ONBOARDING_FROM), with the
 * first card validated of their person: the same update whoever sends it (page or sweep), so it applies once.
 */
async function pendingNotices(sequelize: Sequelize, userId?: string): Promise<CardNotice[]> {
  return sequelize.query<CardNotice>(
    `SELECT DISTINCT ON (o.id) o.id AS "onboardingId", c.id AS "cardId", COALESCE(c.validated_by_id, c.aidant_id) AS "actorId"
       FROM aidant_onboardings o
       JOIN cards c ON c.aidant_id = o.user_id AND c.validated_at IS NOT NULL AND c.is_functional
      WHERE o.status = ANY($1::text[]) ${userId ? 'AND o.user_id = $2' : ''}
      ORDER BY o.id, c.validated_at, c.id`,
    { bind: userId ? [[...CARD_COMPLETES_ONBOARDING_FROM], userId] : [[...CARD_COMPLETES_ONBOARDING_FROM]], type: QueryTypes.SELECT },
  );
}

/**
 * Tells each open onboarding of the person (or of everyone) whose card is validated that the card step is
 * done. Returns how many were told and the failures (Temporal unreachable, the lifecycle busy): the sweep
 * tries those again.
 */
export async function tellOnboardingsOfValidatedCards(deps: { sequelize: Sequelize; lifecycles: Lifecycles }, userId?: string): Promise<{ told: number; failures: Error[] }> {
  const result = { told: 0, failures: [] as Error[] };
  for (const notice of await pendingNotices(deps.sequelize, userId)) {
    try {
      await deps.lifecycles.updateOnboarding(notice.onboardingId, cardValidatedUpdate, { cardId: notice.cardId, actorId: notice.actorId });
      result.told += 1;
    } catch (error) {
      result.failures.push(error as Error);
    }
  }
  return result;
}

/** How often the web process tells onboardings of the cards validated while Temporal could not be reached. */
export const CARD_VALIDATION_SWEEP_INTERVAL_MS = 60_000;

/** Sweeps now, then every `intervalMs` until stopped (like the submissions' sweep). Returns the function that stops it. */
export function startCardValidationSweep(
  deps: { sequelize: Sequelize; lifecycles: Lifecycles },
  options: { intervalMs?: number; onTold?: (count: number) => void; onError?: (error: Error) => void } = {},
): () => void {
  return startPeriodicSweep(async () => {
    const { told, failures } = await tellOnboardingsOfValidatedCards(deps);
    if (told > 0) options.onTold?.(told);
    // A refusal (the lifecycle busy, or not at a step a card completes) is simply tried again next time.
    const outage = failures.find((failure) => !(failure instanceof InvalidTransitionError));
    if (outage) options.onError?.(outage);
  }, options.intervalMs ?? CARD_VALIDATION_SWEEP_INTERVAL_MS, options.onError);
}
