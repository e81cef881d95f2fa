// The usager's identification through FranceConnect v2 (Aidants Connect as a service provider), with
// openid-client: authorization code flow, no PKCE (FranceConnect refuses parameters it does not list), a
// state and a nonce of 43 random characters each, kept in a `connections` row of kind 'franceconnect_client'
// bound to the aidant, their structure and their browser session, single-use and expiring after
// FC_CONNECTION_AGE. The callback verifies the state, the code exchange, the id_token (signature through
// FranceConnect's JWKS, iss, aud, exp, nonce, acr eidas1) and the userinfo JWT (signature, sub); then the usager
// is created or updated under a keyed hash of FranceConnect's `sub`, journaled, and the usager is logged out of
// FranceConnect at once (the FranceConnect session lives in the aidant's browser).
// No network call is made inside a database transaction. Every failure is an IdentificationFailure with a
// French message, and creates nothing.
import type { Sequelize, Transaction } from 'sequelize';
import * as oidc from 'openid-client';
import type { Config } from '../config/index.js';
import { Connection, Usager } from '../db/models/index.js';
import { appendJournal } from './journal.js';
import { hashToken } from './link-tokens.js';
import { isUuid } from '../domain/uuid.js';

/** What FranceConnect is asked for: the identité pivot, the e-mail and the usage name. */
export const FRANCECONNECT_SCOPE = 'openid given_name family_name birthdate gender birthplace birthcountry email preferred_username';
export const FRANCECONNECT_ACR = 'eidas1';

export type IdentificationFailureReason =
  | 'access_denied' // the usager cancelled on FranceConnect
  | 'franceconnect_error' // FranceConnect answered another error on the callback
  | 'unknown_state' // no identification of this service has this state
  | 'replayed_state' // the state was already used
  | 'not_yours' // started by another aidant, in another session or for another structure
  | 'expired' // older than FC_CONNECTION_AGE
  | 'invalid_response' // code refused, signature, iss, aud, nonce, acr or expiry wrong
  | 'missing_claim' // FranceConnect gave an incomplete or malformed identity
  | 'unreachable'; // FranceConnect could not be reached (or answered 5xx)

const MESSAGES: Record<IdentificationFailureReason, string> = {
  access_denied: 'L’usager a annulé sa connexion à FranceConnect, ou FranceConnect l’a refusée.',
  franceconnect_error: 'FranceConnect a signalé une erreur pendant la connexion de l’usager.',
  unknown_state: 'Ce retour de FranceConnect ne correspond à aucune identification en cours.',
  replayed_state: 'Ce retour de FranceConnect a déjà été utilisé : une identification ne sert qu’une fois.',
  not_yours: 'Cette identification a été commencée dans une autre session ou pour une autre structure que la vôtre.',
  expired: 'L’identification a pris trop de temps : elle doit aboutir dans les quelques minutes qui suivent son début.',
  invalid_response: 'La réponse de FranceConnect n’a pas pu être vérifiée.',
  missing_claim: 'FranceConnect n’a pas transmis toutes les informations nécessaires sur l’usager.',
  unreachable: 'FranceConnect ne répond pas pour le moment.',
};

/** A failed identification: `message` is for people (French), `detail` for the logs (never a secret). */
export class IdentificationFailure extends Error {
  constructor(readonly reason: IdentificationFailureReason, message?: string, readonly detail?: string) {
    super(message ?? MESSAGES[reason]);
    this.name = 'IdentificationFailure';
  }
}

/** Who is identifying a usager: the aidant, in their current structure, in this browser session. */
export interface AidantSession {
  aidantId: string;
  organisationId: string;
  /** The espace session's id (req.sessionID): the identification comes back to this session only. */
  sessionId: string;
}

export interface StartIdentification extends AidantSession {
  /** A path of this site the aidant lands on once the usager is identified (?connexion=<id> is added). */
  returnTo: string;
  /** The mandat being prepared, kept with the identification for the recap. */
  draft?: { demarches: string[]; duration: string };
}

export interface CompletedIdentification {
  connectionId: string;
  usagerId: string;
  /** FranceConnect's end-session URL: the browser goes there at once, then comes back to the post-logout URL. */
  endSessionUrl: string;
}

export interface IdentifiedConnection {
  connectionId: string;
  usager: Usager;
  demarches: string[] | null;
  duration: string | null;
  identifiedAt: Date;
  returnTo: string;
}

