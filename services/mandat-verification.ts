// The public verification of a mandat (the QR code of its attestation leads there). The address carries a
// token that is neither the mandat id nor guessable, and needs no storage: AES-256 of the mandat id's 128 bits
// (one block: a keyed permutation, so the id does not show and two mandats never share a token) followed by a
// 128-bit HMAC of the id (so that only the holder of SECRETS_KEY can make a token that resolves). Both keys are
// derived from SECRETS_KEY for this purpose only. It works for every mandat, old or new, without a migration;
// a change of SECRETS_KEY voids the printed QR codes (as it voids the private links).
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { mandatState, revocationDate, type MandatState, type MandatStatus } from '../domain/mandat.js';
import type { Demarche } from '../domain/demarches.js';
import { isUuid } from '../domain/uuid.js';

export const VERIFICATION_PATH = '/mandats/verification';
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

const keyOf = (secretsKey: Buffer, purpose: string) => createHmac('sha256', secretsKey).update(`aidants-connect/mandat-verification/${purpose}/v1`).digest();
const tagOf = (secretsKey: Buffer, id: Buffer) => createHmac('sha256', keyOf(secretsKey, 'tag')).update(id).digest().subarray(0, 16);

export function verificationToken(secretsKey: Buffer, mandatId: string): string {
  if (!isUuid(mandatId)) throw new Error('a mandat id is a UUID');
  const id = Buffer.from(mandatId.replace(/-/g, ''), 'hex');
  const cipher = createCipheriv('aes-256-ecb', keyOf(secretsKey, 'cipher'), null).setAutoPadding(false);
  return Buffer.concat([cipher.update(id), cipher.final(), tagOf(secretsKey, id)]).toString('base64url');
}

/** The mandat id a token stands for, or null (malformed or forged), without a query. */
export function mandatIdOfToken(secretsKey: Buffer, token: string): string | null {
  if (!TOKEN.test(token)) return null;
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length !== 32 || bytes.toString('base64url') !== token) return null;
  const decipher = createDecipheriv('aes-256-ecb', keyOf(secretsKey, 'cipher'), null).setAutoPadding(false);
  const id = Buffer.concat([decipher.update(bytes.subarray(0, 16)), decipher.final()]);
  if (!timingSafeEqual(tagOf(secretsKey, id), bytes.subarray(16))) return null;
  const hex = id.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const verificationUrl = (publicUrl: string, secretsKey: Buffer, mandatId: string): string =>
  `${publicUrl}${VERIFICATION_PATH}/${verificationToken(secretsKey, mandatId)}`;

/** All the public page may know: the state, its date, and the structure's name. Nothing about the usager. */
export interface MandatVerification {
  state: MandatState;
  organisationName: string;
  expiresAt: Date;
  /** When it was revoked (state revoked). */
  revokedAt: Date | null;
}

export async function verifyMandat(sequelize: Sequelize, secretsKey: Buffer, token: string, now = new Date()): Promise<MandatVerification | null> {
  const mandatId = mandatIdOfToken(secretsKey, token);
  if (!mandatId) return null;
  const [row] = await sequelize.query<{
    expires_at: Date; revoked_at: Date | null; status: MandatStatus; organisation_name: string;
    autorisations: { demarche: Demarche; revokedAt: string | null }[] | null;
  }>(`
    SELECT m.expires_at, m.revoked_at, m.status, o.name AS organisation_name,
           (SELECT json_agg(json_build_object('demarche', a.demarche, 'revokedAt', a.revoked_at)) FROM autorisations a WHERE a.mandat_id = m.id) AS autorisations
    FROM mandats m JOIN organisations o ON o.id = m.organisation_id JOIN usagers u ON u.id = m.usager_id
    WHERE m.id = :mandatId AND u.anonymised_at IS NULL`, { replacements: { mandatId }, type: QueryTypes.SELECT });
  if (!row) return null;
  const facts = {
    expiresAt: new Date(row.expires_at), revokedAt: row.revoked_at ? new Date(row.revoked_at) : null, status: row.status,
    autorisations: (row.autorisations ?? []).map((a) => ({ demarche: a.demarche, revokedAt: a.revokedAt ? new Date(a.revokedAt) : null })),
  };
  const state = mandatState(facts, now);
  return { state, organisationName: row.organisation_name, expiresAt: facts.expiresAt, revokedAt: state === 'revoked' ? revocationDate(facts) : null };
}
