// Mandats of a structure: their creation (one transaction: supersession, the mandat, its autorisations and
// their journal entries) and what the espace aidant reads of them (the usagers list and a usager's mandats).
// The rules themselves are in domain/mandat.ts; the authorisation check is services/autorisations.ts.
import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { Autorisation, Mandat, Organisation, OrganisationMembership, User, Usager } from '../db/models/index.js';
import { attestationHash, templateHash } from '../domain/attestation.js';
import type { Demarche } from '../domain/demarches.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import {
  activeDemarches, endDate, expiresSoon, isVisible, MANDAT_DURATIONS, MANDAT_TEXT_VERSIONS, mandatExpiry, mandatState, parseMandatChoice,
  supersededAutorisations, visibleSince, type AutorisationState, type MandatDuration, type MandatFacts, type MandatState, type MandatStatus,
} from '../domain/mandat.js';
import { appendJournal } from './journal.js';
import { isUuid } from '../domain/uuid.js';

export const MANDAT_REFUSALS = {
  notAnAidant: 'Votre compte ne permet pas de créer de mandats dans cette structure.',
  usagerNotFound: 'Erreur : cet usager est introuvable ou inaccessible.',
  unknownTextVersion: 'Cette version du texte du mandat n’existe pas.',
  renewedFromElsewhere: 'Le mandat à renouveler n’est pas un mandat de cet usager dans votre structure.',
} as const;

export interface CreateMandatInput {
  /** The aidant who signs with the usager (the journal's actor). */
  aidant: { id: string };
  /** The aidant's current structure, which holds the mandat. */
  organisation: { id: string };
  usagerId: string;
  demarches: readonly string[];
  duration: string;
  /** The version of the legal text shown to the usager (domain/mandat.ts MANDAT_TEXT_VERSION today). */
  textVersion: string;
  /** A renewal: the mandat renewed (same structure and usager). */
  renewedFromId?: string | null;
  /** The card whose code the aidant signed with (journaled with the attestation). */
  signingCard?: { id: string; kind: string } | null;
  /** The signature's instant; now unless told (tests). */
  at?: Date;
  /**
   * Run first inside the creation's transaction (the mandat creation marks its FranceConnect identification
   * used there): throwing undoes everything.
   */
  claim?: (transaction: Transaction) => Promise<void>;
}

export interface CreatedMandat {
  mandat: Mandat;
  autorisations: Autorisation[];
  attestationHash: string;
  /** The autorisations of the structure's older mandats this one revoked. */
  superseded: { mandatId: string; autorisationId: string; demarche: Demarche }[];
}

/**
 * Creates a mandat and one autorisation per démarche in ONE transaction, after revoking the same structure's
 * active autorisations for the same usager and démarches (journaled `cancel_autorisation`, reason superseded);
 * journals `create_attestation` and `create_autorisation` per démarche. Everything or nothing.
 *
 * It does not start the mandat's workflow (no network call inside a transaction): the caller, AFTER the commit,
 * calls lifecycles.startMandat(created.mandat.id) (added by the lifecycle work); a start that fails then is
 * retried by the housekeeping, which starts the workflows of mandats that have none.
 */
