// Habilitation requests in the database: what the pages, the back-office and the activities share.
import { createHash, randomBytes } from 'node:crypto';
import { Op, type Sequelize } from 'sequelize';
import type { EmailRequest } from './outbox.js';
import { AidantRequest, HabilitationRequest, Issuer, IssuerEmailConfirmation, RequestMessage } from '../db/models/index.js';
import { DAY_MS } from '../domain/duration.js';
import { InvalidTransitionError, ValidationError } from '../domain/errors.js';
import { departmentFromZipcode, type HabilitationRequestInput } from '../domain/habilitation-form.js';

/** The demandeur confirms their e-mail within this delay before the request goes to the comité. */
export const EMAIL_CONFIRMATION_DAYS = 3;

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * Stores a complete request as a draft, not yet submitted: it goes to the comité once the demandeur has
 * confirmed their e-mail (confirmRequestEmail). `knownIssuer` tells whether the e-mail already had a profile.
 */
export async function createRequestDraft(sequelize: Sequelize, input: HabilitationRequestInput): Promise<{ request: HabilitationRequest; knownIssuer: boolean }> {
  return sequelize.transaction(async (transaction) => {
    const [issuer, created] = await Issuer.findOrCreate({
      where: { email: input.issuerEmail },
      defaults: {
        email: input.issuerEmail, firstName: input.issuerFirstName, lastName: input.issuerLastName,
        profession: input.issuerProfession, phone: input.issuerPhone || null, emailVerifiedAt: null,
      },
      transaction,
    });
    const request = await HabilitationRequest.create(
      {
        issuerId: issuer.id,
        name: input.structureName,
        type: input.structureType,
        typeOther: input.structureTypeOther,
        siret: input.siret,
        address: input.address,
        zipcode: input.zipcode,
        city: input.city,
        departmentCode: departmentFromZipcode(input.zipcode),
        franceServicesLabel: input.franceServicesNumber !== null,
        franceServicesNumber: input.franceServicesNumber,
        webSite: null,
        missionDescription: null,
        referentFirstName: input.referent.firstName,
        referentLastName: input.referent.lastName,
        referentEmail: input.referent.email,
        referentPhone: input.referent.phone,
        referentProfession: input.referent.profession,
        referentIsAidant: input.referentIsAidant,
        pledgeCgu: input.pledges.cgu,
        pledgeNotFree: input.pledges.not_free,
        pledgeDpo: input.pledges.dpo,
        pledgeProfessionalsOnly: input.pledges.professionals_only,
        pledgeWithoutElected: input.pledges.without_elected,
        organisationId: null,
        habilitationNumber: null,
        submittedAt: null,
        decidedAt: null,
      },
      { transaction },
    );
    for (const aidant of input.aidants) {
      await AidantRequest.create({ habilitationRequestId: request.id, ...aidant }, { transaction });
    }
    return { request, knownIssuer: !created };
  });
}

/** A new single-use confirmation link for the request's demandeur; only the key's hash is stored. */
export async function issueEmailConfirmation(requestId: string): Promise<{ key: string; confirmationId: string; issuer: Issuer; request: HabilitationRequest }> {
  const request = await HabilitationRequest.findByPk(requestId, { include: [{ model: Issuer, as: 'issuer' }] });
  if (!request) throw new Error(`Request ${requestId} not found`);
  const key = randomBytes(32).toString('base64url');
  const confirmation = await IssuerEmailConfirmation.create({
    issuerId: request.issuerId, habilitationRequestId: request.id, keyHash: hashKey(key),
    expiresAt: new Date(Date.now() + EMAIL_CONFIRMATION_DAYS * DAY_MS), confirmedAt: null,
  });
  return { key, confirmationId: confirmation.id, issuer: (request as HabilitationRequest & { issuer: Issuer }).issuer, request };
}

export type ConfirmationOutcome =
  | { outcome: 'confirmed' | 'already_confirmed'; requestId: string }
  | { outcome: 'expired'; requestId: string }
  | { outcome: 'unknown' };

/** Confirms the demandeur's e-mail and submits the request (clicking the link again is harmless). */
export async function confirmRequestEmail(sequelize: Sequelize, key: string): Promise<ConfirmationOutcome> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(key)) return { outcome: 'unknown' };
  return sequelize.transaction(async (transaction) => {
    const confirmation = await IssuerEmailConfirmation.findOne({ where: { keyHash: hashKey(key) }, transaction, lock: transaction.LOCK.UPDATE });
    if (!confirmation) return { outcome: 'unknown' as const };
    const requestId = confirmation.habilitationRequestId;
    if (confirmation.confirmedAt) return { outcome: 'already_confirmed' as const, requestId };
    if (confirmation.expiresAt.getTime() < Date.now()) return { outcome: 'expired' as const, requestId };
    const now = new Date();
    await confirmation.update({ confirmedAt: now }, { transaction });
    await Issuer.update({ emailVerifiedAt: now }, { where: { id: confirmation.issuerId, emailVerifiedAt: null }, transaction });
    await HabilitationRequest.update({ submittedAt: now }, { where: { id: requestId, status: 'draft', submittedAt: null }, transaction });
    return { outcome: 'confirmed' as const, requestId };
  });
}

