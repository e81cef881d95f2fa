// Lifecycle 3: one mandat, from its signature to its closure.
//   active (signed) → for the policy's durations (SEMESTER, LONG), a reminder at each offset (30 and 7 days
//   before the expiry), recorded once and sent grouped with the structure's other mandats of that day by the
//   digest (workflows/mandat-reminder-digest.ts) → expired at the expiry (database + journal `expire_mandat`)
//   → renewable for policy.renewableForMs (a year) → closed: the workflow ends.
// Revoking one démarche or the whole mandat reaches the workflow as an update with a validator and takes
// effect at once, even while it sleeps months; revoking the last démarche in force revokes the mandat, which
// then stays renewable a year and closes. One update writes at a time; an update changes the workflow's view
// only once its activity succeeded. The database holds the truth: the workflow reloads its view from it at
// each (re)start, so it can continue as new whenever its history grows (a year of waiting stays small).
// A renewal (a newer mandat of the structure, whose creation revoked this one's overlapping autorisations)
// comes as a 'renewed' update: the mandat's state is reloaded, and once it is no longer in force (at once
// when every démarche was renewed, at the expiry otherwise) the lifecycle closes instead of waiting a year.
import {
  ActivityFailure, ApplicationFailure, allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo,
} from '@temporalio/workflow';
import { lifecycleActivities } from './lifecycle-activities.js';
import {
  DEFAULT_MANDAT_POLICY, MANDAT_REFUSALS, mandatReminders, revocationError, type MandatPhase, type MandatSnapshot,
} from '../domain/mandat-lifecycle.js';
import { mandatStateQuery, renewedUpdate, revokeAutorisationUpdate, revokeMandatUpdate, type MandatInput } from './messages.js';

const acts = lifecycleActivities();

const reject = (message: string) => ApplicationFailure.create({ type: 'InvalidTransition', nonRetryable: true, message });

/** An activity's refusal (non-retryable ApplicationFailure) becomes the update's failure, with its French message. */
function updateFailure(error: unknown): unknown {
  if (error instanceof ActivityFailure) {
    const cause = error.cause instanceof ApplicationFailure ? error.cause : undefined;
    return ApplicationFailure.create({ type: cause?.type ?? 'ActivityFailure', nonRetryable: true, message: cause?.message ?? 'L’action n’a pas pu être enregistrée.' });
  }
  return error;
}

const nowIso = () => new Date(Date.now()).toISOString();

