// The two-month training rule at its real length, and what follows a lapse (reopening, cancellation,
// closure after the configured delay), on the time-skipping server with a real worker, real activities,
// PostgreSQL and the mail sink. After each skip the test waits until the workflow has settled (timers fired,
// activities done, read from its history) before counting e-mails: no fixed sleep.
import type { WorkflowHandle } from '@temporalio/client';
import { AidantOnboarding, JournalEntry, OrganisationMembership, User } from '../db/models/index.js';
import { LAPSED_CLOSE_REASON, workflowIdForOnboarding, type OnboardingPolicy } from '../domain/habilitation.js';
import type { aidantOnboardingWorkflow } from '../workflows/aidant-onboarding.js';
import { cancelOnboardingUpdate, onboardingStatusQuery, reopenOnboardingUpdate } from '../workflows/messages.js';
import { createJuryMember, createStructureWithOnboarding } from './support/factories.js';
import { unique } from './support/env.js';
import { mailsTo } from './support/mail.js';
import { useTimeSkippingStack } from './support/temporal.js';
import { workflowHistorySettled } from './support/wait.js';

const stack = useTimeSkippingStack();

const DAY = 86_400_000;
const subjects = async (to: string) => (await mailsTo(to)).map((m) => m.subject);
const count = async (to: string, prefix: string) => (await subjects(to)).filter((s) => s.startsWith(prefix)).length;
const REMINDER = 'Aidants Connect - Formation à suivre';
const LAPSED = 'Aidants Connect - Délai de formation dépassé';
const CLOSING = 'Aidants Connect - La demande d’habilitation de Karim Benali va être close';
const CANCELLED = 'Aidants Connect - Habilitation de Karim Benali annulée';

async function start(onboardingId: string, policy: OnboardingPolicy = { trainingDelayMonths: 2, reminderOffsetsDays: [30, 7] }) {
  const handle = await stack.env.client.workflow.start<typeof aidantOnboardingWorkflow>('aidantOnboardingWorkflow', {
    workflowId: workflowIdForOnboarding(onboardingId), taskQueue: stack.worker.taskQueue, args: [{ onboardingId, policy }],
  });
  await workflowHistorySettled(handle);
  return handle;
}

/** Skips `ms` of workflow time, then waits until the timers that fired have done their work. */
async function skip(handle: WorkflowHandle, ms: number) {
  await stack.env.sleep(ms);
  await workflowHistorySettled(handle);
}

async function lapse(handle: WorkflowHandle) {
  const deadline = Date.parse((await handle.query(onboardingStatusQuery)).trainingDeadline);
  await skip(handle, deadline - (await stack.env.currentTimeMs()) + 60_000);
  expect((await handle.query(onboardingStatusQuery)).status).toBe('lapsed');
}

async function addReferent(organisationId: string) {
  const user = await User.create({
    email: `${unique('referent2-')}@exemple.fr`, firstName: 'Inès', lastName: 'Roussel', profession: 'Coordinatrice', phone: null,
    currentOrganisationId: organisationId, passwordHash: null, sealedAdminTotpSecret: null, lastLoginAt: null, lastActivityAt: null,
  });
  await OrganisationMembership.create({ userId: user.id, organisationId, isReferent: true, canCreateMandats: false });
  return user;
}

