// Mandats written straight into the database for lifecycle tests (the creation flow has its own tests): a
// usager and a mandat of a structure with one autorisation per démarche, created at a chosen instant.
import { createHash } from 'node:crypto';
import { Autorisation, Mandat, Usager, type Organisation, type User } from '../../db/models/index.js';
import type { Demarche } from '../../domain/demarches.js';
import { mandatExpiry, type MandatDuration } from '../../domain/mandat.js';
import { unique } from './env.js';

export async function createUsager(name: { givenName?: string; familyName?: string } = {}): Promise<Usager> {
  return Usager.create({
    sub: unique('sub-'), givenName: name.givenName ?? 'Élise', familyName: name.familyName ?? 'Moreau', preferredUsername: null,
    gender: 'female', birthdate: '1950-04-12', birthplace: '17300', email: null, phone: null, anonymisedAt: null,
  });
}

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
