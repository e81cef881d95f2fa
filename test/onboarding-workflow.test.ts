// The aidant-onboarding lifecycle after training, on the real dev server: activation, the welcome kit,
// the card validated by the référent; refused transitions; a worker replaced mid-lifecycle; actions
// deduplicated on the step they were taken from; races between actions; e-mails while SMTP is down; and the
// right to create mandats, given only by an activated account and taken back on cancellation.
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import {
  AidantOnboarding, AidantRequest, CardShipment, EmailOutbox, HabilitationRequest, JournalEntry, OrganisationMembership, User,
} from '../db/models/index.js';
import { workflowIdForOnboarding, workflowIdForRequest, type OnboardingStatus } from '../domain/habilitation.js';
import { InvalidTransitionError } from '../domain/errors.js';
import { createLifecycles, type Lifecycles } from '../services/lifecycles.js';
import type { aidantOnboardingWorkflow } from '../workflows/aidant-onboarding.js';
import {
  cancelOnboardingUpdate, cardShipmentUpdate, cardValidatedUpdate, onboardingStatusQuery, recordTrainingUpdate, requestStatusQuery,
} from '../workflows/messages.js';
import { createSubmittedRequest, createJuryMember, createStructureWithOnboarding } from './support/factories.js';
import { testSequelize } from './support/env.js';
import { mailsTo, waitForMails, waitForSubject } from './support/mail.js';
import { connectClient, startTestWorker } from './support/temporal.js';
import { waitFor, workflowSettled } from './support/wait.js';

let sequelize: Sequelize;
let client: Client;
beforeAll(async () => { sequelize = testSequelize(); client = await connectClient(); });
afterAll(async () => { await client.connection.close(); await sequelize.close(); });

const policy = { trainingDelayMonths: 2, reminderOffsetsDays: [30, 7] };
const today = () => new Date().toISOString().slice(0, 10);
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (e: WorkflowUpdateFailedError) => e.cause?.message);
const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (e: Error) => (e instanceof InvalidTransitionError ? e.message : Promise.reject(e)));

const reaches = (handle: WorkflowHandle, status: OnboardingStatus, timeoutMs?: number) =>
  waitFor(`onboarding ${status}`, async () => (await handle.query(onboardingStatusQuery)).status, (s) => s === status, timeoutMs);

const lifecyclesOn = (taskQueue: string): Lifecycles =>
  createLifecycles(client, { taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 }, onboardingPolicy: policy });

async function startOnboarding(onboardingId: string, taskQueue: string) {
  return client.workflow.start<typeof aidantOnboardingWorkflow>('aidantOnboardingWorkflow', {
    workflowId: workflowIdForOnboarding(onboardingId), taskQueue, args: [{ onboardingId, policy }],
  });
}

