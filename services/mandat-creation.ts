// The mandat's creation from a FranceConnect identification: the identification serves once (marked used in
// the creation's transaction, refused once expired or used, or when it is not this aidant's in this
// structure), then, after the commit, the new mandat's workflow is started and the workflows of the mandats it
// superseded are told. Those Temporal calls may fail: the mandat exists all the same.
import type { Sequelize, Transaction } from 'sequelize';
import { Connection } from '../db/models/index.js';
import { DomainError } from '../domain/errors.js';
import { MANDAT_TEXT_VERSION } from '../domain/mandat.js';
import type { Logger } from '../infra/logger.js';
import type { Lifecycles } from './lifecycles.js';
import { createMandat, type CreatedMandat } from './mandats.js';

export const IDENTIFICATION_REFUSALS = {
  expired: 'L’identification de l’usager a expiré : recommencez la création du mandat et identifiez à nouveau l’usager avec FranceConnect.',
  used: 'Cette identification de l’usager a déjà servi à créer un mandat. Pour en créer un autre, recommencez depuis le début.',
  unknown: 'Cette identification de l’usager est introuvable ou ne vous appartient pas.',
} as const;

/** An identification that cannot serve (any more): 409, the French reason. */
export class IdentificationUnusable extends DomainError {
  constructor(readonly reason: keyof typeof IDENTIFICATION_REFUSALS) {
    super(IDENTIFICATION_REFUSALS[reason], `identification_${reason}`, reason === 'unknown' ? 404 : 409);
  }
}

/** Why an identification cannot serve now (null when it can): used, then expired. */
export function identificationProblem(connection: { usedAt: Date | null; expiresAt: Date }, now: Date): keyof typeof IDENTIFICATION_REFUSALS | null {
  if (connection.usedAt) return 'used';
  if (connection.expiresAt.getTime() <= now.getTime()) return 'expired';
  return null;
}

/** Marks the identification used, inside the creation's transaction (row locked: two posts take turns). */
async function claimIdentification(transaction: Transaction, input: { connectionId: string; aidantId: string; organisationId: string; usagerId: string; at: Date }) {
  const connection = await Connection.findOne({
    where: { id: input.connectionId, kind: 'franceconnect_client', aidantId: input.aidantId, organisationId: input.organisationId },
    lock: transaction.LOCK.UPDATE, transaction,
  });
  if (!connection?.identifiedAt || connection.usagerId !== input.usagerId) throw new IdentificationUnusable('unknown');
  const problem = identificationProblem(connection, input.at);
  if (problem) throw new IdentificationUnusable(problem);
  await connection.update({ usedAt: input.at }, { transaction });
}

export interface MandatCreationResult extends CreatedMandat {
  /** False when Temporal could not start the mandat's workflow (not retried yet: see the report of this work). */
  started: boolean;
}

/**
 * Creates the mandat the aidant signs (their card code checked by the caller) for the usager identified by
 * `connectionId`, with the démarches and duration kept with that identification.
 */
export async function createMandatFromIdentification(
  deps: { sequelize: Sequelize; lifecycles: Lifecycles; log: Logger },
  input: { connectionId: string; aidantId: string; organisationId: string; usagerId: string; demarches: readonly string[]; duration: string },
): Promise<MandatCreationResult> {
  const at = new Date();
  const created = await createMandat(deps.sequelize, {
    aidant: { id: input.aidantId }, organisation: { id: input.organisationId }, usagerId: input.usagerId,
    demarches: input.demarches, duration: input.duration, textVersion: MANDAT_TEXT_VERSION, at,
    claim: (transaction) => claimIdentification(transaction, { ...input, at }),
  });

  // After the commit, never inside it: Temporal may be slow or down.
  let started = true;
  try {
    await deps.lifecycles.startMandat(created.mandat.id);
  } catch (error) {
    started = false;
    deps.log.warn('mandat workflow not started', { mandatId: created.mandat.id, error: String((error as Error)?.message ?? error).split('\n')[0] });
  }
  // The older mandats' workflows learn that these démarches were revoked by the supersession (already done in
  // the database: their activity takes the database's state). A failure is only logged: the creation stands,
  // and a workflow that missed it reloads the mandat when it next runs an activity.
  for (const superseded of created.superseded) {
    try {
      await deps.lifecycles.revokeAutorisation(superseded.mandatId, superseded.demarche, input.aidantId);
    } catch (error) {
      deps.log.warn('superseded mandat workflow not told', { mandatId: superseded.mandatId, error: String((error as Error)?.message ?? error).split('\n')[0] });
    }
  }
  return { ...created, started };
}
