// Reads what reached the mail sink started by the global setup.
import type { CaughtMail } from '../../infra/mail-sink.js';
import { testEnv } from './env.js';

export async function mailsTo(address: string): Promise<CaughtMail[]> {
  const all = (await (await fetch(testEnv.mailApi)).json()) as CaughtMail[];
  return all.filter((mail) => mail.to.includes(address.toLowerCase()));
}

/** Waits until `count` messages reached `address` (workflows send asynchronously). */
export async function waitForMails(address: string, count: number, timeoutMs = 20_000): Promise<CaughtMail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = await mailsTo(address);
    if (mails.length >= count || Date.now() > deadline) return mails;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits until a message with this subject reached `address`. */
export async function waitForSubject(address: string, subject: string, timeoutMs = 20_000): Promise<CaughtMail | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await mailsTo(address)).find((mail) => mail.subject === subject);
    if (found || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The path of the newest e-mail confirmation link sent to `address`. */
export async function confirmationPath(address: string, count = 1): Promise<string> {
  const mails = (await waitForMails(address, count)).filter((m) => /\/habilitation\/confirmer\//.test(m.text));
  const match = /https?:\/\/[^/\s]+(\/habilitation\/confirmer\/[A-Za-z0-9_-]+)/.exec(mails.at(-1)?.text ?? '');
  if (!match) throw new Error(`no confirmation link sent to ${address}`);
  return match[1];
}