export interface FranceConnectClient {
  startIdentification(input: StartIdentification): Promise<{ connectionId: string; authorizationUrl: string }>;
  completeIdentification(callbackUrl: string | URL, session: AidantSession): Promise<CompletedIdentification>;
  /** The return from FranceConnect's logout: where to send the aidant (returnTo?connexion=<id>). */
  finishLogout(logoutState: unknown, session: AidantSession): Promise<{ connectionId: string; location: string }>;
  /** The usager identified by this aidant's identification `connectionId` (the recap reads it), or null. */
  findIdentification(connectionId: string, session: Omit<AidantSession, 'sessionId'>): Promise<IdentifiedConnection | null>;
}

const STATE_PURPOSE = 'aidants-connect/franceconnect-state/v1';
const LOGOUT_STATE_PURPOSE = 'aidants-connect/franceconnect-logout-state/v1';
const SESSION_PURPOSE = 'aidants-connect/franceconnect-session/v1';
const SUB_PURPOSE = 'aidants-connect/franceconnect-sub/v1';
const STATE_SHAPE = /^[A-Za-z0-9_-]{22,128}$/;

/** The usager's stable identifier: a keyed hash of FranceConnect's (pairwise) sub, under SECRETS_KEY. */
export const usagerSubOf = (secretsKey: Buffer, franceconnectSub: string): string => hashToken(secretsKey, SUB_PURPOSE, franceconnectSub);

/** The path to come back to, with the identification's id. */
const withConnection = (returnTo: string, connectionId: string) => `${returnTo}${returnTo.includes('?') ? '&' : '?'}connexion=${connectionId}`;

/** Whether the error (or one of its causes) says FranceConnect could not be reached or timed out. */
function isUnreachable(error: unknown): boolean {
  for (let current = error as { name?: string; code?: string; message?: string; cause?: unknown; status?: number } | undefined, depth = 0; current && depth < 6; current = current.cause as typeof current, depth += 1) {
    if (current.name === 'AbortError' || current.name === 'TimeoutError') return true;
    if (typeof current.code === 'string' && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|UND_ERR)/.test(current.code)) return true;
    if (current.message === 'fetch failed') return true;
    if (typeof current.status === 'number' && current.status >= 500) return true;
  }
  return false;
}

const describe = (error: unknown) => {
  const { name, code, message } = error as { name?: string; code?: string; message?: string };
  return [name, code, message].filter(Boolean).join(': ').slice(0, 300);
};

/** The identity FranceConnect gave, checked as FranceConnect's own DTO does; the first missing claim fails. */
function identityOf(claims: Record<string, unknown>) {
  const missing = (label: string, claim: string) => new IdentificationFailure('missing_claim', `${MESSAGES.missing_claim} Manquant ou invalide : ${label}.`, `claim ${claim}`);
  const text = (claim: string, label: string) => {
    const value = claims[claim];
    if (typeof value !== 'string' || value.trim() === '' || value.length > 256) throw missing(label, claim);
    return value.trim();
  };
  const givenName = text('given_name', 'prénoms');
  const familyName = text('family_name', 'nom de naissance');
  const birthdate = claims.birthdate;
  // YYYY-MM-DD, or YYYY-MM-00 / YYYY-00-00 for a person whose exact birth date is unknown (« présumé né »).
  if (typeof birthdate !== 'string' || !/^\d{4}-(0\d|1[0-2])-([0-2]\d|3[01])$/.test(birthdate)) throw missing('date de naissance', 'birthdate');
  const gender = claims.gender;
  if (gender !== 'female' && gender !== 'male' && gender !== 'unspecified') throw missing('sexe', 'gender');
  const birthcountry = claims.birthcountry;
  if (typeof birthcountry !== 'string' || !/^\d{5}$/.test(birthcountry)) throw missing('pays de naissance', 'birthcountry');
  const birthplace = claims.birthplace;
  if (typeof birthplace !== 'string') throw missing('lieu de naissance', 'birthplace');
  // Born in France: the INSEE code of the commune; born abroad: "" (stored as none).
  if (birthcountry === '99100' && !/^(2[AB]|\d{2})\d{3}$/.test(birthplace)) throw missing('lieu de naissance', 'birthplace');
  const email = typeof claims.email === 'string' && /^[^\s@]+@[^\s@]+$/.test(claims.email) ? claims.email.trim() : null;
  const preferredUsername = typeof claims.preferred_username === 'string' && claims.preferred_username.trim() !== '' ? claims.preferred_username.trim() : null;
  return { givenName, familyName, birthdate, gender, birthcountry, birthplace: birthcountry === '99100' ? birthplace : null, email, preferredUsername } as const;
}

