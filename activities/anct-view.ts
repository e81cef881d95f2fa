// Activities of the ANCT's periodic duties. Each takes the instant its workflow read from Temporal (never the
// database's or its own clock) and is idempotent: an e-mail's key is the period it covers (ISO week, month) and
// its recipient, so a retried activity or a second run sends nothing twice; the snapshot replaces the day's.
import { ApplicationFailure } from '@temporalio/activity';
import type { Sequelize } from 'sequelize';
import { parisMonth, previousParisWeek, type ParisWeek, type StatisticsFigures, type WeekFigures } from '../domain/anct-view.js';
import {
  aidantsToTrainAsked, countAidantsToTrainAsked, countByRegion, countByWeek, saveStatisticsSnapshot, structuresWithAidantsWithoutCard,
} from '../services/anct-view.js';
import { EmailNotDeliverableError, sendEmailOnce, type OutboxDeps, type SendOutcome } from '../services/outbox.js';

/** The outbox key of the weekly digest: one per ISO week. */
export const weeklyDigestKey = (week: string) => `anct/weekly-aidants-to-train/${week}`;
/** The outbox key of a référent's monthly e-mail: one per month, structure and référent. */
export const aidantsWithoutCardKey = (month: string, organisationId: string, referentId: string) => `anct/aidants-without-card/${month}/${organisationId}/${referentId}`;

async function sendOnce(outbox: OutboxDeps, request: Parameters<typeof sendEmailOnce>[1]): Promise<SendOutcome> {
  try {
    return await sendEmailOnce(outbox, request);
  } catch (error) {
    if (error instanceof EmailNotDeliverableError) throw ApplicationFailure.create({ type: error.name, message: error.message, nonRetryable: true });
    throw error;
  }
}

export function createAnctViewActivities(deps: { sequelize: Sequelize; anctEmail: string }, outbox: OutboxDeps) {
  return {
    /** The last whole Paris week before `now`, and how many aidants référents asked to train in it. */
    async countWeeklyAidantsToTrain(input: { now: string }): Promise<ParisWeek & { aidants: number }> {
      const week = previousParisWeek(new Date(input.now));
      return { ...week, aidants: await countAidantsToTrainAsked(deps.sequelize, week) };
    },

    /** E-mails the week's aidants to train, by région, to the ANCT staff, once per week. */
    async sendWeeklyAidantsToTrainDigest(week: ParisWeek): Promise<SendOutcome | 'empty'> {
      const regions = await aidantsToTrainAsked(deps.sequelize, week);
      const total = regions.reduce((sum, r) => sum + r.aidants.length, 0);
      if (total === 0) return 'empty'; // withdrawn meanwhile: nothing to tell
      return sendOnce(outbox, {
        idempotencyKey: weeklyDigestKey(week.week), template: 'anct_weekly_aidants_to_train', to: [deps.anctEmail],
        data: {
          recipientName: 'l’équipe Aidants Connect', firstDay: week.firstDay, lastDay: week.lastDay, total,
          regions: regions.map((r) => ({
            region: r.region,
            aidants: r.aidants.map((a) => ({
              name: `${a.firstName} ${a.lastName}`.trim(), email: a.email, profession: a.profession, structureName: a.structureName, city: a.city, departmentCode: a.departmentCode,
            })),
          })),
        },
      });
    },

    /** The Paris month of `now` (the monthly e-mail's period). */
    async monthOf(input: { now: string }): Promise<string> {
      return parisMonth(new Date(input.now));
    },

    /**
     * One batch of structures: e-mails each active référent of a structure with active aidants without a
     * working card the list of those aidants, once per month. Returns where the next batch starts.
     */
    async sendAidantsWithoutCardBatch(input: { month: string; after: string | null; limit: number }): Promise<{ next: string | null; structures: number; emails: number }> {
      const { next, structures } = await structuresWithAidantsWithoutCard(deps.sequelize, input);
      let emails = 0;
      for (const structure of structures) {
        for (const referent of structure.referents) {
          const outcome = await sendOnce(outbox, {
            idempotencyKey: aidantsWithoutCardKey(input.month, structure.organisationId, referent.id), template: 'referent_aidants_without_card', to: [referent.email],
            data: {
              recipientName: `${referent.firstName} ${referent.lastName}`.trim(), structureName: structure.structureName,
              aidants: structure.aidants.map((a) => ({ name: `${a.firstName} ${a.lastName}`.trim(), isRecipient: a.id === referent.id })),
            },
          });
          if (outcome === 'sent') emails += 1;
        }
      }
      return { next, structures: structures.length, emails };
    },

    /** Structures, aidants, requests waiting for the comité and onboardings by step, by région. */
    async countStatisticsByRegion(): Promise<Pick<StatisticsFigures, 'regions' | 'totals'>> {
      return countByRegion(deps.sequelize);
    },

    /** Mandats created and démarches done per week, the last 12 months up to `at`. */
    async countStatisticsByWeek(input: { at: string }): Promise<WeekFigures[]> {
      return countByWeek(deps.sequelize, input.at);
    },

    /** Stores the day's snapshot; returns its Paris day. */
    async saveStatisticsSnapshot(input: { at: string; figures: StatisticsFigures }): Promise<string> {
      return saveStatisticsSnapshot(deps.sequelize, input.at, input.figures);
    },
  };
}
