// Habilitation requests in the database, saved step by step by their demandeur: what the pages, the
// back-office and the activities share. The workflow takes over once a request is submitted.
import type { Sequelize, Transaction } from 'sequelize';
import { enqueueEmail, type EmailDelivery, type EmailRequest } from './outbox.js';
import type { LinkKeys } from './private-links.js';
import { renderContext } from '../emails/render.js';
import { requestUrl } from './issuers.js';
import { AidantRequest, HabilitationRequest, Issuer, RequestMessage } from '../db/models/index.js';
import { InvalidTransitionError, ValidationError } from '../domain/errors.js';
import { EDITABLE_REQUEST_STATUSES } from '../domain/habilitation.js';
import {
  departmentFromZipcode, firstIncompleteStep, type AidantToTrain, type Pledges, type ReferentInput, type StructureInput,
} from '../domain/habilitation-form.js';

/** A submitted draft waits for its workflow; the demandeur edits a request only before that, or when changes are asked. */
export const isEditable = (request: { status: HabilitationRequest['status']; submittedAt: Date | null }) =>
  EDITABLE_REQUEST_STATUSES.includes(request.status) && !(request.status === 'draft' && request.submittedAt);

const structureColumns = (structure: StructureInput) => ({
  name: structure.name, type: structure.type, typeOther: structure.typeOther, siret: structure.siret,
  address: structure.address, zipcode: structure.zipcode, city: structure.city, departmentCode: departmentFromZipcode(structure.zipcode),
  franceServicesLabel: structure.franceServicesNumber !== null, franceServicesNumber: structure.franceServicesNumber,
  webSite: structure.webSite, missionDescription: structure.missionDescription,
});

/** A new draft from the structure step, for a demandeur whose e-mail is confirmed. */
export async function createRequestDraft(issuerId: string, structure: StructureInput): Promise<HabilitationRequest> {
  const issuer = await Issuer.findByPk(issuerId);
  if (!issuer?.emailVerifiedAt) throw new InvalidTransitionError('Confirmez d’abord votre adresse e-mail pour commencer une demande.');
  return HabilitationRequest.create({
    issuerId, ...structureColumns(structure),
    referentFirstName: null, referentLastName: null, referentEmail: null, referentPhone: null, referentProfession: null,
    organisationId: null, habilitationNumber: null, submittedAt: null, decidedAt: null,
  });
}

/** The e-mail giving the demandeur a private link to a new draft (minted by the outbox). */
export async function draftCreatedEmail(requestId: string): Promise<EmailRequest> {
  const request = await HabilitationRequest.findByPk(requestId, { include: [{ model: Issuer, as: 'issuer' }] });
  if (!request) throw new Error(`Request ${requestId} not found`);
  const issuer = (request as HabilitationRequest & { issuer: Issuer }).issuer;
  return {
    idempotencyKey: `habilitation-request/${requestId}/created`, template: 'habilitation_request_created', to: [issuer.email],
    data: { issuerName: `${issuer.firstName} ${issuer.lastName}`, structureName: request.name, requestUrl: '' },
    privateLink: { issuerId: issuer.id, field: 'requestUrl', requestId },
  };
}

/** Runs a change on a request the demandeur may still edit, with the row locked. */
async function editRequest<T>(sequelize: Sequelize, requestId: string, change: (request: HabilitationRequest, transaction: Transaction) => Promise<T>): Promise<T> {
  return sequelize.transaction(async (transaction) => {
    const request = await HabilitationRequest.findByPk(requestId, { transaction, lock: transaction.LOCK.UPDATE });
    if (!request || !isEditable(request)) throw new InvalidTransitionError('Cette demande a été transmise : elle ne peut plus être modifiée.');
    return change(request, transaction);
  });
}

export async function saveStructure(sequelize: Sequelize, requestId: string, structure: StructureInput): Promise<void> {
  await editRequest(sequelize, requestId, (request, transaction) => request.update(structureColumns(structure), { transaction }));
}

export async function saveReferent(sequelize: Sequelize, requestId: string, referent: ReferentInput): Promise<void> {
  await editRequest(sequelize, requestId, async (request, transaction) => {
    await request.update({
      referentFirstName: referent.firstName, referentLastName: referent.lastName, referentEmail: referent.email,
      referentPhone: referent.phone, referentProfession: referent.profession, referentIsAidant: referent.isAidant,
    }, { transaction });
    // The référent is not also listed as an aidant to train: the « aussi aidant » box says it once.
    await AidantRequest.destroy({ where: { habilitationRequestId: requestId, email: referent.email }, transaction });
  });
}

