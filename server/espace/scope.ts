// What a référent may reach: the people of their current structure, nothing else. Any other id (another
// structure's aidant, an unknown or malformed id) answers the same 404, so that ids of other structures
// cannot be probed.
import { OrganisationMembership, User } from '../../db/models/index.js';
import { NotFoundError } from '../../domain/errors.js';
import type { EspacePerson } from './session.js';
import { isUuid } from '../../domain/uuid.js';

export const NOT_IN_STRUCTURE = 'Ce profil aidant n’existe pas ou n’est pas membre de votre structure active. S’il est membre d’une autre de vos structures, changez de structure pour le gérer.';

export interface ManagedAidant {
  user: User;
  /** The aidant's membership of the référent's current structure (active or not). */
  membership: OrganisationMembership;
}

/** The person `aidantId` as a member (active or deactivated) of the référent's current structure, or a 404. */
export async function findManagedAidant(referent: EspacePerson, aidantId: string): Promise<ManagedAidant> {
  if (!isUuid(aidantId)) throw new NotFoundError(NOT_IN_STRUCTURE);
  const membership = await OrganisationMembership.findOne({ where: { userId: aidantId, organisationId: referent.organisation.id } });
  const user = membership ? await User.findByPk(aidantId) : null;
  if (!membership || !user) throw new NotFoundError(NOT_IN_STRUCTURE);
  return { user, membership };
}

