// The aidant-onboarding lifecycle after training, on the real dev server: activation, the welcome kit,
// the card validated by the référent; refused transitions; and a worker replaced mid-lifecycle.
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import { AidantOnboarding, CardShipment, HabilitationRequest, OrganisationMembership, User } from '../db/models/index.js';
import { workflowIdForOnboarding, workflowIdForRequest } from '../domain/habilitation.js';
import { createLifecycles } from '../services/lifecycles.js';
import type { aidantOnboardingWorkflow } from '../workflows/aidant-onboarding.js';
import {
  cardShipmentUpdate, cardValidatedUpdate, onboardingStatusQuery, recordTrainingUpdate, requestStatusQuery,
} from '../workflows/messages.js';
import { createSubmittedRequest, createJuryMember, createStructureWithOnboarding } from './support/factories.js';
import { testSequelize } from './support/env.js';
import { mailsTo, waitForMails, waitForSubject } from './support/mail.js';
import { connectClient, startTestWorker } from './support/temporal.js';

let sequelize: Sequelize;
let client: Client;
beforeAll(async () => { sequelize = testSequelize(); client = await connectClient(); });
afterAll(async () => { await client.connection.close(); await sequelize.close(); });

const policy = { trainingDelayMonths: 2, reminderOffsetsDays: [30, 7] };
const today = () => new Date().toISOString().slice(0, 10);
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (e: WorkflowUpdateFailedError) => e.cause?.message);

async function waitFor(handle: WorkflowHandle, status: string) {
  for (let i = 0; i < 150; i += 1) {
    if ((await handle.query(onboardingStatusQuery)).status === status) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never reached ${status}`);
}

describe('aidant onboarding after training', () => {
  it('activates the account, ships the kit, completes on the validated card, with each e-mail once even when the worker is replaced', async () => {
    const { onboarding, referent } = await createStructureWithOnboarding();
    const staff = await createJuryMember();
    let worker = await startTestWorker({ sequelize });
    const handle = await client.workflow.start<typeof aidantOnboardingWorkflow>('aidantOnboardingWorkflow', {
      workflowId: workflowIdForOnboarding(onboarding.id), taskQueue: worker.taskQueue, args: [{ onboardingId: onboarding.id, policy }],
    });
    await waitForMails(onboarding.email, 1);

    expect(await failure(handle.executeUpdate(recordTrainingUpdate, { args: [{ trainingDate: '2999-01-01', actorId: staff.id }] })))
      .toBe('La date de formation ne peut pas être dans le futur.');
    expect(await failure(handle.executeUpdate(cardShipmentUpdate, { args: [{ status: 'sent', trackingNumber: 'X', actorId: staff.id }] })))
      .toBe('Aucun envoi de carte n’est en cours pour cet aidant.');

    expect(await handle.executeUpdate(recordTrainingUpdate, { args: [{ trainingDate: today(), actorId: staff.id }], updateId: `training-${onboarding.id}` })).toBe('trained');
    // the same click again is applied once
    expect(await handle.executeUpdate(recordTrainingUpdate, { args: [{ trainingDate: today(), actorId: staff.id }], updateId: `training-${onboarding.id}` })).toBe('trained');

    // The worker goes away in the middle of the lifecycle; a new one (a new deploy) takes over.
    await worker.stop();
    worker = await startTestWorker({ sequelize, taskQueue: worker.taskQueue });
    await waitFor(handle, 'card_shipping');

    const user = (await User.findOne({ where: { email: onboarding.email } }))!;
    expect(await OrganisationMembership.findOne({ where: { userId: user.id, organisationId: onboarding.organisationId, canCreateMandats: true } })).not.toBeNull();
    expect(await CardShipment.findOne({ where: { onboardingId: onboarding.id } })).toMatchObject({ status: 'preparing' });

    expect(await failure(handle.executeUpdate(cardShipmentUpdate, { args: [{ status: 'delivered', actorId: staff.id }] })))
      .toBe('Un envoi « preparing » ne peut pas passer à « delivered ».');
    expect(await failure(handle.executeUpdate(cardShipmentUpdate, { args: [{ status: 'sent', actorId: staff.id }] })))
      .toBe('Le numéro de suivi est obligatoire pour un envoi.');
    await handle.executeUpdate(cardShipmentUpdate, { args: [{ status: 'sent', trackingNumber: '6A12345678901', actorId: staff.id }] });
    expect(await failure(handle.executeUpdate(cardValidatedUpdate, { args: [{ cardId: 'c', actorId: referent.id }] })))
      .toBe('La carte ne peut être validée qu’après la livraison du kit de bienvenue.');
    expect(await handle.executeUpdate(cardShipmentUpdate, { args: [{ status: 'delivered', actorId: staff.id }] })).toBe('card_linking');
    expect(await handle.executeUpdate(cardValidatedUpdate, { args: [{ cardId: '0b5c7a32-0000-4000-8000-000000000000', actorId: referent.id }] })).toBe('completed');
    expect(await handle.result()).toBe('completed');
    await worker.stop();

    expect(await AidantOnboarding.findByPk(onboarding.id)).toMatchObject({ status: 'completed', trainingDate: today(), userId: user.id });
    expect(await CardShipment.findOne({ where: { onboardingId: onboarding.id } })).toMatchObject({ status: 'delivered', trackingNumber: '6A12345678901' });
    await new Promise((r) => setTimeout(r, 500));
    const toAidant = (await mailsTo(onboarding.email)).map((m) => m.subject);
    const toReferent = (await mailsTo(referent.email)).map((m) => m.subject);
    expect(toAidant.filter((s) => s === 'Bienvenue parmi nos aidants habilités !')).toHaveLength(1);
    expect(toReferent.filter((s) => s === 'Aidants Connect — Le compte de Karim Benali vient d’être activé !')).toHaveLength(1);
    expect(toReferent.filter((s) => s === 'Aidants Connect - Le kit de bienvenue de Karim Benali a été envoyé')).toHaveLength(1);
    expect((await mailsTo(referent.email)).find((m) => m.subject.endsWith('a été envoyé'))!.text).toContain('6A12345678901');
    expect(toReferent.filter((s) => s === 'Aidants Connect - Karim Benali est prêt(e) à accompagner les usagers')).toHaveLength(1);
    expect(new Set(toReferent).size).toBe(toReferent.length);
  });

  it('starts one onboarding per aidant to train when the comité validates a request', async () => {
    const worker = await startTestWorker({ sequelize });
    try {
      const request = await createSubmittedRequest(sequelize);
      await request.update({ referentIsAidant: true });
      const { AidantRequest } = await import('../db/models/index.js');
      await AidantRequest.create({ habilitationRequestId: request.id, firstName: 'Sophie', lastName: 'Durand', email: `sophie.${request.id.slice(0, 8)}@exemple.fr`, profession: 'Médiatrice' });
      const lifecycles = createLifecycles(client, { taskQueue: worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 }, onboardingPolicy: policy });
      await lifecycles.startHabilitationRequest(request.id);
      const requestHandle = client.workflow.getHandle(workflowIdForRequest(request.id));
      while ((await requestHandle.query(requestStatusQuery)) !== 'awaiting_comite') await new Promise((r) => setTimeout(r, 100));
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
        expect(await waitForSubject(onboarding.email, 'Aidants Connect - Inscrivez-vous à la formation des aidants')).toBeDefined();
        await handle.terminate('end of test');
      }
    } finally {
      await worker.stop();
    }
  });
});