export async function createMandat(sequelize: Sequelize, input: CreateMandatInput): Promise<CreatedMandat> {
  const at = input.at ?? new Date();
  if (!isUuid(input.usagerId)) throw new NotFoundError(MANDAT_REFUSALS.usagerNotFound);
  if (!MANDAT_TEXT_VERSIONS.includes(input.textVersion)) throw new ValidationError({ textVersion: MANDAT_REFUSALS.unknownTextVersion });
  return sequelize.transaction(async (transaction) => {
    if (input.claim) await input.claim(transaction);
    const organisation = await Organisation.findByPk(input.organisation.id, { transaction });
    const membership = organisation?.isActive ? await OrganisationMembership.findOne({
      where: { userId: input.aidant.id, organisationId: organisation.id, isActive: true, canCreateMandats: true }, transaction,
    }) : null;
    const aidant = membership ? await User.findByPk(input.aidant.id, { transaction }) : null;
    if (!organisation || !aidant?.isActive) throw new ForbiddenError(MANDAT_REFUSALS.notAnAidant);
    const choice = parseMandatChoice({ demarches: [...input.demarches], duration: input.duration }, organisation.allowedDemarches);
    if (!choice.value) throw new ValidationError(choice.errors);
    const { demarches, duration } = choice.value;
    const usager = await Usager.findByPk(input.usagerId, { transaction });
    if (!usager || usager.anonymisedAt) throw new NotFoundError(MANDAT_REFUSALS.usagerNotFound);

    // Two creations for the same usager in the same structure (two tabs, a double click) take turns, so
    // that the second supersedes the first instead of both staying active.
    await sequelize.query("SELECT pg_advisory_xact_lock(hashtext('mandat:' || :organisationId || ':' || :usagerId))", {
      replacements: { organisationId: organisation.id, usagerId: usager.id }, transaction,
    });
    const existing = await Mandat.findAll({
      where: { organisationId: organisation.id, usagerId: usager.id }, include: [{ model: Autorisation, as: 'autorisations' }], transaction,
    }) as (Mandat & { autorisations: Autorisation[] })[];
    if (input.renewedFromId && !existing.some((m) => m.id === input.renewedFromId)) {
      throw new ValidationError({ renewedFromId: MANDAT_REFUSALS.renewedFromElsewhere });
    }

    const mandatId = randomUUID();
    const superseded = await supersede(existing, { organisationId: organisation.id, usagerId: usager.id, demarches, actorId: aidant.id, mandatId, at }, transaction);

    const expiresAt = mandatExpiry(at, duration);
    const hash = attestationHash({
      mandatId, organisationId: organisation.id, aidantId: aidant.id, usagerSub: usager.sub, demarches, duration, createdAt: at, expiresAt,
      textVersion: input.textVersion,
    });
    const mandat = await Mandat.create({
      id: mandatId, organisationId: organisation.id, usagerId: usager.id, createdById: aidant.id, duration, status: 'active', createdAt: at,
      expiresAt, revokedAt: null, renewedFromId: input.renewedFromId ?? null, templateHash: templateHash(input.textVersion),
      attestationHash: hash, textVersion: input.textVersion,
    }, { transaction });
    const journalBase = { actorId: aidant.id, organisationId: organisation.id, usagerId: usager.id, mandatId };
    await appendJournal({
      ...journalBase, action: 'create_attestation', demarches, durationDays: MANDAT_DURATIONS[duration].days,
      details: {
        attestationHash: hash, textVersion: input.textVersion, duration, ...(input.renewedFromId ? { renewedFromId: input.renewedFromId } : {}),
        ...(input.signingCard ? { signingCardId: input.signingCard.id, signingCardKind: input.signingCard.kind } : {}),
      },
    }, transaction);
    const autorisations: Autorisation[] = [];
    for (const demarche of demarches) {
      const autorisation = await Autorisation.create({ mandatId, demarche, revokedAt: null, revokedById: null, createdAt: at }, { transaction });
      autorisations.push(autorisation);
      await appendJournal({ ...journalBase, action: 'create_autorisation', autorisationId: autorisation.id, demarches: [demarche] }, transaction);
    }
    return { mandat, autorisations, attestationHash: hash, superseded };
  });
}

/** Revokes the superseded autorisations (journaled), and marks the older mandats left with none as superseded. */
async function supersede(
  existing: (Mandat & { autorisations: Autorisation[] })[],
  next: { organisationId: string; usagerId: string; demarches: Demarche[]; actorId: string; mandatId: string; at: Date },
  transaction: Transaction,
): Promise<CreatedMandat['superseded']> {
  const targets = supersededAutorisations(existing.map(factsOf), next, next.at);
  if (targets.length === 0) return [];
  // Re-checked as they are updated (and locked): one revoked meanwhile (by its workflow, by an aidant) is left alone.
  const [, updated] = await Autorisation.update(
    { revokedAt: next.at, revokedById: next.actorId },
    { where: { id: targets.map((t) => t.autorisationId), revokedAt: null }, transaction, returning: true },
  );
  const revokedIds = new Set(updated.map((a) => a.id));
  const revoked = targets.filter((t) => revokedIds.has(t.autorisationId));
  for (const target of revoked) {
    await appendJournal({
      action: 'cancel_autorisation', actorId: next.actorId, organisationId: next.organisationId, usagerId: next.usagerId, mandatId: target.mandatId,
      autorisationId: target.autorisationId, demarches: [target.demarche], details: { reason: 'superseded', supersededBy: next.mandatId },
    }, transaction);
  }
  const emptied = [...new Set(revoked.map((t) => t.mandatId))];
  if (emptied.length) {
    await Mandat.sequelize!.query(`
      UPDATE mandats m SET status = 'superseded'
      WHERE m.id IN (:ids) AND m.status = 'active'
        AND NOT EXISTS (SELECT 1 FROM autorisations a WHERE a.mandat_id = m.id AND a.revoked_at IS NULL)`, {
      replacements: { ids: emptied }, transaction,
    });
  }
  return revoked;
}

