// Rules of the espace aidant shared by its pages and the demo: the CGU version to accept, and where a person
// lands after a login.

/** The version of the CGU people accept from their espace aidant (shown until accepted, never blocking). */
export const CGU_VERSION = '2026-03';

/** Where the reference service publishes its CGU. */
export const CGU_URL = 'https://aidantsconnect.beta.gouv.fr/cgu/';

/** After a login without a page to return to: a référent who creates no mandats has only the espace référent. */
export function landingPath(membership: { isReferent: boolean; canCreateMandats: boolean }): string {
  return membership.isReferent && !membership.canCreateMandats ? '/espace-referent' : '/espace-aidant';
}

/** What a person is in a structure, in French. */
export function membershipRole(membership: { isReferent: boolean; canCreateMandats: boolean }): string {
  if (!membership.isReferent) return 'Aidant';
  return membership.canCreateMandats ? 'Référent et aidant' : 'Référent';
}
