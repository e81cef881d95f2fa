// Activities of the habilitation-request lifecycle. Each one is idempotent: it checks the state it moves
// from, and keys its journal entries on the workflow id and step, so a retry changes nothing twice. A request
// found in a state the step cannot move from is a domain refusal: a non-retryable ApplicationFailure (type =
// the error's name), which the workflow handles, never an error retried for ever.
import { ApplicationFailure } from '@temporalio/activity';
import type { Sequelize } from 'sequelize';
import { ComiteDecisionRecord, HabilitationRequest, Issuer, Organisation, OrganisationMembership, User } from '../db/models/index.js';
import { InvalidTransitionError } from '../domain/errors.js';
import { REQUEST_STATUSES, type ComiteDecision, type RequestStatus } from '../domain/habilitation.js';
import { appendJournal } from '../services/journal.js';

/** What e-mails about a request need, read right before each one is sent. Links are minted by the outbox (privateLink). */
export interface RequestSummary {
  requestId: string;
  status: RequestStatus;
  structureName: string;
  issuerId: string;
  issuerName: string;
  issuerEmail: string;
  referentName: string;
  referentEmail: string | null;
  adminUrl: string;
  /** The demandeur resubmitted after « changes required » and the workflow has not taken it to the comité yet. */
  resubmitted: boolean;
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

function refusal(message: string): ApplicationFailure {
  const error = new InvalidTransitionError(message);
  return ApplicationFailure.create({ type: error.name, message: error.message, nonRetryable: true });
}

const DECISION_STATUS: Record<ComiteDecision, RequestStatus> = {
  validate: 'validated',
  refuse: 'refused',
  require_changes: 'changes_required',
};

export function createHabilitationActivities(deps: { sequelize: Sequelize; publicUrl: string }) {
  async function summarize(requestId: string): Promise<RequestSummary> {
    const request = await HabilitationRequest.findByPk(requestId, { include: [{ model: Issuer, as: 'issuer' }] });
    if (!request) throw ApplicationFailure.create({ type: 'NotFoundError', message: `Habilitation request ${requestId} not found`, nonRetryable: true });
    const issuer = (request as HabilitationRequest & { issuer: Issuer }).issuer;
    return {
      requestId,
      status: request.status,
      structureName: request.name,
      issuerId: issuer.id,
      issuerName: `${issuer.firstName} ${issuer.lastName}`,
      issuerEmail: issuer.email,
      referentName: `${request.referentFirstName ?? ''} ${request.referentLastName ?? ''}`.trim(),
      referentEmail: request.referentEmail,
      resubmitted: request.resubmittedAt !== null,
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

    /**
     * A submitted draft or a resubmitted request → awaiting_comite. Round n is the n-th submission of the same
     * request. A retry finds it already awaiting and journals nothing twice.
     */
    async submitToComite(input: { requestId: string; workflowId: string; round: number }): Promise<RequestSummary> {
      await deps.sequelize.transaction(async (transaction) => {
        const request = await HabilitationRequest.findByPk(input.requestId, { transaction, lock: transaction.LOCK.UPDATE });
        if (!request) throw refusal('Cette demande d’habilitation est introuvable.');
        const submittable = (request.status === 'draft' && request.submittedAt !== null) || request.status === 'changes_required';
        if (!submittable && request.status !== 'awaiting_comite') {
          throw refusal(`Cette demande ne peut pas être transmise au comité (statut actuel : ${REQUEST_STATUSES[request.status as RequestStatus]}).`);
        }
        if (submittable) await request.update({ status: 'awaiting_comite', submittedAt: new Date(), resubmittedAt: null }, { transaction });
        await appendJournal(
          { action: 'habilitation_request_submitted', habilitationRequestId: input.requestId, details: { round: input.round }, idempotencyKey: `${input.workflowId}/submitted/${input.round}` },
          transaction,
        );
      });
      return summarize(input.requestId);
    },

    /**
     * Closes a request still waiting for the demandeur's changes. A resubmission recorded meanwhile (its signal
     * was lost) wins: the request is left as it is and the workflow takes it to the comité.
     */
    async closeUnansweredRequest(input: { requestId: string; workflowId: string; round: number }): Promise<'closed' | 'resubmitted'> {
      return deps.sequelize.transaction(async (transaction) => {
        const request = await HabilitationRequest.findByPk(input.requestId, { transaction, lock: transaction.LOCK.UPDATE });
        if (!request) throw refusal('Cette demande d’habilitation est introuvable.');
        if (request.status === 'closed') return 'closed' as const; // a retry
        if (request.status !== 'changes_required') {
          throw refusal(`Cette demande n’attend pas de modifications (statut actuel : ${REQUEST_STATUSES[request.status as RequestStatus]}).`);
        }
        if (request.resubmittedAt) return 'resubmitted' as const;
        await request.update({ status: 'closed', closedAt: new Date() }, { transaction });
        await appendJournal(
          { action: 'habilitation_request_closed', habilitationRequestId: input.requestId, details: { round: input.round, reason: 'changes_not_made' }, idempotencyKey: `${input.workflowId}/closed/${input.round}` },
          transaction,
        );
        return 'closed' as const;
      });
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
        if (!request) throw refusal('Cette demande d’habilitation est introuvable.');
        if (request.status !== 'awaiting_comite') {
          throw refusal(`Cette demande n’attend pas de décision du comité (statut actuel : ${REQUEST_STATUSES[request.status as RequestStatus]}).`);
        }
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