const factsOf = (mandat: Mandat & { autorisations: Autorisation[] }) => ({
  id: mandat.id, organisationId: mandat.organisationId, usagerId: mandat.usagerId, expiresAt: mandat.expiresAt, revokedAt: mandat.revokedAt,
  status: mandat.status, autorisations: mandat.autorisations.map((a) => ({ id: a.id, demarche: a.demarche, revokedAt: a.revokedAt })),
});

// ---------------------------------------------------------------------------------------------------------
// Reading: the usagers of a structure and one usager's mandats, with expired and revoked ones for a year.

export const USAGER_TABS = ['active', 'expired', 'revoked'] as const;

/** Built once: `localeCompare(…, 'fr')` builds a collator per call (30 times slower on a structure's list). */
const FRENCH_NAMES = new Intl.Collator('fr', { sensitivity: 'base' });
export type UsagerTab = (typeof USAGER_TABS)[number];

export interface MandatView extends MandatFacts {
  id: string;
  duration: MandatDuration;
  createdAt: Date;
  status: MandatStatus;
  textVersion: string;
  state: MandatState;
  /** Expiry or revocation date of a mandat that stopped; null while active. */
  endedAt: Date | null;
  expiresSoon: boolean;
  /** The démarches one may act for now (none unless active). */
  activeDemarches: Demarche[];
  autorisations: (AutorisationState & { id: string })[];
  createdByName: string;
}

export interface UsagerSummary {
  id: string;
  givenName: string;
  familyName: string;
  preferredUsername: string | null;
  birthdate: string;
  /** Active when a mandat is; otherwise the state of its latest mandat. */
  tab: UsagerTab;
  expiresSoon: boolean;
  /** The first expiry among its active mandats. */
  nextExpiry: Date | null;
  activeDemarches: Demarche[];
  /** When its latest mandat stopped, for the expired and revoked tabs. */
  endedAt: Date | null;
}

export interface UsagersList {
  counts: Record<UsagerTab, number>;
  usagers: UsagerSummary[];
}

interface MandatRow {
  id: string; usager_id: string; duration: MandatDuration; status: MandatStatus; created_at: Date; expires_at: Date; revoked_at: Date | null;
  text_version: string; autorisations: { id: string; demarche: Demarche; revokedAt: string | null }[];
  created_by_name: string;
  given_name: string; family_name: string; preferred_username: string | null; birthdate: string;
}

function mandatView(row: MandatRow, now: Date): MandatView {
  const facts: MandatFacts & { autorisations: MandatView['autorisations'] } = {
    expiresAt: new Date(row.expires_at), revokedAt: row.revoked_at ? new Date(row.revoked_at) : null, status: row.status,
    autorisations: row.autorisations.map((a) => ({ id: a.id, demarche: a.demarche, revokedAt: a.revokedAt ? new Date(a.revokedAt) : null })),
  };
  return {
    ...facts, id: row.id, duration: row.duration, createdAt: new Date(row.created_at), status: row.status, textVersion: row.text_version,
    state: mandatState(facts, now), endedAt: endDate(facts, now), expiresSoon: expiresSoon(facts, now), activeDemarches: activeDemarches(facts, now),
    createdByName: row.created_by_name,
  };
}

const MANDATS_QUERY = (where: string) => `
  SELECT m.id, m.usager_id, m.duration, m.status, m.created_at, m.expires_at, m.revoked_at, m.text_version,
         trim(c.first_name || ' ' || c.last_name) AS created_by_name,
         u.given_name, u.family_name, u.preferred_username, u.birthdate,
         (SELECT json_agg(json_build_object('id', a.id, 'demarche', a.demarche, 'revokedAt', a.revoked_at) ORDER BY a.demarche)
            FROM autorisations a WHERE a.mandat_id = m.id) AS autorisations
  FROM mandats m
  JOIN usagers u ON u.id = m.usager_id
  JOIN users c ON c.id = m.created_by_id
  WHERE ${where} AND m.expires_at > :since AND u.anonymised_at IS NULL`;

/** Lower case without accents, as names are compared in the search. */
export const foldName = (text: string): string => text.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
const FOLD_FROM = 'àáâäãåçèéêëìíîïñòóôöõùúûüýÿ';
const FOLD_TO = 'aaaaaaceeeeiiiinooooouuuuyy';
/** The words of a search (at most five, each of at most 50 characters), folded. */
export function searchWords(search: string): string[] {
  return foldName(search.slice(0, 200)).split(/[\s,;]+/).filter(Boolean).slice(0, 5).map((word) => word.slice(0, 50));
}

/**
 * The SQL conditions of a search over the usagers `u` (every word typed in their names, accents folded); `param`
 * takes each word's LIKE pattern and answers its placeholder (`:word0` for replacements, `$4` for rawQuery).
 */
