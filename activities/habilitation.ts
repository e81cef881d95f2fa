// Activities of the habilitation-request lifecycle. Each one is idempotent: it checks the state it moves
// from, and keys its journal entries on the workflow id and step, so a retry changes nothing twice.
import { Op, type Sequelize } from 'sequelize';
import { ComiteDecisionRecord, HabilitationRequest, Issuer, Organisation, OrganisationMembership, User } from '../db/models/index.js';
import type { ComiteDecision, RequestStatus } from '../domain/habilitation.js';
import { appendJournal } from '../services/journal.js';
import { requestUrl } from '../services/issuers.js';

export interface RequestSummary {
  requestId: string;
  status: RequestStatus;
  structureName: string;
  issuerName: string;
  issuerEmail: string;
  referentName: string;
  referentEmail: string | null;
  requestUrl: string;
  adminUrl: string;
  habilitationNumber: string | null;
  organisationId: string | null;
  submittedAt: string | null;
}

export interface DecisionRecord {
  requestId: string;
  decisionId: string;
  decision: ComiteDecision;
  motif: string;
  juryMemberId: string;
}

const DECISION_STATUS: Record<ComiteDecision, RequestStatus> = {
  validate: 'validated',
  refuse: 'refused',
  require_changes: 'changes_required',
};

export function createHabilitationActivities(deps: { sequelize: Sequelize; publicUrl: string }) {
  async function summarize(requestId: string): Promise<RequestSummary> {
    const request = await HabilitationRequest.findByPk(requestId, { include: [{ model: Issuer, as: 'issuer' }] });
    if (!request) throw new Error(`Habilitation request ${requestId} not found`);
    const issuer = (request as HabilitationRequest & { issuer: Issuer }).issuer;
    return {
      requestId,
      status: request.status,
      structureName: request.name,
      issuerName: `${issuer.firstName} ${issuer.lastName}`,
      issuerEmail: issuer.email,
      referentName: `${request.referentFirstName ?? ''} ${request.referentLastName ?? ''}`.trim(),
      referentEmail: request.referentEmail,
      requestUrl: requestUrl(deps.publicUrl, requestId),
      adminUrl: `${deps.publicUrl}/admin/resources/habilitation_requests/records/${requestId}/show`,
      habilitationNumber: request.habilitationNumber,
      organisationId: request.organisationId,
      submittedAt: request.submittedAt?.toISOString() ?? null,
    };
  }

  return {
    async getRequestSummary(input: { requestId: string }): Promise<RequestSummary> {
      return summarize(input.requestId);
    },

    async getLastDecisionMotif(input: { requestId: string }): Promise<string | null> {
      const last = await ComiteDecisionRecord.findOne({ where: { habilitationRequestId: input.requestId }, order: [['decidedAt', 'DESC']] });
      return last?.motif ?? null;
    },

    /** draft | changes_required → awaiting_comite. Round n is the n-th submission of the same request. */
    async submitToComite(input: { requestId: string; workflowId: string; round: number }): Promise<RequestSummary> {
      await deps.sequelize.transaction(async (transaction) => {
        await HabilitationRequest.update(
          { status: 'awaiting_comite', submittedAt: new Date() },
          { where: { id: input.requestId, status: { [Op.in]: ['draft', 'changes_required'] } }, transaction },
        );
        await appendJournal(
          { action: 'habilitation_request_submitted', habilitationRequestId: input.requestId, details: { round: input.round }, idempotencyKey: `${input.workflowId}/submitted/${input.round}` },
          transaction,
        );
      });
      const summary = await summarize(input.requestId);
      if (summary.status !== 'awaiting_comite') throw new Error(`Request ${input.requestId} is ${summary.status}, not awaiting the comité`);
      return summary;
    },

    /** Applies a comité decision once (keyed on its decision id); validation creates the structure and the référent. */
    async recordComiteDecision(input: DecisionRecord & { workflowId: string }): Promise<RequestSummary> {
      await deps.sequelize.transaction(async (transaction) => {
        const [, created] = await ComiteDecisionRecord.findOrCreate({
          where: { id: input.decisionId },
          defaults: { id: input.decisionId, habilitationRequestId: input.requestId, decision: input.decision, motif: input.motif, juryMemberId: input.juryMemberId },
          transaction,
        });
        if (!created) return;
        const request = await HabilitationRequest.findByPk(input.requestId, { transaction, lock: transaction.LOCK.UPDATE });
        if (!request || request.status !== 'awaiting_comite') throw new Error(`Request ${input.requestId} is not awaiting the comité`);
        const changes: Partial<HabilitationRequest> = { status: DECISION_STATUS[input.decision], decidedAt: new Date() };
        if (input.decision === 'validate') {
          const habilitationNumber = `AC-${request.departmentCode}-${request.id.slice(0, 8).toUpperCase()}`;
          const organisation = await Organisation.create(
            {
              name: request.name, type: request.type, typeOther: request.typeOther, siret: request.siret,
              address: request.address ?? '', zipcode: request.zipcode ?? '', city: request.city ?? '',
              departmentCode: request.departmentCode ?? '', franceServicesLabel: request.franceServicesLabel,
              franceServicesNumber: request.franceServicesNumber, habilitationNumber,
            },
            { transaction },
          );
          const [referent] = await User.findOrCreate({
            where: { email: request.referentEmail! },
            defaults: {
              email: request.referentEmail!, firstName: request.referentFirstName ?? '', lastName: request.referentLastName ?? '',
              profession: request.referentProfession, phone: request.referentPhone, currentOrganisationId: organisation.id,
              passwordHash: null, sealedAdminTotpSecret: null, lastLoginAt: null, lastActivityAt: null,
            },
            transaction,
          });
          await OrganisationMembership.findOrCreate({
            where: { userId: referent.id, organisationId: organisation.id },
            defaults: { userId: referent.id, organisationId: organisation.id, isReferent: true, canCreateMandats: false },
            transaction,
          });
          Object.assign(changes, { organisationId: organisation.id, habilitationNumber });
        }
        await request.update(changes, { transaction });
        await appendJournal(
          {
            action: 'habilitation_request_decided', actorId: input.juryMemberId, habilitationRequestId: input.requestId,
            organisationId: (changes.organisationId as string | undefined) ?? null,
            details: { decision: input.decision, motif: input.motif, decisionId: input.decisionId },
            idempotencyKey: `${input.workflowId}/decision/${input.decisionId}`,
          },
          transaction,
        );
      });
      return summarize(input.requestId);
    },
  };
}
