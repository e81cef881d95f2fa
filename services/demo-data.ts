// Demo data for a person trying the service: ANCT accounts, two habilitated structures with their référents,
// aidants and cards (everyone can log in to the espace at once: README « Se connecter à l’espace aidant /
// référent »), usagers with a mandat of each duration, a request awaiting the comité, an aidant to train
// awaiting the ANCT's eligibility decision and two published training sessions.
// Idempotent: the base does nothing when the demo jury account already exists; the second structure is added
// to a database seeded before it existed.
import { createHash, randomUUID } from 'node:crypto';
import type { Sequelize, Transaction } from 'sequelize';
import {
  AidantOnboarding, Autorisation, Card, HabilitationRequest, Issuer, Mandat, MandatTranslation, Organisation, OrganisationMembership, TrainingSession, Usager, User,
} from '../db/models/index.js';
import { addDays, addMonths } from '../domain/duration.js';
import { DEFAULT_ONBOARDING_POLICY } from '../domain/habilitation.js';
import type { Demarche } from '../domain/demarches.js';
import { CARD_POLICY } from '../domain/cards.js';
import { MANDAT_DURATIONS, MANDAT_TEXT_VERSION, mandatExpiry, type MandatDuration } from '../domain/mandat.js';
import { attestationHash, templateHash } from '../domain/attestation.js';
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
/** The physical cards of the demo aidants (60 s codes); GADT0000001 and GADT0000010–19 are in stock. */
export const DEMO_CARD_SERIALS = ['GADT0000002', 'GADT0000003', 'GADT0000004'];
/**
 * The demo référente's authenticator application (a digital card, 30 s codes): its secret is public, like
 * the demo ANCT accounts' (base32 MRSW23ZNMNQW22LMNRSS23LBOJ2GS3RB, to add to any authenticator application).
 */
export const DEMO_APP = { email: 'referente@ccas-preguillac.demo', seedHex: '64656d6f2d63616d696c6c652d6d617274696e21' } as const;
export const DEMO_SECOND_STRUCTURE = 'AC-17-DEMO0002';
export const TEMPLATE_HASH = templateHash(MANDAT_TEXT_VERSION);

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
  return sequelize.transaction(async (transaction) => {
    // Two seeds at once (npm start and npm run seed, two test files) wait for each other.
    await sequelize.query("SELECT pg_advisory_xact_lock(hashtext('aidants-connect/demo-data'))", { transaction });
    const base = !(await User.findOne({ where: { email: DEMO_STAFF[0].email }, transaction }));
    if (base) await seedBase(secrets, transaction);
    const second = await seedEspaceDemo(secrets, transaction);
    const training = await seedTrainingDemo(transaction);
    const translations = await seedTranslationDemo(transaction);
    return base || second || training || translations;
  });
}

/** A validated card of a demo aidant, at the narrow tolerance of a validated card. */
async function demoCard(secrets: SecretBox, aidantId: string, serial: string, transaction: Transaction): Promise<void> {
  const now = new Date();
  await Card.create({
    serialNumber: serial, sealedSeed: secrets.seal(demoCardSeed(serial)), aidantId, linkedAt: now, validatedAt: now, lastUsedStep: null,
    tolerance: CARD_POLICY.confirmedTolerance,
  }, { transaction });
}

async function demoPerson(person: { email: string; firstName: string; lastName: string; profession: string }, organisationId: string, transaction: Transaction): Promise<User> {
  return User.create({
    ...person, phone: null, currentOrganisationId: organisationId, passwordHash: null, sealedAdminTotpSecret: null, lastLoginAt: null, lastActivityAt: null,
  }, { transaction });
}

