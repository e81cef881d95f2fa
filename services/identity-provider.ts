// Aidants Connect as FranceConnect's identity provider: the interactions (one per authorize request), the
// authorization code and the access token. Both are 256 random bits stored only as a keyed hash
// (services/link-tokens.ts, one purpose each) and never logged. A code is redeemed once: one atomic
// UPDATE … WHERE code_used_at IS NULL decides between concurrent redemptions; a later one revokes the access
// token the first issued. Every use of the identity (userinfo) re-checks the autorisation and journals
// `use_autorisation` in the same transaction.
import { createHash, timingSafeEqual } from 'node:crypto';
import { SignJWT } from 'jose';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Config } from '../config/index.js';
import { IdpConnection, Usager } from '../db/models/index.js';
import type { AuthorizeRequest } from '../domain/identity-provider.js';
import { identitePivot } from '../domain/identity-provider.js';
import { findActingAutorisation, findActingAutorisations } from './autorisations.js';
import { hashToken, newLinkToken } from './link-tokens.js';
import { isUuid } from './mandats.js';

export type IdpConfig = Config['identityProvider'];

const CODE_PURPOSE = 'aidants-connect/identity-provider/code/v1';
const ACCESS_TOKEN_PURPOSE = 'aidants-connect/identity-provider/access-token/v1';
const SESSION_PURPOSE = 'aidants-connect/identity-provider/session/v1';
/** What a code or an access token looks like (32 random bytes, base64url): anything else is unknown without a query. */
export const IDP_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** Compares a presented client secret with the configured one in constant time (equal-length digests). */
export function sameSecret(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return expected.length > 0 && timingSafeEqual(digest(presented), digest(expected));
}

/** Records a checked authorize request; the aidant's pages take it from there. */
export async function createInteraction(request: AuthorizeRequest, ttlMs: number): Promise<IdpConnection> {
  return IdpConnection.create({
    clientId: request.clientId, redirectUri: request.redirectUri, fcVersion: request.fcVersion, state: request.state, nonce: request.nonce,
    acr: request.acr, repScope: request.repScope, expiresAt: new Date(Date.now() + ttlMs),
  });
}

export type InteractionLookup =
  | { outcome: 'valid'; connection: IdpConnection }
  | { outcome: 'unknown' | 'expired' | 'other_aidant' | 'completed' };

/**
 * The interaction `id` for this aidant in this structure: bound to them the first time they open it (one
 * atomic UPDATE, so that no one else can take it afterwards), refused to anyone else, expired after its TTL.
 */
export async function openInteraction(id: string, aidant: { userId: string; organisationId: string; sessionId: string }, secretsKey: Buffer): Promise<InteractionLookup> {
  if (!isUuid(id)) return { outcome: 'unknown' };
  const sessionHash = hashToken(secretsKey, SESSION_PURPOSE, aidant.sessionId);
  // One statement: bound now (the UPDATE's row), or as it was (the statement's snapshot, when already bound).
  const [connection] = await IdpConnection.sequelize!.query(`
    WITH bound AS (
      UPDATE idp_connections SET aidant_id = :userId, organisation_id = :organisationId, session_hash = :sessionHash
      WHERE id = :id AND aidant_id IS NULL RETURNING *)
    SELECT * FROM bound UNION ALL SELECT * FROM idp_connections WHERE id = :id AND NOT EXISTS (SELECT 1 FROM bound)`, {
    replacements: { id, userId: aidant.userId, organisationId: aidant.organisationId, sessionHash },
    type: QueryTypes.SELECT, model: IdpConnection, mapToModel: true,
  });
  if (!connection) return { outcome: 'unknown' };
  if (connection.aidantId !== aidant.userId || connection.organisationId !== aidant.organisationId || connection.sessionHash !== sessionHash) return { outcome: 'other_aidant' };
  if (connection.codeHash !== null) return { outcome: 'completed' };
  if (connection.expiresAt.getTime() <= Date.now()) return { outcome: 'expired' };
  return { outcome: 'valid', connection };
}