describe('aidant onboarding: training within two months (time skipping)', () => {
  it('reminds 30 and 7 days before the deadline exactly once each (a référent added meanwhile too), lapses visibly at the deadline, and can be reopened', async () => {
    const { onboarding, referent, organisation } = await createStructureWithOnboarding();
    const handle = await start(onboarding.id);
    const { trainingDeadline } = await handle.query(onboardingStatusQuery);
    const begin = await stack.env.currentTimeMs();
    const deadline = Date.parse(trainingDeadline);
    expect(Math.round((deadline - begin) / DAY)).toBeGreaterThanOrEqual(59); // two calendar months
    expect(await count(onboarding.email, 'Aidants Connect - Suivez la formation')).toBe(1);
    expect(await count(referent.email, 'Aidants Connect - Karim Benali doit suivre')).toBe(1);

    // A second référent joins the structure after the start: the reminders reach them too, by name.
    const newReferent = await addReferent(organisation.id);

    await skip(handle, deadline - 31 * DAY - begin);
    expect(await count(onboarding.email, REMINDER)).toBe(0);

    await skip(handle, 2 * DAY); // 29 days left: the 30-day reminder
    expect(await count(onboarding.email, REMINDER)).toBe(1);
    expect(await count(referent.email, REMINDER)).toBe(1);
    expect(await count(newReferent.email, REMINDER)).toBe(1);
    const reminder = (await mailsTo(newReferent.email)).find((m) => m.subject.startsWith(REMINDER))!;
    expect(reminder.to).toEqual([newReferent.email]);
    expect(reminder.text).toMatch(/^Bonjour Inès Roussel,/);
    expect((await mailsTo(referent.email)).find((m) => m.subject.startsWith(REMINDER))!.text).toMatch(/^Bonjour Camille Martin,/);

    await skip(handle, 23 * DAY); // 6 days left: the 7-day reminder
    expect(await count(onboarding.email, REMINDER)).toBe(2);

    await skip(handle, 7 * DAY); // past the deadline
    const lapsed = (await AidantOnboarding.findByPk(onboarding.id))!;
    expect(lapsed.status).toBe('lapsed');
    expect(lapsed.lapsedAt).not.toBeNull();
    expect(await count(referent.email, LAPSED)).toBe(1);
    expect((await mailsTo(referent.email)).find((m) => m.subject.startsWith(LAPSED))!.text).toContain('un nouveau délai de formation pourra être accordé');
    expect(await JournalEntry.count({ where: { action: 'onboarding_lapsed', onboardingId: onboarding.id } })).toBe(1);

    await skip(handle, 40 * DAY); // nothing more while lapsed, well before the closure
    expect(await count(onboarding.email, REMINDER)).toBe(2);
    expect(await count(referent.email, LAPSED)).toBe(1);
    expect(await count(referent.email, CLOSING)).toBe(0);

    const staff = await createJuryMember();
    const newDeadline = new Date((await stack.env.currentTimeMs()) + 20 * DAY).toISOString();
    expect(await handle.executeUpdate(reopenOnboardingUpdate, { args: [{ deadline: newDeadline, actorId: staff.id }] })).toBe('awaiting_training');
    expect((await AidantOnboarding.findByPk(onboarding.id))!).toMatchObject({ status: 'awaiting_training', lapsedAt: null });
    expect(await JournalEntry.findOne({ where: { action: 'onboarding_reopened', onboardingId: onboarding.id } })).toMatchObject({ actorId: staff.id, details: { to: 'awaiting_training', deadline: newDeadline } });
    expect(await JournalEntry.count({ where: { action: 'onboarding_training_done', onboardingId: onboarding.id } })).toBe(0);

    await skip(handle, 14 * DAY); // 6 days left in the new period: only the 7-day reminder of round 2
    expect(await count(onboarding.email, REMINDER)).toBe(3);

    expect(await handle.executeUpdate(cancelOnboardingUpdate, { args: [{ reason: 'Départ de la structure', actorId: referent.id }] })).toBe('cancelled');
    expect(await handle.result()).toBe('cancelled');
    expect((await AidantOnboarding.findByPk(onboarding.id))!).toMatchObject({ status: 'cancelled', cancelReason: 'Départ de la structure' });
    expect((await mailsTo(referent.email)).find((m) => m.subject === CANCELLED)!.text).toContain('Départ de la structure');
  });

  it('lets the structure give up a lapsed onboarding: cancelled, journaled, the workflow completes', async () => {
    const { onboarding, referent } = await createStructureWithOnboarding();
    const handle = await start(onboarding.id);
    await lapse(handle);
    expect(await handle.executeUpdate(cancelOnboardingUpdate, { args: [{ reason: 'Plus de besoin', actorId: referent.id, requestedBy: 'referent' }] })).toBe('cancelled');
    expect(await handle.result()).toBe('cancelled');
    expect((await AidantOnboarding.findByPk(onboarding.id))!).toMatchObject({ status: 'cancelled', cancelReason: 'Plus de besoin', lapsedAt: null });
    expect(await JournalEntry.findOne({ where: { action: 'onboarding_cancelled', onboardingId: onboarding.id } })).toMatchObject({ details: { requestedBy: 'referent' } });
  });

  it('closes an onboarding left lapsed after the default delay (old inputs lack it), told 14 days before, journaled and e-mailed', async () => {
    const { onboarding, referent } = await createStructureWithOnboarding();
    const handle = await start(onboarding.id); // a policy without lapsedCloseDelayMs: 90 days, reminder 14 days before
    await lapse(handle);

    await skip(handle, 75 * DAY);
    expect(await count(referent.email, CLOSING)).toBe(0);
    await skip(handle, 2 * DAY); // 13 days before the closure
    expect(await count(referent.email, CLOSING)).toBe(1);
    expect(await count(onboarding.email, CLOSING)).toBe(1);
    expect((await AidantOnboarding.findByPk(onboarding.id))!.status).toBe('lapsed');

    await stack.env.sleep(14 * DAY);
    expect(await handle.result()).toBe('cancelled');
    expect((await AidantOnboarding.findByPk(onboarding.id))!).toMatchObject({ status: 'cancelled', cancelReason: LAPSED_CLOSE_REASON, lapsedAt: null });
    expect(await JournalEntry.findOne({ where: { action: 'onboarding_closed', onboardingId: onboarding.id } })).toMatchObject({ details: { to: 'cancelled', requestedBy: 'system' } });
    const closed = (await mailsTo(referent.email)).filter((m) => m.subject === CANCELLED);
    expect(closed).toHaveLength(1);
    expect(closed[0].text).toContain(LAPSED_CLOSE_REASON);
    expect(await count(referent.email, CLOSING)).toBe(1);
  });
});
