// The ANCT's periodic duties (services/periodic-duties.ts): the weekly digest of aidants to train, the
// référents' monthly e-mail about aidants without a working card, and the daily statistics snapshot. Each
// reads "now" from Temporal and hands it to its activities; no personal data enters these histories (counts,
// periods and structure ids only: the activities read the names themselves).
import { continueAsNew, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { emailOutcome } from './email-failures.js';

const retry: ActivityOptions['retry'] = { initialInterval: '10 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 };
const database = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry });
// These send e-mails (SMTP): a batch of structures takes a few minutes at most.
const mailing = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes', retry });

const now = () => new Date(Date.now()).toISOString();

/** Monday morning: the aidants référents asked to train last week, by région, to the ANCT; nothing when none. */
export async function anctWeeklyDigestWorkflow(): Promise<{ week: string; aidants: number; outcome: string }> {
  const week = await database.countWeeklyAidantsToTrain({ now: now() });
  if (week.aidants === 0) return { week: week.week, aidants: 0, outcome: 'skipped' };
  const { aidants, ...period } = week;
  const outcome = await emailOutcome(mailing.sendWeeklyAidantsToTrainDigest(period));
  return { week: week.week, aidants, outcome };
}

/** Structures per activity call, and calls per run before the history starts afresh. */
const STRUCTURES_PER_BATCH = 100;
const BATCHES_PER_RUN = 100;

/**
 * Once a month: each référent of a structure whose aidants lack a working card gets their list. Works through
 * the structures in batches (by id), and continues as new every BATCHES_PER_RUN batches with where it was.
 */
export async function referentAidantsWithoutCardWorkflow(resume?: { month: string; after: string; emails: number }): Promise<{ month: string; emails: number }> {
  const month = resume?.month ?? await database.monthOf({ now: now() });
  let after: string | null = resume?.after ?? null;
  let emails = resume?.emails ?? 0;
  for (let batch = 0; batch < BATCHES_PER_RUN; batch += 1) {
    const done = await mailing.sendAidantsWithoutCardBatch({ month, after, limit: STRUCTURES_PER_BATCH });
    emails += done.emails;
    if (done.next === null) return { month, emails };
    after = done.next;
  }
  return continueAsNew<typeof referentAidantsWithoutCardWorkflow>({ month, after: after!, emails });
}

/** Every night: the figures of the back-office dashboard, counted once and stored as the day's snapshot. */
export async function statisticsSnapshotWorkflow(): Promise<{ day: string }> {
  const at = now();
  const { regions, totals } = await database.countStatisticsByRegion();
  const weeks = await database.countStatisticsByWeek({ at });
  const day = await database.saveStatisticsSnapshot({ at, figures: { regions, totals, weeks } });
  return { day };
}