/** Replaces the list of aidants to train. */
export async function saveAidants(sequelize: Sequelize, requestId: string, aidants: AidantToTrain[]): Promise<void> {
  await editRequest(sequelize, requestId, async (request, transaction) => {
    await AidantRequest.destroy({ where: { habilitationRequestId: requestId }, transaction });
    await AidantRequest.bulkCreate(aidants.map((aidant) => ({ habilitationRequestId: requestId, ...aidant })), { transaction });
  });
}

/**
 * The last step: stores the pledges and marks a draft submitted, or tells that a request under « changes
 * required » was corrected. The caller then starts (or signals) the request's workflow.
 */
export async function submitRequest(sequelize: Sequelize, requestId: string, pledges: Pledges): Promise<'submitted' | 'resubmitted'> {
  return editRequest(sequelize, requestId, async (request, transaction) => {
    const aidantCount = await AidantRequest.count({ where: { habilitationRequestId: requestId }, transaction });
    const missing = firstIncompleteStep(request, aidantCount);
    if (missing === 'referent') throw new ValidationError({ referent: 'Veuillez indiquer le ou la référente de la structure avant l’envoi.' });
    if (missing === 'aidants') throw new ValidationError({ aidants: 'Veuillez indiquer au moins un aidant à former avant l’envoi.' });
    const pledgeColumns = {
      pledgeCgu: pledges.cgu, pledgeNotFree: pledges.not_free, pledgeDpo: pledges.dpo,
      pledgeProfessionalsOnly: pledges.professionals_only, pledgeWithoutElected: pledges.without_elected,
    };
    if (request.status === 'changes_required') {
      // Recorded with the changes: if telling the workflow fails, the sweep (resumeSubmittedDrafts) tells it later.
      await request.update({ ...pledgeColumns, resubmittedAt: new Date() }, { transaction });
      return 'resubmitted' as const;
    }
    await request.update({ ...pledgeColumns, submittedAt: new Date() }, { transaction });
    return 'submitted' as const;
  });
}

/**
 * A message in the thread between the ANCT and the demandeur, and the e-mail it causes, stored in one
 * transaction: a message is never kept without its e-mail being due. The delivery is started after the
 * commit; if that start fails (Temporal unreachable) the housekeeping starts it later.
 */
export async function postRequestMessage(
  deps: { publicUrl: string; anctEmail?: string; links: LinkKeys; sendEmail: (request: EmailDelivery) => Promise<void> },
  input: { requestId: string; sender: 'anct' | 'demandeur'; content: string; authorId?: string },
): Promise<RequestMessage> {
  const content = input.content.trim();
  if (content.length < 2 || content.length > 5000) throw new ValidationError({ content: 'Le message doit contenir entre 2 et 5 000 caractères.' });
  const { message, email } = await RequestMessage.sequelize!.transaction(async (transaction) => {
    const request = await HabilitationRequest.findByPk(input.requestId, { include: [{ model: Issuer, as: 'issuer' }], transaction });
    if (!request) throw new InvalidTransitionError('Cette demande est introuvable.');
    const message = await RequestMessage.create({ habilitationRequestId: request.id, sender: input.sender, authorId: input.authorId ?? null, content }, { transaction });
    let email: EmailRequest | undefined;
    if (input.sender === 'demandeur' && deps.anctEmail) {
      email = {
        idempotencyKey: `habilitation-request/${request.id}/message/${message.id}`, template: 'habilitation_demandeur_message', to: [deps.anctEmail],
        data: { structureName: request.name, message: content, adminUrl: `${deps.publicUrl}/admin/resources/habilitation_requests/records/${request.id}/show` },
      };
    }
    if (input.sender === 'anct') {
      const issuer = (request as HabilitationRequest & { issuer: Issuer }).issuer;
      email = {
        idempotencyKey: `habilitation-request/${request.id}/message/${message.id}`, template: 'habilitation_new_message', to: [issuer.email],
        data: { issuerName: `${issuer.firstName} ${issuer.lastName}`, structureName: request.name, message: content, requestUrl: '' },
        privateLink: { issuerId: issuer.id, field: 'requestUrl', requestId: request.id },
      };
    }
    if (email) await enqueueEmail({ render: renderContext(deps.publicUrl), links: deps.links }, email, transaction);
    return { message, email };
  });
  if (email) {
    // Stored and due: a failed start is caught up by the housekeeping (startPendingDeliveries).
    await deps.sendEmail({ idempotencyKey: email.idempotencyKey }).catch(() => undefined);
  }
  return message;
}