export async function mandatWorkflow(input: MandatInput): Promise<MandatPhase> {
  const { mandatId, policy } = input;
  const { workflowId } = workflowInfo();
  const maxHistoryEvents = policy.maxHistoryEvents ?? DEFAULT_MANDAT_POLICY.maxHistoryEvents!;

  // Given by the starter or by the run that continued as new, the mandat is known before anything is awaited:
  // the handlers below answer from the first workflow task.
  let mandat: MandatSnapshot = input.snapshot ?? await acts.getMandatSnapshot({ mandatId });
  const state = { busy: false, closed: false, renewedBy: input.renewedBy ?? null as string | null };
  const reminders = mandatReminders(Date.parse(mandat.expiresAt), mandat.duration, policy);
  const phase = (): MandatPhase => (state.closed ? 'closed' : mandat.status);
  const ended = () => mandat.status !== 'active'; // read through a call: updates change it meanwhile
  const renewableUntil = (): number | null => {
    if (!ended()) return null;
    const end = mandat.status === 'revoked' && mandat.revokedAt ? Date.parse(mandat.revokedAt) : Date.parse(mandat.expiresAt);
    return Math.min(end, Date.parse(mandat.expiresAt)) + policy.renewableForMs;
  };

  setHandler(mandatStateQuery, () => ({
    phase: phase(), expiresAt: mandat.expiresAt, revokedAt: mandat.revokedAt, demarches: mandat.demarches,
    reminders: reminders.map((r) => ({ offsetDays: r.offsetDays, day: r.day, at: new Date(r.at).toISOString() })),
    renewableUntil: renewableUntil() === null ? null : new Date(renewableUntil()!).toISOString(),
    renewedBy: state.renewedBy,
    revocations: mandat.demarches.filter((d) => d.revoked).length,
  }));

  /** Runs an update's activity alone; the handler takes the mandat's new state only once it succeeded. */
  async function exclusive(run: () => Promise<MandatSnapshot>): Promise<MandatPhase> {
    state.busy = true;
    try {
      mandat = await run();
      return phase();
    } catch (error) {
      throw updateFailure(error);
    } finally {
      state.busy = false;
    }
  }

  const checkRevocation = (actorId: unknown, demarche?: unknown) => {
    if (state.busy) throw reject(MANDAT_REFUSALS.busy);
    const error = revocationError({ ...mandat, phase: phase() }, Date.now(), demarche === undefined ? undefined : String(demarche));
    if (error) throw reject(error);
    if (typeof actorId !== 'string' || !actorId) throw reject(MANDAT_REFUSALS.actor);
  };

  setHandler(revokeAutorisationUpdate, ({ demarche, actorId }) => exclusive(
    () => acts.revokeAutorisation({ mandatId, workflowId, demarche, actorId, at: nowIso() }),
  ), { validator: ({ demarche, actorId }) => checkRevocation(actorId, demarche ?? '') });

  setHandler(revokeMandatUpdate, ({ actorId }) => exclusive(
    () => acts.revokeMandat({ mandatId, workflowId, actorId, at: nowIso() }),
  ), { validator: ({ actorId }) => checkRevocation(actorId) });

  setHandler(renewedUpdate, ({ renewedById, actorId }) => exclusive(async () => {
    const renewed = await acts.recordMandatRenewal({ mandatId, renewedById, actorId });
    state.renewedBy = renewedById;
    return renewed;
  }), {
    validator: ({ renewedById, actorId }) => {
      if (state.busy) throw reject(MANDAT_REFUSALS.busy);
      if (state.closed) throw reject(MANDAT_REFUSALS.closed);
      if (typeof renewedById !== 'string' || !renewedById || renewedById === mandatId) throw reject(MANDAT_REFUSALS.renewal);
      if (typeof actorId !== 'string' || !actorId) throw reject(MANDAT_REFUSALS.actor);
    },
  });

  const historyTooLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > maxHistoryEvents;

  /**
   * Sleeps until `at`, or until `wake()` holds (answers true then). Once no update is writing; if the history
   * grew too long meanwhile (updates), continues as new: the next run reloads the mandat from the database.
   */
  async function sleepUntil(at: number, wake: () => boolean): Promise<boolean> {
    for (;;) {
      const left = at - Date.now();
      if (left > 0) await condition(() => wake() || historyTooLong(), left);
      await condition(() => !state.busy);
      if (wake()) return true;
      if (Date.now() >= at) return false;
      if (historyTooLong()) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof mandatWorkflow>({ mandatId, policy, snapshot: mandat, ...(state.renewedBy ? { renewedBy: state.renewedBy } : {}) });
      }
    }
  }

  // 1. In force: each reminder at its hour, recorded once for the structure's digest of that day.
  for (const reminder of reminders) {
    if (reminder.at <= Date.now()) continue; // already past (a restart after it: recorded then, or too late)
    if (await sleepUntil(reminder.at, ended)) break;
    const recorded = await acts.recordMandatReminder({ mandatId, offsetDays: reminder.offsetDays, day: reminder.day, at: nowIso(), settleMs: policy.digestSettleMs });
    if (recorded === 'not_in_force') mandat = await acts.getMandatSnapshot({ mandatId }); // changed outside this workflow
  }

  // 2. The expiry, unless revoked before.
  if (!(await sleepUntil(Date.parse(mandat.expiresAt), ended))) {
    mandat = await acts.expireMandat({ mandatId, workflowId, at: nowIso() });
  }

  // 3. Expired or revoked: renewable for a while, then closed — at once if it was renewed.
  await sleepUntil(renewableUntil()!, () => state.renewedBy !== null);
  state.closed = true;
  await condition(allHandlersFinished);
  return phase();
}
