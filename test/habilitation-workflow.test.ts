// The habilitation-request lifecycle on a real Temporal dev server with a real worker, real PostgreSQL and
// the mail sink.
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import { ComiteDecisionRecord, HabilitationRequest, JournalEntry, Organisation, OrganisationMembership, User } from '../db/models/index.js';
import { requestStatusLabel, workflowIdForRequest, type RequestStatus } from '../domain/habilitation.js';
import { InvalidTransitionError } from '../domain/errors.js';
import { parsePledges } from '../domain/habilitation-form.js';
import { submitRequest } from '../services/habilitation.js';
import { createLifecycles, resumeSubmittedDrafts, startSubmissionSweep, type Lifecycles } from '../services/lifecycles.js';
import { decideUpdate, requestStateQuery, requestStatusQuery, resubmitSignal } from '../workflows/messages.js';
import { createSubmittedRequest, createJuryMember, validStepBodies } from './support/factories.js';
import { testSequelize, unique } from './support/env.js';
import { mailsTo, waitForMails } from './support/mail.js';
import { connectClient, startTestWorker, unreachableClient } from './support/temporal.js';
import { waitFor, workflowSettled } from './support/wait.js';

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

const PRIVATE_LINK = /\/habilitation\/lien\/[A-Za-z0-9_-]{43}/;

/** Waits until the workflow is in `status` for round `round` (its in-memory state, which takes the messages). */
const reachState = (handle: WorkflowHandle, status: RequestStatus, round: number) =>
  waitFor(`${handle.workflowId} ${status} in round ${round}`, () => handle.query(requestStateQuery), (s) => s.status === status && s.round === round);

async function submitted(overrides: Parameters<typeof createSubmittedRequest>[1] = {}) {
  const request = await createSubmittedRequest(sequelize, overrides);
  await lifecycles.startHabilitationRequest(request.id);
  const handle = client.workflow.getHandle(workflowIdForRequest(request.id));
  await reachState(handle, 'awaiting_comite', 1);
  const issuer = await request.reload({ include: ['issuer'] });
  return { request, handle, issuerEmail: (issuer as unknown as { issuer: { email: string } }).issuer.email };
}

/** The demandeur corrects the request and resubmits it, as the last step of the form does (the signal is the caller's). */
const resubmitInDatabase = (requestId: string) => submitRequest(sequelize, requestId, parsePledges(validStepBodies().pledges).value!);

