// Aidants Connect as FranceConnect's identity provider: the interactions (one per authorize request), the
// authorization code and the access token. Both are 256 random bits stored only as a keyed hash
// (services/link-tokens.ts, one purpose each) and never logged. A code is redeemed once: one atomic
// UPDATE … WHERE code_used_at IS NULL decides between concurrent redemptions; a later one revokes the access
// token the first issued. Every choice and every use of the identity (userinfo) is decided by THE
// authorisation check and written in the same statement (`actingFrom`): a use journals `use_autorisation` only
// when the check still allows it.
import { createHash, timingSafeEqual } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config/index.js';
import { IdpConnection } from '../db/models/index.js';
import { rawQuery } from '../db/raw-query.js';
import { isDemarche } from '../domain/demarches.js';
import type { AuthorizeRequest } from '../domain/identity-provider.js';
import { identitePivot } from '../domain/identity-provider.js';
import { actingFrom, findActingAutorisations } from './autorisations.js';
import { hashToken, newLinkToken } from './link-tokens.js';
import { byFrenchName, usagerSearchConditions } from './mandats.js';
import { isUuid } from '../domain/uuid.js';

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
export async function createInteraction(request: AuthorizeRequest, ttlMs: number): Promise<{ id: string }> {
  const { rows: [row] } = await rawQuery<{ id: string }>(IdpConnection.sequelize!, `
    INSERT INTO idp_connections (client_id, redirect_uri, fc_version, state, nonce, acr, rep_scope, expires_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
  [request.clientId, request.redirectUri, request.fcVersion, request.state, request.nonce, request.acr, request.repScope, new Date(Date.now() + ttlMs)]);
  return row!;
}

/** An interaction as the aidant's pages use it, with the names of the usager chosen so far. */
export interface Interaction {
  id: string;
  redirectUri: string;
  state: string;
  repScope: IdpConnection['repScope'];
  usagerId: string | null;
  usager: { givenName: string; familyName: string } | null;
}

export type InteractionLookup =
  | { outcome: 'valid'; connection: Interaction }
  | { outcome: 'unknown' | 'expired' | 'other_aidant' | 'completed' };

/**
 * The interaction `id` for this aidant in this structure: bound to them the first time they open it (one
 * atomic UPDATE, so that no one else can take it afterwards), refused to anyone else, expired after its TTL.
 */
export async function openInteraction(id: string, aidant: { userId: string; organisationId: string; sessionId: string }, secretsKey: Buffer): Promise<InteractionLookup> {
  if (!isUuid(id)) return { outcome: 'unknown' };
  const sessionHash = hashToken(secretsKey, SESSION_PURPOSE, aidant.sessionId);
  // One statement: bound now (the UPDATE's row), or as it was (the statement's snapshot, when already bound).
  const { rows: [row] } = await rawQuery<{
    id: string; redirect_uri: string; state: string; rep_scope: IdpConnection['repScope']; aidant_id: string; organisation_id: string; session_hash: string;
    usager_id: string | null; code_hash: string | null; expires_at: Date; given_name: string | null; family_name: string | null;
  }>(IdpConnection.sequelize!, `
    WITH bound AS (
      UPDATE idp_connections SET aidant_id = $2, organisation_id = $3, session_hash = $4
      WHERE id = $1 AND aidant_id IS NULL RETURNING *),
    connection AS (SELECT * FROM bound UNION ALL SELECT * FROM idp_connections WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM bound))
    SELECT c.id, c.redirect_uri, c.state, c.rep_scope, c.aidant_id, c.organisation_id, c.session_hash, c.usager_id, c.code_hash, c.expires_at,
      u.given_name, u.family_name
    FROM connection c LEFT JOIN usagers u ON u.id = c.usager_id AND u.anonymised_at IS NULL`,
  [id, aidant.userId, aidant.organisationId, sessionHash]);
  if (!row) return { outcome: 'unknown' };
  if (row.aidant_id !== aidant.userId || row.organisation_id !== aidant.organisationId || row.session_hash !== sessionHash) return { outcome: 'other_aidant' };
  if (row.code_hash !== null) return { outcome: 'completed' };
  if (new Date(row.expires_at).getTime() <= Date.now()) return { outcome: 'expired' };
  return {
    outcome: 'valid',
    connection: {
      id: row.id, redirectUri: row.redirect_uri, state: row.state, repScope: row.rep_scope, usagerId: row.usager_id,
      usager: row.usager_id && row.given_name !== null ? { givenName: row.given_name, familyName: row.family_name! } : null,
    },
  };
}

/** Who chooses in an interaction: the aidant in their current structure (THE authorisation check's first terms). */
export interface InteractionAidant {
  aidantId: string;
  organisationId: string;
}

/**
 * The usagers this aidant may act for now on one of the `offered` démarches (THE authorisation check, for every
 * usager of the structure at once), whose names contain every word of `search`, in alphabetical order.
 */
export async function usagersForInteraction(sequelize: Sequelize, who: InteractionAidant, offered: readonly string[], search: string) {
  if (offered.length === 0) return [];
  const params: unknown[] = [who.aidantId, who.organisationId, offered, new Date()];
  const conditions = usagerSearchConditions(search, (pattern) => `$${params.push(pattern)}`);
  const { rows } = await rawQuery<{ id: string; givenName: string; familyName: string; birthdate: string }>(sequelize, `
    SELECT DISTINCT u.id, u.given_name AS "givenName", u.family_name AS "familyName", u.birthdate
    ${actingFrom({ aidantId: '$1', organisationId: '$2', demarches: '$3::text[]', at: '$4' })}
    ${conditions.map((condition) => `AND ${condition}`).join(' ')}`, params);
  return rows.sort(byFrenchName);
}

/**
 * Records the chosen usager (the page of the démarches follows) when THE authorisation check allows one of the
 * `offered` démarches for them, in one statement; false when it does not (or the interaction was completed).
 */
export async function chooseUsager(sequelize: Sequelize, connection: Interaction, who: InteractionAidant, usagerId: string, offered: readonly string[]): Promise<boolean> {
  if (!isUuid(usagerId) || offered.length === 0) return false;
  const { rowCount } = await rawQuery(sequelize, `
    UPDATE idp_connections SET usager_id = $2
    WHERE id = $1 AND code_hash IS NULL
      AND EXISTS (SELECT 1 ${actingFrom({ aidantId: '$3', organisationId: '$4', usagerId: '$2', demarches: '$5::text[]', at: '$6' })})`,
  [connection.id, usagerId, who.aidantId, who.organisationId, offered, new Date()]);
  return rowCount === 1;
}

/**
 * Issues the code for the chosen démarche, once per interaction, bound to the autorisation THE check finds (in
 * the same statement): returns it (to go into the redirect only), or null when the check refuses or another
 * request completed the interaction first.
 */
export async function issueCode(sequelize: Sequelize, connection: Interaction, who: InteractionAidant, demarche: string, ttlMs: number, secretsKey: Buffer): Promise<string | null> {
  if (!connection.usagerId || !isDemarche(demarche)) return null;
  const code = newLinkToken();
  const { rowCount } = await rawQuery(sequelize, `
    UPDATE idp_connections c SET demarche = $3, autorisation_id = acting.autorisation_id, code_hash = $6, code_expires_at = $7
    FROM (SELECT a.id AS autorisation_id
      ${actingFrom({ aidantId: '$4', organisationId: '$5', usagerId: '$2', demarches: 'ARRAY[$3]::text[]', at: '$8' })}
      ORDER BY m.expires_at DESC LIMIT 1) acting
    WHERE c.id = $1 AND c.usager_id = $2 AND c.code_hash IS NULL`,
  [connection.id, connection.usagerId, demarche, who.aidantId, who.organisationId, hashToken(secretsKey, CODE_PURPOSE, code), new Date(Date.now() + ttlMs), new Date()]);
  return rowCount === 1 ? code : null;
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
  // The usager's sub in the same statement; null when the usager has been anonymised or deleted since.
  const { rows } = await rawQuery<{ id: string; nonce: string; acr: string; demarche: string; sub: string | null }>(sequelize, `
    UPDATE idp_connections c SET code_used_at = $1, access_token_hash = $5, access_token_expires_at = $6
    WHERE code_hash = $2 AND code_used_at IS NULL AND code_expires_at > $1 AND client_id = $3 AND redirect_uri = $4
    RETURNING id, nonce, acr, demarche, (SELECT u.sub FROM usagers u WHERE u.id = c.usager_id AND u.anonymised_at IS NULL) AS sub`,
  [now, codeHash, presented.clientId, presented.redirectUri, hashToken(secretsKey, ACCESS_TOKEN_PURPOSE, accessToken), new Date(now.getTime() + config.accessTokenTtlMs)]);
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
  if (!redeemed.sub) return { outcome: 'refused' };
  const iat = Math.floor(now.getTime() / 1000);
  const idToken = await new SignJWT({ nonce: redeemed.nonce, acr: redeemed.acr, rep_scope: [redeemed.demarche] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(config.issuer).setAudience(config.clientId).setSubject(redeemed.sub)
    .setIssuedAt(iat).setExpirationTime(iat + Math.floor(config.idTokenTtlMs / 1000))
    .sign(new TextEncoder().encode(config.clientSecret));
  return { outcome: 'issued', accessToken, idToken, expiresIn: Math.floor(config.accessTokenTtlMs / 1000) };
}

export type UserinfoAnswer =
  | {
    outcome: 'identity'; claims: Record<string, string>; journalEntryId: string; connectionId: string; usagerId: string;
    /** This use is the usager's only one awaiting its notification: their workflow is to be woken. */
    wake: boolean;
  }
  | { outcome: 'unknown' | 'revoked' | 'expired' | 'not_allowed' };

/**
 * The usager's identity for an access token, once the autorisation is checked again (THE check of
 * services/autorisations.ts): the journal entry `use_autorisation` is written in the same statement, and its
 * use recorded for the usager's notification (services/usager-notifications.ts), woken by the route after the commit.
 */
export async function useAccessToken(sequelize: Sequelize, secretsKey: Buffer, token: string): Promise<UserinfoAnswer> {
  if (!IDP_TOKEN.test(token)) return { outcome: 'unknown' };
  // ONE statement, atomic on its own: the token's connection; THE check (services/autorisations.ts) on what it
  // was issued for, now; when it allows, the journal entry and the notification's record; and the identity.
  // The journal entry takes no global lock: it is chained after commit (migration 0033).
  const { rows: [row] } = await rawQuery<{
    id: string; usager_id: string; revoked: boolean; expired: boolean; journal_id: string | null; pending_before: boolean;
    sub: string; given_name: string; family_name: string; preferred_username: string | null; birthdate: string; gender: string;
    birthplace: string | null; birthcountry: string; email: string | null;
  }>(sequelize, `
    WITH c AS (
      SELECT id, aidant_id, organisation_id, usager_id, demarche, fc_version,
        access_token_revoked_at IS NOT NULL AS revoked, coalesce(access_token_expires_at <= now(), true) AS expired
      FROM idp_connections WHERE access_token_hash = $1),
    acting AS (
      SELECT x.* FROM c CROSS JOIN LATERAL (
        SELECT a.id AS autorisation_id, m.id AS mandat_id
        ${actingFrom({ aidantId: 'c.aidant_id', organisationId: 'c.organisation_id', usagerId: 'c.usager_id', demarches: 'ARRAY[c.demarche]::text[]', at: 'now()' })}
        ORDER BY m.expires_at DESC LIMIT 1) x
      WHERE NOT c.revoked AND NOT c.expired),
    entry AS (
      INSERT INTO journal (action, actor_id, organisation_id, usager_id, mandat_id, autorisation_id, demarches, details)
      SELECT 'use_autorisation', c.aidant_id, c.organisation_id, c.usager_id, acting.mandat_id, acting.autorisation_id, ARRAY[c.demarche]::text[],
        jsonb_build_object('identityProviderConnectionId', c.id, 'franceconnectVersion', c.fc_version)
      FROM c, acting RETURNING id, usager_id),
    notified AS (INSERT INTO usager_notifications (journal_id, usager_id) SELECT id, usager_id FROM entry RETURNING journal_id)
    SELECT c.id, c.usager_id, c.revoked, c.expired, (SELECT journal_id FROM notified) AS journal_id,
      -- Uses already awaiting the usager's notification (the statement's snapshot: not this one's own record).
      EXISTS (SELECT 1 FROM usager_notifications n WHERE n.usager_id = c.usager_id AND n.batch IS NULL) AS pending_before,
      u.sub, u.given_name, u.family_name, u.preferred_username, u.birthdate, u.gender, u.birthplace, u.birthcountry, u.email
    FROM c LEFT JOIN usagers u ON u.id = c.usager_id`,
  [hashToken(secretsKey, ACCESS_TOKEN_PURPOSE, token)]);
  if (!row) return { outcome: 'unknown' };
  if (row.revoked) return { outcome: 'revoked' };
  if (row.expired) return { outcome: 'expired' };
  if (row.journal_id === null) return { outcome: 'not_allowed' };
  const claims = identitePivot({
    sub: row.sub, givenName: row.given_name, familyName: row.family_name, preferredUsername: row.preferred_username, birthdate: row.birthdate,
    gender: row.gender, birthplace: row.birthplace, birthcountry: row.birthcountry, email: row.email,
  });
  // One wake per batch, not per use: a use that finds others still unclaimed joins the batch their wake started
  // (the workflow claims every unclaimed use when its settling delay ends). Should that claim have read its
  // snapshot just before this use committed, the run ends without it and the sweep
  // (services/usager-notifications.ts) wakes the usager within two minutes: late, never lost, never twice.
  return { outcome: 'identity', claims, journalEntryId: String(row.journal_id), connectionId: row.id, usagerId: row.usager_id, wake: !row.pending_before };
}

/** The démarches of `usagerId` this aidant may act on now among `offered` (THE authorisation check, one query for all). */
export async function actingDemarches(sequelize: Sequelize, who: { aidantId: string; organisationId: string; usagerId: string }, offered: readonly string[]) {
  const acting = await findActingAutorisations(sequelize, who, offered);
  return offered.flatMap((demarche) => {
    const found = acting.get(demarche);
    return found ? [{ demarche, autorisationId: found.autorisationId, expiresAt: found.expiresAt }] : [];
  });
}
