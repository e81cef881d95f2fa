// The demandeur ("issuer"): identity first, then a confirmed e-mail, then their private space listing their
// habilitation requests. The public page after the identity form is the same whether the e-mail was known
// or not; only the mailbox's owner learns which case it was.
import { createHash, randomBytes } from 'node:crypto';
import { Op, type Sequelize } from 'sequelize';
import type { EmailRequest } from './outbox.js';
import { HabilitationRequest, Issuer, IssuerEmailConfirmation } from '../db/models/index.js';
import { DAY_MS } from '../domain/duration.js';
import { REQUEST_STATUSES, type RequestStatus } from '../domain/habilitation.js';
import type { IssuerInput } from '../domain/habilitation-form.js';
import { appendJournal } from './journal.js';
import { revokeIssuerLinks } from './private-links.js';

/** A confirmation link is valid this long. */
export const EMAIL_CONFIRMATION_DAYS = 3;
/** At most this many e-mails per demandeur and hour, however often the form or « Renvoyer » is posted. */
export const ISSUER_EMAILS_PER_HOUR = 5;

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * The demandeur's space and their requests, once a private link (or the confirmation link) opened a session:
 * these addresses hold no secret, and open nothing without that session.
 */
export const SPACE_PATH = '/habilitation/espace';
export const requestPath = (requestId: string) => `${SPACE_PATH}/demandes/${requestId}`;
/** Still used by the request workflow's summary (activities/habilitation.ts) until its e-mails mint private links. */
export const requestUrl = (publicUrl: string, requestId: string) => `${publicUrl}${requestPath(requestId)}`;

/**
 * Finds or creates the demandeur. A confirmed profile is never changed from the public form (whoever types
 * an address does not own it); an unconfirmed one takes the latest identity, which its owner will confirm.
 */
export async function registerIssuer(sequelize: Sequelize, input: IssuerInput): Promise<Issuer> {
  return sequelize.transaction(async (transaction) => {
    const [issuer, created] = await Issuer.findOrCreate({
      where: { email: input.email },
      defaults: { ...input, emailVerifiedAt: null },
      transaction,
      lock: transaction.LOCK.UPDATE,
    });
    if (!created && !issuer.emailVerifiedAt) await issuer.update({ firstName: input.firstName, lastName: input.lastName, profession: input.profession, phone: input.phone }, { transaction });
    return issuer;
  });
}

/**
 * The e-mail that leads the demandeur to their space: a confirmation link (3 days) for a new address, a
 * reminder of their profile with a fresh private link (minted by the outbox) for a confirmed one. Returns the confirmation's id (which the next page may show:
 * it reveals nothing) and the e-mail, or no e-mail once the hourly limit is reached.
 */
export async function issuerAccessEmail(publicUrl: string, issuerId: string): Promise<{ confirmationId: string; email: EmailRequest | null }> {
  const issuer = await Issuer.findByPk(issuerId);
  if (!issuer) throw new Error(`Issuer ${issuerId} not found`);
  const recent = await IssuerEmailConfirmation.count({ where: { issuerId, createdAt: { [Op.gt]: new Date(Date.now() - 3_600_000) } } });
  const key = randomBytes(32).toString('base64url');
  const confirmation = await IssuerEmailConfirmation.create({
    issuerId, keyHash: hashKey(key), expiresAt: new Date(Date.now() + EMAIL_CONFIRMATION_DAYS * DAY_MS), confirmedAt: null,
  });
  if (recent >= ISSUER_EMAILS_PER_HOUR) return { confirmationId: confirmation.id, email: null };

  const idempotencyKey = `issuer/${issuerId}/access/${confirmation.id}`;
  const issuerName = `${issuer.firstName} ${issuer.lastName}`;
  if (!issuer.emailVerifiedAt) {
    return {
      confirmationId: confirmation.id,
      email: { idempotencyKey, template: 'habilitation_email_confirmation', to: [issuer.email], data: { issuerName, confirmUrl: `${publicUrl}/habilitation/confirmer/${key}`, days: EMAIL_CONFIRMATION_DAYS } },
    };
  }
  const requests = await HabilitationRequest.findAll({ where: { issuerId }, order: [['createdAt', 'ASC']] });
  return {
    confirmationId: confirmation.id,
    email: {
      idempotencyKey, template: 'habilitation_issuer_reminder', to: [issuer.email],
      data: {
        issuerName, spaceUrl: '', // the outbox writes the fresh private link here
        requests: requests.map((r) => ({ name: r.name, status: REQUEST_STATUSES[r.status as RequestStatus], url: requestUrl(publicUrl, r.id) })),
      },
      privateLink: { issuerId, field: 'spaceUrl' },
    },
  };
}

/** The issuer a confirmation page stands for (to send its e-mail again), if the confirmation exists. */
export async function issuerOfConfirmation(confirmationId: string): Promise<string | null> {
  return (await IssuerEmailConfirmation.findByPk(confirmationId, { attributes: ['issuerId'] }))?.issuerId ?? null;
}

export type ConfirmationOutcome =
  | { outcome: 'confirmed' | 'already_confirmed'; issuerId: string }
  | { outcome: 'expired'; confirmationId: string }
  | { outcome: 'unknown' };

/** Confirms the demandeur's e-mail from the link's key (clicking it again is harmless). */
export async function confirmIssuerEmail(sequelize: Sequelize, key: string): Promise<ConfirmationOutcome> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(key)) return { outcome: 'unknown' };
  return sequelize.transaction(async (transaction) => {
    const confirmation = await IssuerEmailConfirmation.findOne({ where: { keyHash: hashKey(key) }, transaction, lock: transaction.LOCK.UPDATE });
    if (!confirmation) return { outcome: 'unknown' as const };
    const { issuerId } = confirmation;
    // Expired (or revoked from the space) first: a confirmation link opens the space only while it is valid.
    if (confirmation.expiresAt.getTime() < Date.now()) return { outcome: 'expired' as const, confirmationId: confirmation.id };
    if (confirmation.confirmedAt) return { outcome: 'already_confirmed' as const, issuerId };
    const now = new Date();
    await confirmation.update({ confirmedAt: now }, { transaction });
    await Issuer.update({ emailVerifiedAt: now }, { where: { id: issuerId, emailVerifiedAt: null }, transaction });
    return { outcome: 'confirmed' as const, issuerId };
  });
}

/**
 * « Révoquer tous mes liens »: every private link of the demandeur stops working (and with it every session
 * opened from one), and so do the confirmation links still valid. Renewal is a new e-mail.
 */
export async function revokeIssuerAccess(sequelize: Sequelize, issuerId: string): Promise<number> {
  return sequelize.transaction(async (transaction) => {
    const now = new Date();
    const links = await revokeIssuerLinks(issuerId, { transaction });
    await IssuerEmailConfirmation.update({ expiresAt: now }, { where: { issuerId, expiresAt: { [Op.gt]: now } }, transaction });
    await appendJournal({ action: 'issuer_links_revoked', details: { issuerId, linksRevoked: links } }, transaction);
    return links;
  });
}
