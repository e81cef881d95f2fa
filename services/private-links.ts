// A demandeur's private link is a random token of its own (256 bits), never a record id. Only a keyed hash
// of it is stored (services/link-tokens.ts). Links expire, can be revoked, and a new one is minted whenever
// one is e-mailed: the token exists only in that e-mail.
import { Op, type Transaction } from 'sequelize';
import { PrivateLink } from '../db/models/index.js';
import { DAY_MS } from '../domain/duration.js';
import { hashToken, LINK_TOKEN, newLinkToken } from './link-tokens.js';

/** A link e-mailed to a demandeur opens their space this long. */
export const PRIVATE_LINK_DAYS = 30;

export const PRIVATE_LINK_PATH = '/habilitation/lien';

export interface LinkKeys {
  /** Public base URL of the service (links are absolute, they go into e-mails). */
  publicUrl: string;
  /** SECRETS_KEY: the hashing key is derived from it, so that it serves one purpose only. */
  secretsKey: Buffer;
}

export const hashLinkToken = (secretsKey: Buffer, token: string): string => hashToken(secretsKey, 'aidants-connect/private-links/v1', token);

export interface MintedLink {
  id: string;
  url: string;
  expiresAt: Date;
}

/** Mints a new private link to the demandeur's space (landing on one request when given). */
export async function mintIssuerLink(
  keys: LinkKeys,
  issuerId: string,
  options: { requestId?: string | null; transaction?: Transaction; validDays?: number } = {},
): Promise<MintedLink> {
  const token = newLinkToken();
  const link = await PrivateLink.create({
    issuerId,
    habilitationRequestId: options.requestId ?? null,
    tokenHash: hashLinkToken(keys.secretsKey, token),
    expiresAt: new Date(Date.now() + (options.validDays ?? PRIVATE_LINK_DAYS) * DAY_MS),
    revokedAt: null,
    lastUsedAt: null,
  }, { transaction: options.transaction });
  return { id: link.id, url: `${keys.publicUrl}${PRIVATE_LINK_PATH}/${token}`, expiresAt: link.expiresAt };
}

export type LinkLookup =
  | { outcome: 'valid'; link: PrivateLink }
  | { outcome: 'expired' | 'revoked'; link: PrivateLink }
  | { outcome: 'unknown' };

/** What a token stands for; a malformed token is unknown without a database query. */
export async function lookupIssuerLink(secretsKey: Buffer, token: string): Promise<LinkLookup> {
  if (!LINK_TOKEN.test(token)) return { outcome: 'unknown' };
  const link = await PrivateLink.findOne({ where: { tokenHash: hashLinkToken(secretsKey, token) } });
  if (!link) return { outcome: 'unknown' };
  if (link.revokedAt) return { outcome: 'revoked', link };
  if (link.expiresAt.getTime() <= Date.now()) return { outcome: 'expired', link };
  return { outcome: 'valid', link };
}

/** Revokes every live link of a demandeur (all but `keep`, when given). Returns how many were revoked. */
export async function revokeIssuerLinks(issuerId: string, options: { keep?: string; transaction?: Transaction } = {}): Promise<number> {
  const [count] = await PrivateLink.update({ revokedAt: new Date() }, {
    where: { issuerId, revokedAt: null, ...(options.keep ? { id: { [Op.ne]: options.keep } } : {}) },
    transaction: options.transaction,
  });
  return count;
}
