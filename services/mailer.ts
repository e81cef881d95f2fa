// The SMTP transport (the real SMTP_URL, or the local sink in development and tests).
import nodemailer, { type Transporter } from 'nodemailer';

export interface Mailer {
  send(message: { from: string; to: string[]; subject: string; html: string; text: string; messageId: string }): Promise<string>;
  close(): void;
}

export function createMailer(smtpUrl: string): Mailer {
  const transport: Transporter = nodemailer.createTransport(smtpUrl);
  return {
    async send(message) {
      const info = await transport.sendMail(message);
      return info.messageId;
    },
    close: () => transport.close(),
  };
}
