// Usagers and mandats for tests: a usager; a mandat created through services/mandats.ts (at any date); and,
// for the lifecycle tests, a mandat written straight into the database at a chosen instant.
import { createHash } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { Autorisation, Mandat, Usager, type Organisation, type User } from '../../db/models/index.js';
import type { Demarche } from '../../domain/demarches.js';
import { MANDAT_TEXT_VERSION, mandatExpiry, type MandatDuration } from '../../domain/mandat.js';
import { createMandat, type CreatedMandat } from '../../services/mandats.js';
import { unique } from './env.js';

export async function createUsager(names: { givenName?: string; familyName?: string; birthdate?: string } = {}): Promise<Usager> {
  return Usager.create({
    sub: unique('sub-'), givenName: names.givenName ?? 'Marie', familyName: names.familyName ?? unique('Lefèvre-'), preferredUsername: null,
    gender: 'female', birthdate: names.birthdate ?? '1948-03-12', birthplace: '17300', email: null, phone: null, anonymisedAt: null,
  });
}

/** A mandat signed by `aidant` for `organisation` at `at` (now by default), through the real creation. */
export function signMandat(sequelize: Sequelize, options: {
  aidant: User; organisation: Organisation; usager: Usager; demarches: string[]; duration?: MandatDuration; at?: Date;
}): Promise<CreatedMandat> {
  return createMandat(sequelize, {
    aidant: options.aidant, organisation: options.organisation, usagerId: options.usager.id, demarches: options.demarches,
    duration: options.duration ?? 'LONG', textVersion: MANDAT_TEXT_VERSION, at: options.at,
  });
}

/** Revokes autorisations as an aidant would (the revocation pages are not built yet). */
export async function revokeAutorisations(mandatId: string, demarches: string[] | 'all', at = new Date()): Promise<void> {
  const where = demarches === 'all' ? { mandatId } : { mandatId, demarche: demarches };
  await Autorisation.update({ revokedAt: at }, { where: { ...where, revokedAt: null } });
}

export const mandatOf = (id: string) => Mandat.findByPk(id, { include: [{ model: Autorisation, as: 'autorisations' }] }) as Promise<Mandat & { autorisations: Autorisation[] }>;
export const DAY = 86_400_000;

export interface TestMandatOptions {
  duration: MandatDuration;
  demarches?: Demarche[];
  /** The signature's instant (now by default); the expiry follows from the duration. */
  createdAt?: Date;
  usager?: Usager;
}

export async function createTestMandat(organisation: Organisation, aidant: User, options: TestMandatOptions): Promise<{ mandat: Mandat; usager: Usager }> {
  const usager = options.usager ?? await createUsager();
  const createdAt = options.createdAt ?? new Date();
  const mandat = await Mandat.create({
    organisationId: organisation.id, usagerId: usager.id, createdById: aidant.id, duration: options.duration, createdAt,
    expiresAt: mandatExpiry(createdAt, options.duration), revokedAt: null, renewedFromId: null,
    templateHash: createHash('sha256').update('test-template').digest('hex'), attestationHash: createHash('sha256').update(unique()).digest('hex'),
  });
  for (const demarche of options.demarches ?? ['papiers', 'social']) {
    await Autorisation.create({ mandatId: mandat.id, demarche, revokedAt: null, revokedById: null });
  }
  return { mandat, usager };
}
