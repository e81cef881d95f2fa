// A mandat's renewal: the usager is already known to the structure, so there is no FranceConnect step. The
// aidant chooses the démarches and the duration again; a `connections` row of kind 'renewal' keeps that choice
// and the mandat renewed (journaled `init_renew_mandat`), and the recap of the creation flow signs it (card
// code and consent) — the same creation, with the supersession of the overlapping autorisations.
import type { Sequelize } from 'sequelize';
import { Connection, Mandat, Usager } from '../db/models/index.js';
import { usagerMandats } from './mandats.js';
import { isUuid } from '../domain/uuid.js';
import { InvalidTransitionError, NotFoundError } from '../domain/errors.js';
import { MANDAT_DURATIONS, renewalDecision, RENEWAL_REFUSALS, type MandatChoice } from '../domain/mandat.js';
import { appendJournal } from './journal.js';

/** The recap of a renewal must be signed within this delay (then the aidant starts the renewal again). */
export const RENEWAL_TTL_MS = 30 * 60_000;

/** The mandat a structure's aidant would renew for this usager now; NotFound / InvalidTransition with the reference's messages. */
export async function renewableMandat(sequelize: Sequelize, input: { organisationId: string; usagerId: string; now?: Date }) {
  const now = input.now ?? new Date();
  const found = await usagerMandats(sequelize, { organisationId: input.organisationId, usagerId: input.usagerId, now });
  if (!found) {
    // Mandats here that all ended more than a year ago: the usager is known, but nothing is renewable.
    const known = isUuid(input.usagerId) && await Mandat.count({ where: { organisationId: input.organisationId, usagerId: input.usagerId } }) > 0;
    throw known ? new InvalidTransitionError(RENEWAL_REFUSALS.notRenewable) : new NotFoundError(RENEWAL_REFUSALS.notFound);
  }
  const decision = renewalDecision([...found.active, ...found.expired, ...found.revoked], now);
  if (!decision.renewable) throw new InvalidTransitionError(decision.message);
  return { usager: found.usager, from: decision.from };
}

/**
 * Opens a renewal (journaled `init_renew_mandat`) for the aidant in their structure; answers the id the recap
 * takes (`?connexion=`), bound to this aidant and structure like an identification.
 */
export async function startRenewal(
  sequelize: Sequelize,
  input: { aidantId: string; organisationId: string; usagerId: string; choice: MandatChoice; now?: Date },
): Promise<{ connectionId: string; renewedFromId: string }> {
  const now = input.now ?? new Date();
  const { from } = await renewableMandat(sequelize, { organisationId: input.organisationId, usagerId: input.usagerId, now });
  return sequelize.transaction(async (transaction) => {
    const usager = await Usager.findByPk(input.usagerId, { transaction });
    if (!usager || usager.anonymisedAt) throw new NotFoundError(RENEWAL_REFUSALS.notFound);
    const connection = await Connection.create({
      kind: 'renewal', state: null, nonce: null, aidantId: input.aidantId, organisationId: input.organisationId, usagerId: usager.id,
      demarches: input.choice.demarches, duration: input.choice.duration, demarche: null, autorisationId: null, requestedScope: null,
      codeHash: null, codeUsedAt: null, accessTokenHash: null, expiresAt: new Date(now.getTime() + RENEWAL_TTL_MS), renewedFromId: from.id,
    }, { transaction });
    await appendJournal({
      action: 'init_renew_mandat', actorId: input.aidantId, organisationId: input.organisationId, usagerId: usager.id, mandatId: from.id,
      demarches: input.choice.demarches, durationDays: MANDAT_DURATIONS[input.choice.duration].days, details: { duration: input.choice.duration },
    }, transaction);
    return { connectionId: connection.id, renewedFromId: from.id };
  });
}