async function seedBase(secrets: SecretBox, transaction: Transaction): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
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

  // The référente manages the structure without creating mandats: she logs in with her application.
  const referente = await demoPerson({ email: DEMO_APP.email, firstName: 'Camille', lastName: 'Martin', profession: 'Directrice du CCAS' }, structure.id, transaction);
  await OrganisationMembership.create({ userId: referente.id, organisationId: structure.id, isReferent: true, canCreateMandats: false }, { transaction });
  const people = [
    { email: 'karim.benali@ccas-preguillac.demo', firstName: 'Karim', lastName: 'Benali', profession: 'Travailleur social', serial: 'GADT0000002' },
    { email: 'sophie.durand@ccas-preguillac.demo', firstName: 'Sophie', lastName: 'Durand', profession: 'Conseillère numérique', serial: 'GADT0000003' },
  ];
  const aidants: User[] = [referente];
  for (const { serial, ...person } of people) {
    const user = await demoPerson(person, structure.id, transaction);
    await OrganisationMembership.create({ userId: user.id, organisationId: structure.id, isReferent: false, canCreateMandats: true }, { transaction });
    await demoCard(secrets, user.id, serial, transaction);
    aidants.push(user);
  }
  for (const serial of ['GADT0000001', ...Array.from({ length: 10 }, (_, i) => `GADT00000${10 + i}`)]) {
    await Card.create({ serialNumber: serial, sealedSeed: secrets.seal(demoCardSeed(serial)), aidantId: null, linkedAt: null, validatedAt: null, lastUsedStep: null }, { transaction });
  }

  // One mandat of each duration and state: active, expiring in a week, expired, revoked (dated in the past).
  const usagers = [
    { givenName: 'Marie Louise', familyName: 'Lefèvre', gender: 'female', birthdate: '1948-03-12', birthplace: '17300', duration: 'SHORT', demarches: ['social'], daysAgo: 0 },
    { givenName: 'Ahmed', familyName: 'Haddad', gender: 'male', birthdate: '1961-11-02', birthplace: '', duration: 'MONTH', demarches: ['travail', 'argent'], daysAgo: 40 },
    { givenName: 'Josiane', familyName: 'Moreau', gender: 'female', birthdate: '1939-07-25', birthplace: '17415', duration: 'SEMESTER', demarches: ['logement', 'famille'], daysAgo: 175 },
    { givenName: 'Lucien', familyName: 'Girard', gender: 'male', birthdate: '1955-01-30', birthplace: '16015', duration: 'LONG', demarches: ['papiers', 'social', 'transports'], daysAgo: 0 },
    { givenName: 'Paulette', familyName: 'Roux', gender: 'female', birthdate: '1944-05-09', birthplace: '17415', duration: 'SEMESTER', demarches: ['social', 'argent'], daysAgo: 20, revokedDaysAgo: 5 },
  ] as const;
  for (const [index, data] of usagers.entries()) {
    const usager = await Usager.create({
      sub: createHash('sha256').update(`demo-usager-${index}`).digest('hex'), givenName: data.givenName, familyName: data.familyName,
      preferredUsername: null, gender: data.gender, birthdate: data.birthdate, birthplace: data.birthplace || null,
      birthcountry: data.birthplace ? '99100' : '99350', email: `usager${index + 1}@exemple.demo`, phone: null, anonymisedAt: null,
    }, { transaction });
    const createdAt = addDays(new Date(), -data.daysAgo);
    const duration = data.duration as MandatDuration;
    const expiresAt = mandatExpiry(createdAt, duration);
    const aidant = aidants[1 + (index % 2)];
    const revokedAt = 'revokedDaysAgo' in data ? addDays(new Date(), -data.revokedDaysAgo) : null;
    const id = randomUUID(); // the attestation hash covers the mandat's id
    const attestation = attestationHash({
      mandatId: id, organisationId: structure.id, aidantId: aidant.id, usagerSub: usager.sub, demarches: [...data.demarches], duration,
      createdAt, expiresAt, textVersion: MANDAT_TEXT_VERSION,
    });
    const mandat = await Mandat.create({
      id, organisationId: structure.id, usagerId: usager.id, createdById: aidant.id, duration, createdAt, expiresAt,
      status: revokedAt ? 'revoked' : expiresAt.getTime() <= Date.now() ? 'expired' : 'active', revokedAt, renewedFromId: null,
      templateHash: TEMPLATE_HASH, attestationHash: attestation,
    }, { transaction });
    for (const demarche of data.demarches) {
      await Autorisation.create({ mandatId: mandat.id, demarche: demarche as Demarche, revokedAt, revokedById: revokedAt ? aidant.id : null }, { transaction });
    }
    await appendJournal({
      action: 'create_attestation', actorId: aidant.id, organisationId: structure.id, usagerId: usager.id, mandatId: mandat.id,
      demarches: [...data.demarches].sort(), durationDays: MANDAT_DURATIONS[duration].days, details: { demo: true, attestationHash: attestation },
    }, transaction);
    if (revokedAt) {
      await appendJournal({ action: 'cancel_mandat', actorId: aidant.id, organisationId: structure.id, usagerId: usager.id, mandatId: mandat.id, details: { demo: true } }, transaction);
    }
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
}

