// Figures of the back-office dashboard: what waits for the ANCT, and the latest statistics snapshot (taken
// every night by the statisticsSnapshotWorkflow: never counted here, at each view).
import { Op } from 'sequelize';
import { AidantOnboarding, CardShipment, HabilitationRequest } from '../db/models/index.js';
import { DAY_MS, daysBetween } from '../domain/duration.js';
import { ONBOARDING_STATUSES } from '../domain/habilitation.js';
import { latestStatisticsSnapshot } from './anct-view.js';

/** `overdueAfterMs`: a request waiting longer than this for the comité is overdue (the ANCT is reminded). */
export async function anctDashboard(overdueAfterMs: number, now = new Date()) {
  const waiting = await HabilitationRequest.findAll({ where: { status: 'awaiting_comite' }, order: [['submittedAt', 'ASC']], attributes: ['id', 'name', 'submittedAt'] });
  const days = (date: Date | null) => (date ? daysBetween(date.getTime(), now.getTime()) : 0);
  const monthEnd = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  // The one-click preset of the aidants-to-train list: still to train, deadline before the month ends.
  const dueThisMonth = new URLSearchParams({ 'filters.status': 'awaiting_training', 'filters.trainingDeadline~~to': new Date(monthEnd.getTime() - 1).toISOString() });
  const overdueBefore = new Date(now.getTime() - overdueAfterMs);
  const overdue = new URLSearchParams({ 'filters.status': 'awaiting_comite', 'filters.submittedAt~~to': overdueBefore.toISOString(), sortBy: 'submittedAt', direction: 'asc' });
  return {
    awaitingComite: waiting.length,
    overdueDays: Math.round(overdueAfterMs / DAY_MS),
    overdueRequests: waiting.filter((r) => r.submittedAt && r.submittedAt < overdueBefore).length,
    overdueRequestsFilter: overdue.toString(),
    oldestWaitingDays: waiting.length > 0 ? days(waiting[0].submittedAt) : null,
    longestWaiting: waiting.slice(0, 5).map((r) => ({ id: r.id, name: r.name, days: days(r.submittedAt) })),
    trainingsDueThisMonth: await AidantOnboarding.count({ where: { status: 'awaiting_training', trainingDeadline: { [Op.lt]: monthEnd } } }),
    trainingsDueThisMonthFilter: dueThisMonth.toString(),
    lapsedOnboardings: await AidantOnboarding.count({ where: { status: 'lapsed' } }),
    shipmentsInProgress: await CardShipment.count({ where: { status: { [Op.in]: ['preparing', 'sent'] } } }),
    /** null until the first snapshot. */
    statistics: await latestStatisticsSnapshot(HabilitationRequest.sequelize!),
    onboardingStepLabels: ONBOARDING_STATUSES,
  };
}
