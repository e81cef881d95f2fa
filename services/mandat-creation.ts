// The mandat's creation from a FranceConnect identification, or from a renewal (services/mandat-renewal.ts:
// the usager already known): it serves once (marked used in the creation's transaction, refused once expired
// or used, or when it is not this aidant's in this structure), then, after the commit, the new mandat's
// workflow is started and the workflows of the mandats it superseded or renewed are told. Those Temporal
// calls may fail: the mandat exists all the same.
import { Op, type Sequelize, type Transaction } from 'sequelize';
import { Connection, Mandat, Usager } from '../db/models/index.js';
import { DomainError } from '../domain/errors.js';
import { MANDAT_TEXT_VERSION } from '../domain/mandat.js';
import type { Logger } from '../infra/logger.js';
import { startPeriodicSweep } from './periodic-sweep.js';
import type { Lifecycles } from './lifecycles.js';
import { createMandat, type CreatedMandat } from './mandats.js';
import { isUuid } from '../domain/uuid.js';

export const IDENTIFICATION_REFUSALS = {
  expired: 'L’identification de l’usager a expiré : recommencez la création du mandat et identifiez à nouveau l’usager avec FranceConnect.',
  used: 'Cette identification de l’usager a déjà servi à créer un mandat. Pour en créer un autre, recommencez depuis le début.',
  unknown: 'Cette identification de l’usager est introuvable ou ne vous appartient pas.',
} as const;

/** An identification that cannot serve (any more): 409, the French reason. */
export class IdentificationUnusable extends DomainError {
  constructor(readonly reason: keyof typeof IDENTIFICATION_REFUSALS) {
    super(IDENTIFICATION_REFUSALS[reason], `identification_${reason}`, reason === 'unknown' ? 404 : 409);
  }
}

/** Why an identification cannot serve now (null when it can): used, then expired. */
export function identificationProblem(connection: { usedAt: Date | null; expiresAt: Date }, now: Date): keyof typeof IDENTIFICATION_REFUSALS | null {
  if (connection.usedAt) return 'used';
  if (connection.expiresAt.getTime() <= now.getTime()) return 'expired';
  return null;
}

const MANDAT_SOURCES: Connection['kind'][] = ['franceconnect_client', 'renewal'];

/** A mandat waiting for its signature: the usager identified (FranceConnect) or known (renewal), the choice made. */
export interface PendingMandat {
  connectionId: string;
  usager: Usager;
  demarches: string[] | null;
  duration: string | null;
  /** A renewal: the mandat it renews. */
  renewedFromId: string | null;
}

/** The identification or renewal `connectionId` of this aidant in this structure, or null (a 404 for the pages). */
export async function findPendingMandat(connectionId: string, session: { aidantId: string; organisationId: string }): Promise<PendingMandat | null> {
  if (!isUuid(connectionId)) return null;
  const connection = await Connection.findOne({
    where: { id: connectionId, kind: MANDAT_SOURCES, aidantId: session.aidantId, organisationId: session.organisationId },
  });
  if (!connection?.usagerId || (connection.kind === 'franceconnect_client' && !connection.identifiedAt)) return null;
  const usager = await Usager.findByPk(connection.usagerId);
  if (!usager || usager.anonymisedAt) return null;
  return { connectionId: connection.id, usager, demarches: connection.demarches, duration: connection.duration, renewedFromId: connection.renewedFromId ?? null };
}

/** Marks the identification (or renewal) used, inside the creation's transaction (row locked: two posts take turns). */
async function claimIdentification(transaction: Transaction, input: { connectionId: string; aidantId: string; organisationId: string; usagerId: string; renewedFromId: string | null; at: Date }) {
  const connection = await Connection.findOne({
    where: { id: input.connectionId, kind: MANDAT_SOURCES, aidantId: input.aidantId, organisationId: input.organisationId },
    lock: transaction.LOCK.UPDATE, transaction,
  });
  const identified = connection?.kind === 'renewal' || Boolean(connection?.identifiedAt);
  if (!connection || !identified || connection.usagerId !== input.usagerId || (connection.renewedFromId ?? null) !== input.renewedFromId) {
    throw new IdentificationUnusable('unknown');
  }
  const problem = identificationProblem(connection, input.at);
  if (problem) throw new IdentificationUnusable(problem);
  await connection.update({ usedAt: input.at }, { transaction });
}

export interface MandatCreationResult extends CreatedMandat {
  /** False when Temporal could not start the mandat's workflow (the sweep, startMandatWorkflowSweep, will). */
  started: boolean;
}

/**
 * Creates the mandat the aidant signs (their card code checked by the caller) for the usager identified by
 * `connectionId`, with the démarches and duration kept with that identification.
 */
