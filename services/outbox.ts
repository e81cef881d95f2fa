// Every e-mail goes through the outbox: it is rendered, stored under an idempotency key, then sent once.
// A retried activity finds the row already sent and does nothing. The row is locked while sending so two
// concurrent attempts cannot both send; the deterministic Message-ID lets mail servers drop the rare duplicate
// left by a crash between the SMTP answer and the commit.
import { createHash } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { renderEmail } from '../emails/render.js';
import type { TemplateData, TemplateName } from '../emails/templates.js';
import { EmailOutbox } from '../db/models/index.js';
import type { Mailer } from './mailer.js';
import { mintIssuerLink, type LinkKeys } from './private-links.js';

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
}

export type SendOutcome = 'sent' | 'already_sent';

export async function sendEmailOnce(
  deps: { sequelize: Sequelize; mailer: Mailer; from: string; links?: LinkKeys },
  request: EmailRequest,
): Promise<SendOutcome> {
  const recipients = [...new Set(request.to.map((address) => address.trim().toLowerCase()).filter(Boolean))];
  if (recipients.length === 0) throw new Error(`E-mail ${request.idempotencyKey} has no recipient`);
  const existing = await EmailOutbox.findOne({ where: { idempotencyKey: request.idempotencyKey }, attributes: ['status'] });
  if (existing?.status === 'sent') return 'already_sent';
  if (!existing) {
    await deps.sequelize.transaction(async (transaction) => {
      // Another attempt may have stored it meanwhile: mint a link only for the row this attempt creates.
      if (await EmailOutbox.findOne({ where: { idempotencyKey: request.idempotencyKey }, attributes: ['id'], transaction })) return;
      const data = { ...request.data } as Record<string, unknown>;
      if (request.privateLink) {
        if (!deps.links) throw new Error(`E-mail ${request.idempotencyKey} needs a private link but the outbox has no link keys`);
        const link = await mintIssuerLink(deps.links, request.privateLink.issuerId, { requestId: request.privateLink.requestId, transaction });
        data[request.privateLink.field] = link.url;
      }
      const rendered = await renderEmail(request.template, data as never);
      await EmailOutbox.findOrCreate({
        where: { idempotencyKey: request.idempotencyKey },
        defaults: { idempotencyKey: request.idempotencyKey, template: request.template, recipients, subject: rendered.subject, html: rendered.html, textBody: rendered.text },
        transaction,
      });
    });
  }

  let failure: Error | undefined;
  const outcome = await deps.sequelize.transaction(async (transaction) => {
    const row = await EmailOutbox.findOne({ where: { idempotencyKey: request.idempotencyKey }, lock: transaction.LOCK.UPDATE, transaction });
    if (!row) throw new Error(`Outbox row ${request.idempotencyKey} vanished`);
    if (row.status === 'sent') return 'already_sent' as const;
    const messageId = `<${createHash('sha256').update(row.idempotencyKey).digest('hex').slice(0, 32)}@aidantsconnect.beta.gouv.fr>`;
    try {
      await deps.mailer.send({ from: deps.from, to: row.recipients, subject: row.subject, html: row.html, text: row.textBody, messageId });
    } catch (error) {
      failure = error as Error;
      await row.update({ attempts: row.attempts + 1, lastError: String(failure.message ?? failure) }, { transaction });
      return 'failed' as const;
    }
    await row.update({ status: 'sent', sentAt: new Date(), attempts: row.attempts + 1, messageId, lastError: null }, { transaction });
    return 'sent' as const;
  });
  // The failed attempt is recorded (committed above); throwing lets the activity retry later.
  if (outcome === 'failed') throw failure;
  return outcome;
}
