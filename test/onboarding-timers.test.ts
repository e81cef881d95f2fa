// The two-month training rule at its real length, on the time-skipping server with a real worker,
// real activities, PostgreSQL and the mail sink.
import type { WorkflowHandle } from '@temporalio/client';
import { AidantOnboarding, JournalEntry } from '../db/models/index.js';
import { workflowIdForOnboarding } from '../domain/habilitation.js';
import type { aidantOnboardingWorkflow } from '../workflows/aidant-onboarding.js';
import { cancelOnboardingUpdate, onboardingStatusQuery, reopenOnboardingUpdate } from '../workflows/messages.js';
import { createJuryMember, createStructureWithOnboarding } from './support/factories.js';
import { mailsTo } from './support/mail.js';
import { useTimeSkippingStack } from './support/temporal.js';

const stack = useTimeSkippingStack();

const DAY = 86_400_000;
const settle = () => new Promise((r) => setTimeout(r, 600));
const subjects = async (to: string) => (await mailsTo(to)).map((m) => m.subject);
const count = (list: string[], prefix: string) => list.filter((s) => s.startsWith(prefix)).length;
/** Waits (under load, activities take a moment) until `expected` messages arrived, then checks no more did. */
async function sent(to: string, prefix: string, expected: number): Promise<number> {
  for (let i = 0; i < 100 && count(await subjects(to), prefix) < expected; i += 1) await new Promise((r) => setTimeout(r, 100));
  await settle();
  return count(await subjects(to), prefix);
}

async function waitForStatus(handle: WorkflowHandle, status: string) {
  for (let i = 0; i < 100; i += 1) {
    if ((await handle.query(onboardingStatusQuery)).status === status) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`onboarding never reached ${status}`);
}

describe('aidant onboarding: training within two months (time skipping)', () => {
  it('reminds 30 and 7 days before the deadline exactly once each, lapses visibly at the deadline, and can be reopened', async () => {
    const { onboarding, referent } = await createStructureWithOnboarding();
    const handle = await stack.env.client.workflow.start<typeof aidantOnboardingWorkflow>('aidantOnboardingWorkflow', {
      workflowId: workflowIdForOnboarding(onboarding.id), taskQueue: stack.worker.taskQueue,
      args: [{ onboardingId: onboarding.id, policy: { trainingDelayMonths: 2, reminderOffsetsDays: [30, 7] } }],
    });
    const { trainingDeadline } = await handle.query(onboardingStatusQuery);
    const start = await stack.env.currentTimeMs();
    const deadline = Date.parse(trainingDeadline);
    expect(Math.round((deadline - start) / DAY)).toBeGreaterThanOrEqual(59); // two calendar months
    await settle();
    expect(await sent(onboarding.email, 'Aidants Connect - Inscrivez-vous', 1)).toBe(1);
    expect(await sent(referent.email, 'Aidants Connect - Karim Benali doit suivre', 1)).toBe(1);

    await stack.env.sleep(deadline - 31 * DAY - start);
    await settle();
    expect(count(await subjects(onboarding.email), 'Aidants Connect - Formation à suivre')).toBe(0);

    await stack.env.sleep(2 * DAY); // 29 days left: the 30-day reminder
    await settle();
    expect(await sent(onboarding.email, 'Aidants Connect - Formation à suivre', 1)).toBe(1);
    expect(await sent(referent.email, 'Aidants Connect - Formation à suivre', 1)).toBe(1);

    await stack.env.sleep(23 * DAY); // 6 days left: the 7-day reminder
    await settle();
    expect(await sent(onboarding.email, 'Aidants Connect - Formation à suivre', 2)).toBe(2);

    await stack.env.sleep(7 * DAY); // past the deadline
    await waitForStatus(handle, 'lapsed');
    await settle();
    const lapsed = (await AidantOnboarding.findByPk(onboarding.id))!;
    expect(lapsed.status).toBe('lapsed');
    expect(lapsed.lapsedAt).not.toBeNull();
    expect(await sent(referent.email, 'Aidants Connect - Délai de formation dépassé', 1)).toBe(1);
    expect((await mailsTo(referent.email)).find((m) => m.subject.startsWith('Aidants Connect - Délai'))!.text).toContain('un nouveau délai de formation pourra être accordé');
    expect(await JournalEntry.count({ where: { action: 'onboarding_lapsed', onboardingId: onboarding.id } })).toBe(1);

    await stack.env.sleep(40 * DAY); // nothing more while lapsed
    await settle();
    expect(await sent(onboarding.email, 'Aidants Connect - Formation à suivre', 2)).toBe(2);
    expect(await sent(referent.email, 'Aidants Connect - Délai de formation dépassé', 1)).toBe(1);

    const staff = await createJuryMember();
    const newDeadline = new Date((await stack.env.currentTimeMs()) + 20 * DAY).toISOString();
    expect(await handle.executeUpdate(reopenOnboardingUpdate, { args: [{ deadline: newDeadline, actorId: staff.id }] })).toBe('awaiting_training');
    expect((await AidantOnboarding.findByPk(onboarding.id))!).toMatchObject({ status: 'awaiting_training', lapsedAt: null });
    expect(await JournalEntry.findOne({ where: { action: 'onboarding_reopened', onboardingId: onboarding.id } })).toMatchObject({ actorId: staff.id, details: { to: 'awaiting_training', deadline: newDeadline } });
    expect(await JournalEntry.count({ where: { action: 'onboarding_training_done', onboardingId: onboarding.id } })).toBe(0);

    await stack.env.sleep(14 * DAY); // 6 days left in the new period: only the 7-day reminder of round 2
    await settle();
    expect(await sent(onboarding.email, 'Aidants Connect - Formation à suivre', 3)).toBe(3);

    expect(await handle.executeUpdate(cancelOnboardingUpdate, { args: [{ reason: 'Départ de la structure', actorId: referent.id }] })).toBe('cancelled');
    expect(await handle.result()).toBe('cancelled');
    expect((await AidantOnboarding.findByPk(onboarding.id))!).toMatchObject({ status: 'cancelled', cancelReason: 'Départ de la structure' });
    await settle();
    expect((await mailsTo(referent.email)).find((m) => m.subject.includes('annulée'))!.text).toContain('Départ de la structure');
  });
});