describe('aidant onboarding after training', () => {
  it('activates the account, ships the kit, completes on the validated card, with each e-mail once even when the worker is replaced', async () => {
    const { onboarding, referent } = await createStructureWithOnboarding();
    const staff = await createJuryMember();
    let worker = await startTestWorker({ sequelize });
    const handle = await startOnboarding(onboarding.id, worker.taskQueue);
    await waitForMails(onboarding.email, 1);

    // A card validated before the training does not end the onboarding (from the activation on, it does).
    expect(await failure(handle.executeUpdate(cardValidatedUpdate, { args: [{ cardId: 'c', actorId: referent.id }] })))
      .toBe('Une carte ne termine l’habilitation qu’une fois le compte de l’aidant activé, après sa formation.');
    expect(await failure(handle.executeUpdate(recordTrainingUpdate, { args: [{ trainingDate: '2999-01-01', actorId: staff.id }] })))
      .toBe('La date de formation ne peut pas être dans le futur.');
    expect(await failure(handle.executeUpdate(recordTrainingUpdate, { args: [{ trainingDate: '2026-02-30', actorId: staff.id }] })))
      .toBe('La date de formation n’existe pas.');
    expect(await failure(handle.executeUpdate(cardShipmentUpdate, { args: [{ status: 'sent', trackingNumber: 'X', actorId: staff.id }] })))
      .toBe('Aucun envoi de carte n’est en cours pour cet aidant.');

    expect(await handle.executeUpdate(recordTrainingUpdate, { args: [{ trainingDate: today(), actorId: staff.id }], updateId: `training-${onboarding.id}` })).toBe('trained');
    // the same click again is applied once
    expect(await handle.executeUpdate(recordTrainingUpdate, { args: [{ trainingDate: today(), actorId: staff.id }], updateId: `training-${onboarding.id}` })).toBe('trained');

    // The worker goes away in the middle of the lifecycle; a new one (a new deploy) takes over.
    await worker.stop();
    worker = await startTestWorker({ sequelize, taskQueue: worker.taskQueue });
    // An activity task handed to the old worker as it shut down is lost until its start-to-close timeout
    // (workflows/lifecycle-activities.ts) and then retried on the new worker: the bound covers that case.
    await reaches(handle, 'card_shipping', 150_000);

    const user = (await User.findOne({ where: { email: onboarding.email } }))!;
    expect(await OrganisationMembership.findOne({ where: { userId: user.id, organisationId: onboarding.organisationId, canCreateMandats: true } })).not.toBeNull();
    expect(await CardShipment.findOne({ where: { onboardingId: onboarding.id } })).toMatchObject({ status: 'preparing' });

    expect(await failure(handle.executeUpdate(cardShipmentUpdate, { args: [{ status: 'delivered', actorId: staff.id }] })))
      .toBe('Un envoi « preparing » ne peut pas passer à « delivered ».');
    expect(await failure(handle.executeUpdate(cardShipmentUpdate, { args: [{ status: 'sent', actorId: staff.id }] })))
      .toBe('Le numéro de suivi est obligatoire pour un envoi.');
    await handle.executeUpdate(cardShipmentUpdate, { args: [{ status: 'sent', trackingNumber: '6A12345678901', actorId: staff.id }] });
    expect(await handle.executeUpdate(cardShipmentUpdate, { args: [{ status: 'delivered', actorId: staff.id }] })).toBe('card_linking');
    expect(await handle.executeUpdate(cardValidatedUpdate, { args: [{ cardId: '0b5c7a32-0000-4000-8000-000000000000', actorId: referent.id }] })).toBe('completed');
    expect(await handle.result()).toBe('completed');
    await worker.stop();

    expect(await AidantOnboarding.findByPk(onboarding.id)).toMatchObject({ status: 'completed', trainingDate: today(), userId: user.id });
    expect(await CardShipment.findOne({ where: { onboardingId: onboarding.id } })).toMatchObject({ status: 'delivered', trackingNumber: '6A12345678901' });
    // The workflow has completed: every e-mail it sent is in the sink (sendEmail completed before it did).
    const toAidant = (await mailsTo(onboarding.email)).map((m) => m.subject);
    const toReferent = (await mailsTo(referent.email)).map((m) => m.subject);
    expect(toAidant.filter((s) => s === 'Bienvenue parmi nos aidants habilités !')).toHaveLength(1);
    expect(toReferent.filter((s) => s === 'Aidants Connect — Le compte de Karim Benali vient d’être activé !')).toHaveLength(1);
    expect(toReferent.filter((s) => s === 'Aidants Connect - Le kit de bienvenue de Karim Benali a été envoyé')).toHaveLength(1);
    expect((await mailsTo(referent.email)).find((m) => m.subject.endsWith('a été envoyé'))!.text).toContain('6A12345678901');
    expect(toReferent.filter((s) => s === 'Aidants Connect - Karim Benali est prêt(e) à accompagner les usagers')).toHaveLength(1);
    expect(new Set(toReferent).size).toBe(toReferent.length);
    // Each person is greeted by name, the référent included.
    for (const mail of await mailsTo(referent.email)) {
      expect(mail.to).toEqual([referent.email]);
      expect(mail.text).toMatch(/^Bonjour Camille Martin,/);
    }
    expect((await mailsTo(onboarding.email)).find((m) => m.subject.includes('Suivez la formation'))!.text).toMatch(/^Bonjour Karim Benali,/);
  }, 300_000);

  it('applies a double click once and the same action at a later shipment step again (a second « Colis perdu »)', async () => {
    const { onboarding, referent } = await createStructureWithOnboarding();
    const staff = await createJuryMember();
    const worker = await startTestWorker({ sequelize });
    try {
      const lifecycles = lifecyclesOn(worker.taskQueue);
      const handle = await startOnboarding(onboarding.id, worker.taskQueue);
      await reaches(handle, 'awaiting_training');
      const training = { trainingDate: today(), actorId: staff.id };
      // A double click: two identical requests taken from the same state.
      expect(await Promise.all([
        lifecycles.updateOnboarding(onboarding.id, recordTrainingUpdate, training),
        lifecycles.updateOnboarding(onboarding.id, recordTrainingUpdate, training),
      ])).toEqual(['trained', 'trained']);
      await reaches(handle, 'card_shipping');
      expect(await JournalEntry.count({ where: { action: 'onboarding_training_done', onboardingId: onboarding.id } })).toBe(1);

      const move = (status: 'sent' | 'lost', trackingNumber?: string) =>
        lifecycles.updateOnboarding(onboarding.id, cardShipmentUpdate, { status, trackingNumber, actorId: staff.id });
      await move('sent', '6A00000000001');
      await move('lost');
      await move('sent', '6A00000000002');
      await move('lost'); // same person, same arguments, later step: applied
      expect(await CardShipment.findOne({ where: { onboardingId: onboarding.id } })).toMatchObject({ status: 'lost', trackingNumber: '6A00000000002' });
      const moves = await JournalEntry.findAll({ where: { action: 'card_shipment_updated', onboardingId: onboarding.id }, order: [['id', 'ASC']] });
      expect(moves.map((m) => (m.details as { shipment: string }).shipment)).toEqual(['preparing', 'sent', 'lost', 'sent', 'lost']);
      await workflowSettled(handle);
      const lost = (await mailsTo(referent.email)).filter((m) => m.subject.endsWith('a été perdu par le transporteur'));
      expect(lost).toHaveLength(2);
      await handle.terminate('end of test');
    } finally {
      await worker.stop();
    }
  });

  it('settles a cancellation racing a training record: one wins, the workflow and the database agree, nothing retries', async () => {
    const { onboarding, referent } = await createStructureWithOnboarding();
    const staff = await createJuryMember();
    let worker = await startTestWorker({ sequelize });
    try {
      const handle = await startOnboarding(onboarding.id, worker.taskQueue);
      await reaches(handle, 'awaiting_training');
      await workflowSettled(handle);
      // Both actions reach the server while no worker runs: the next workflow task receives them together.
      await worker.stop();
      const outcomes = Promise.allSettled([
        handle.executeUpdate(recordTrainingUpdate, { args: [{ trainingDate: today(), actorId: staff.id }] }),
        handle.executeUpdate(cancelOnboardingUpdate, { args: [{ reason: 'Départ de la structure', actorId: referent.id, requestedBy: 'referent' }] }),
      ]);
      worker = await startTestWorker({ sequelize, taskQueue: worker.taskQueue });
      const [training, cancellation] = await outcomes;
      expect([training.status, cancellation.status]).toContain('fulfilled');
      for (const outcome of [training, cancellation]) {
        if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(WorkflowUpdateFailedError);
      }
      await workflowSettled(handle);
      const stored = (await AidantOnboarding.findByPk(onboarding.id))!;
      expect((await handle.query(onboardingStatusQuery)).status).toBe(stored.status);
      expect(stored.status).toBe(cancellation.status === 'fulfilled' ? 'cancelled' : 'card_shipping');
      expect((await handle.describe()).raw.pendingActivities ?? []).toHaveLength(0);
      if (stored.status === 'cancelled') expect(await handle.result()).toBe('cancelled');
      else await handle.terminate('end of test');
    } finally {
      await worker.stop();
    }
  });

  it('fails an update at once when its activity is refused (the database moved meanwhile), and the workflow keeps its state', async () => {
    const { onboarding } = await createStructureWithOnboarding();
    const staff = await createJuryMember();
    const worker = await startTestWorker({ sequelize });
    try {
      const handle = await startOnboarding(onboarding.id, worker.taskQueue);
      await reaches(handle, 'awaiting_training');
      await workflowSettled(handle);
      // Another writer got there first (as a racing action would).
      await AidantOnboarding.update({ status: 'cancelled', cancelledAt: new Date(), cancelReason: 'Ailleurs' }, { where: { id: onboarding.id } });
      expect(await failure(handle.executeUpdate(recordTrainingUpdate, { args: [{ trainingDate: today(), actorId: staff.id }] })))
        .toBe('Cette action n’est plus possible : l’habilitation de l’aidant est au statut « Annulée ».');
      await workflowSettled(handle);
      expect((await handle.query(onboardingStatusQuery)).status).toBe('awaiting_training');
      const history = await handle.fetchHistory();
      const failed = history.events!.filter((e) => e.activityTaskFailedEventAttributes);
      expect(failed).toHaveLength(1);
      expect(failed[0].activityTaskFailedEventAttributes!.failure!.applicationFailureInfo).toMatchObject({ type: 'InvalidTransitionError', nonRetryable: true });
      await handle.terminate('end of test');
    } finally {
      await worker.stop();
    }
  });

  it('answers a shipment update while SMTP is down; the e-mail waits in the outbox and is sent once SMTP is back', async () => {
    const { onboarding, referent } = await createStructureWithOnboarding();
    const staff = await createJuryMember();
    let worker = await startTestWorker({ sequelize });
    const handle = await startOnboarding(onboarding.id, worker.taskQueue);
    await reaches(handle, 'awaiting_training');
    await handle.executeUpdate(recordTrainingUpdate, { args: [{ trainingDate: today(), actorId: staff.id }] });
    await reaches(handle, 'card_shipping');
    await workflowSettled(handle);
    await worker.stop();

    worker = await startTestWorker({ sequelize, taskQueue: worker.taskQueue, smtpUrl: 'smtp://127.0.0.1:1' }); // nothing listens there
    try {
      expect(await handle.executeUpdate(cardShipmentUpdate, { args: [{ status: 'sent', trackingNumber: '6A99999999999', actorId: staff.id }] })).toBe('card_shipping');
      expect(await CardShipment.findOne({ where: { onboardingId: onboarding.id } })).toMatchObject({ status: 'sent' });
      const key = `${handle.workflowId}/shipment-1/referent-${referent.id}`;
      const pending = await waitFor('the shipment e-mail in the outbox', () => EmailOutbox.findOne({ where: { idempotencyKey: key } }), (row) => Boolean(row && row.attempts > 0));
      expect(pending!.status).not.toBe('sent');
    } finally {
      await worker.stop();
    }

    worker = await startTestWorker({ sequelize, taskQueue: worker.taskQueue });
    try {
      expect(await waitForSubject(referent.email, 'Aidants Connect - Le kit de bienvenue de Karim Benali a été envoyé', 60_000)).toBeDefined();
      await handle.terminate('end of test');
    } finally {
      await worker.stop();
    }
  });

  it('starts one onboarding per aidant to train when the comité validates a request; nobody creates mandats before training, and a cancellation takes the right back', async () => {
    const worker = await startTestWorker({ sequelize });
    try {
      const request = await createSubmittedRequest(sequelize);
      await request.update({ referentIsAidant: true });
      await AidantRequest.create({ habilitationRequestId: request.id, firstName: 'Sophie', lastName: 'Durand', email: `sophie.${request.id.slice(0, 8)}@exemple.fr`, profession: 'Médiatrice' });
      const lifecycles = lifecyclesOn(worker.taskQueue);
      await lifecycles.startHabilitationRequest(request.id);
      const requestHandle = client.workflow.getHandle(workflowIdForRequest(request.id));
      await waitFor('the request awaiting the comité', () => requestHandle.query(requestStatusQuery), (s) => s === 'awaiting_comite');
      const jury = await createJuryMember();
      await lifecycles.decideHabilitationRequest(request.id, { decision: 'validate', motif: 'Dossier complet', juryMemberId: jury.id });
      expect(await requestHandle.result()).toBe('validated');

      const stored = (await HabilitationRequest.findByPk(request.id))!;
      const onboardings = await AidantOnboarding.findAll({ where: { habilitationRequestId: request.id }, order: [['email', 'ASC']] });
      const aidantEmails = (await AidantRequest.findAll({ where: { habilitationRequestId: request.id } })).map((a) => a.email);
      expect(aidantEmails).toContain(`sophie.${request.id.slice(0, 8)}@exemple.fr`);
      expect(onboardings.map((o) => o.email).sort()).toEqual([stored.referentEmail, ...aidantEmails].sort());
      for (const onboarding of onboardings) {
        expect(onboarding.organisationId).toBe(stored.organisationId);
        const handle = client.workflow.getHandle(workflowIdForOnboarding(onboarding.id));
        expect((await handle.query(onboardingStatusQuery)).status).toBe('awaiting_training');
        expect(await waitForSubject(onboarding.email, 'Aidants Connect - Suivez la formation des aidants')).toBeDefined();
      }

      // The référent who also trains: référent at once, but no mandats before the training and the activation.
      const referentUser = (await User.findOne({ where: { email: stored.referentEmail! } }))!;
      const membershipOf = async (userId: string) => (await OrganisationMembership.findOne({ where: { userId, organisationId: stored.organisationId! } }))!;
      expect(await membershipOf(referentUser.id)).toMatchObject({ isReferent: true, canCreateMandats: false, isActive: true });

      const referentOnboarding = onboardings.find((o) => o.email === stored.referentEmail)!;
      const sophieOnboarding = onboardings.find((o) => o.email.startsWith('sophie.'))!;
      // The training date rule: a real date, not before the request existed.
      expect(await refusal(lifecycles.updateOnboarding(referentOnboarding.id, recordTrainingUpdate, { trainingDate: '2026-02-30', actorId: jury.id })))
        .toBe('La date de formation n’existe pas.');
      expect(await refusal(lifecycles.updateOnboarding(referentOnboarding.id, recordTrainingUpdate, { trainingDate: '2020-01-01', actorId: jury.id })))
        .toBe('La date de formation ne peut pas précéder la demande d’habilitation.');

      for (const onboarding of [referentOnboarding, sophieOnboarding]) {
        await lifecycles.updateOnboarding(onboarding.id, recordTrainingUpdate, { trainingDate: today(), actorId: jury.id });
        await reaches(client.workflow.getHandle(workflowIdForOnboarding(onboarding.id)), 'card_shipping');
      }
      const sophie = (await User.findOne({ where: { email: sophieOnboarding.email } }))!;
      expect(await membershipOf(referentUser.id)).toMatchObject({ isReferent: true, canCreateMandats: true, isActive: true });
      expect(await membershipOf(sophie.id)).toMatchObject({ isReferent: false, canCreateMandats: true, isActive: true });

      for (const onboarding of [referentOnboarding, sophieOnboarding]) {
        expect(await lifecycles.updateOnboarding(onboarding.id, cancelOnboardingUpdate, { reason: 'Changement d’organisation', actorId: jury.id, requestedBy: 'anct' })).toBe('cancelled');
      }
      expect(await membershipOf(referentUser.id)).toMatchObject({ isReferent: true, canCreateMandats: false, isActive: true });
      expect(await membershipOf(sophie.id)).toMatchObject({ isActive: false });
      expect(await JournalEntry.findOne({ where: { action: 'onboarding_cancelled', onboardingId: sophieOnboarding.id } }))
        .toMatchObject({ details: { withdrawn: { userId: sophie.id, isActive: false } } });
      expect(await JournalEntry.findOne({ where: { action: 'onboarding_cancelled', onboardingId: referentOnboarding.id } }))
        .toMatchObject({ details: { withdrawn: { userId: referentUser.id, canCreateMandats: false } } });
      for (const onboarding of onboardings.filter((o) => o !== referentOnboarding && o !== sophieOnboarding)) {
        await client.workflow.getHandle(workflowIdForOnboarding(onboarding.id)).terminate('end of test');
      }
    } finally {
      await worker.stop();
    }
  });
});
