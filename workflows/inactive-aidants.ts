// The daily inactivity duty, started by a Temporal schedule (services/periodic-duties.ts). Read top to bottom:
//   1. aidants with no login for 5 months are warned (« connectez-vous dans un délai de 30 jours »);
//   2. those warned a month ago and still not logged in are deactivated (the aidant and their référents e-mailed);
//   3. aidants with no mandat nor démarche for 90 days get the encouragement e-mail;
//   4. habilitation-request drafts idle for 3 months are reminded, 5. those idle for 12 months deleted;
//   6. the bodies of e-mails sent a week ago are purged from the outbox;
//   7. the run is journaled with its counts.
// (Delays: config.inactivity, read by the activities.) "Now" is the workflow's clock, read once and given to every
// activity: the time-skipping tests move it. Each step goes in bounded batches (one activity call per batch,
// keyset cursor); after MAX_BATCHES_PER_RUN batches the run continues as new with its progress, so its
// history stays small however many rows there are.
import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { InactivityBatchInput, InactivityBatchResult } from '../activities/inactivity.js';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2, maximumAttempts: 10 },
});

const MAX_BATCHES_PER_RUN = 200;

type Step = 'warned' | 'deactivated' | 'encouraged' | 'draftsReminded' | 'draftsDeleted' | 'emailBodiesPurged';

/** Carried from one run to the next by continueAsNew; absent when the schedule starts the duty. */
export interface InactivityProgress {
  now: string;
  /** The first run's workflow id: the key of the run's journal entry. */
  key: string;
  done: Step[];
  cursor: { step: Step; after: string } | null;
  counts: Partial<Record<Step, number>>;
}

export async function inactiveAidantsWorkflow(resumed?: InactivityProgress): Promise<Partial<Record<Step, number>>> {
  const progress: InactivityProgress = resumed ?? { now: new Date(Date.now()).toISOString(), key: workflowInfo().workflowId, done: [], cursor: null, counts: {} };
  let batches = 0;

  async function inBatches(step: Step, batch: (input: InactivityBatchInput) => Promise<InactivityBatchResult>): Promise<void> {
    if (progress.done.includes(step)) return;
    let after = progress.cursor?.step === step ? progress.cursor.after : null;
    for (;;) {
      const result = await batch({ now: progress.now, after });
      progress.counts[step] = (progress.counts[step] ?? 0) + result.count;
      if (result.next === null) break;
      after = result.next;
      progress.cursor = { step, after };
      if (++batches >= MAX_BATCHES_PER_RUN) await continueAsNew<typeof inactiveAidantsWorkflow>(progress);
    }
    progress.done.push(step);
    progress.cursor = null;
  }

  await inBatches('warned', acts.warnInactiveAidants);
  await inBatches('deactivated', acts.deactivateWarnedAidants);
  await inBatches('encouraged', acts.encourageInactiveAidants);
  await inBatches('draftsReminded', acts.remindIdleDrafts);
  await inBatches('draftsDeleted', acts.deleteIdleDrafts);
  await inBatches('emailBodiesPurged', acts.purgeSentEmailBodies);
  await acts.journalInactivityRun({ key: progress.key, now: progress.now, counts: progress.counts });
  return progress.counts;
}
