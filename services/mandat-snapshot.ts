// The mandat lifecycle's view of a mandat, read from the database: by its activities, and by
// services/lifecycles.ts to start a workflow that answers queries and updates from its first instant.
import type { Transaction } from 'sequelize';
import { Autorisation, Mandat } from '../db/models/index.js';
import type { MandatSnapshot } from '../domain/mandat-lifecycle.js';

export async function snapshotOf(mandat: Mandat, transaction?: Transaction): Promise<MandatSnapshot> {
  const autorisations = await Autorisation.findAll({ where: { mandatId: mandat.id }, order: [['demarche', 'ASC']], transaction });
  return {
    mandatId: mandat.id, organisationId: mandat.organisationId, duration: mandat.duration, status: mandat.status,
    expiresAt: mandat.expiresAt.toISOString(), revokedAt: mandat.revokedAt?.toISOString() ?? null,
    demarches: autorisations.map((a) => ({ demarche: a.demarche, revoked: a.revokedAt !== null })),
  };
}

/** The mandat's snapshot, or null when there is no such mandat. */
export async function loadMandatSnapshot(mandatId: string, transaction?: Transaction): Promise<MandatSnapshot | null> {
  const mandat = await Mandat.findByPk(mandatId, { transaction });
  return mandat ? snapshotOf(mandat, transaction) : null;
}