/**
 * What the espace demo adds to the base (also to a database seeded before it existed): a second structure,
 * « France Services de Saintes », with its référent and aidant Julien Lefort; Sophie Durand working for both
 * structures (the structure switch); Camille Martin's authenticator application.
 */
async function seedEspaceDemo(secrets: SecretBox, transaction: Transaction): Promise<boolean> {
  if (await Organisation.findOne({ where: { habilitationNumber: DEMO_SECOND_STRUCTURE }, transaction })) return false;
  const structure = await Organisation.create({
    name: 'France Services de Saintes', type: 'france_services', typeOther: null, siret: '21170415500019', address: '10 cours National',
    zipcode: '17100', city: 'Saintes', departmentCode: '17', franceServicesLabel: true, franceServicesNumber: 'FS-17-042',
    habilitationNumber: DEMO_SECOND_STRUCTURE,
  }, { transaction });
  const julien = await demoPerson({ email: 'julien.lefort@fs-saintes.demo', firstName: 'Julien', lastName: 'Lefort', profession: 'Animateur France Services' }, structure.id, transaction);
  await OrganisationMembership.create({ userId: julien.id, organisationId: structure.id, isReferent: true, canCreateMandats: true }, { transaction });
  await demoCard(secrets, julien.id, 'GADT0000004', transaction);
  const sophie = await User.findOne({ where: { email: 'sophie.durand@ccas-preguillac.demo' }, transaction });
  if (sophie) await OrganisationMembership.create({ userId: sophie.id, organisationId: structure.id, isReferent: false, canCreateMandats: true }, { transaction });
  const camille = await User.findOne({ where: { email: DEMO_APP.email }, transaction });
  if (camille && !(await Card.findOne({ where: { aidantId: camille.id, kind: 'digital' }, transaction }))) {
    const now = new Date();
    await Card.create({
      kind: 'digital', serialNumber: null, sealedSeed: secrets.seal(DEMO_APP.seedHex), periodSeconds: CARD_POLICY.periodSeconds.digital,
      aidantId: camille.id, linkedAt: now, validatedAt: now, lastUsedStep: null, tolerance: CARD_POLICY.confirmedTolerance,
    }, { transaction });
  }
  return true;
}

export const DEMO_AIDANT_TO_TRAIN = 'ines.morel@ccas-preguillac.demo';

/**
 * The training path of the demo: Inès Morel, asked by Camille Martin, awaits the ANCT's eligibility decision
 * (« Valider l’éligibilité » starts her onboarding), and two sessions are published for her référente to
 * register her to (one in person, one online), in 3 and 5 weeks from the seeding.
 */
