// The expiry reminders of one structure for one Paris day, in one e-mail per recipient. Each mandat's workflow
// records its reminder (once per mandat and offset, in the database) and wakes this digest with
// signal-with-start (id: structure and day only). The digest waits a short settling delay so that the
// structure's other mandats of that day join, claims every record not yet claimed into a batch, e-mails the
// batch to each active aidant who can create mandats (outbox key: batch and recipient, so a retry or a restarted
// worker sends nothing twice), marks the batch reminded, and ends once no mandat arrived meanwhile. A record
// that arrives after it ended starts a new run, whose batches have keys of their own: it is reminded too.
import { setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { lifecycleActivities } from './lifecycle-activities.js';
import { mandatDueSignal, type MandatReminderDigestInput } from './messages.js';

const acts = lifecycleActivities();

export async function mandatReminderDigestWorkflow(input: MandatReminderDigestInput): Promise<number> {
  const { workflowId, runId } = workflowInfo();
  let due = true; // started by the first mandat's signal
  setHandler(mandatDueSignal, () => { due = true; });

  let batch = 0;
  let reminded = 0;
  while (due) {
    due = false;
    await sleep(input.settleMs);
    batch += 1;
    const key = `${workflowId}/${runId}/${batch}`;
    const digest = await acts.claimMandatReminders({ organisationId: input.organisationId, day: input.day, batch: key, at: new Date(Date.now()).toISOString() });
    if (digest.mandats.length === 0) continue;
    for (const recipient of digest.recipients) {
      await acts.sendEmail({
        idempotencyKey: `${key}/${recipient.userId}`, template: 'mandat_expiry_reminder', to: [recipient.email],
        data: { recipientName: recipient.name, structureName: digest.structureName, mandats: digest.mandats },
      });
    }
    reminded += await acts.markMandatRemindersSent({ batch: key, at: new Date(Date.now()).toISOString() });
  }
  return reminded;
}
