// Timers of the habilitation request at their real length (days), on Temporal's time-skipping test server
// with a real worker, real activities, PostgreSQL and the mail sink.
import type { WorkflowHandle } from '@temporalio/client';
import { HabilitationRequest, JournalEntry } from '../db/models/index.js';
import { frenchDate } from '../domain/duration.js';
import { workflowIdForRequest } from '../domain/habilitation.js';
import type { habilitationRequestWorkflow } from '../workflows/habilitation-request.js';
import { decideUpdate, requestStatusQuery, type HabilitationRequestPolicy } from '../workflows/messages.js';
import { createSubmittedRequest, createJuryMember } from './support/factories.js';
import { unique } from './support/env.js';
import { mailsTo } from './support/mail.js';
import { ANCT_TEST_EMAIL, useTimeSkippingStack } from './support/temporal.js';
import { waitFor, workflowSettled } from './support/wait.js';

const stack = useTimeSkippingStack();

const DAY = 86_400_000;
const PRIVATE_LINK = /\/habilitation\/lien\/[A-Za-z0-9_-]{43}/;
const remindersAbout = async (structureName: string) =>
  (await mailsTo(ANCT_TEST_EMAIL)).filter((m) => m.subject.startsWith('[Aidants Connect] Demande d’habilitation en attente') && m.text.includes(structureName));
/** Waits until `expected` reminders arrived and the workflow settled (so an extra one would have arrived too). */
async function reminders(handle: WorkflowHandle, structureName: string, expected: number) {
  await waitFor(`${expected} reminder(s) about ${structureName}`, () => remindersAbout(structureName), (mails) => mails.length >= expected);
  await workflowSettled(handle);
  return remindersAbout(structureName);
}

async function started(policy: HabilitationRequestPolicy) {
  const structureName = `Mairie ${unique()}`;
  const request = await createSubmittedRequest(stack.sequelize, { structure: { name: structureName } });
  const handle = await stack.env.client.workflow.start<typeof habilitationRequestWorkflow>('habilitationRequestWorkflow', {
    workflowId: workflowIdForRequest(request.id),
    taskQueue: stack.worker.taskQueue,
    args: [{ requestId: request.id, policy }],
  });
  await waitFor('the request to await the comité', () => handle.query(requestStatusQuery), (status) => status === 'awaiting_comite');
  const issuer = await request.reload({ include: ['issuer'] });
  return { request, handle, structureName, issuerEmail: (issuer as unknown as { issuer: { email: string } }).issuer.email };
}

describe('habilitation request timers (time skipping)', () => {
  it('reminds the ANCT once per delay while the comité has not decided, and stops once it has', async () => {
    const { handle, structureName } = await started({ comiteReminderDelayMs: 14 * DAY });

    await stack.env.sleep('13 days');
    await workflowSettled(handle);
    expect(await remindersAbout(structureName)).toHaveLength(0);

    await stack.env.sleep('2 days'); // day 15: one reminder
    const first = await reminders(handle, structureName, 1);
    expect(first).toHaveLength(1);
    expect(first[0].subject).toContain('depuis 14 jours');

    await stack.env.sleep('14 days'); // day 29: a second one, not a duplicate of the first
    const second = await reminders(handle, structureName, 2);
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

  it('reminds the demandeur before closing a request left without the changes asked, then closes it', async () => {
    const policy = { comiteReminderDelayMs: 100 * DAY, changesCloseDelayMs: 60 * DAY, changesReminderBeforeMs: 7 * DAY };
    const { request, handle, issuerEmail } = await started(policy);
    const jury = await createJuryMember();
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'require_changes', motif: 'Précisez les missions.', juryMemberId: jury.id }] });
    const asked = await waitFor('the changes to be asked', () => mailsTo(issuerEmail), (mails) => mails.some((m) => m.text.includes('Précisez les missions.')));
    const askedAt = await stack.env.currentTimeMs(); // the server's clock, which the workflow's timers follow
    const about = (mails: typeof asked, subject: string) => mails.filter((m) => m.subject === subject);
    const REMINDER = 'Aidants Connect - Votre demande d’habilitation attend vos modifications';
    const CLOSED = 'Aidants Connect - Votre demande d’habilitation a été clôturée';

    await stack.env.sleep('52 days');
    await workflowSettled(handle);
    expect(about(await mailsTo(issuerEmail), REMINDER)).toHaveLength(0);

    await stack.env.sleep('2 days'); // day 54: seven days (less a day) before the closure
    const reminded = about(await waitFor('the reminder', () => mailsTo(issuerEmail), (mails) => about(mails, REMINDER).length > 0), REMINDER);
    await workflowSettled(handle);
    expect(reminded).toHaveLength(1);
    expect(reminded[0].text).toMatch(PRIVATE_LINK);
    expect(reminded[0].text).toContain(`clôturée le ${frenchDate(new Date(askedAt + 60 * DAY))}`);
    expect((await HabilitationRequest.findByPk(request.id))!.status).toBe('changes_required');
    expect(about(await mailsTo(issuerEmail), CLOSED)).toHaveLength(0);

    expect(await handle.result()).toBe('closed'); // the server skips to the end of the delay
    const closed = (await HabilitationRequest.findByPk(request.id))!;
    expect(closed.status).toBe('closed');
    expect(closed.closedAt).not.toBeNull();
    expect(await JournalEntry.count({ where: { action: 'habilitation_request_closed', habilitationRequestId: request.id } })).toBe(1);
    const closing = about(await waitFor('the closing e-mail', () => mailsTo(issuerEmail), (mails) => about(mails, CLOSED).length > 0), CLOSED);
    expect(closing).toHaveLength(1);
    expect(closing[0].text).toMatch(PRIVATE_LINK);
    expect(about(await mailsTo(issuerEmail), REMINDER)).toHaveLength(1);
  });

  it('does not close a request whose resubmission was recorded but never signalled: it goes back to the comité', async () => {
    const policy = { comiteReminderDelayMs: 100 * DAY, changesCloseDelayMs: 60 * DAY, changesReminderBeforeMs: 7 * DAY };
    const { request, handle, issuerEmail } = await started(policy);
    const jury = await createJuryMember();
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'require_changes', motif: 'Ajoutez le site web.', juryMemberId: jury.id }] });
    await waitFor('the changes to be asked', () => mailsTo(issuerEmail), (mails) => mails.some((m) => m.text.includes('Ajoutez le site web.')));
    await HabilitationRequest.update({ resubmittedAt: new Date() }, { where: { id: request.id } }); // the signal was lost

    await stack.env.sleep('54 days');
    await waitFor('the request back at the comité', () => handle.query(requestStatusQuery), (status) => status === 'awaiting_comite');
    await workflowSettled(handle);
    expect(await HabilitationRequest.findByPk(request.id)).toMatchObject({ status: 'awaiting_comite', resubmittedAt: null });
    expect((await mailsTo(issuerEmail)).filter((m) => m.subject.includes('attend vos modifications'))).toHaveLength(0);
  });
});
