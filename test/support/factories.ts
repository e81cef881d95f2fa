// Builders for test data, with unique e-mails so test files never collide.
import { parseHabilitationRequest } from '../../domain/habilitation-form.js';
import { createRequestDraft } from '../../services/habilitation.js';
import type { Sequelize } from 'sequelize';
import { AidantOnboarding, Organisation, OrganisationMembership, User } from '../../db/models/index.js';
import { unique } from './env.js';

export const VALID_SIRET = '78234567800018';

export function validFormBody(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    issuerFirstName: 'Léa', issuerLastName: 'Roux', issuerEmail: `${unique('demandeur-')}@exemple.fr`, issuerProfession: 'Directrice',
    issuerPhone: '06 12 34 56 78', referentIsIssuer: 'on', structureName: 'CCAS d’Anglet', structureType: 'ccas', siret: VALID_SIRET,
    address: '1 rue de la Mairie', zipcode: '64600', city: 'Anglet',
    aidant1_firstName: 'Karim', aidant1_lastName: 'Benali', aidant1_email: `${unique('aidant-')}@exemple.fr`, aidant1_profession: 'Travailleur social',
    pledge_cgu: 'on', pledge_not_free: 'on', pledge_dpo: 'on', pledge_professionals_only: 'on', pledge_without_elected: 'on',
    ...overrides,
  };
}

export async function createDraftRequest(sequelize: Sequelize, overrides: Record<string, string> = {}) {
  const { value, errors } = parseHabilitationRequest(validFormBody(overrides));
  if (!value) throw new Error(`invalid test request: ${JSON.stringify(errors)}`);
  return (await createRequestDraft(sequelize, value)).request;
}

export async function createJuryMember(): Promise<User> {
  return User.create({
    email: `${unique('jury-')}@anct.invalid`, firstName: 'Jeanne', lastName: 'Comité', profession: 'ANCT', phone: null,
    currentOrganisationId: null, staffRoles: ['anct_jury'], passwordHash: 'scrypt$x', adminTotpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    lastLoginAt: null, lastActivityAt: null,
  });
}

/** A habilitated structure with an active référent, and one aidant to train in it (an onboarding row). */
export async function createStructureWithOnboarding() {
  const organisation = await Organisation.create({
    name: `CCAS ${unique()}`, type: 'ccas', typeOther: null, siret: '26170021400016', address: '1 place', zipcode: '17460', city: 'Préguillac',
    departmentCode: '17', franceServicesLabel: false, franceServicesNumber: null, habilitationNumber: null,
  });
  const referent = await User.create({
    email: `${unique('referent-')}@exemple.fr`, firstName: 'Camille', lastName: 'Martin', profession: 'Directrice', phone: null,
    currentOrganisationId: organisation.id, passwordHash: null, adminTotpSecret: null, lastLoginAt: null, lastActivityAt: null,
  });
  await OrganisationMembership.create({ userId: referent.id, organisationId: organisation.id, isReferent: true, canCreateMandats: false });
  const onboarding = await AidantOnboarding.create({
    organisationId: organisation.id, habilitationRequestId: null, aidantRequestId: null, userId: null,
    email: `${unique('aidant-')}@exemple.fr`, firstName: 'Karim', lastName: 'Benali', profession: 'Travailleur social',
    trainingDeadline: new Date(Date.now() + 60 * 86_400_000), trainingDate: null, lapsedAt: null, cancelledAt: null, cancelReason: null, completedAt: null,
  });
  return { organisation, referent, onboarding };
}
