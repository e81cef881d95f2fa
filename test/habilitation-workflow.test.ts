// The habilitation-request lifecycle on a real Temporal dev server with a real worker, real PostgreSQL and
// the mail sink.
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import { ComiteDecisionRecord, HabilitationRequest, JournalEntry, Organisation, OrganisationMembership, User } from '../db/models/index.js';
import { workflowIdForRequest } from '../domain/habilitation.js';
import { InvalidTransitionError } from '../domain/errors.js';
import { createLifecycles, type Lifecycles } from '../services/lifecycles.js';
import { decideUpdate, requestStatusQuery } from '../workflows/messages.js';
import { createSubmittedRequest, createJuryMember } from './support/factories.js';
import { testSequelize, unique } from './support/env.js';
import { waitForMails } from './support/mail.js';
import { connectClient, startTestWorker } from './support/temporal.js';

let sequelize: Sequelize;
let client: Client;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
let lifecycles: Lifecycles;

beforeAll(async () => {
  sequelize = testSequelize();
  client = await connectClient();
  worker = await startTestWorker({ sequelize });
  lifecycles = createLifecycles(client, { taskQueue: worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } });
});
afterAll(async () => {
  await worker.stop();
  await client.connection.close();
  await sequelize.close();
});

async function submitted(overrides: Parameters<typeof createSubmittedRequest>[1] = {}) {
  const request = await createSubmittedRequest(sequelize, overrides);
  await lifecycles.startHabilitationRequest(request.id);
  const handle = client.workflow.getHandle(workflowIdForRequest(request.id));
  for (let i = 0; i < 100 && (await handle.query(requestStatusQuery)) !== 'awaiting_comite'; i += 1) await new Promise((r) => setTimeout(r, 100));
  const issuer = await request.reload({ include: ['issuer'] });
  return { request, handle, issuerEmail: (issuer as unknown as { issuer: { email: string } }).issuer.email };
}

describe('habilitation request lifecycle', () => {
  it('moves a submitted request to the comité, journals it and e-mails the demandeur once', async () => {
    const { request, issuerEmail } = await submitted();
    expect((await HabilitationRequest.findByPk(request.id))!.status).toBe('awaiting_comite');
    const mails = await waitForMails(issuerEmail, 1);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('Aidants Connect - Votre demande d’habilitation a été soumise');
    expect(mails[0].text).toContain(`/habilitation/espace/demandes/${request.id}`);
    expect(await JournalEntry.count({ where: { action: 'habilitation_request_submitted', habilitationRequestId: request.id } })).toBe(1);
    // starting the same lifecycle again (a retried submission) is harmless
    await lifecycles.startHabilitationRequest(request.id);
    await new Promise((r) => setTimeout(r, 500));
    expect(await waitForMails(issuerEmail, 2, 500)).toHaveLength(1);
  });

  it('validates: creates the structure and the référent, records the decision and e-mails the outcome', async () => {
    const referentEmail = `${unique('referent-')}@exemple.fr`;
    const { request, handle, issuerEmail } = await submitted({
      referent: { referentIsIssuer: '', firstName: 'Camille', lastName: 'Martin', email: referentEmail, phone: '07 12 34 56 78', profession: 'Directrice' },
    });
    const jury = await createJuryMember();
    const result = await lifecycles.decideHabilitationRequest(request.id, { decision: 'validate', motif: 'Dossier complet', juryMemberId: jury.id });
    expect(result).toEqual({ status: 'validated' });
    const stored = (await HabilitationRequest.findByPk(request.id))!;
    expect(stored.status).toBe('validated');
    const organisation = (await Organisation.findByPk(stored.organisationId!))!;
    expect(organisation.habilitationNumber).toBe(stored.habilitationNumber);
    expect(stored.referentEmail).toBe(referentEmail);
    expect(await User.findOne({ where: { email: issuerEmail } })).toBeNull(); // the demandeur is not the référent here
    const referent = (await User.findOne({ where: { email: referentEmail } }))!;
    expect(await OrganisationMembership.findOne({ where: { userId: referent.id, organisationId: organisation.id, isReferent: true } })).not.toBeNull();
    expect(await ComiteDecisionRecord.count({ where: { habilitationRequestId: request.id } })).toBe(1);
    expect(await JournalEntry.findOne({ where: { action: 'habilitation_request_decided', habilitationRequestId: request.id } }))
      .toMatchObject({ actorId: jury.id, details: expect.objectContaining({ decision: 'validate', motif: 'Dossier complet' }) });
    expect(await handle.result()).toBe('validated');
    const mails = await waitForMails(issuerEmail, 2);
    expect(mails.map((m) => m.subject)).toContain(`Aidants Connect - La demande d’habilitation n° ${stored.habilitationNumber} a été acceptée`);
  });

  it('applies the same decision sent twice (double click, retried call) once', async () => {
    const { request, issuerEmail } = await submitted();
    const jury = await createJuryMember();
    const decision = { decision: 'refuse' as const, motif: 'Structure hors périmètre', juryMemberId: jury.id };
    const [first, second] = await Promise.all([
      lifecycles.decideHabilitationRequest(request.id, decision),
      lifecycles.decideHabilitationRequest(request.id, decision),
    ]);
    expect(first).toEqual({ status: 'refused' });
    expect(second).toEqual({ status: 'refused' });
    expect(await ComiteDecisionRecord.count({ where: { habilitationRequestId: request.id } })).toBe(1);
    expect(await JournalEntry.count({ where: { action: 'habilitation_request_decided', habilitationRequestId: request.id } })).toBe(1);
    const refusals = (await waitForMails(issuerEmail, 2)).filter((m) => m.subject.includes('refusée'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0].text).toContain('deux mois');
  });

  it('refuses at once a decision on a request that no longer awaits one, with a clear message', async () => {
    const { request } = await submitted();
    const jury = await createJuryMember();
    await lifecycles.decideHabilitationRequest(request.id, { decision: 'refuse', motif: 'Dossier incomplet', juryMemberId: jury.id });
    await expect(lifecycles.decideHabilitationRequest(request.id, { decision: 'validate', motif: 'Finalement oui', juryMemberId: jury.id }))
      .rejects.toThrow(InvalidTransitionError);
    await expect(lifecycles.decideHabilitationRequest(request.id, { decision: 'validate', motif: 'Finalement oui', juryMemberId: jury.id }))
      .rejects.toThrow(/n’attend pas de décision du comité/);
    expect((await HabilitationRequest.findByPk(request.id))!.status).toBe('refused');
  });

  it('rejects a malformed decision in the validator without touching the request', async () => {
    const { request, handle } = await submitted();
    const jury = await createJuryMember();
    const error = await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve' as never, motif: 'ok ok', juryMemberId: jury.id }] }).catch((e) => e);
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((error as WorkflowUpdateFailedError).cause?.message).toBe('Décision inconnue.');
    const noMotif = await handle.executeUpdate(decideUpdate, { args: [{ decision: 'refuse', motif: ' ', juryMemberId: jury.id }] }).catch((e) => e);
    expect((noMotif as WorkflowUpdateFailedError).cause?.message).toBe('Le motif de la décision est obligatoire.');
    expect(await handle.query(requestStatusQuery)).toBe('awaiting_comite');
    expect((await HabilitationRequest.findByPk(request.id))!.status).toBe('awaiting_comite');
  });
});
