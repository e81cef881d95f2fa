// Roles of ANCT people in the back-office, and what each may do. Aidant and référent are per-structure
// memberships (organisation_memberships), not staff roles.

export const STAFF_ROLES = {
  anct_jury: 'Membre du comité ANCT',
  anct_staff: 'Équipe ANCT',
  tech_admin: 'Administrateur technique',
} as const;
export type StaffRole = keyof typeof STAFF_ROLES;
export const STAFF_ROLE_KEYS = Object.keys(STAFF_ROLES) as StaffRole[];

export type BackOfficeCapability =
  | 'decide_habilitation'
  | 'follow_onboarding'
  /** Publish training sessions and record their attendance: the ANCT team's work, not the comité's. */
  | 'manage_training'
  /** Write and publish the translations of the mandat's text (the ANCT team's content). */
  | 'manage_mandat_translations'
  | 'manage_cards'
  | 'read_mandats'
  | 'read_journal'
  /** Recompute the journal's hash chain from the back-office: an integrity check for the technical admin. */
  | 'verify_journal'
  /** See what the retention would delete now (« dry run »), without deleting: the technical admin's. */
  | 'preview_retention'
  /**
   * Download the aidants, structures and habilitation requests as CSV: bulk copies of personal data leaving
   * the service, for the team that steers the network (and the technical admin); not the comité, which decides
   * on requests one at a time and has them in the back-office.
   */
  | 'export_data'
  | 'manage_usagers'
  | 'manage_staff';

const CAPABILITIES: Record<StaffRole, readonly BackOfficeCapability[]> = {
  anct_jury: ['decide_habilitation', 'follow_onboarding'],
  anct_staff: ['follow_onboarding', 'manage_training', 'manage_mandat_translations', 'manage_cards', 'read_mandats', 'read_journal', 'export_data'],
  tech_admin: ['decide_habilitation', 'follow_onboarding', 'manage_training', 'manage_mandat_translations', 'manage_cards', 'read_mandats', 'read_journal', 'verify_journal', 'preview_retention', 'export_data', 'manage_usagers', 'manage_staff'],
};

export function can(roles: readonly string[] | undefined, capability: BackOfficeCapability): boolean {
  return (roles ?? []).some((role) => (CAPABILITIES as Record<string, readonly BackOfficeCapability[]>)[role]?.includes(capability));
}
