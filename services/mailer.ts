// The SMTP transport (the real SMTP_URL, or the local sink in development and tests). Every phase of the SMTP
// conversation has a timeout well under the e-mail activity's 1-minute startToClose, so an attempt ends (and
// its outcome is recorded) before Temporal gives up on it; nodemailer's defaults go up to 10 minutes.
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';

export interface Mailer {
  send(message: { from: string; to: string[]; subject: string; html: string; text: string; messageId: string }): Promise<string>;
  close(): void;
}

export interface SmtpTimeouts {
  /** To open the TCP (and TLS) connection. */
  connectionMs: number;
  /** From the connection to the server's greeting. */
  greetingMs: number;
  /** Of inactivity on the socket, at any point of the conversation. */
  socketMs: number;
}

export const SMTP_TIMEOUTS: SmtpTimeouts = { connectionMs: 10_000, greetingMs: 10_000, socketMs: 20_000 };

export function createMailer(smtpUrl: string, timeouts: SmtpTimeouts = SMTP_TIMEOUTS): Mailer {
  // Pooled: the worker sends many e-mails to one relay, and a new connection per message costs a handshake.
  const transport: Transporter = nodemailer.createTransport({
    url: smtpUrl, pool: true, maxConnections: 5, connectionTimeout: timeouts.connectionMs, greetingTimeout: timeouts.greetingMs, socketTimeout: timeouts.socketMs,
  } satisfies SMTPPool.Options);
  return {
    async send(message) {
      const info = await transport.sendMail(message);
      return info.messageId;
    },
    close: () => transport.close(),
  };
}

/**
 * Whether an SMTP failure will never succeed however often it is retried: the server answered with a
 * permanent (5xx) reply, or the message has no valid recipient. Everything else (timeouts, refused
 * connections, 4xx) is transient.
 */
export function isPermanentSmtpFailure(error: unknown): boolean {
  const { responseCode, code } = (error ?? {}) as { responseCode?: number; code?: string };
  if (typeof responseCode === 'number') return responseCode >= 500 && responseCode < 600;
  return code === 'EENVELOPE';
}
