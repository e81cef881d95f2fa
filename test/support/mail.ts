// Reads what reached the mail sink started by the global setup, and the demandeurs' private links.
import type { CaughtMail } from '../../infra/mail-sink.js';
import { mintIssuerLink } from '../../services/private-links.js';
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

const PRIVATE_LINK = /https?:\/\/[^/\s]+(\/habilitation\/lien\/[A-Za-z0-9_-]{43})/;

/** The path of the private link (/habilitation/lien/<token>) in an e-mail, or throws. */
export function privateLinkIn(mail: CaughtMail | undefined): string {
  const match = PRIVATE_LINK.exec(mail?.text ?? '');
  if (!match) throw new Error(`no private link in the e-mail « ${mail?.subject ?? '(none)'} »`);
  return match[1];
}

/** The path of a private link minted straight in the database, as the outbox does for an e-mail. */
export async function mintedLinkPath(issuerId: string, options: { requestId?: string } = {}): Promise<string> {
  const link = await mintIssuerLink({ publicUrl: 'http://localhost', secretsKey: testEnv.secretsKey }, issuerId, options);
  return new URL(link.url).pathname;
}

/** Opens the demandeur's session in `agent` (a supertest agent) with a fresh private link; returns where it led. */
export async function openDemandeurSpace(agent: { get(path: string): PromiseLike<{ status: number; headers: Record<string, string> }> }, issuerId: string, options: { requestId?: string } = {}): Promise<string> {
  const res = await agent.get(await mintedLinkPath(issuerId, options));
  if (res.status !== 303) throw new Error(`the private link answered ${res.status}`);
  return res.headers.location;
}