/** Records the chosen usager (the page of the démarches follows). */
export async function chooseUsager(connection: IdpConnection, usagerId: string): Promise<void> {
  await IdpConnection.update({ usagerId }, { where: { id: connection.id, codeHash: null } });
}

/**
 * Issues the code for the chosen démarche, once per interaction: returns it (to go into the redirect only),
 * or null when another request completed the interaction first.
 */
export async function issueCode(connection: IdpConnection, choice: { usagerId: string; demarche: string; autorisationId: string }, ttlMs: number, secretsKey: Buffer): Promise<string | null> {
  const code = newLinkToken();
  const [count] = await IdpConnection.update({
    usagerId: choice.usagerId, demarche: choice.demarche as IdpConnection['demarche'], autorisationId: choice.autorisationId,
    codeHash: hashToken(secretsKey, CODE_PURPOSE, code), codeExpiresAt: new Date(Date.now() + ttlMs),
  }, { where: { id: connection.id, codeHash: null } });
  return count === 1 ? code : null;
}

export type Redemption =
  | { outcome: 'issued'; accessToken: string; idToken: string; expiresIn: number }
  | { outcome: 'unknown' | 'replayed' | 'mismatch' | 'refused' }
  | { outcome: 'expired' };

/**
 * Redeems a code for the client and the redirect_uri of its authorize request. One UPDATE marks it used and
 * stores the access token's hash: of two redemptions, even at the same instant, exactly one matches
 * `code_used_at IS NULL`. A redemption of a used code revokes the access token the first one issued.
 */
