// The members of a structure, as its référents manage them (espace référent) and the ANCT decides on them
// (back-office): aidants to train asked by a référent and their eligibility, aidants already trained joining
// directly or through a structure-change request, deactivation, reactivation, removal, co-référents, the
// structure's démarches and the cancellation of an onboarding. Each change and its journal entry share one
// transaction; its e-mails are stored in it and delivered after the commit (services/outbox.ts).
import { Op, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import {
  AidantOnboarding, Card, Organisation, OrganisationMembership, StructureChangeRequest, User,
} from '../db/models/index.js';
import type { Demarche } from '../domain/demarches.js';
import { addMonths } from '../domain/duration.js';
import { InvalidTransitionError, NotFoundError, ValidationError } from '../domain/errors.js';
import {
  cancelReasonError, canCancelOnboarding, DEFAULT_ONBOARDING_POLICY, FINAL_ONBOARDING_STATUSES, ONBOARDING_STATUSES, workflowIdForOnboarding,
  type OnboardingStatus,
} from '../domain/habilitation.js';
import type { FieldErrors } from '../domain/habilitation-form.js';
import { parseDemarches, REFUSALS, refusalReasonError, rowField, type NewAidant } from '../domain/structure-members.js';
import type { RenderContext } from '../emails/common.js';
import { cancelOnboardingUpdate } from '../workflows/messages.js';
import { appendJournal } from './journal.js';
import type { Lifecycles } from './lifecycles.js';
import { enqueueEmail, type EmailRequest } from './outbox.js';
import { isUuid } from '../domain/uuid.js';

export interface MembersDeps {
  sequelize: Sequelize;
  /** Renders the e-mails stored in the outbox. */
  render: RenderContext;
  lifecycles: Pick<Lifecycles, 'sendEmail' | 'updateOnboarding' | 'startOnboarding'>;
}

/** Who acts, and in which structure (the référent's current one). */
export interface Actor { actorId: string; organisationId: string }

export const NOT_A_MEMBER = 'Ce profil aidant n’existe pas ou n’est pas membre de votre structure active.';

const fullName = (person: { firstName: string; lastName: string }) => `${person.firstName} ${person.lastName}`.trim();

/** Stores the e-mails in the transaction; returns their keys, to deliver after the commit. */
async function store(deps: MembersDeps, emails: EmailRequest[], transaction: Transaction): Promise<string[]> {
  for (const email of emails) await enqueueEmail({ render: deps.render }, email, transaction);
  return emails.map((email) => email.idempotencyKey);
}

/** Delivers stored e-mails; a delivery that cannot start now is started by the housekeeping. */
async function deliver(deps: MembersDeps, keys: string[]): Promise<void> {
  for (const idempotencyKey of keys) await deps.lifecycles.sendEmail({ idempotencyKey }).catch(() => undefined);
}

async function inTransaction<T>(deps: MembersDeps, work: (t: Transaction) => Promise<{ result: T; emails: string[] }>): Promise<T> {
  const { result, emails } = await deps.sequelize.transaction(work);
  await deliver(deps, emails);
  return result;
}

function notOneself(actor: Actor, aidantId: string): void {
  if (actor.actorId === aidantId) throw new InvalidTransitionError(REFUSALS.notOneself);
}

async function lockedMember(actor: Actor, userId: string, transaction: Transaction): Promise<{ user: User; membership: OrganisationMembership }> {
  // NO KEY UPDATE: only non-key columns change, and foreign-key checks of rows naming this user (a journal entry
  // of another transaction) must not wait for us while we may wait for that transaction.
  const user = await User.findByPk(userId, { transaction, lock: transaction.LOCK.NO_KEY_UPDATE });
  const membership = user && await OrganisationMembership.findOne({ where: { userId, organisationId: actor.organisationId }, transaction, lock: transaction.LOCK.UPDATE });
  if (!user || !membership) throw new NotFoundError(NOT_A_MEMBER);
  return { user, membership };
}

/** The active référents of a structure (their own e-mail each, greeted by name). */
async function referentsOf(organisationId: string, transaction?: Transaction): Promise<User[]> {
  const memberships = await OrganisationMembership.findAll({
    where: { organisationId, isReferent: true, isActive: true }, include: [{ model: User, as: 'user', where: { isActive: true } }], transaction,
  });
  return memberships.map((m) => (m as OrganisationMembership & { user: User }).user);
}

// --- What the référent sees

export interface MemberRow {
  user: User;
  membership: OrganisationMembership;
  /** The physical card and the application (digital card), linked to the person, validated or not. */
  cards: Pick<Card, 'id' | 'kind' | 'serialNumber' | 'validatedAt'>[];
  /** The person's latest onboarding in this structure. */
  onboarding: AidantOnboarding | null;
}

export interface StructureOverview {
  members: MemberRow[];
  /** Onboardings that can still be cancelled (awaiting the ANCT, in training, activated…), oldest first. */
  openOnboardings: AidantOnboarding[];
  structureChanges: (StructureChangeRequest & { aidant: User })[];
}

export async function structureOverview(organisationId: string): Promise<StructureOverview> {
  const memberships = await OrganisationMembership.findAll({ where: { organisationId }, include: [{ model: User, as: 'user' }] }) as (OrganisationMembership & { user: User })[];
  const userIds = memberships.map((m) => m.userId);
  const cards = userIds.length > 0
    ? await Card.findAll({ where: { aidantId: userIds }, attributes: ['id', 'kind', 'serialNumber', 'validatedAt', 'aidantId'], order: [['kind', 'DESC']] })
    : [];
  const onboardings = await AidantOnboarding.findAll({ where: { organisationId }, order: [['createdAt', 'ASC']] });
  const latest = (user: User) => onboardings.filter((o) => o.userId === user.id || o.email === user.email).at(-1) ?? null;
  const members = memberships
    .map((m) => ({ user: m.user, membership: m as OrganisationMembership, cards: cards.filter((c) => c.aidantId === m.userId), onboarding: latest(m.user) }))
    .sort((a, b) => Number(isActiveMember(b)) - Number(isActiveMember(a)) || a.user.lastName.localeCompare(b.user.lastName, 'fr') || a.user.firstName.localeCompare(b.user.firstName, 'fr'));
  const structureChanges = await StructureChangeRequest.findAll({
    where: { organisationId, status: 'pending' }, include: [{ model: User, as: 'aidant' }], order: [['createdAt', 'ASC']],
  }) as StructureOverview['structureChanges'];
  return { members, openOnboardings: onboardings.filter((o) => canCancelOnboarding(o.status)), structureChanges };
}

/** One member of the structure: the row of the list, every onboarding of theirs in it, their other structures. */
export async function memberDetail(organisationId: string, user: User, membership: OrganisationMembership): Promise<{ row: MemberRow; onboardings: AidantOnboarding[]; otherStructures: string[] }> {
  const cards = await Card.findAll({ where: { aidantId: user.id }, attributes: ['id', 'kind', 'serialNumber', 'validatedAt', 'aidantId'], order: [['kind', 'DESC']] });
  const onboardings = await AidantOnboarding.findAll({
    where: { organisationId, [Op.or]: [{ userId: user.id }, { email: user.email }] }, order: [['createdAt', 'ASC']],
  });
  const others = await otherStructuresOf(user.id, organisationId);
  return { row: { user, membership, cards, onboarding: onboardings.at(-1) ?? null }, onboardings, otherStructures: others.map((m) => m.organisation.name) };
}

export const isActiveMember = (row: { user: User; membership: OrganisationMembership }) => row.user.isActive && row.membership.isActive;

/** The other structures where the person is an active member (active structures only). */
export async function otherStructuresOf(userId: string, organisationId: string, transaction?: Transaction): Promise<(OrganisationMembership & { organisation: Organisation })[]> {
  return await OrganisationMembership.findAll({
    where: { userId, isActive: true, organisationId: { [Op.ne]: organisationId } },
    include: [{ model: Organisation, as: 'organisation', where: { isActive: true } }],
    order: [['createdAt', 'ASC']], transaction, lock: transaction ? { level: transaction.LOCK.UPDATE, of: OrganisationMembership } : undefined,
  }) as (OrganisationMembership & { organisation: Organisation })[];
}

// --- Deactivate, reactivate, remove, designate a co-référent

export async function deactivateAidant(deps: MembersDeps, actor: Actor, aidantId: string): Promise<void> {
  notOneself(actor, aidantId);
  await inTransaction(deps, async (transaction) => {
    const { membership } = await lockedMember(actor, aidantId, transaction);
    if (!membership.isActive) throw new InvalidTransitionError(REFUSALS.alreadyDeactivated);
    await membership.update({ isActive: false }, { transaction });
    await appendJournal({ action: 'aidant_deactivated', actorId: actor.actorId, organisationId: actor.organisationId, details: { aidantId } }, transaction);
    return { result: undefined, emails: [] };
  });
}

/** Active again in the structure; an account deactivated when it left its last structure is active again too. */
export async function reactivateAidant(deps: MembersDeps, actor: Actor, aidantId: string): Promise<void> {
  notOneself(actor, aidantId);
  await inTransaction(deps, async (transaction) => {
    const { user, membership } = await lockedMember(actor, aidantId, transaction);
    if (membership.isActive && user.isActive) throw new InvalidTransitionError(REFUSALS.alreadyActive);
    const accountReactivated = !user.isActive;
    await membership.update({ isActive: true }, { transaction });
    if (accountReactivated) await user.update({ isActive: true, currentOrganisationId: actor.organisationId }, { transaction });
    await appendJournal({ action: 'aidant_reactivated', actorId: actor.actorId, organisationId: actor.organisationId, details: { aidantId, accountReactivated } }, transaction);
    return { result: undefined, emails: [] };
  });
}

/**
 * Removes the person from the structure. From their last structure, the account is deactivated (and stays
 * listed as deactivated, to be reactivated); otherwise the membership goes and, if it was their current
 * structure, they switch to the first other one. The person is e-mailed in both cases.
 */
export async function removeAidant(deps: MembersDeps, actor: Actor, aidantId: string): Promise<{ deactivated: boolean; name: string }> {
  notOneself(actor, aidantId);
  return inTransaction(deps, async (transaction) => {
    const { user, membership } = await lockedMember(actor, aidantId, transaction);
    const organisation = (await Organisation.findByPk(actor.organisationId, { transaction }))!;
    const others = await otherStructuresOf(user.id, actor.organisationId, transaction);
    const deactivated = others.length === 0;
    if (deactivated && !user.isActive) throw new InvalidTransitionError(REFUSALS.alreadyDeactivated);
    // The state the removal is taken from: a double click e-mails once, a removal after a reactivation again.
    const key = `structure/${actor.organisationId}/member/${user.id}/removed/${membership.createdAt.getTime()}-${user.updatedAt.getTime()}`;
    if (deactivated) {
      await membership.update({ isActive: false }, { transaction });
      await user.update({ isActive: false }, { transaction });
    } else {
      await membership.destroy({ transaction });
      if (user.currentOrganisationId === actor.organisationId) await user.update({ currentOrganisationId: others[0].organisationId }, { transaction });
    }
    await appendJournal({
      action: 'aidant_removed_from_organisation', actorId: actor.actorId, organisationId: actor.organisationId,
      details: { aidantId, accountDeactivated: deactivated, remainingOrganisationIds: others.map((m) => m.organisationId) },
    }, transaction);
    const emails = await store(deps, [{
      idempotencyKey: key, template: 'aidant_removed_from_structure', to: [user.email],
      data: { recipientName: fullName(user), aidantName: fullName(user), structureName: organisation.name, remainingStructures: others.map((m) => m.organisation.name) },
    }], transaction);
    return { result: { deactivated, name: fullName(user) }, emails };
  });
}

/** Makes an active aidant of the structure one of its référents. */
export async function designateReferent(deps: MembersDeps, actor: Actor, candidateId: string): Promise<string> {
  return inTransaction(deps, async (transaction) => {
    const membership = isUuid(candidateId)
      ? await OrganisationMembership.findOne({ where: { userId: candidateId, organisationId: actor.organisationId }, include: [{ model: User, as: 'user' }], transaction, lock: { level: transaction.LOCK.UPDATE, of: OrganisationMembership } })
      : null;
    const user = (membership as (OrganisationMembership & { user: User }) | null)?.user;
    if (!membership || !user?.isActive || !membership.isActive || !membership.canCreateMandats || membership.isReferent) {
      throw new ValidationError({ candidate: REFUSALS.notACandidate });
    }
    await membership.update({ isReferent: true }, { transaction });
    await appendJournal({ action: 'referent_designated', actorId: actor.actorId, organisationId: actor.organisationId, details: { aidantId: user.id } }, transaction);
    return { result: fullName(user), emails: [] };
  });
}

/** Restricts (or widens) the démarches of the structure; at least one. */
export async function setAllowedDemarches(deps: MembersDeps, actor: Actor, posted: unknown): Promise<Demarche[]> {
  const parsed = parseDemarches(posted);
  if (!parsed.value) throw new ValidationError(parsed.errors);
  const after = parsed.value;
  return inTransaction(deps, async (transaction) => {
    const organisation = (await Organisation.findByPk(actor.organisationId, { transaction, lock: transaction.LOCK.UPDATE }))!;
    const before = [...organisation.allowedDemarches];
    if (before.length === after.length && before.every((d) => after.includes(d))) return { result: after, emails: [] };
    await organisation.update({ allowedDemarches: after }, { transaction });
    await appendJournal({ action: 'perimeter_changed', actorId: actor.actorId, organisationId: actor.organisationId, demarches: after, details: { before, after } }, transaction);
    return { result: after, emails: [] };
  });
}

// --- Cancel an onboarding

/** An onboarding of the structure, or a 404. */
export async function findStructureOnboarding(organisationId: string, onboardingId: string): Promise<AidantOnboarding> {
  const onboarding = isUuid(onboardingId) ? await AidantOnboarding.findOne({ where: { id: onboardingId, organisationId } }) : null;
  if (!onboarding) throw new NotFoundError('Cette habilitation d’aidant n’existe pas ou ne concerne pas votre structure active.');
  return onboarding;
}

/**
 * The structure gives up on an aidant's onboarding. One still awaiting the ANCT has no lifecycle yet: it is
 * closed here; any other goes through its lifecycle, whose refusal (French) reaches the caller.
 */
export async function cancelOnboardingAsReferent(deps: MembersDeps, actor: Actor, onboardingId: string, reason: string): Promise<void> {
  const onboarding = await findStructureOnboarding(actor.organisationId, onboardingId);
  if (!canCancelOnboarding(onboarding.status)) throw new InvalidTransitionError('Cette habilitation est déjà terminée ou annulée.');
  const reasonError = cancelReasonError(reason);
  if (reasonError) throw new ValidationError({ reason: reasonError });
  if (onboarding.status !== 'awaiting_eligibility') {
    await deps.lifecycles.updateOnboarding(onboarding.id, cancelOnboardingUpdate, { reason: reason.trim(), actorId: actor.actorId, requestedBy: 'referent' });
    return;
  }
  await inTransaction(deps, async (transaction) => {
    const locked = (await AidantOnboarding.findByPk(onboarding.id, { transaction, lock: transaction.LOCK.UPDATE }))!;
    if (locked.status !== 'awaiting_eligibility') throw new InvalidTransitionError(`Cette demande vient de changer de statut (${ONBOARDING_STATUSES[locked.status as OnboardingStatus]}) : rechargez la page.`);
    await locked.update({ status: 'cancelled', cancelledAt: new Date(), cancelReason: reason.trim() }, { transaction });
    await appendJournal({
      action: 'onboarding_cancelled', actorId: actor.actorId, organisationId: actor.organisationId, onboardingId: locked.id,
      details: { to: 'cancelled', reason: reason.trim(), requestedBy: 'referent' }, idempotencyKey: `${workflowIdForOnboarding(locked.id)}/cancelled`,
    }, transaction);
    return { result: undefined, emails: [] };
  });
}

// --- Add aidants to train (eligibility decided by the ANCT)

/** The rows whose address is already a member of the structure or already asked for in it. */
export async function newAidantConflicts(organisationId: string, aidants: NewAidant[], rows: number[], transaction?: Transaction): Promise<FieldErrors> {
  const emails = aidants.map((a) => a.email);
  const members = (await OrganisationMembership.findAll({
    where: { organisationId }, attributes: ['userId'], transaction,
    include: [{ model: User, as: 'user', where: { email: emails }, attributes: ['email'] }],
  }) as (OrganisationMembership & { user: User })[]).map((m) => m.user);
  const asked = await AidantOnboarding.findAll({
    where: { organisationId, email: emails, status: { [Op.notIn]: [...FINAL_ONBOARDING_STATUSES] } }, attributes: ['email'], transaction,
  });
  const errors: FieldErrors = {};
  aidants.forEach((aidant, index) => {
    const field = rowField(rows[index], 'email');
    if (members.some((m) => m.email === aidant.email)) errors[field] = REFUSALS.alreadyMember;
    else if (asked.some((o) => o.email === aidant.email)) errors[field] = REFUSALS.alreadyAsked;
  });
  return errors;
}

/** One onboarding per aidant, awaiting the ANCT's eligibility decision; journaled for each. */
export async function requestAidantsToTrain(deps: MembersDeps, actor: Actor, aidants: NewAidant[], rows: number[]): Promise<AidantOnboarding[]> {
  try {
    return await inTransaction(deps, async (transaction) => {
      // Serialises the requests of one structure, so that the check below sees the other référents' requests.
      await Organisation.findByPk(actor.organisationId, { transaction, lock: transaction.LOCK.UPDATE, attributes: ['id'] });
      const conflicts = await newAidantConflicts(actor.organisationId, aidants, rows, transaction);
      if (Object.keys(conflicts).length > 0) throw new ValidationError(conflicts);
      const created: AidantOnboarding[] = [];
      for (const aidant of aidants) {
        const onboarding = await AidantOnboarding.create({
          organisationId: actor.organisationId, habilitationRequestId: null, aidantRequestId: null, userId: null,
          email: aidant.email, firstName: aidant.firstName, lastName: aidant.lastName, profession: aidant.profession,
          conseillerNumerique: aidant.conseillerNumerique, requestedById: actor.actorId, status: 'awaiting_eligibility',
          // Indicative until the ANCT finds the aidant eligible: the lifecycle then counts the delay from its start.
          trainingDeadline: addMonths(new Date(), DEFAULT_ONBOARDING_POLICY.trainingDelayMonths),
          trainingDate: null, lapsedAt: null, cancelledAt: null, cancelReason: null, completedAt: null,
        }, { transaction });
        await appendJournal({
          action: 'aidant_to_train_requested', actorId: actor.actorId, organisationId: actor.organisationId, onboardingId: onboarding.id,
          // No e-mail nor name here: the journal's chained content outlives the person's data (the onboarding holds them).
          details: { conseillerNumerique: aidant.conseillerNumerique },
        }, transaction);
        created.push(onboarding);
      }
      return { result: created, emails: [] };
    });
  } catch (error) {
    if (error instanceof UniqueConstraintError) throw new ValidationError({ aidants: REFUSALS.alreadyAsked });
    throw error;
  }
}

/**
 * The ANCT finds an aidant asked by a référent eligible: the onboarding awaits its training and its lifecycle
 * starts (invitation, two-month deadline…). A start that failed is tried again by the same action.
 */
export async function validateEligibility(deps: MembersDeps, input: { onboardingId: string; actorId: string }): Promise<void> {
  await inTransaction(deps, async (transaction) => {
    const onboarding = await AidantOnboarding.findByPk(input.onboardingId, { transaction, lock: transaction.LOCK.UPDATE });
    if (!onboarding) throw new NotFoundError('Cette habilitation d’aidant est introuvable.');
    if (onboarding.status === 'awaiting_training' && onboarding.requestedById && !onboarding.lifecycleStartedAt) return { result: undefined, emails: [] };
    if (onboarding.status !== 'awaiting_eligibility') throw new InvalidTransitionError(`${REFUSALS.eligibilityNotAwaited} (statut actuel : ${ONBOARDING_STATUSES[onboarding.status as OnboardingStatus]}).`);
    await onboarding.update({ status: 'awaiting_training', eligibilityDecidedAt: new Date() }, { transaction });
    await appendJournal({
      action: 'aidant_eligibility_decided', actorId: input.actorId, organisationId: onboarding.organisationId, onboardingId: onboarding.id,
      details: { decision: 'validated' }, idempotencyKey: `${workflowIdForOnboarding(onboarding.id)}/eligibility`,
    }, transaction);
    return { result: undefined, emails: [] };
  });
  try {
    await deps.lifecycles.startOnboarding(input.onboardingId);
  } catch {
    throw new InvalidTransitionError('L’éligibilité est enregistrée, mais le parcours de l’aidant n’a pas pu démarrer : relancez « Valider l’éligibilité » dans un instant.');
  }
  await AidantOnboarding.update({ lifecycleStartedAt: new Date() }, { where: { id: input.onboardingId, lifecycleStartedAt: null } });
}

/** Whether « Valider l’éligibilité » applies: awaiting the decision, or decided but its lifecycle not started yet. */
export const eligibilityToValidate = (params: { status?: unknown; requestedById?: unknown; lifecycleStartedAt?: unknown }): boolean =>
  params.status === 'awaiting_eligibility' || (params.status === 'awaiting_training' && Boolean(params.requestedById) && !params.lifecycleStartedAt);

/** The ANCT refuses an aidant asked by a référent: each référent of the structure is told why. */
export async function refuseEligibility(deps: MembersDeps, input: { onboardingId: string; actorId: string; reason: string }): Promise<void> {
  const reasonError = refusalReasonError(input.reason);
  if (reasonError) throw new ValidationError({ reason: reasonError });
  const reason = input.reason.trim();
  await inTransaction(deps, async (transaction) => {
    const onboarding = await AidantOnboarding.findByPk(input.onboardingId, { transaction, lock: transaction.LOCK.UPDATE });
    if (!onboarding) throw new NotFoundError('Cette habilitation d’aidant est introuvable.');
    if (onboarding.status !== 'awaiting_eligibility') throw new InvalidTransitionError(`${REFUSALS.eligibilityNotAwaited} (statut actuel : ${ONBOARDING_STATUSES[onboarding.status as OnboardingStatus]}).`);
    await onboarding.update({ status: 'eligibility_refused', eligibilityDecidedAt: new Date(), eligibilityRefusalReason: reason }, { transaction });
    const workflowId = workflowIdForOnboarding(onboarding.id);
    await appendJournal({
      action: 'aidant_eligibility_decided', actorId: input.actorId, organisationId: onboarding.organisationId, onboardingId: onboarding.id,
      details: { decision: 'refused', reason }, idempotencyKey: `${workflowId}/eligibility`,
    }, transaction);
    const organisation = (await Organisation.findByPk(onboarding.organisationId, { transaction }))!;
    const emails = await store(deps, (await referentsOf(onboarding.organisationId, transaction)).map((referent) => ({
      idempotencyKey: `${workflowId}/eligibility-refused/referent-${referent.id}`, template: 'aidant_eligibility_refused' as const, to: [referent.email],
      data: { recipientName: fullName(referent), aidantName: fullName(onboarding), structureName: organisation.name, motif: reason },
    })), transaction);
    return { result: undefined, emails };
  });
}

// --- Add an aidant already trained elsewhere

export type TrainedAidantMode = 'direct' | 'structure_change';

/**
 * How an aidant already trained elsewhere joins the structure: directly when the référent is also a référent
 * of one of the aidant's structures, through a structure-change request otherwise. Refused (with the French
 * message of §6 on the e-mail field) for an unknown or not habilitated address, a member, a référent only.
 */
export async function findTrainedAidant(actor: Actor, email: string, transaction?: Transaction): Promise<{ user: User; mode: TrainedAidantMode }> {
  const refuse = (message: string) => new ValidationError({ email: message });
  const user = await User.findOne({ where: { email }, transaction });
  if (!user) throw refuse(REFUSALS.unknownOrNotHabilitated);
  const memberships = await OrganisationMembership.findAll({ where: { userId: user.id }, include: [{ model: Organisation, as: 'organisation' }], transaction }) as (OrganisationMembership & { organisation: Organisation })[];
  if (memberships.some((m) => m.organisationId === actor.organisationId)) throw refuse(REFUSALS.alreadyMember);
  const active = memberships.filter((m) => m.isActive && m.organisation.isActive);
  const habilitatedIn = active.filter((m) => m.canCreateMandats);
  if (user.isActive && active.length > 0 && habilitatedIn.length === 0) throw refuse(REFUSALS.referentOnly);
  if (!user.isActive || habilitatedIn.length === 0) throw refuse(REFUSALS.unknownOrNotHabilitated);
  if (await StructureChangeRequest.count({ where: { aidantId: user.id, organisationId: actor.organisationId, status: 'pending' }, transaction }) > 0) {
    throw refuse(REFUSALS.changeAlreadyAsked);
  }
  const managed = await OrganisationMembership.findAll({ where: { userId: actor.actorId, isReferent: true, isActive: true }, attributes: ['organisationId'], transaction });
  const direct = habilitatedIn.some((m) => managed.some((r) => r.organisationId === m.organisationId));
  return { user, mode: direct ? 'direct' : 'structure_change' };
}

/** `key`: the e-mail's idempotency key, from the state the addition was taken from (null: the new membership). */
async function addMember(deps: MembersDeps, user: User, organisation: Organisation, actorId: string, details: Record<string, unknown>, key: string | null, transaction: Transaction): Promise<string[]> {
  const [membership, created] = await OrganisationMembership.findOrCreate({
    where: { userId: user.id, organisationId: organisation.id },
    defaults: { userId: user.id, organisationId: organisation.id, isReferent: false, canCreateMandats: true, isActive: true },
    transaction,
  });
  if (!created) await membership.update({ isActive: true, canCreateMandats: true }, { transaction });
  if (!user.currentOrganisationId) await user.update({ currentOrganisationId: organisation.id }, { transaction });
  await appendJournal({ action: 'aidant_added', actorId, organisationId: organisation.id, details: { aidantId: user.id, ...details } }, transaction);
  return store(deps, [{
    idempotencyKey: key ?? `structure/${organisation.id}/member/${user.id}/added/${membership.createdAt.getTime()}`,
    template: 'aidant_added_to_structure', to: [user.email],
    data: { recipientName: fullName(user), aidantName: fullName(user), structureName: organisation.name },
  }], transaction);
}

/** Adds the aidant at once, or records a structure-change request for the ANCT (checked again here). */
export async function addTrainedAidant(deps: MembersDeps, actor: Actor, email: string): Promise<{ mode: TrainedAidantMode; name: string }> {
  try {
    return await inTransaction<{ mode: TrainedAidantMode; name: string }>(deps, async (transaction) => {
      const organisation = (await Organisation.findByPk(actor.organisationId, { transaction, lock: transaction.LOCK.UPDATE }))!;
      const { user, mode } = await findTrainedAidant(actor, email, transaction);
      if (mode === 'direct') {
        const emails = await addMember(deps, user, organisation, actor.actorId, { via: 'referent' }, null, transaction);
        return { result: { mode, name: fullName(user) }, emails };
      }
      const request = await StructureChangeRequest.create({ aidantId: user.id, organisationId: organisation.id, requestedById: actor.actorId }, { transaction });
      await appendJournal({
        action: 'structure_change_requested', actorId: actor.actorId, organisationId: organisation.id, details: { aidantId: user.id, structureChangeRequestId: request.id },
      }, transaction);
      return { result: { mode, name: fullName(user) }, emails: [] };
    });
  } catch (error) {
    if (error instanceof UniqueConstraintError) throw new ValidationError({ email: REFUSALS.changeAlreadyAsked });
    throw error;
  }
}

/** The ANCT's decision on a structure-change request: accepted, the aidant joins the structure (and is told). */
export async function decideStructureChange(deps: MembersDeps, input: { requestId: string; actorId: string; accept: boolean }): Promise<void> {
  await inTransaction(deps, async (transaction) => {
    const request = await StructureChangeRequest.findByPk(input.requestId, { transaction, lock: transaction.LOCK.UPDATE });
    if (!request) throw new NotFoundError('Cette demande de changement de structure est introuvable.');
    if (request.status !== 'pending') throw new InvalidTransitionError(REFUSALS.changeNotPending);
    const status = input.accept ? 'accepted' : 'refused';
    await request.update({ status, decidedById: input.actorId, decidedAt: new Date() }, { transaction });
    await appendJournal({
      action: 'structure_change_decided', actorId: input.actorId, organisationId: request.organisationId,
      details: { aidantId: request.aidantId, structureChangeRequestId: request.id, decision: status },
    }, transaction);
    if (!input.accept) return { result: undefined, emails: [] };
    const user = (await User.findByPk(request.aidantId, { transaction, lock: transaction.LOCK.UPDATE }))!;
    const organisation = (await Organisation.findByPk(request.organisationId, { transaction }))!;
    const emails = await addMember(deps, user, organisation, input.actorId, { via: 'structure_change', structureChangeRequestId: request.id }, `structure-change/${request.id}/accepted`, transaction);
    return { result: undefined, emails };
  });
}