async function seedTrainingDemo(transaction: Transaction): Promise<boolean> {
  if (await AidantOnboarding.findOne({ where: { email: DEMO_AIDANT_TO_TRAIN }, transaction })) return false;
  const structure = await Organisation.findOne({ where: { habilitationNumber: 'AC-17-DEMO0001' }, transaction });
  const camille = await User.findOne({ where: { email: DEMO_APP.email }, transaction });
  const equipe = await User.findOne({ where: { email: DEMO_STAFF[1].email }, transaction });
  if (!structure || !camille || !equipe) return false;
  const onboarding = await AidantOnboarding.create({
    organisationId: structure.id, habilitationRequestId: null, aidantRequestId: null, userId: null, email: DEMO_AIDANT_TO_TRAIN,
    firstName: 'Inès', lastName: 'Morel', profession: 'Médiatrice numérique', conseillerNumerique: true, requestedById: camille.id,
    status: 'awaiting_eligibility', trainingDeadline: addMonths(new Date(), DEFAULT_ONBOARDING_POLICY.trainingDelayMonths),
    trainingDate: null, lapsedAt: null, cancelledAt: null, cancelReason: null, completedAt: null,
  }, { transaction });
  await appendJournal({ action: 'aidant_to_train_requested', actorId: camille.id, organisationId: structure.id, onboardingId: onboarding.id, details: { demo: true } }, transaction);
  const at = (days: number, hour: number) => {
    const day = addDays(new Date(), days);
    day.setUTCHours(hour, 0, 0, 0);
    return day;
  };
  await TrainingSession.bulkCreate([
    { startsAt: at(21, 8), endsAt: at(21, 16), mode: 'in_person', location: 'Maison France Services, 10 cours National, 17100 Saintes', capacity: 12, isOpen: true, createdById: equipe.id },
    { startsAt: at(35, 8), endsAt: at(35, 16), mode: 'online', location: 'https://visio.exemple.gouv.fr/formation-aidants-connect', capacity: 18, isOpen: true, createdById: equipe.id },
  ], { transaction });
  return true;
}

/**
 * Two published translations of the mandat's text, to try the printed draft: English, and Arabic (written
 * right to left). Demo placeholders, not real translations: each says so, in French and in its language.
 */
export const DEMO_TRANSLATIONS = [
  {
    languageCode: 'en', nameFr: 'Anglais', nameNative: 'English', direction: 'ltr' as const,
    body: '[DÉMONSTRATION — texte d’exemple, pas une traduction validée par l’ANCT]\n\n'
      + 'Demo placeholder: this is not the validated translation of the mandate.\n\n'
      + 'By this mandate, the user authorises the habilitated Aidants Connect structure named in this document to carry out, on their behalf, '
      + 'the online administrative procedures listed in this document, for the duration stated. The user may revoke this mandate at any time.',
  },
  {
    languageCode: 'ar', nameFr: 'Arabe', nameNative: 'العربية', direction: 'rtl' as const,
    body: '[DÉMONSTRATION — texte d’exemple, pas une traduction validée par l’ANCT]\n\n'
      + 'نص تجريبي: هذه ليست الترجمة المعتمدة للتفويض.\n\n'
      + 'بموجب هذا التفويض، يأذن المستخدم للهيكل المعتمد المذكور في هذه الوثيقة بإنجاز الإجراءات الإدارية عبر الإنترنت المذكورة فيها نيابةً عنه، '
      + 'طوال المدة المحددة. ويمكن للمستخدم إلغاء هذا التفويض في أي وقت.',
  },
] as const;

async function seedTranslationDemo(transaction: Transaction): Promise<boolean> {
  const equipe = await User.findOne({ where: { email: DEMO_STAFF[1].email }, transaction });
  if (!equipe) return false;
  let added = false;
  for (const translation of DEMO_TRANSLATIONS) {
    if (await MandatTranslation.findOne({ where: { languageCode: translation.languageCode }, transaction })) continue;
    const created = await MandatTranslation.create({
      ...translation, textVersion: MANDAT_TEXT_VERSION, isPublished: true, createdById: equipe.id, updatedById: equipe.id,
    }, { transaction });
    await appendJournal({
      action: 'mandat_translation_changed', actorId: equipe.id,
      details: { translationId: created.id, languageCode: translation.languageCode, event: 'published', demo: true },
    }, transaction);
    added = true;
  }
  return added;
}
