// Aidants Connect as a FranceConnect identity provider (server/identity-provider/): its settings, read from the
// environment by config/index.ts. FranceConnect is its one client; its URIs are compared byte for byte.
import { DATABASE_POOL_MAX } from './database.js';
import type { Readers } from './readers.js';

export interface IdentityProviderConfig {
  /** The issuer FranceConnect registered, byte for byte (no trailing slash): the id_token's `iss`. */
  issuer: string;
  /** FranceConnect's client id and secret here (the secret also keys the HS256 id_tokens). */
  clientId: string;
  clientSecret: string;
  /** FranceConnect's callbacks, matched exactly: v1 (legacy) and v2 (which also requires prompt=login). */
  redirectUriV1: string;
  redirectUriV2: string;
  /** Where the logout may send the browser back, exactly; the v2 one gets `state` appended. */
  postLogoutUriV1: string;
  postLogoutUriV2: string;
  /** From `authorize` to the code: the aidant logs in, chooses the usager and the démarche within this delay. */
  interactionTtlMs: number;
  /** An authorization code is redeemable this long (and once). */
  codeTtlMs: number;
  /** An access token serves userinfo this long. */
  accessTokenTtlMs: number;
  /** The id_token's `exp` - `iat`. */
  idTokenTtlMs: number;
  /** Requests of the round trip in progress at once in a web process; the others wait their turn (server/web/admission.ts). */
  concurrentRequests: number;
  /** How long a request may wait for its turn before it is answered 503. */
  queueTimeoutMs: number;
}

/** FranceConnect as this service's client in development and tests; production must use its own (and refuses this secret). */
export const DEV_IDP_CLIENT_ID = 'franceconnect-demo';
export const DEV_IDP_CLIENT_SECRET = 'identity-provider-demo-secret-not-for-production';
/** FranceConnect's integration platform (registered there for Aidants Connect). */
export const FC_INTEGRATION_URIS = {
  redirectV1: 'https://fcp.integ01.dev-franceconnect.fr/oidc_callback',
  redirectV2: 'https://fcp-low.integ01.dev-franceconnect.fr/api/v2/oidc-callback',
  postLogoutV1: 'https://fcp.integ01.dev-franceconnect.fr/api/v1/logout/redirect_from_provider',
  postLogoutV2: 'https://fcp-low.integ01.dev-franceconnect.fr/api/v2/client/logout-callback',
} as const;

export const IDENTITY_PROVIDER_VARIABLES = [
  'IDP_ISSUER', 'IDP_FC_CLIENT_ID', 'IDP_FC_CLIENT_SECRET', 'IDP_FC_REDIRECT_URI_V1', 'IDP_FC_REDIRECT_URI_V2',
  'IDP_FC_POST_LOGOUT_URI_V1', 'IDP_FC_POST_LOGOUT_URI_V2', 'IDP_INTERACTION_TTL', 'IDP_CODE_TTL', 'IDP_ACCESS_TOKEN_TTL', 'IDP_ID_TOKEN_TTL',
  'IDP_CONCURRENT_REQUESTS', 'IDP_QUEUE_TIMEOUT',
] as const;

/**
 * Reads the issuer, the client, the redirect URIs and the code's lifetime at once (the settings checked against
 * each other and against production); the function returned reads the rest and gives the settings. Two steps so
 * that loadConfig lists the problems in the order it always has: these checks first, the remaining settings where
 * the Config is assembled.
 */
