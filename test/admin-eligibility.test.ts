// The ANCT's decisions on what référents ask from the espace référent, through the real web process
// (AdminJS API), a real worker and PostgreSQL: « Valider l’éligibilité » starts the aidant's onboarding
// lifecycle (the invitation reaches the aidant and the référent), « Refuser » tells each référent why, and a
// structure-change request accepted makes the aidant a member (refused: nothing changes).
import type { Client } from '@temporalio/client';
import { AidantOnboarding, JournalEntry, OrganisationMembership, StructureChangeRequest } from '../db/models/index.js';
import { workflowIdForOnboarding } from '../domain/habilitation.js';
import { onboardingStatusQuery } from '../workflows/messages.js';
import { adminAgent } from './support/admin-session.js';
import { useBackOfficeStack } from './support/back-office-stack.js';
import { createPerson, createStructure } from './support/espace.js';
import { createStaffMember } from './support/factories.js';
import { unique } from './support/env.js';
import { waitForSubject } from './support/mail.js';
import { connectClient } from './support/temporal.js';
import { waitFor } from './support/wait.js';

let client: Client;
let staff: Awaited<ReturnType<typeof createStaffMember>>;
const stack = useBackOfficeStack({
  prepare: async () => {
    staff = await createStaffMember('anct_staff');
    client = await connectClient();
  },
});
afterAll(async () => { await client?.connection.close(); });

async function askedByReferent() {
  const organisation = await createStructure();
  const referent = (await createPerson(organisation, { role: 'referent', card: null })).user;
  const onboarding = await AidantOnboarding.create({
    organisationId: organisation.id, habilitationRequestId: null, aidantRequestId: null, userId: null, email: `${unique('futur-')}@exemple.fr`,
    firstName: 'Inès', lastName: 'Morel', profession: 'Médiatrice numérique', requestedById: referent.id, status: 'awaiting_eligibility',
    trainingDeadline: new Date(Date.now() + 60 * 86_400_000), trainingDate: null, lapsedAt: null, cancelledAt: null, cancelReason: null, completedAt: null,
  });
  return { organisation, referent, onboarding };
}

const act = async (resource: string, id: string, action: string, fields: Record<string, string> = {}) => {
  const agent = await adminAgent(stack.web.url, staff.email, staff.totp);
  let call = agent.post(`/admin/api/resources/${resource}/records/${id}/${action}`);
  for (const [name, value] of Object.entries(fields)) call = call.field(name, value);
  const res = await call;
  return res.body as { notice?: { type: string; message: string } };
};

const recordActions = async (resource: string, id: string) => {
  const agent = await adminAgent(stack.web.url, staff.email, staff.totp);
  const res = await agent.get(`/admin/api/resources/${resource}/records/${id}/show`);
  return (res.body.record.recordActions as { name: string }[]).map((a) => a.name);
};