export function createFranceConnectClient(deps: { config: Config['franceconnect']; secretsKey: Buffer; sequelize: Sequelize }): FranceConnectClient {
  const { config, secretsKey, sequelize } = deps;
  const hash = (purpose: string, value: string) => hashToken(secretsKey, purpose, value);
  const sessionHashOf = (sessionId: string) => hash(SESSION_PURPOSE, sessionId);

  // Discovery once, again after a failure (FranceConnect down at start-up, or its keys rotated).
  let configuration: Promise<oidc.Configuration> | undefined;
  const discover = () => {
    configuration ??= oidc.discovery(new URL(config.issuer), config.clientId, {
      client_secret: config.clientSecret,
      id_token_signed_response_alg: config.signingAlg,
      userinfo_signed_response_alg: config.signingAlg,
    }, oidc.ClientSecretPost(config.clientSecret), {
      // The local stand-in is served over http; a real FranceConnect is https (production requires it).
      execute: new URL(config.issuer).protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
      timeout: 10,
    }).then((found) => {
      // Signatures are checked against FranceConnect's published keys, not only trusted from TLS.
      oidc.enableNonRepudiationChecks(found);
      return found;
    });
    configuration.catch(() => { configuration = undefined; });
    return configuration;
  };
  const reachable = async () => {
    try {
      return await discover();
    } catch (error) {
      throw new IdentificationFailure('unreachable', undefined, `discovery: ${describe(error)}`);
    }
  };

  return {
    async startIdentification(input) {
      if (!input.returnTo.startsWith('/') || input.returnTo.startsWith('//') || input.returnTo.includes('\\')) {
        throw new Error('returnTo must be a path of this site');
      }
      const server = await reachable();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const connection = await Connection.create({
        kind: 'franceconnect_client',
        state: hash(STATE_PURPOSE, state),
        nonce,
        aidantId: input.aidantId,
        organisationId: input.organisationId,
        sessionHash: sessionHashOf(input.sessionId),
        returnTo: input.returnTo,
        demarches: input.draft?.demarches ?? null,
        duration: input.draft?.duration ?? null,
        usagerId: null, demarche: null, autorisationId: null, requestedScope: FRANCECONNECT_SCOPE.split(' '),
        codeHash: null, codeUsedAt: null, accessTokenHash: null,
        expiresAt: new Date(Date.now() + config.connectionAgeMs),
      });
      // Exactly the parameters FranceConnect lists (buildAuthorizationUrl adds client_id and response_type).
      const authorizationUrl = oidc.buildAuthorizationUrl(server, {
        redirect_uri: config.callbackUrl, scope: FRANCECONNECT_SCOPE, state, nonce, acr_values: FRANCECONNECT_ACR,
      });
      return { connectionId: connection.id, authorizationUrl: authorizationUrl.href };
    },

    async completeIdentification(callbackUrl, session) {
      const params = new URL(callbackUrl, config.callbackUrl).searchParams;
      const state = params.get('state') ?? '';
      if (!STATE_SHAPE.test(state)) throw new IdentificationFailure('unknown_state', undefined, 'no or malformed state');
      const connection = await Connection.findOne({ where: { kind: 'franceconnect_client', state: hash(STATE_PURPOSE, state) } });
      if (!connection) throw new IdentificationFailure('unknown_state');
      if (connection.aidantId !== session.aidantId || connection.organisationId !== session.organisationId || connection.sessionHash !== sessionHashOf(session.sessionId)) {
        throw new IdentificationFailure('not_yours');
      }
      if (connection.stateUsedAt) throw new IdentificationFailure('replayed_state');
      if (connection.expiresAt.getTime() <= Date.now()) throw new IdentificationFailure('expired');
      // Single use, even when two callbacks race: only one UPDATE finds the state unused.
      const [claimed] = await Connection.update({ stateUsedAt: new Date() }, { where: { id: connection.id, stateUsedAt: null } });
      if (claimed !== 1) throw new IdentificationFailure('replayed_state');

      const error = params.get('error');
      if (error) {
        throw new IdentificationFailure(error === 'access_denied' ? 'access_denied' : 'franceconnect_error', undefined, `callback error ${error.slice(0, 100)}`);
      }

      const server = await reachable();
      // The token request's redirect_uri is the registered callback URL, byte for byte (never the Host header).
      const currentUrl = new URL(config.callbackUrl);
      currentUrl.search = params.toString();
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      let claims: Record<string, unknown>;
      try {
        tokens = await oidc.authorizationCodeGrant(server, currentUrl, { expectedState: state, expectedNonce: connection.nonce!, idTokenExpected: true });
        claims = (tokens.claims() ?? {}) as Record<string, unknown>;
        if (claims.acr !== FRANCECONNECT_ACR) throw new IdentificationFailure('invalid_response', undefined, `acr ${String(claims.acr)}`);
        const userinfo = await oidc.fetchUserInfo(server, tokens.access_token, String(claims.sub));
        claims = { ...userinfo, sub: claims.sub };
      } catch (failure) {
        if (failure instanceof IdentificationFailure) throw failure;
        throw new IdentificationFailure(isUnreachable(failure) ? 'unreachable' : 'invalid_response', undefined, describe(failure));
      }
      const identity = identityOf(claims);
      const sub = usagerSubOf(secretsKey, String(claims.sub));
      const logoutState = oidc.randomState();

      const usagerId = await sequelize.transaction(async (transaction: Transaction) => {
        // Created once whoever comes first (findOrCreate re-reads after a concurrent insert), then locked — NO KEY
        // UPDATE, as only non-key columns change: a plain FOR UPDATE also blocks the foreign-key checks of rows that
        // name this usager (a userinfo's notification record) until this transaction ends — with the journal's
        // former chain lock, that was a deadlock the soak found.
        const [, created] = await Usager.findOrCreate({
          where: { sub },
          defaults: {
            sub, givenName: identity.givenName, familyName: identity.familyName, preferredUsername: identity.preferredUsername,
            gender: identity.gender, birthdate: identity.birthdate, birthplace: identity.birthplace, birthcountry: identity.birthcountry,
            email: identity.email, phone: null, anonymisedAt: null,
          },
          transaction,
        });
        const usager = (await Usager.findOne({ where: { sub }, lock: transaction.LOCK.NO_KEY_UPDATE, transaction }))!;
        const emailChanged = !created && identity.email !== null && usager.email !== identity.email;
        const changes: Partial<{ email: string | null; preferredUsername: string | null }> = {};
        if (emailChanged) changes.email = identity.email;
        if (identity.preferredUsername && !usager.preferredUsername) changes.preferredUsername = identity.preferredUsername;
        if (Object.keys(changes).length > 0) await usager.update(changes, { transaction });
        const journal = { actorId: session.aidantId, organisationId: session.organisationId, usagerId: usager.id };
        // An existing usager's e-mail replaced (the addresses stay in the usager's record, not in the journal).
        if (emailChanged) await appendJournal({ action: 'update_email_usager', ...journal }, transaction);
        await appendJournal({ action: 'franceconnect_usager', ...journal, details: { connectionId: connection.id } }, transaction);
        const [updated] = await Connection.update({
          usagerId: usager.id, identifiedAt: new Date(), complete: true, logoutState: hash(LOGOUT_STATE_PURPOSE, logoutState),
          // From now on, the time left to confirm the recap.
          expiresAt: new Date(Date.now() + config.connectionAgeMs),
        }, { where: { id: connection.id, identifiedAt: null }, transaction });
        if (updated !== 1) throw new IdentificationFailure('replayed_state');
        return usager.id;
      });

      const endSessionUrl = oidc.buildEndSessionUrl(server, {
        id_token_hint: tokens.id_token!, state: logoutState, post_logout_redirect_uri: config.postLogoutUrl,
      });
      return { connectionId: connection.id, usagerId, endSessionUrl: endSessionUrl.href };
    },

    async finishLogout(logoutState, session) {
      if (typeof logoutState !== 'string' || !STATE_SHAPE.test(logoutState)) throw new IdentificationFailure('unknown_state', undefined, 'logout: no or malformed state');
      const connection = await Connection.findOne({ where: { kind: 'franceconnect_client', logoutState: hash(LOGOUT_STATE_PURPOSE, logoutState) } });
      if (!connection || !connection.identifiedAt) throw new IdentificationFailure('unknown_state', undefined, 'logout: unknown state');
      if (connection.aidantId !== session.aidantId || connection.organisationId !== session.organisationId || connection.sessionHash !== sessionHashOf(session.sessionId)) {
        throw new IdentificationFailure('not_yours');
      }
      return { connectionId: connection.id, location: withConnection(connection.returnTo!, connection.id) };
    },

    async findIdentification(connectionId, session) {
      if (!isUuid(connectionId)) return null;
      const connection = await Connection.findOne({
        where: { id: connectionId, kind: 'franceconnect_client', aidantId: session.aidantId, organisationId: session.organisationId },
      });
      if (!connection?.identifiedAt || !connection.usagerId) return null;
      const usager = await Usager.findByPk(connection.usagerId);
      if (!usager) return null;
      return {
        connectionId: connection.id, usager, demarches: connection.demarches, duration: connection.duration,
        identifiedAt: connection.identifiedAt, returnTo: connection.returnTo!,
      };
    },
  };
}