export function requestUrl(publicUrl: string, requestId: string): string {
  return `${publicUrl}/habilitation/demandes/${requestId}`;
}

/** The e-mail asking the demandeur to confirm a request: a reminder of their profile when the address is known. */
export async function confirmationEmail(publicUrl: string, requestId: string): Promise<EmailRequest> {
  const { key, confirmationId, issuer, request } = await issueEmailConfirmation(requestId);
  const confirmUrl = `${publicUrl}/habilitation/confirmer/${key}`;
  const common = { issuerName: `${issuer.firstName} ${issuer.lastName}`, structureName: request.name, confirmUrl, days: EMAIL_CONFIRMATION_DAYS };
  const idempotencyKey = `habilitation-request/${requestId}/email-confirmation/${confirmationId}`;
  const earlier = await HabilitationRequest.findAll({ where: { issuerId: issuer.id, id: { [Op.ne]: requestId }, submittedAt: { [Op.ne]: null } }, order: [['createdAt', 'ASC']] });
  if (issuer.emailVerifiedAt) {
    return {
      idempotencyKey, template: 'habilitation_issuer_reminder', to: [issuer.email],
      data: { ...common, requests: earlier.map((r) => ({ name: r.name, url: requestUrl(publicUrl, r.id) })) },
    };
  }
  return { idempotencyKey, template: 'habilitation_email_confirmation', to: [issuer.email], data: common };
}

/** The demandeur's corrections after the comité asked for changes; the workflow is then told to resubmit. */
export async function updateRequestForResubmission(sequelize: Sequelize, requestId: string, input: HabilitationRequestInput): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    const request = await HabilitationRequest.findByPk(requestId, { transaction, lock: transaction.LOCK.UPDATE });
    if (!request || request.status !== 'changes_required') throw new InvalidTransitionError('Cette demande ne peut plus être modifiée.');
    await request.update({
      name: input.structureName, type: input.structureType, typeOther: input.structureTypeOther, siret: input.siret,
      address: input.address, zipcode: input.zipcode, city: input.city, departmentCode: departmentFromZipcode(input.zipcode),
      franceServicesLabel: input.franceServicesNumber !== null, franceServicesNumber: input.franceServicesNumber,
      referentFirstName: input.referent.firstName, referentLastName: input.referent.lastName, referentEmail: input.referent.email,
      referentPhone: input.referent.phone, referentProfession: input.referent.profession, referentIsAidant: input.referentIsAidant,
    }, { transaction });
    await AidantRequest.destroy({ where: { habilitationRequestId: requestId }, transaction });
    for (const aidant of input.aidants) await AidantRequest.create({ habilitationRequestId: requestId, ...aidant }, { transaction });
  });
}

/** A message in the thread between the ANCT and the demandeur; a message from the ANCT is e-mailed durably. */
export async function postRequestMessage(
  deps: { publicUrl: string; anctEmail?: string; sendEmail: (request: EmailRequest) => Promise<void> },
  input: { requestId: string; sender: 'anct' | 'demandeur'; content: string; authorId?: string },
): Promise<RequestMessage> {
  const content = input.content.trim();
  if (content.length < 2 || content.length > 5000) throw new ValidationError({ content: 'Le message doit contenir entre 2 et 5 000 caractères.' });
  const request = await HabilitationRequest.findByPk(input.requestId, { include: [{ model: Issuer, as: 'issuer' }] });
  if (!request) throw new InvalidTransitionError('Cette demande est introuvable.');
  const message = await RequestMessage.create({ habilitationRequestId: request.id, sender: input.sender, authorId: input.authorId ?? null, content });
  if (input.sender === 'demandeur' && deps.anctEmail) {
    await deps.sendEmail({
      idempotencyKey: `habilitation-request/${request.id}/message/${message.id}`, template: 'habilitation_demandeur_message', to: [deps.anctEmail],
      data: { structureName: request.name, message: content, adminUrl: `${deps.publicUrl}/admin/resources/habilitation_requests/records/${request.id}/show` },
    });
  }
  if (input.sender === 'anct') {
    const issuer = (request as HabilitationRequest & { issuer: Issuer }).issuer;
    await deps.sendEmail({
      idempotencyKey: `habilitation-request/${request.id}/message/${message.id}`, template: 'habilitation_new_message', to: [issuer.email],
      data: { issuerName: `${issuer.firstName} ${issuer.lastName}`, structureName: request.name, message: content, requestUrl: requestUrl(deps.publicUrl, request.id) },
    });
  }
  return message;
}
