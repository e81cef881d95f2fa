// Builders for test data, with unique e-mails so test files never collide.
import type { Sequelize } from 'sequelize';
import { parseAidants, parseIssuer, parsePledges, parseReferent, parseStructure, type Parsed } from '../../domain/habilitation-form.js';
import { createRequestDraft, saveAidants, saveReferent, submitRequest } from '../../services/habilitation.js';
import { registerIssuer } from '../../services/issuers.js';
import { generateSecret } from 'otplib';
import type { StaffRole } from '../../domain/roles.js';
import { DEMO_PASSWORD } from '../../services/demo-data.js';
import { hashPassword } from '../../services/passwords.js';
import { AidantOnboarding, HabilitationRequest, Issuer, Organisation, OrganisationMembership, User } from '../../db/models/index.js';
import { loadConfig } from '../../config/index.js';
import { createSecretBox } from '../../services/secret-box.js';
import { unique } from './env.js';

/** Seals secrets as the processes under test do (same SECRETS_KEY, the development one unless set). */
export const testSecrets = createSecretBox(loadConfig({ NODE_ENV: 'test', SECRETS_KEY: process.env.SECRETS_KEY }).secrets.key);

export const VALID_SIRET = '78234567800018';

type Body = Record<string, string>;

/** Valid form bodies of each step of the public habilitation form, with unique e-mails. */
export function validStepBodies(overrides: { issuer?: Body; structure?: Body; referent?: Body; aidants?: Body } = {}) {
  return {
    issuer: { firstName: 'Léa', lastName: 'Roux', email: `${unique('demandeur-')}@exemple.fr`, profession: 'Directrice', phone: '05 59 12 34 56', ...overrides.issuer },
    structure: {
      name: 'CCAS d’Anglet', type: 'ccas', siret: VALID_SIRET, address: '1 rue de la Mairie', zipcode: '64600', city: 'Anglet',
      missionDescription: 'Accueil social et aide aux démarches en ligne.', ...overrides.structure,
    },
    referent: { referentIsIssuer: 'on', phone: '06 12 34 56 78', ...overrides.referent },
    aidants: {
      aidant1_firstName: 'Karim', aidant1_lastName: 'Benali', aidant1_email: `${unique('aidant-')}@exemple.fr`, aidant1_profession: 'Travailleur social',
      ...overrides.aidants,
    },
    pledges: { pledge_cgu: 'on', pledge_not_free: 'on', pledge_dpo: 'on', pledge_professionals_only: 'on', pledge_without_elected: 'on' },
  };
}

function valid<T>(step: string, parsed: Parsed<T>): T {
  if (!parsed.value) throw new Error(`invalid test ${step}: ${JSON.stringify(parsed.errors)}`);
  return parsed.value;
}

/**
 * A request filled in step by step and submitted by a confirmed demandeur, as the public form does, whose
 * workflow is not started yet (the test starts it).
 */
export async function createSubmittedRequest(sequelize: Sequelize, overrides: Parameters<typeof validStepBodies>[0] = {}): Promise<HabilitationRequest> {
  const bodies = validStepBodies(overrides);
  const issuer = await registerIssuer(sequelize, valid('issuer', parseIssuer(bodies.issuer)));
  await Issuer.update({ emailVerifiedAt: new Date() }, { where: { id: issuer.id } });
  const request = await createRequestDraft(issuer.id, valid('structure', parseStructure(bodies.structure)));
  const referent = valid('referent', parseReferent(bodies.referent, issuer));
  await saveReferent(sequelize, request.id, referent);
  await saveAidants(sequelize, request.id, valid('aidants', parseAidants(bodies.aidants, referent)));
  await submitRequest(sequelize, request.id, valid('pledges', parsePledges(bodies.pledges)));
  return request.reload();
}

/** An ANCT person of this test file, with the demo password and their own TOTP secret (codes are single-use). */
export async function createStaffMember(role: StaffRole): Promise<{ id: string; email: string; totp: string }> {
  const totp = generateSecret();
  const user = await User.create({
    email: `${unique(`${role}-`)}@anct.invalid`, firstName: 'Agent', lastName: 'ANCT', profession: 'ANCT', phone: null,
    currentOrganisationId: null, staffRoles: [role], passwordHash: await hashPassword(DEMO_PASSWORD), sealedAdminTotpSecret: testSecrets.seal(totp),
    lastLoginAt: null, lastActivityAt: null,
  });
  return { id: user.id, email: user.email, totp };
}

export async function createJuryMember(): Promise<User> {
  return User.create({
    email: `${unique('jury-')}@anct.invalid`, firstName: 'Jeanne', lastName: 'Comité', profession: 'ANCT', phone: null,
    currentOrganisationId: null, staffRoles: ['anct_jury'], passwordHash: 'scrypt$x', sealedAdminTotpSecret: testSecrets.seal('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'),
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
    currentOrganisationId: organisation.id, passwordHash: null, sealedAdminTotpSecret: null, lastLoginAt: null, lastActivityAt: null,
  });
  await OrganisationMembership.create({ userId: referent.id, organisationId: organisation.id, isReferent: true, canCreateMandats: false });
  const onboarding = await AidantOnboarding.create({
    organisationId: organisation.id, habilitationRequestId: null, aidantRequestId: null, userId: null,
    email: `${unique('aidant-')}@exemple.fr`, firstName: 'Karim', lastName: 'Benali', profession: 'Travailleur social',
    trainingDeadline: new Date(Date.now() + 60 * 86_400_000), trainingDate: null, lapsedAt: null, cancelledAt: null, cancelReason: null, completedAt: null,
  });
  return { organisation, referent, onboarding };
}