describe('eligibility of an aidant asked by a référent', () => {
  it('« Valider l’éligibilité » starts the onboarding lifecycle: invitation to the aidant and the référent, deadline counted from now', async () => {
    const { organisation, referent, onboarding } = await askedByReferent();
    const offered = await recordActions('aidant_onboardings', onboarding.id);
    expect(offered).toEqual(expect.arrayContaining(['validateEligibility', 'refuseEligibility']));
    expect(offered).not.toContain('cancel');
    expect(offered).not.toContain('recordTraining');

    const done = await act('aidant_onboardings', onboarding.id, 'validateEligibility');
    expect(done.notice).toEqual({ type: 'success', message: 'Éligibilité validée : l’aidant est invité à suivre la formation dans les deux mois.' });
    const handle = client.workflow.getHandle(workflowIdForOnboarding(onboarding.id));
    await waitFor('the lifecycle', async () => (await handle.query(onboardingStatusQuery)).status, (status) => status === 'awaiting_training');
    const stored = (await AidantOnboarding.findByPk(onboarding.id))!;
    expect(stored.status).toBe('awaiting_training');
    expect(stored.eligibilityDecidedAt).not.toBeNull();
    expect(stored.lifecycleStartedAt).not.toBeNull();
    expect(await waitForSubject(onboarding.email, 'Aidants Connect - Suivez la formation des aidants')).toBeDefined();
    expect((await waitForSubject(referent.email, 'Aidants Connect - Inès Morel doit suivre la formation des aidants'))?.text).toMatch(/^Bonjour Camille Martin,/);
    const entries = await JournalEntry.findAll({ where: { action: 'aidant_eligibility_decided', onboardingId: onboarding.id } });
    expect(entries.map((e) => [e.actorId, e.organisationId, e.details])).toEqual([[staff.id, organisation.id, { decision: 'validated' }]]);

    // Decided: neither decision applies any more; from now on it is an ordinary onboarding.
    const again = await act('aidant_onboardings', onboarding.id, 'validateEligibility');
    expect(again.notice?.type).toBe('error');
    expect(again.notice?.message).toContain('Cette demande n’attend pas de décision d’éligibilité');
    expect(await recordActions('aidant_onboardings', onboarding.id)).toEqual(expect.arrayContaining(['recordTraining', 'cancel']));
  });

  it('« Refuser » needs a motif, closes the request and e-mails each référent with it; the address may be asked again', async () => {
    const { organisation, referent, onboarding } = await askedByReferent();
    const coReferent = (await createPerson(organisation, { role: 'referent_aidant', card: null })).user;
    expect((await act('aidant_onboardings', onboarding.id, 'refuseEligibility')).notice?.type).toBe('error');
    expect((await act('aidant_onboardings', onboarding.id, 'refuseEligibility', { reason: 'x' })).notice)
      .toEqual({ type: 'error', message: 'Indiquez le motif du refus (entre 3 et 500 caractères).' });

    const refused = await act('aidant_onboardings', onboarding.id, 'refuseEligibility', { reason: 'Les bénévoles ne peuvent pas être aidants.' });
    expect(refused.notice?.type).toBe('success');
    expect(await AidantOnboarding.findByPk(onboarding.id)).toMatchObject({ status: 'eligibility_refused', eligibilityRefusalReason: 'Les bénévoles ne peuvent pas être aidants.' });
    for (const person of [referent, coReferent]) {
      const mail = await waitForSubject(person.email, 'Aidants Connect - La demande d’ajout d’Inès Morel a été refusée');
      expect(mail?.text).toMatch(/^Bonjour Camille Martin,/);
      expect(mail?.text).toContain('Les bénévoles ne peuvent pas être aidants.');
    }
    const [entry] = await JournalEntry.findAll({ where: { action: 'aidant_eligibility_decided', onboardingId: onboarding.id } });
    expect(entry).toMatchObject({ actorId: staff.id, organisationId: organisation.id, details: { decision: 'refused', reason: 'Les bénévoles ne peuvent pas être aidants.' } });
    // No lifecycle was started, and the address no longer counts as asked for.
    await expect(client.workflow.getHandle(workflowIdForOnboarding(onboarding.id)).describe()).rejects.toThrow();
    await expect(AidantOnboarding.create({
      organisationId: organisation.id, habilitationRequestId: null, aidantRequestId: null, userId: null, email: onboarding.email, firstName: 'Inès',
      lastName: 'Morel', profession: null, requestedById: referent.id, status: 'awaiting_eligibility', trainingDeadline: new Date(),
      trainingDate: null, lapsedAt: null, cancelledAt: null, cancelReason: null, completedAt: null,
    })).resolves.toBeDefined();
  });
});

describe('structure-change requests', () => {
  it('accepted: the aidant joins the structure, journaled and e-mailed; refused: nothing changes', async () => {
    const { organisation, referent } = await askedByReferent();
    const aidant = (await createPerson(await createStructure())).user;
    const accepted = await StructureChangeRequest.create({ aidantId: aidant.id, organisationId: organisation.id, requestedById: referent.id });
    expect(await recordActions('structure_change_requests', accepted.id)).toEqual(expect.arrayContaining(['acceptStructureChange', 'refuseStructureChange']));
    expect((await act('structure_change_requests', accepted.id, 'acceptStructureChange')).notice?.type).toBe('success');
    expect(await StructureChangeRequest.findByPk(accepted.id)).toMatchObject({ status: 'accepted', decidedById: staff.id });
    expect(await OrganisationMembership.findOne({ where: { userId: aidant.id, organisationId: organisation.id, isActive: true, canCreateMandats: true } })).not.toBeNull();
    const added = await JournalEntry.findAll({ where: { action: 'aidant_added', organisationId: organisation.id } });
    expect(added.map((e) => [e.actorId, (e.details as { aidantId: string }).aidantId])).toEqual([[staff.id, aidant.id]]);
    expect((await waitForSubject(aidant.email, `Aidants Connect - Vous avez été ajouté(e) à la structure ${organisation.name}`))?.text).toMatch(/^Bonjour Karim Benali,/);
    expect((await act('structure_change_requests', accepted.id, 'acceptStructureChange')).notice?.type).toBe('error');

    const other = (await createPerson(await createStructure())).user;
    const refused = await StructureChangeRequest.create({ aidantId: other.id, organisationId: organisation.id, requestedById: referent.id });
    expect((await act('structure_change_requests', refused.id, 'refuseStructureChange')).notice?.type).toBe('success');
    expect(await StructureChangeRequest.findByPk(refused.id)).toMatchObject({ status: 'refused' });
    expect(await OrganisationMembership.findOne({ where: { userId: other.id, organisationId: organisation.id } })).toBeNull();
    expect(await JournalEntry.count({ where: { action: 'structure_change_decided', organisationId: organisation.id } })).toBe(2);
  });
});
