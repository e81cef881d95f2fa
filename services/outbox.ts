// Every e-mail goes through the outbox: rendered and stored under an idempotency key (in the transaction of
// the write that causes it, when there is one), then delivered once, without holding any transaction or lock
// during the SMTP conversation:
//   1. claim: one atomic UPDATE moves the row from `pending` to `sending` until `claimed_until` (a lease);
//      a concurrent attempt finds it claimed and sends nothing; a lease left by a crashed worker expires and
//      the row can be claimed again;
//   2. send, outside any transaction, with SMTP timeouts shorter than the activity's;
//   3. record the outcome: `sent`; `pending` again with the error (transient: retried); `failed` with the
//      cause when it can never succeed (render error, no recipient, permanent 5xx rejection).
// At most one send per key, barring a crash between the SMTP acceptance and the commit of `sent` (then the
// claim expires and the e-mail is sent again); the deterministic Message-ID lets mail servers drop that rare
// duplicate.
import { createHash } from 'node:crypto';
import { QueryTypes, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import { renderEmail, type RenderContext } from '../emails/render.js';
import { TEMPLATES, type TemplateData, type TemplateName } from '../emails/templates.js';
import { EmailOutbox } from '../db/models/index.js';
import { isPermanentSmtpFailure, type Mailer } from './mailer.js';
import { mintIssuerLink, type LinkKeys } from './private-links.js';
import { setupLinkFor, type SetupLinkKeys } from './setup-links.js';

export interface EmailRequest<T extends TemplateName = TemplateName> {
  idempotencyKey: string;
  template: T;
  to: string[];
  data: TemplateData<T>;
  /**
   * A fresh private link to the demandeur's space, minted when the e-mail is first stored and written into
   * data[field]: the token then exists only in this e-mail (never in a workflow's history or a log line).
   */
  privateLink?: { issuerId: string; field: string; requestId?: string };
  /**
   * A référent's first-login link (services/setup-links.ts), minted like privateLink when the e-mail is first
   * stored, only if the person at `email` still has no means of login: data[field] = { url, expiresAt }
   * (ISO 8601); left unset otherwise.
   */
  setupLink?: { email: string; field: string };
}

/** An e-mail already stored by enqueueEmail: its delivery only sends the stored row. */
export interface StoredEmail {
  idempotencyKey: string;
}

/** What the `email/<key>` workflow delivers: a request to render and store first, or an e-mail already stored. */
export type EmailDelivery = EmailRequest | StoredEmail;

export const isEmailRequest = (delivery: EmailDelivery): delivery is EmailRequest => 'template' in delivery;

export type SendOutcome = 'sent' | 'already_sent';

/** The e-mail can never be sent (it is marked `failed`, with the cause, and reported): do not retry. */
export class EmailNotDeliverableError extends Error {
  constructor(readonly idempotencyKey: string, readonly reason: string) {
    super(`E-mail ${idempotencyKey} cannot be sent: ${reason}`);
    this.name = 'EmailNotDeliverableError';
  }
}

/** Another attempt holds the claim on this e-mail: try again later (it will be sent, or its claim expire). */
export class EmailBeingSentError extends Error {
  constructor(readonly idempotencyKey: string) {
    super(`E-mail ${idempotencyKey} is being sent by another attempt`);
    this.name = 'EmailBeingSentError';
  }
}

/**
 * How long a claim lasts. Far longer than an attempt can take (the SMTP timeouts of services/mailer.ts, under
 * the activity's 1-minute startToClose), so a live attempt never loses its claim to another one.
 */
export const CLAIM_LEASE_MS = 5 * 60_000;

export interface EnqueueDeps {
  render: RenderContext;
  links?: LinkKeys;
  setupLinks?: SetupLinkKeys;
}

export interface OutboxDeps extends EnqueueDeps {
  sequelize: Sequelize;
  mailer: Mailer;
  from: string;
}

const normaliseRecipients = (to: unknown): string[] =>
  Array.isArray(to) ? [...new Set(to.map((address) => String(address).trim().toLowerCase()).filter(Boolean))] : [];

export const messageIdFor = (idempotencyKey: string) =>
  `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@aidantsconnect.beta.gouv.fr>`;

/**
 * Renders and stores an e-mail in the caller's transaction: once it commits, the e-mail is due (deliver it
 * with the `email/<key>` workflow; the housekeeping starts deliveries that were never started). An e-mail
 * that cannot be rendered or has no recipient is stored `failed` with the cause, so the business write still
 * commits and the failure is reported. A key already stored is left as it is.
 */
export async function enqueueEmail(deps: EnqueueDeps, request: EmailRequest, transaction: Transaction): Promise<'stored' | 'failed' | 'already_stored'> {
  const key = request.idempotencyKey;
  if (await EmailOutbox.findOne({ where: { idempotencyKey: key }, attributes: ['id'], transaction })) return 'already_stored';
  const recipients = normaliseRecipients(request.to);
  const base = { idempotencyKey: key, template: String(request.template), recipients };

  let cause: string | undefined;
  if (!(request.template in TEMPLATES)) cause = `unknown template "${String(request.template)}"`;
  else if (recipients.length === 0) cause = 'no recipient';
  if (!cause) {
    const data = { ...request.data } as Record<string, unknown>;
    if (request.privateLink) {
      if (!deps.links) throw new Error(`E-mail ${key} needs a private link but the outbox has no link keys`);
      // Minted in this transaction: the link exists only if the e-mail carrying it is stored.
      const link = await mintIssuerLink(deps.links, request.privateLink.issuerId, { requestId: request.privateLink.requestId, transaction });
      data[request.privateLink.field] = link.url;
    }
    if (request.setupLink) {
      if (!deps.setupLinks) throw new Error(`E-mail ${key} needs a setup link but the outbox has no setup link keys`);
      const link = await setupLinkFor(deps.setupLinks, request.setupLink.email, transaction);
      if (link) data[request.setupLink.field] = { url: link.url, expiresAt: link.expiresAt.toISOString() };
    }
    try {
      const rendered = await renderEmail(request.template, data as never, deps.render);
      await EmailOutbox.create({ ...base, subject: rendered.subject, html: rendered.html, textBody: rendered.text, messageId: null, lastError: null, sentAt: null }, { transaction });
      return 'stored';
    } catch (error) {
      if (error instanceof UniqueConstraintError) throw error;
      cause = `render error: ${(error as Error).message ?? String(error)}`;
    }
  }
  await EmailOutbox.create({
    ...base, subject: '', html: '', textBody: '', status: 'failed', failedAt: new Date(), lastError: cause, messageId: null, sentAt: null,
  }, { transaction });
  return 'failed';
}

async function markFailed(id: string, cause: string): Promise<void> {
  await EmailOutbox.update({ status: 'failed', failedAt: new Date(), claimedUntil: null, lastError: cause }, { where: { id, status: 'sending' } });
}

interface ClaimedRow { id: string; recipients: string[]; subject: string; html: string; text_body: string }

/** Takes the row for this attempt if it is pending, or sending under an expired claim; null otherwise. */
async function claim(sequelize: Sequelize, idempotencyKey: string): Promise<ClaimedRow | null> {
  const rows = await sequelize.query<ClaimedRow>(
    `UPDATE email_outbox SET status = 'sending', claimed_until = now() + make_interval(secs => :leaseSeconds), attempts = attempts + 1
     WHERE idempotency_key = :idempotencyKey AND (status = 'pending' OR (status = 'sending' AND claimed_until < now()))
     RETURNING id, recipients, subject, html, text_body`,
    { replacements: { idempotencyKey, leaseSeconds: CLAIM_LEASE_MS / 1000 }, type: QueryTypes.SELECT },
  );
  return rows[0] ?? null;
}

/** Sends a stored e-mail once. Throws EmailNotDeliverableError when it never can be sent, another error to retry. */
export async function deliverEmail(deps: OutboxDeps, idempotencyKey: string): Promise<SendOutcome> {
  const row = await claim(deps.sequelize, idempotencyKey);
  if (!row) {
    const current = await EmailOutbox.findOne({ where: { idempotencyKey }, attributes: ['status', 'lastError'] });
    if (!current) throw new EmailNotDeliverableError(idempotencyKey, 'not in the outbox');
    if (current.status === 'sent') return 'already_sent';
    if (current.status === 'failed') throw new EmailNotDeliverableError(idempotencyKey, current.lastError ?? 'failed');
    throw new EmailBeingSentError(idempotencyKey);
  }
  const messageId = messageIdFor(idempotencyKey);
  try {
    await deps.mailer.send({ from: deps.from, to: row.recipients, subject: row.subject, html: row.html, text: row.text_body, messageId });
  } catch (error) {
    const cause = String((error as Error)?.message ?? error);
    if (isPermanentSmtpFailure(error)) {
      await markFailed(row.id, `SMTP rejection: ${cause}`);
      throw new EmailNotDeliverableError(idempotencyKey, `SMTP rejection: ${cause}`);
    }
    await EmailOutbox.update({ status: 'pending', claimedUntil: null, lastError: cause }, { where: { id: row.id, status: 'sending' } });
    throw error;
  }
  await EmailOutbox.update(
    { status: 'sent', sentAt: new Date(), claimedUntil: null, messageId, lastError: null },
    { where: { id: row.id, status: 'sending' } },
  );
  return 'sent';
}

/**
 * Renders, stores and sends an e-mail once per idempotency key (the activity of workflows that send e-mails):
 * a retry finds it stored (and maybe sent) and only delivers what is due.
 */
export async function sendEmailOnce(deps: OutboxDeps, request: EmailRequest): Promise<SendOutcome> {
  const existing = await EmailOutbox.findOne({ where: { idempotencyKey: request.idempotencyKey }, attributes: ['status'] });
  if (existing?.status === 'sent') return 'already_sent';
  if (!existing) {
    try {
      await deps.sequelize.transaction((transaction) => enqueueEmail(deps, request, transaction));
    } catch (error) {
      // A concurrent attempt stored it first (its transaction, link included, won; this one rolled back).
      if (!(error instanceof UniqueConstraintError)) throw error;
    }
  }
  return deliverEmail(deps, request.idempotencyKey);
}