export function readIdentityProvider(readers: Readers, problems: string[], production: boolean, publicUrl: string): () => IdentityProviderConfig {
  const { read, url, duration, positiveInteger } = readers;
  const idpIssuer = read('IDP_ISSUER') ?? publicUrl;
  if (!URL.canParse(idpIssuer) || !['http:', 'https:'].includes(new URL(idpIssuer).protocol)) problems.push(`IDP_ISSUER: must be an http(s) URL (got "${idpIssuer}")`);
  else if (idpIssuer.endsWith('/') || new URL(idpIssuer).search !== '' || new URL(idpIssuer).hash !== '') problems.push(`IDP_ISSUER: must be written exactly as FranceConnect registered it, without a trailing slash, query or fragment (got "${idpIssuer}")`);
  const idpClientId = read('IDP_FC_CLIENT_ID') ?? (production ? undefined : DEV_IDP_CLIENT_ID);
  const idpSecret = read('IDP_FC_CLIENT_SECRET') ?? (production ? undefined : DEV_IDP_CLIENT_SECRET);
  if (idpClientId === undefined) problems.push('IDP_FC_CLIENT_ID: required in production (the client id of FranceConnect at Aidants Connect)');
  if (idpSecret === undefined) problems.push('IDP_FC_CLIENT_SECRET: required in production (the secret shared with FranceConnect: at least 32 characters)');
  else if (idpSecret.length < 32) problems.push('IDP_FC_CLIENT_SECRET: must be at least 32 characters long (it keys the HS256 id_tokens)');
  else if (production && idpSecret === DEV_IDP_CLIENT_SECRET) problems.push('IDP_FC_CLIENT_SECRET: the demo secret cannot be used in production');
  const exactUri = (name: string, fallback: string): string => {
    const value = url(name, production ? ['https:'] : ['http:', 'https:'], fallback) ?? fallback;
    if (URL.canParse(value) && new URL(value).hash !== '') problems.push(`${name}: must not have a fragment (got "${value}")`);
    return value;
  };
  const idpRedirectV1 = exactUri('IDP_FC_REDIRECT_URI_V1', FC_INTEGRATION_URIS.redirectV1);
  const idpRedirectV2 = exactUri('IDP_FC_REDIRECT_URI_V2', FC_INTEGRATION_URIS.redirectV2);
  if (idpRedirectV1 === idpRedirectV2) problems.push('IDP_FC_REDIRECT_URI_V2: must differ from IDP_FC_REDIRECT_URI_V1 (the redirect URI tells the version)');
  const idpCodeTtlMs = duration('IDP_CODE_TTL', '30 seconds');
  if (idpCodeTtlMs > 60_000) problems.push('IDP_CODE_TTL: must be at most 60 seconds (a code is redeemed at once by FranceConnect)');

  // Six: measured on two cores with ten database connections (bench/README.md « Identity provider »). At the
  // pool's size or above, the requests in progress wait for connections again: the turns gain nothing.
  const concurrentRequests = positiveInteger('IDP_CONCURRENT_REQUESTS', 6);
  if (concurrentRequests >= DATABASE_POOL_MAX) problems.push(`IDP_CONCURRENT_REQUESTS: must be lower than the web process's ${DATABASE_POOL_MAX} database connections (got ${concurrentRequests})`);

  return () => ({
    issuer: idpIssuer,
    clientId: idpClientId ?? '',
    clientSecret: idpSecret ?? '',
    redirectUriV1: idpRedirectV1,
    redirectUriV2: idpRedirectV2,
    postLogoutUriV1: exactUri('IDP_FC_POST_LOGOUT_URI_V1', FC_INTEGRATION_URIS.postLogoutV1),
    postLogoutUriV2: exactUri('IDP_FC_POST_LOGOUT_URI_V2', FC_INTEGRATION_URIS.postLogoutV2),
    interactionTtlMs: duration('IDP_INTERACTION_TTL', '10 minutes'),
    codeTtlMs: idpCodeTtlMs,
    accessTokenTtlMs: duration('IDP_ACCESS_TOKEN_TTL', '60 seconds'),
    idTokenTtlMs: duration('IDP_ID_TOKEN_TTL', '5 minutes'),
    concurrentRequests,
    queueTimeoutMs: duration('IDP_QUEUE_TIMEOUT', '5 seconds'),
  });
}
