// One row in every table the back-office can reach (and in the hidden ones), with secrets whose values the
// back-office tests look for in every AdminJS answer.
import { createHash, randomBytes } from 'node:crypto';
import {
  AidantRequest, Autorisation, Card, IdpConnection, CardShipment, ComiteDecisionRecord, Connection, EmailOutbox, HabilitationRequest, Issuer,
  IssuerEmailConfirmation, LoginFailure, LoginLink, Mandat, MandatTranslation, SetupLink, RequestMessage, StructureChangeRequest, TrainingRegistration, TrainingSession, Usager, User,
} from '../../db/models/index.js';
import { appendJournal } from '../../services/journal.js';
import { mintIssuerLink } from '../../services/private-links.js';
import { createStructureWithOnboarding, testSecrets } from './factories.js';
import { testEnv, unique } from './env.js';

export interface AdminFixtures {
  ids: Record<string, string>;
  /** Values that must never appear in an AdminJS answer. */
  secrets: string[];
}

export async function createAdminFixtures(staffIds: string[]): Promise<AdminFixtures> {
  const marker = unique('secret-');
  const { organisation, referent, onboarding } = await createStructureWithOnboarding();
  const seed = randomBytes(20).toString('hex');
  const card = await Card.create({ serialNumber: unique('GADT').toUpperCase(), sealedSeed: testSecrets.seal(seed), aidantId: referent.id, linkedAt: new Date(), validatedAt: new Date(), lastUsedStep: 987654321 });
  const trainingSession = await TrainingSession.create({
    startsAt: new Date(Date.now() + 7 * 86_400_000), endsAt: new Date(Date.now() + 7 * 86_400_000 + 8 * 3_600_000), mode: 'in_person',
    location: '1 place de la Mairie, Préguillac', capacity: 12, createdById: staffIds[0],
  });
  const trainingRegistration = await TrainingRegistration.create({ sessionId: trainingSession.id, onboardingId: onboarding.id, registeredById: referent.id });
  const shipment = await CardShipment.create({ onboardingId: onboarding.id, organisationId: organisation.id, cardId: null, trackingNumber: null, sentAt: null, deliveredAt: null });

  const sub = createHash('sha256').update(marker).digest('hex');
  const usager = await Usager.create({
    sub, givenName: 'Josiane', familyName: 'Moreau', preferredUsername: null, gender: 'female', birthdate: '1939-07-25', birthplace: '17415',
    birthcountry: '99100', email: `${unique('usager-')}@exemple.fr`, phone: null, anonymisedAt: null,
  });
  const mandat = await Mandat.create({
    organisationId: organisation.id, usagerId: usager.id, createdById: referent.id, duration: 'SHORT', createdAt: new Date(),
    expiresAt: new Date(Date.now() + 86_400_000), revokedAt: null, renewedFromId: null, templateHash: 'a'.repeat(64), attestationHash: 'b'.repeat(64),
  });
  const autorisation = await Autorisation.create({ mandatId: mandat.id, demarche: 'social', revokedAt: null, revokedById: null });

  const issuer = await Issuer.create({
    email: `${unique('demandeur-')}@exemple.fr`, firstName: 'Nadia', lastName: 'Perrin', profession: 'Secrétaire de mairie', phone: null, emailVerifiedAt: new Date(),
  });
  const request = await HabilitationRequest.create({
    issuerId: issuer.id, status: 'awaiting_comite', name: `Mairie ${unique()}`, type: 'mairie', typeOther: null, siret: '21350350500017',
    address: '2 rue de l’Église', zipcode: '17460', city: 'Rioux', departmentCode: '17', franceServicesLabel: false, franceServicesNumber: null,
    webSite: null, missionDescription: 'Accueil des habitants.', referentFirstName: 'Nadia', referentLastName: 'Perrin', referentEmail: issuer.email,
    referentPhone: '06 46 00 00 00', referentProfession: 'Secrétaire de mairie', referentIsAidant: true, pledgeCgu: true, pledgeNotFree: true, pledgeDpo: true,
    pledgeProfessionalsOnly: true, pledgeWithoutElected: true, organisationId: null, habilitationNumber: null, submittedAt: new Date(), decidedAt: null,
  });
  const aidantRequest = await AidantRequest.create({ habilitationRequestId: request.id, firstName: 'Karim', lastName: 'Benali', email: `${unique('aidant-')}@exemple.fr`, profession: 'Travailleur social' });
  const message = await RequestMessage.create({ habilitationRequestId: request.id, sender: 'anct', authorId: staffIds[0], content: 'Merci de préciser le SIRET.' });
  const decision = await ComiteDecisionRecord.create({ id: unique('decision-'), habilitationRequestId: request.id, decision: 'require_changes', motif: 'SIRET à préciser', juryMemberId: staffIds[0] });

  const translation = await MandatTranslation.create({
    languageCode: `qaa-${unique('').slice(0, 8)}`, nameFr: 'Langue de test', nameNative: 'Test', direction: 'ltr',
    body: 'Texte de test.', textVersion: '2026-03-23', createdById: staffIds[0], updatedById: staffIds[0],
  });
  const structureChange = await StructureChangeRequest.create({ aidantId: referent.id, organisationId: organisation.id, requestedById: referent.id });

  for (const actorId of staffIds) {
    await appendJournal({ action: 'admin_login', actorId, organisationId: organisation.id, usagerId: usager.id, mandatId: mandat.id, autorisationId: autorisation.id, details: { ip: '127.0.0.1' }, idempotencyKey: unique('journal-') });
  }
  const link = await mintIssuerLink({ publicUrl: 'http://localhost:3000', secretsKey: testEnv.secretsKey }, issuer.id, { requestId: request.id });
  const outbox = await EmailOutbox.create({
    idempotencyKey: unique('mail-'), template: 'issuer_request_submitted', recipients: [issuer.email], subject: 'Votre demande',
    html: `<a href="${link.url}">${marker}-html</a>`, textBody: `${link.url} ${marker}-text`, messageId: null, lastError: null, sentAt: null,
  });
  const loginToken = `${marker}-login`;
  await LoginLink.create({ userId: referent.id, tokenHash: createHash('sha256').update(loginToken).digest('hex'), nextUrl: null, expiresAt: new Date(Date.now() + 3_600_000), usedAt: null });
  await SetupLink.create({ userId: referent.id, tokenHash: createHash('sha256').update(`${marker}-setup`).digest('hex'), expiresAt: new Date(Date.now() + 3_600_000), usedAt: null, revokedAt: null });
  await IssuerEmailConfirmation.create({ issuerId: issuer.id, keyHash: createHash('sha256').update(`${marker}-key`).digest('hex'), expiresAt: new Date(Date.now() + 3_600_000), confirmedAt: null });
  await Connection.create({
    kind: 'idp', state: `${marker}-state`, nonce: `${marker}-nonce`, aidantId: referent.id, organisationId: organisation.id, usagerId: usager.id, demarches: null,
    duration: null, demarche: null, autorisationId: null, requestedScope: null, codeHash: `${marker}-code`, codeUsedAt: null, accessTokenHash: `${marker}-token`,
    expiresAt: new Date(Date.now() + 3_600_000),
  });
  await IdpConnection.create({
    clientId: 'franceconnect-demo', redirectUri: 'https://fcp-low.integ01.dev-franceconnect.fr/api/v2/oidc-callback', fcVersion: 2,
    state: `${marker}idpstate`, nonce: `${marker}idpnonce`, acr: 'eidas1', repScope: null, expiresAt: new Date(Date.now() + 3_600_000),
    aidantId: referent.id, organisationId: organisation.id, sessionHash: `${marker}-idp-session`, usagerId: usager.id, demarche: 'social',
    autorisationId: autorisation.id, codeHash: `${marker}-idp-code`, codeExpiresAt: new Date(Date.now() + 30_000),
  });
  await LoginFailure.create({ key: `${marker}@exemple.fr` });

  const users = await User.findAll({ where: { id: [...staffIds, referent.id] } });
  const secrets = [
    seed, (await Card.findByPk(card.id))!.sealedSeed, '987654321', sub, marker, link.url, link.url.split('/').pop()!,
    ...users.flatMap((user) => [user.passwordHash, user.sealedAdminTotpSecret]).filter((value): value is string => Boolean(value)),
  ];
  return {
    ids: {
      organisations: organisation.id, users: referent.id, cards: card.id, card_shipments: shipment.id, aidant_onboardings: onboarding.id,
      usagers: usager.id, mandats: mandat.id, autorisations: autorisation.id, issuers: issuer.id, habilitation_requests: request.id,
      aidant_requests: aidantRequest.id, request_messages: message.id, comite_decisions: decision.id, email_outbox: outbox.id,
      organisation_memberships: referent.id, structure_change_requests: structureChange.id,
      training_sessions: trainingSession.id, training_registrations: trainingRegistration.id,
      mandat_translations: translation.id,
    },
    secrets,
  };
}
