// Demo data for a person trying the service: ANCT accounts, a habilitated structure with its référent,
// aidants and cards, usagers with a mandat of each duration, and a request awaiting the comité.
// Idempotent: does nothing when the demo jury account already exists.
import { createHash } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import {
  Autorisation, Card, HabilitationRequest, Issuer, Mandat, Organisation, OrganisationMembership, Usager, User,
} from '../db/models/index.js';
import type { Demarche } from '../domain/demarches.js';
import { MANDAT_DURATIONS, mandatExpiry, type MandatDuration } from '../domain/mandat.js';
import { appendJournal } from './journal.js';
import { hashPassword } from './passwords.js';
import type { SecretBox } from './secret-box.js';

export const DEMO_PASSWORD = 'demo-anct-2026';
export const DEMO_STAFF = [
  { email: 'jury@anct.demo', firstName: 'Jeanne', lastName: 'Comité', roles: ['anct_jury'], totp: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' },
  { email: 'equipe@anct.demo', firstName: 'Étienne', lastName: 'Suivi', roles: ['anct_staff'], totp: 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU' },
  { email: 'tech@anct.demo', firstName: 'Thomas', lastName: 'Technique', roles: ['tech_admin'], totp: 'MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK' },
] as const;

export const demoCardSeed = (serial: string) => createHash('sha256').update(`demo-card-${serial}`).digest('hex').slice(0, 40);
export const DEMO_CARD_SERIALS = ['GADT0000001', 'GADT0000002', 'GADT0000003'];
export const TEMPLATE_HASH = createHash('sha256').update('mandat-template-2026-03-23').digest('hex');

export class DemoDataRefusedError extends Error {
  constructor() {
    super('Demo data cannot be created when NODE_ENV=production: its password is public and its TOTP secrets are in the source code. Seed a development or test database instead.');
    this.name = 'DemoDataRefusedError';
  }
}

/** Demo accounts in production would be open doors: refused whoever asks (npm run seed, npm start, a script). */
export function assertDemoDataAllowed(nodeEnv = process.env.NODE_ENV): void {
  if (nodeEnv === 'production') throw new DemoDataRefusedError();
}

export async function seedDemoData(sequelize: Sequelize, secrets: SecretBox): Promise<boolean> {
  assertDemoDataAllowed();
  if (await User.findOne({ where: { email: DEMO_STAFF[0].email } })) return false;
  const passwordHash = await hashPassword(DEMO_PASSWORD);

  await sequelize.transaction(async (transaction) => {
    for (const person of DEMO_STAFF) {
      await User.create({
        email: person.email, firstName: person.firstName, lastName: person.lastName, profession: 'ANCT', phone: null,
        currentOrganisationId: null, staffRoles: [...person.roles], passwordHash, sealedAdminTotpSecret: secrets.seal(person.totp),
        lastLoginAt: null, lastActivityAt: null,
      }, { transaction });
    }

    const structure = await Organisation.create({
      name: 'CCAS de Préguillac', type: 'ccas', typeOther: null, siret: '26170021400016', address: '1 place de la Mairie',
      zipcode: '17460', city: 'Préguillac', departmentCode: '17', franceServicesLabel: false, franceServicesNumber: null,
      habilitationNumber: 'AC-17-DEMO0001',
    }, { transaction });

    const people = [
      { email: 'referente@ccas-preguillac.demo', firstName: 'Camille', lastName: 'Martin', profession: 'Directrice du CCAS', referent: true, serial: 'GADT0000001' },
      { email: 'karim.benali@ccas-preguillac.demo', firstName: 'Karim', lastName: 'Benali', profession: 'Travailleur social', referent: false, serial: 'GADT0000002' },
      { email: 'sophie.durand@ccas-preguillac.demo', firstName: 'Sophie', lastName: 'Durand', profession: 'Conseillère numérique', referent: false, serial: 'GADT0000003' },
    ];
    const aidants: User[] = [];
    for (const person of people) {
      const user = await User.create({
        email: person.email, firstName: person.firstName, lastName: person.lastName, profession: person.profession, phone: null,
        currentOrganisationId: structure.id, passwordHash: null, sealedAdminTotpSecret: null, lastLoginAt: null, lastActivityAt: null,
      }, { transaction });
      await OrganisationMembership.create({ userId: user.id, organisationId: structure.id, isReferent: person.referent, canCreateMandats: true }, { transaction });
      const now = new Date();
      await Card.create({ serialNumber: person.serial, sealedSeed: secrets.seal(demoCardSeed(person.serial)), aidantId: user.id, linkedAt: now, validatedAt: now, lastUsedStep: null }, { transaction });
      aidants.push(user);
    }
    for (let i = 10; i < 20; i += 1) {
      const serial = `GADT00000${i}`;
      await Card.create({ serialNumber: serial, sealedSeed: secrets.seal(demoCardSeed(serial)), aidantId: null, linkedAt: null, validatedAt: null, lastUsedStep: null }, { transaction });
    }

    const usagers = [
      { givenName: 'Marie Louise', familyName: 'Lefèvre', gender: 'female', birthdate: '1948-03-12', birthplace: '17300', duration: 'SHORT', demarches: ['social'] },
      { givenName: 'Ahmed', familyName: 'Haddad', gender: 'male', birthdate: '1961-11-02', birthplace: '', duration: 'MONTH', demarches: ['travail', 'argent'] },
      { givenName: 'Josiane', familyName: 'Moreau', gender: 'female', birthdate: '1939-07-25', birthplace: '17415', duration: 'SEMESTER', demarches: ['logement', 'famille'] },
      { givenName: 'Lucien', familyName: 'Girard', gender: 'male', birthdate: '1955-01-30', birthplace: '16015', duration: 'LONG', demarches: ['papiers', 'social', 'transports'] },
    ] as const;
    for (const [index, data] of usagers.entries()) {
      const usager = await Usager.create({
        sub: createHash('sha256').update(`demo-usager-${index}`).digest('hex'), givenName: data.givenName, familyName: data.familyName,
        preferredUsername: null, gender: data.gender, birthdate: data.birthdate, birthplace: data.birthplace || null,
        birthcountry: data.birthplace ? '99100' : '99350', email: `usager${index + 1}@exemple.demo`, phone: null, anonymisedAt: null,
      }, { transaction });
      const createdAt = new Date();
      const duration = data.duration as MandatDuration;
      const aidant = aidants[1 + (index % 2)];
      const mandat = await Mandat.create({
        organisationId: structure.id, usagerId: usager.id, createdById: aidant.id, duration, createdAt,
        expiresAt: mandatExpiry(createdAt, duration), revokedAt: null, renewedFromId: null, templateHash: TEMPLATE_HASH,
        attestationHash: createHash('sha256').update([aidant.id, createdAt.toISOString().slice(0, 10), [...data.demarches].sort().join(','), structure.id, TEMPLATE_HASH, usager.sub].join(';')).digest('hex'),
      }, { transaction });
      for (const demarche of data.demarches) {
        await Autorisation.create({ mandatId: mandat.id, demarche: demarche as Demarche, revokedAt: null, revokedById: null }, { transaction });
      }
      await appendJournal({
        action: 'create_attestation', actorId: aidant.id, organisationId: structure.id, usagerId: usager.id, mandatId: mandat.id,
        demarches: [...data.demarches].sort(), durationDays: MANDAT_DURATIONS[duration].days, details: { demo: true },
      }, transaction);
    }

    // A request awaiting the comité: stored as submitted; the web server starts its lifecycle on boot.
    const issuer = await Issuer.create({
      email: 'demandeur@mairie-rioux.demo', firstName: 'Nadia', lastName: 'Perrin', profession: 'Secrétaire de mairie',
      phone: '05 46 00 00 00', emailVerifiedAt: new Date(),
    }, { transaction });
    await HabilitationRequest.create({
      issuerId: issuer.id, name: 'Mairie de Rioux', type: 'mairie', typeOther: null, siret: '21350350500017',
      address: '2 rue de l’Église', zipcode: '17460', city: 'Rioux', departmentCode: '17', franceServicesLabel: false,
      franceServicesNumber: null, webSite: null, missionDescription: 'Accueil des habitants pour leurs démarches en ligne.',
      referentFirstName: 'Nadia', referentLastName: 'Perrin', referentEmail: 'demandeur@mairie-rioux.demo', referentPhone: '06 46 00 00 00',
      referentProfession: 'Secrétaire de mairie', pledgeCgu: true, pledgeNotFree: true, pledgeDpo: true, pledgeProfessionalsOnly: true,
      pledgeWithoutElected: true, organisationId: null, habilitationNumber: null, submittedAt: new Date(), decidedAt: null,
    }, { transaction });
  });
  return true;
}