export async function createMandatFromIdentification(
  deps: { sequelize: Sequelize; lifecycles: Lifecycles; log: Logger },
  input: { connectionId: string; aidantId: string; organisationId: string; usagerId: string; demarches: readonly string[]; duration: string; renewedFromId?: string | null; signingCard?: { id: string; kind: string } | null },
): Promise<MandatCreationResult> {
  const at = new Date();
  const renewedFromId = input.renewedFromId ?? null;
  const created = await createMandat(deps.sequelize, {
    aidant: { id: input.aidantId }, organisation: { id: input.organisationId }, usagerId: input.usagerId,
    demarches: input.demarches, duration: input.duration, textVersion: MANDAT_TEXT_VERSION, at, renewedFromId, signingCard: input.signingCard ?? null,
    claim: (transaction) => claimIdentification(transaction, { ...input, renewedFromId, at }),
  });

  // After the commit, never inside it: Temporal may be slow or down.
  let started = true;
  try {
    await startMandatWorkflow(deps.lifecycles, created.mandat.id);
  } catch (error) {
    started = false;
    deps.log.warn('mandat workflow not started', { mandatId: created.mandat.id, error: String((error as Error)?.message ?? error).split('\n')[0] });
  }
  // The older mandats' workflows learn that these démarches were revoked by the supersession (already done in
  // the database: their activity takes the database's state). A failure is only logged: the creation stands,
  // and a workflow that missed it reloads the mandat when it next runs an activity.
  // The renewed mandat's workflow learns of its renewal (it reloads the mandat: the revocations come with it).
  if (renewedFromId) {
    try {
      await deps.lifecycles.renewMandat(renewedFromId, created.mandat.id, input.aidantId);
    } catch (error) {
      deps.log.warn('renewed mandat workflow not told', { mandatId: renewedFromId, error: String((error as Error)?.message ?? error).split('\n')[0] });
    }
  }
  for (const superseded of created.superseded.filter((s) => s.mandatId !== renewedFromId)) {
    try {
      await deps.lifecycles.revokeAutorisation(superseded.mandatId, superseded.demarche, input.aidantId);
    } catch (error) {
      deps.log.warn('superseded mandat workflow not told', { mandatId: superseded.mandatId, error: String((error as Error)?.message ?? error).split('\n')[0] });
    }
  }
  return { ...created, started };
}

// ---------------------------------------------------------------------------------------------------------
// Mandats whose workflow could not be started at their creation (Temporal unreachable): started later.

/** Starts the mandat's workflow (starting it again is fine), then records it. */
async function startMandatWorkflow(lifecycles: Lifecycles, mandatId: string): Promise<void> {
  await lifecycles.startMandat(mandatId);
  await Mandat.update({ workflowStartedAt: new Date() }, { where: { id: mandatId, workflowStartedAt: null } });
}

export const MANDAT_WORKFLOW_SWEEP_INTERVAL_MS = 60_000;
/** A mandat this recent is left to its creation, which is starting its workflow. */
export const MANDAT_WORKFLOW_SWEEP_GRACE_MS = 60_000;

/**
 * Starts the workflows of active, unexpired mandats not known started (oldest first, at most `limit`);
 * `organisationIds` restricts the sweep (tests). Answers how many were started and the failures.
 */
export async function startPendingMandatWorkflows(
  deps: { lifecycles: Lifecycles },
  options: { graceMs?: number; limit?: number; organisationIds?: string[]; now?: Date } = {},
): Promise<{ started: number; failures: Error[] }> {
  const now = options.now ?? new Date();
  const pending = await Mandat.findAll({
    attributes: ['id'],
    where: {
      workflowStartedAt: null, status: 'active', expiresAt: { [Op.gt]: now },
      createdAt: { [Op.lte]: new Date(now.getTime() - (options.graceMs ?? MANDAT_WORKFLOW_SWEEP_GRACE_MS)) },
      ...(options.organisationIds ? { organisationId: options.organisationIds } : {}),
    },
    order: [['createdAt', 'ASC']], limit: options.limit ?? 100,
  });
  let started = 0;
  const failures: Error[] = [];
  for (const { id } of pending) {
    try {
      await startMandatWorkflow(deps.lifecycles, id);
      started += 1;
    } catch (error) {
      failures.push(error as Error);
    }
  }
  return { started, failures };
}

/** Sweeps now, then every `intervalMs` until stopped (like the card validations' sweep). Returns the function that stops it. */
export function startMandatWorkflowSweep(
  deps: { lifecycles: Lifecycles },
  options: { intervalMs?: number; onStarted?: (count: number) => void; onError?: (error: Error) => void } = {},
): () => void {
  return startPeriodicSweep(async () => {
    const { started, failures } = await startPendingMandatWorkflows(deps);
    if (started > 0) options.onStarted?.(started);
    if (failures[0]) options.onError?.(failures[0]);
  }, options.intervalMs ?? MANDAT_WORKFLOW_SWEEP_INTERVAL_MS, options.onError);
}