describe('habilitation request lifecycle', () => {
  it('moves a submitted request to the comité, journals it and e-mails the demandeur once, with a private link', async () => {
    const { request, handle, issuerEmail } = await submitted();
    expect((await HabilitationRequest.findByPk(request.id))!.status).toBe('awaiting_comite');
    const mails = await waitForMails(issuerEmail, 1);
    expect(mails[0].subject).toBe('Aidants Connect - Votre demande d’habilitation a été soumise');
    expect(mails[0].text).toMatch(PRIVATE_LINK);
    expect(mails[0].text).not.toContain(request.id);
    expect(await JournalEntry.count({ where: { action: 'habilitation_request_submitted', habilitationRequestId: request.id } })).toBe(1);
    // starting the same lifecycle again (a retried submission) is harmless
    await lifecycles.startHabilitationRequest(request.id);
    await workflowSettled(handle);
    expect(await mailsTo(issuerEmail)).toHaveLength(1);
  });

  it('validates: creates the structure and the référent, e-mails the demandeur their link and the référent their own e-mail', async () => {
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
    expect(await User.findOne({ where: { email: issuerEmail } })).toBeNull(); // the demandeur is not the référent here
    const referent = (await User.findOne({ where: { email: referentEmail } }))!;
    expect(await OrganisationMembership.findOne({ where: { userId: referent.id, organisationId: organisation.id, isReferent: true } })).not.toBeNull();
    expect(await ComiteDecisionRecord.count({ where: { habilitationRequestId: request.id } })).toBe(1);
    expect(await JournalEntry.findOne({ where: { action: 'habilitation_request_decided', habilitationRequestId: request.id } }))
      .toMatchObject({ actorId: jury.id, details: expect.objectContaining({ decision: 'validate', motif: 'Dossier complet' }) });
    expect(await handle.result()).toBe('validated'); // closed: every e-mail it sends has been sent

    const accepted = (await waitForMails(issuerEmail, 2)).find((m) => m.subject === `Aidants Connect - La demande d’habilitation n° ${stored.habilitationNumber} a été acceptée`);
    expect(accepted?.to).toEqual([issuerEmail]);
    expect(accepted?.text).toMatch(PRIVATE_LINK);
    const toReferent = await mailsTo(referentEmail);
    expect(toReferent.map((m) => m.subject)).toEqual([`Aidants Connect - Vous êtes référent(e) de la structure ${stored.name}`]);
    expect(toReferent[0].text).toMatch(/^Bonjour Camille Martin,/);
    expect(toReferent[0].text).toContain('formation');
    expect(toReferent[0].text).toContain('espace référent');
    expect(toReferent[0].text).not.toMatch(/\/habilitation\//);
  });

  it('applies the same decision sent twice (double click, retried call) once', async () => {
    const { request, handle, issuerEmail } = await submitted();
    const jury = await createJuryMember();
    const decision = { decision: 'refuse' as const, motif: 'Structure hors périmètre', juryMemberId: jury.id };
    const [first, second] = await Promise.all([
      lifecycles.decideHabilitationRequest(request.id, decision),
      lifecycles.decideHabilitationRequest(request.id, decision),
    ]);
    expect(first).toEqual({ status: 'refused' });
    expect(second).toEqual({ status: 'refused' });
    await workflowSettled(handle);
    expect(await ComiteDecisionRecord.count({ where: { habilitationRequestId: request.id } })).toBe(1);
    expect(await JournalEntry.count({ where: { action: 'habilitation_request_decided', habilitationRequestId: request.id } })).toBe(1);
    const refusals = (await mailsTo(issuerEmail)).filter((m) => m.subject.includes('refusée'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0].text).toContain('deux mois');
  });

  it('applies the same « Demander des modifications » again in a later round, once per round', async () => {
    const { request, handle, issuerEmail } = await submitted();
    const jury = await createJuryMember();
    const decision = { decision: 'require_changes' as const, motif: 'Précisez le nom de la structure.', juryMemberId: jury.id };
    await Promise.all([lifecycles.decideHabilitationRequest(request.id, decision), lifecycles.decideHabilitationRequest(request.id, decision)]);
    await reachState(handle, 'changes_required', 1);

    await resubmitInDatabase(request.id);
    expect(await lifecycles.resubmitHabilitationRequest(request.id)).toBe(true);
    await reachState(handle, 'awaiting_comite', 2);
    expect(await lifecycles.decideHabilitationRequest(request.id, decision)).toEqual({ status: 'changes_required' });
    expect(await lifecycles.decideHabilitationRequest(request.id, decision)).toEqual({ status: 'changes_required' }); // double click
    await reachState(handle, 'changes_required', 2);
    await workflowSettled(handle);

    expect((await HabilitationRequest.findByPk(request.id))!.status).toBe('changes_required');
    expect(await ComiteDecisionRecord.count({ where: { habilitationRequestId: request.id, decision: 'require_changes' } })).toBe(2);
    expect(await JournalEntry.count({ where: { action: 'habilitation_request_decided', habilitationRequestId: request.id } })).toBe(2);
    const asked = (await mailsTo(issuerEmail)).filter((m) => m.text.includes('Précisez le nom de la structure.'));
    expect(asked).toHaveLength(2);
    expect(asked[1].text).toMatch(PRIVATE_LINK);
  });

  it('takes a resubmission once: the same signal twice, or a late one after a later decision, changes nothing', async () => {
    const { request, handle } = await submitted();
    const jury = await createJuryMember();
    await lifecycles.decideHabilitationRequest(request.id, { decision: 'require_changes', motif: 'Ajoutez le site web.', juryMemberId: jury.id });
    await reachState(handle, 'changes_required', 1);
    await resubmitInDatabase(request.id);
    await Promise.all([handle.signal(resubmitSignal, { round: 1 }), handle.signal(resubmitSignal, { round: 1 })]);
    await reachState(handle, 'awaiting_comite', 2);
    await lifecycles.decideHabilitationRequest(request.id, { decision: 'require_changes', motif: 'Ajoutez aussi le numéro France Services.', juryMemberId: jury.id });
    await reachState(handle, 'changes_required', 2);

    await handle.signal(resubmitSignal, { round: 1 }); // delivered late, by a sweep that read round 1
    await workflowSettled(handle);
    expect(await handle.query(requestStateQuery)).toEqual({ status: 'changes_required', round: 2 });
    expect((await HabilitationRequest.findByPk(request.id))!.status).toBe('changes_required');
    expect(await JournalEntry.count({ where: { action: 'habilitation_request_submitted', habilitationRequestId: request.id } })).toBe(2);
  });

  it('delivers later, by the sweep, a resubmission whose signal failed', async () => {
    const { request, handle } = await submitted();
    const jury = await createJuryMember();
    await lifecycles.decideHabilitationRequest(request.id, { decision: 'require_changes', motif: 'Précisez les missions.', juryMemberId: jury.id });
    await reachState(handle, 'changes_required', 1);

    await resubmitInDatabase(request.id);
    const down = createLifecycles(unreachableClient(), { taskQueue: worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } });
    await expect(down.resubmitHabilitationRequest(request.id)).rejects.toThrow();
    const pending = (await HabilitationRequest.findByPk(request.id))!;
    expect(pending.resubmittedAt).not.toBeNull();
    expect(requestStatusLabel(pending)).toBe('Transmise, en cours d’enregistrement'); // what the demandeur reads meanwhile

    // The web process sweeps periodically: this one starts before Temporal answers again, and ticks until it does.
    const stop = startSubmissionSweep(lifecycles, { intervalMs: 200 });
    try {
      await reachState(handle, 'awaiting_comite', 2);
    } finally {
      stop();
    }
    await resumeSubmittedDrafts(lifecycles); // a sweep after it was taken changes nothing
    await workflowSettled(handle);
    const stored = (await HabilitationRequest.findByPk(request.id))!;
    expect(stored).toMatchObject({ status: 'awaiting_comite', resubmittedAt: null });
    expect(requestStatusLabel(stored)).toBe('En attente de la décision du comité');
    expect(await handle.query(requestStateQuery)).toEqual({ status: 'awaiting_comite', round: 2 });
    expect(await JournalEntry.count({ where: { action: 'habilitation_request_submitted', habilitationRequestId: request.id } })).toBe(2);
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

  it('answers a decision the database refuses with its reason, and stays ready for the next one', async () => {
    const { request, handle } = await submitted();
    const jury = await createJuryMember();
    // Changed behind the workflow's back (by hand, or a race): the activity refuses, it does not retry for ever.
    await HabilitationRequest.update({ status: 'refused' }, { where: { id: request.id } });
    const refused = lifecycles.decideHabilitationRequest(request.id, { decision: 'validate', motif: 'Dossier complet', juryMemberId: jury.id });
    await expect(refused).rejects.toThrow(InvalidTransitionError);
    await expect(refused).rejects.toThrow('Cette demande n’attend pas de décision du comité (statut actuel : Éligibilité refusée).');
    expect(await ComiteDecisionRecord.count({ where: { habilitationRequestId: request.id } })).toBe(0);
    expect(await handle.query(requestStateQuery)).toEqual({ status: 'awaiting_comite', round: 1 });

    await HabilitationRequest.update({ status: 'awaiting_comite' }, { where: { id: request.id } });
    expect(await lifecycles.decideHabilitationRequest(request.id, { decision: 'refuse', motif: 'Hors périmètre', juryMemberId: jury.id })).toEqual({ status: 'refused' });
  });

  it('ends, with what the database says, a lifecycle whose request can no longer be submitted', async () => {
    const request = await createSubmittedRequest(sequelize);
    await HabilitationRequest.update({ status: 'refused' }, { where: { id: request.id } }); // decided elsewhere meanwhile
    await lifecycles.startHabilitationRequest(request.id);
    const handle = client.workflow.getHandle(workflowIdForRequest(request.id));
    expect(await handle.result()).toBe('refused'); // no submission retried for ever
    expect(await JournalEntry.count({ where: { action: 'habilitation_request_submitted', habilitationRequestId: request.id } })).toBe(0);
  });

  it('rejects a malformed decision in the validator without touching the request', async () => {
    const { request, handle } = await submitted();
    const jury = await createJuryMember();
    const error = await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve' as never, motif: 'ok ok', juryMemberId: jury.id }] }).catch((e) => e);
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((error as WorkflowUpdateFailedError).cause?.message).toBe('Décision inconnue.');
    const noMotif = await handle.executeUpdate(decideUpdate, { args: [{ decision: 'refuse', motif: ' ', juryMemberId: jury.id }] }).catch((e) => e);
    expect((noMotif as WorkflowUpdateFailedError).cause?.message).toBe('Le motif de la décision est obligatoire.');
    const staleRound = await handle.executeUpdate(decideUpdate, { args: [{ decision: 'refuse', motif: 'Hors périmètre', juryMemberId: jury.id, round: 0 }] }).catch((e) => e);
    expect((staleRound as WorkflowUpdateFailedError).cause?.message).toMatch(/renvoyée par le demandeur depuis/);
    expect(await handle.query(requestStatusQuery)).toBe('awaiting_comite');
    expect((await HabilitationRequest.findByPk(request.id))!.status).toBe('awaiting_comite');
  });
});
