// The usager told of the démarches done on their behalf. Each use of an autorisation is recorded once, in the
// transaction that journals it (usager_notifications), and wakes this workflow with signal-with-start (id: the
// usager only). It waits a settling delay so that the usager's next uses join, claims every use not yet
// claimed into a batch, e-mails the batch once (outbox key: the batch — a retried activity or a restarted
// worker sends nothing twice; the activity reads names and addresses itself: none enters this history), marks
// it, and ends once no use arrived meanwhile. A use recorded after it ended starts a new run, whose batches
// have keys of their own. A usager used all day long continues as new rather than growing one history.
import { continueAsNew, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { emailOutcome } from './email-failures.js';
import { lifecycleActivities } from './lifecycle-activities.js';
import { autorisationUsedSignal, type UsagerNotificationInput } from './messages.js';

const acts = lifecycleActivities();
// Sending talks to SMTP: the e-mails' minute, as lifecycleActivities gives sendEmail.
const { sendUsagerNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute', retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes', backoffCoefficient: 2 },
});

export async function usagerNotificationWorkflow(input: UsagerNotificationInput): Promise<number> {
  const { workflowId, runId } = workflowInfo();
  let due = true; // started by a use's signal, or continued with uses pending
  setHandler(autorisationUsedSignal, () => { due = true; });

  let batch = 0;
  let notified = 0;
  while (due) {
    due = false;
    await sleep(input.policy.settleMs);
    batch += 1;
    const key = `${workflowId}/${runId}/${batch}`;
    const uses = await acts.claimUsagerNotifications({ usagerId: input.usagerId, batch: key });
    if (uses === 0) continue;
    const sent = await emailOutcome(sendUsagerNotification({ usagerId: input.usagerId, batch: key }));
    const outcome = sent === 'no_email' ? 'no_email' : sent === 'failed' ? 'failed' : 'sent';
    notified += await acts.markUsagerNotified({ batch: key, outcome, at: new Date(Date.now()).toISOString() });
    if (due && workflowInfo().continueAsNewSuggested) await continueAsNew<typeof usagerNotificationWorkflow>(input);
  }
  return notified;
}