export function usagerSearchConditions(search: string, param: (pattern: string) => string): string[] {
  return searchWords(search).map((word) =>
    `translate(lower(u.given_name || ' ' || u.family_name || ' ' || coalesce(u.preferred_username, '')), '${FOLD_FROM}', '${FOLD_TO}') LIKE ${param(`%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
}

/** Usagers in the order of the lists: family name, then given name, as French sorts them. */
export const byFrenchName = (a: { familyName: string; givenName: string }, b: { familyName: string; givenName: string }): number =>
  FRENCH_NAMES.compare(a.familyName, b.familyName) || FRENCH_NAMES.compare(a.givenName, b.givenName);

/**
 * The usagers of a structure with a mandat visible (active, or expired or revoked less than a year ago), in
 * one query over the structure's mandats; `search` keeps those whose names contain every word typed.
 */
export async function listUsagers(sequelize: Sequelize, options: { organisationId: string; tab: UsagerTab; search?: string; now?: Date }): Promise<UsagersList> {
  const now = options.now ?? new Date();
  const replacements: Record<string, unknown> = { organisationId: options.organisationId, since: visibleSince(now) };
  const conditions = usagerSearchConditions(options.search ?? '', (pattern) => {
    const name = `word${Object.keys(replacements).length}`;
    replacements[name] = pattern;
    return `:${name}`;
  });
  const rows = await sequelize.query<MandatRow>(MANDATS_QUERY(['m.organisation_id = :organisationId', ...conditions].join(' AND ')), {
    replacements, type: QueryTypes.SELECT,
  });
  const byUsager = new Map<string, { row: MandatRow; mandats: MandatView[] }>();
  for (const row of rows) {
    const view = mandatView(row, now);
    if (!isVisible(view, now)) continue;
    const entry = byUsager.get(row.usager_id) ?? { row, mandats: [] };
    entry.mandats.push(view);
    byUsager.set(row.usager_id, entry);
  }
  const summaries = [...byUsager.values()].map(({ row, mandats }) => summarise(row, mandats));
  const counts = { active: 0, expired: 0, revoked: 0 };
  for (const summary of summaries) counts[summary.tab] += 1;
  const usagers = summaries.filter((s) => s.tab === options.tab).sort(byFrenchName);
  return { counts, usagers };
}

function summarise(row: MandatRow, mandats: MandatView[]): UsagerSummary {
  const active = mandats.filter((m) => m.state === 'active');
  const latest = [...mandats].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
  return {
    id: row.usager_id, givenName: row.given_name, familyName: row.family_name, preferredUsername: row.preferred_username, birthdate: row.birthdate,
    tab: active.length ? 'active' : latest.state as UsagerTab,
    expiresSoon: active.some((m) => m.expiresSoon),
    nextExpiry: active.length ? new Date(Math.min(...active.map((m) => m.expiresAt.getTime()))) : null,
    activeDemarches: [...new Set(active.flatMap((m) => m.activeDemarches))].sort(),
    endedAt: active.length ? null : latest.endedAt,
  };
}

export interface UsagerMandats {
  usager: Pick<UsagerSummary, 'id' | 'givenName' | 'familyName' | 'preferredUsername' | 'birthdate'>;
  active: MandatView[];
  expired: MandatView[];
  revoked: MandatView[];
}

/**
 * One usager as a structure sees it: its visible mandats there, grouped. Null (a 404 for the pages) for a
 * malformed id, an unknown usager, or one without a visible mandat of this structure — the same answer, so
 * that other structures' usagers cannot be probed.
 */
export async function usagerMandats(sequelize: Sequelize, options: { organisationId: string; usagerId: string; now?: Date }): Promise<UsagerMandats | null> {
  if (!isUuid(options.usagerId)) return null;
  const now = options.now ?? new Date();
  const rows = await sequelize.query<MandatRow>(`${MANDATS_QUERY('m.usager_id = :usagerId AND m.organisation_id = :organisationId')} ORDER BY m.created_at DESC`, {
    replacements: { organisationId: options.organisationId, usagerId: options.usagerId, since: visibleSince(now) }, type: QueryTypes.SELECT,
  });
  const mandats = rows.map((row) => mandatView(row, now)).filter((m) => isVisible(m, now));
  if (mandats.length === 0) return null;
  const row = rows[0];
  return {
    usager: { id: row.usager_id, givenName: row.given_name, familyName: row.family_name, preferredUsername: row.preferred_username, birthdate: row.birthdate },
    active: mandats.filter((m) => m.state === 'active'),
    expired: mandats.filter((m) => m.state === 'expired'),
    revoked: mandats.filter((m) => m.state === 'revoked'),
  };
}
