// The tokens of links e-mailed to people (a demandeur's private link, an aidant's login link): 256 random
// bits, never a record id, stored only as a keyed hash (HMAC-SHA256 under a key derived from SECRETS_KEY for
// one purpose each: the token is random and long, so a fast keyed hash is enough, and a copy of the database
// alone can neither forge nor recognise a link).
import { createHmac, randomBytes } from 'node:crypto';

/** What a token looks like (32 random bytes in base64url): anything else is unknown without a query. */
export const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export const newLinkToken = (): string => randomBytes(32).toString('base64url');

/** The stored form of a token: HMAC under a key derived from SECRETS_KEY for `purpose` only. */
export function hashToken(secretsKey: Buffer, purpose: string, token: string): string {
  const key = createHmac('sha256', secretsKey).update(purpose).digest();
  return createHmac('sha256', key).update(token).digest('hex');
}
