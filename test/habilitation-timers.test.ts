// Timers of the habilitation request at their real length (days), on Temporal's time-skipping test server
// with a real worker, real activities, PostgreSQL and the mail sink.
import { workflowIdForRequest } from '../domain/habilitation.js';
import type { habilitationRequestWorkflow } from '../workflows/habilitation-request.js';
import { decideUpdate, requestStatusQuery } from '../workflows/messages.js';
import { createSubmittedRequest, createJuryMember } from './support/factories.js';
import { unique } from './support/env.js';
import { mailsTo } from './support/mail.js';
import { ANCT_TEST_EMAIL, useTimeSkippingStack } from './support/temporal.js';

const stack = useTimeSkippingStack();

const DAY = 86_400_000;
const remindersAbout = async (structureName: string) =>
  (await mailsTo(ANCT_TEST_EMAIL)).filter((m) => m.subject.startsWith('[Aidants Connect] Demande d’habilitation en attente') && m.text.includes(structureName));
/** Waits (under load, activities take a moment) until `expected` reminders arrived, then lets any extra one arrive too. */
async function reminders(structureName: string, expected: number) {
  for (let i = 0; i < 100 && (await remindersAbout(structureName)).length < expected; i += 1) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 500));
  return remindersAbout(structureName);
}

describe('habilitation request timers (time skipping)', () => {
  it('reminds the ANCT once per delay while the comité has not decided, and stops once it has', async () => {
    const structureName = `Mairie ${unique()}`;
    const request = await createSubmittedRequest(stack.sequelize, { structure: { name: structureName } });
    const handle = await stack.env.client.workflow.start<typeof habilitationRequestWorkflow>('habilitationRequestWorkflow', {
      workflowId: workflowIdForRequest(request.id),
      taskQueue: stack.worker.taskQueue,
      args: [{ requestId: request.id, policy: { comiteReminderDelayMs: 14 * DAY } }],
    });
    for (let i = 0; i < 100 && (await handle.query(requestStatusQuery)) !== 'awaiting_comite'; i += 1) await new Promise((r) => setTimeout(r, 100));

    await stack.env.sleep('13 days');
    expect(await remindersAbout(structureName)).toHaveLength(0);

    await stack.env.sleep('2 days'); // day 15: one reminder
    const first = await reminders(structureName, 1);
    expect(first).toHaveLength(1);
    expect(first[0].subject).toContain('depuis 14 jours');

    await stack.env.sleep('14 days'); // day 29: a second one, not a duplicate of the first
    const second = await reminders(structureName, 2);
    expect(second.map((m) => m.subject)).toEqual([
      '[Aidants Connect] Demande d’habilitation en attente depuis 14 jours',
      '[Aidants Connect] Demande d’habilitation en attente depuis 28 jours',
    ]);

    const jury = await createJuryMember();
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'refuse', motif: 'Hors périmètre', juryMemberId: jury.id }] });
    expect(await handle.result()).toBe('refused');
    await stack.env.sleep('30 days');
    expect(await remindersAbout(structureName)).toHaveLength(2);
  });
});