export async function redeemCode(sequelize: Sequelize, config: IdpConfig, secretsKey: Buffer, presented: { code: string; clientId: string; redirectUri: string }): Promise<Redemption> {
  if (!IDP_TOKEN.test(presented.code)) return { outcome: 'unknown' };
  const codeHash = hashToken(secretsKey, CODE_PURPOSE, presented.code);
  const accessToken = newLinkToken();
  const now = new Date();
  const [rows] = await sequelize.query(`
    UPDATE idp_connections SET code_used_at = :now, access_token_hash = :accessTokenHash, access_token_expires_at = :accessTokenExpiresAt
    WHERE code_hash = :codeHash AND code_used_at IS NULL AND code_expires_at > :now AND client_id = :clientId AND redirect_uri = :redirectUri
    RETURNING id, nonce, acr, usager_id, demarche`, {
    replacements: {
      now, codeHash, clientId: presented.clientId, redirectUri: presented.redirectUri,
      accessTokenHash: hashToken(secretsKey, ACCESS_TOKEN_PURPOSE, accessToken), accessTokenExpiresAt: new Date(now.getTime() + config.accessTokenTtlMs),
    },
  }) as [{ id: string; nonce: string; acr: string; usager_id: string; demarche: string }[], unknown];
  const redeemed = rows[0];
  if (!redeemed) {
    const connection = await IdpConnection.findOne({ where: { codeHash } });
    if (!connection) return { outcome: 'unknown' };
    if (connection.codeUsedAt) {
      await IdpConnection.update({ accessTokenRevokedAt: now }, { where: { id: connection.id, accessTokenRevokedAt: null } });
      return { outcome: 'replayed' };
    }
    if (connection.clientId !== presented.clientId || connection.redirectUri !== presented.redirectUri) return { outcome: 'mismatch' };
    return { outcome: 'expired' };
  }
  const usager = await Usager.findByPk(redeemed.usager_id);
  if (!usager || usager.anonymisedAt) return { outcome: 'refused' };
  const iat = Math.floor(now.getTime() / 1000);
  const idToken = await new SignJWT({ nonce: redeemed.nonce, acr: redeemed.acr, rep_scope: [redeemed.demarche] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(config.issuer).setAudience(config.clientId).setSubject(usager.sub)
    .setIssuedAt(iat).setExpirationTime(iat + Math.floor(config.idTokenTtlMs / 1000))
    .sign(new TextEncoder().encode(config.clientSecret));
  return { outcome: 'issued', accessToken, idToken, expiresIn: Math.floor(config.accessTokenTtlMs / 1000) };
}

export type UserinfoAnswer =
  | { outcome: 'identity'; claims: Record<string, string>; journalEntryId: string; connectionId: string; usagerId: string }
  | { outcome: 'unknown' | 'revoked' | 'expired' | 'not_allowed' };

/**
 * The usager's identity for an access token, once the autorisation is checked again (THE check of
 * services/autorisations.ts): the journal entry `use_autorisation` is written in the same transaction, and its
 * use recorded for the usager's notification (services/usager-notifications.ts), woken by the route after the commit.
 */
export async function useAccessToken(sequelize: Sequelize, secretsKey: Buffer, token: string): Promise<UserinfoAnswer> {
  if (!IDP_TOKEN.test(token)) return { outcome: 'unknown' };
  return sequelize.transaction(async (transaction) => {
    const connection = await IdpConnection.findOne({ where: { accessTokenHash: hashToken(secretsKey, ACCESS_TOKEN_PURPOSE, token) }, transaction });
    if (!connection) return { outcome: 'unknown' } as const;
    if (connection.accessTokenRevokedAt) return { outcome: 'revoked' } as const;
    if (!connection.accessTokenExpiresAt || connection.accessTokenExpiresAt.getTime() <= Date.now()) return { outcome: 'expired' } as const;
    const acting = await findActingAutorisation(sequelize, {
      aidantId: connection.aidantId!, organisationId: connection.organisationId!, usagerId: connection.usagerId!, demarche: connection.demarche!,
    }, transaction);
    const usager = await Usager.findByPk(connection.usagerId!, { transaction });
    if (!acting || !usager) return { outcome: 'not_allowed' } as const;
    // The journal entry and the notification's record in ONE statement, last in the transaction: the journal's
    // chain lock (migration 0001) is held from this insert to the commit, by every writer of the journal.
    const [recorded] = await sequelize.query<{ journal_id: string }>(`
      WITH entry AS (
        INSERT INTO journal (action, actor_id, organisation_id, usager_id, mandat_id, autorisation_id, demarches, details)
        VALUES ('use_autorisation', :actorId, :organisationId, :usagerId, :mandatId, :autorisationId, ARRAY[:demarche]::text[], CAST(:details AS jsonb))
        RETURNING id)
      INSERT INTO usager_notifications (journal_id, usager_id) SELECT id, :usagerId FROM entry RETURNING journal_id`, {
      replacements: {
        actorId: connection.aidantId, organisationId: connection.organisationId, usagerId: usager.id, mandatId: acting.mandatId,
        autorisationId: acting.autorisationId, demarche: connection.demarche!,
        details: JSON.stringify({ identityProviderConnectionId: connection.id, franceconnectVersion: connection.fcVersion }),
      },
      type: QueryTypes.SELECT, transaction,
    });
    return { outcome: 'identity', claims: identitePivot(usager), journalEntryId: String(recorded!.journal_id), connectionId: connection.id, usagerId: usager.id } as const;
  });
}

/** The démarches of `usagerId` this aidant may act on now among `offered` (THE authorisation check, one query for all). */
export async function actingDemarches(sequelize: Sequelize, who: { aidantId: string; organisationId: string; usagerId: string }, offered: readonly string[]) {
  const acting = await findActingAutorisations(sequelize, who, offered);
  return offered.flatMap((demarche) => {
    const found = acting.get(demarche);
    return found ? [{ demarche, autorisationId: found.autorisationId, expiresAt: found.expiresAt }] : [];
  });
}
