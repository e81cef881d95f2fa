// The expiry reminders of one structure for one Paris day, in one e-mail per recipient. Each mandat's workflow
// records its reminder (once per mandat and offset, in the database) and wakes this digest with
// signal-with-start (id: structure and day only). The digest waits a short settling delay so that the
// structure's other mandats of that day join, claims every record not yet claimed into a batch, e-mails the
// batch to each active aidant who can create mandats (outbox key: batch and recipient, so a retry or a restarted
// worker sends nothing twice; the activity reads the names itself: none enters this history), marks the batch
// reminded, and ends once no mandat arrived meanwhile. A record that arrives after it ended starts a new run,
// whose batches have keys of their own: it is reminded too.
import { proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { emailOutcome } from './email-failures.js';
import { lifecycleActivities } from './lifecycle-activities.js';
import { mandatDueSignal, type MandatReminderDigestInput } from './messages.js';

const acts = lifecycleActivities();
// Sending talks to SMTP: the e-mails' minute, as lifecycleActivities gives sendEmail.
const { sendMandatReminder } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute', retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes', backoffCoefficient: 2 },
});

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
    const claimed = await acts.claimMandatReminders({ organisationId: input.organisationId, day: input.day, batch: key, at: new Date(Date.now()).toISOString() });
    if (claimed.mandats === 0) continue;
    for (const recipientId of claimed.recipientIds) {
      await emailOutcome(sendMandatReminder({ organisationId: input.organisationId, batch: key, recipientId }));
    }
    reminded += await acts.markMandatRemindersSent({ batch: key, at: new Date(Date.now()).toISOString() });
  }
  return reminded;
}
