// FranceConnect as the espace aidant's way of logging in (services/franceconnect-client.ts): its settings, read
// from the environment by config/index.ts.
import type { Readers } from './readers.js';

export interface FranceConnectConfig {
  /**
   * FranceConnect v2's issuer (its discovery is <issuer>/.well-known/openid-configuration). Unset, npm start
   * and the tests start the local stand-in (infra/franceconnect-stand-in.ts) and this is its issuer.
   */
  issuer: string;
  /** Whether the issuer is the local stand-in's (FRANCECONNECT_ISSUER unset): npm start starts it. */
  standIn: boolean;
  standInPort: number;
  clientId: string;
  clientSecret: string;
  /** Where FranceConnect sends the browser back (registered at FranceConnect, byte for byte). */
  callbackUrl: string;
  /** Where FranceConnect's end-session sends the browser back (registered at FranceConnect). */
  postLogoutUrl: string;
  /** How FranceConnect signs id_tokens and userinfo for this service (chosen at registration). */
  signingAlg: 'RS256' | 'ES256';
  /** An identification (state, nonce) must come back within this delay (FC_CONNECTION_AGE). */
  connectionAgeMs: number;
}

/** The client registered at the local FranceConnect stand-in; production must use its own (and refuses this secret). */
export const DEV_FRANCECONNECT_CLIENT_ID = 'aidants-connect-local';
export const DEV_FRANCECONNECT_SECRET = 'stand-in-franceconnect-demo-secret-not-for-production';

export const FRANCECONNECT_VARIABLES = [
  'FRANCECONNECT_ISSUER', 'FRANCECONNECT_CLIENT_ID', 'FRANCECONNECT_CLIENT_SECRET', 'FRANCECONNECT_CALLBACK_URL',
  'FRANCECONNECT_POST_LOGOUT_URL', 'FRANCECONNECT_SIGNING_ALG', 'FRANCECONNECT_STAND_IN_PORT', 'FC_CONNECTION_AGE',
] as const;

/**
 * Reads the issuer, the client and the URLs at once (checked against production and PUBLIC_URL's origin); the
 * function returned reads the rest and gives the settings. Two steps so that loadConfig lists the problems in the
 * order it always has: these checks first, the remaining settings where the Config is assembled.
 */
export function readFranceConnect(readers: Readers, problems: string[], production: boolean, publicUrl: string): () => FranceConnectConfig {
  const { read, oneOf, port, url, duration } = readers;
  // FranceConnect: the local stand-in unless FRANCECONNECT_ISSUER names a real one (production must).
  const standInPort = port('FRANCECONNECT_STAND_IN_PORT', 8090);
  const fcIssuer = url('FRANCECONNECT_ISSUER', ['http:', 'https:']);
  const fcClientId = read('FRANCECONNECT_CLIENT_ID') ?? (production ? undefined : DEV_FRANCECONNECT_CLIENT_ID);
  const fcSecret = read('FRANCECONNECT_CLIENT_SECRET') ?? (production ? undefined : DEV_FRANCECONNECT_SECRET);
  if (production) {
    if (read('FRANCECONNECT_ISSUER') === undefined) problems.push('FRANCECONNECT_ISSUER: required in production (the local FranceConnect stand-in is for development), e.g. https://fcp-low.integ01.dev-franceconnect.fr/api/v2');
    else if (fcIssuer?.startsWith('http:')) problems.push('FRANCECONNECT_ISSUER: must use https: in production');
    if (fcClientId === undefined) problems.push('FRANCECONNECT_CLIENT_ID: required in production (the client id FranceConnect gave the service)');
    if (fcSecret === undefined) problems.push('FRANCECONNECT_CLIENT_SECRET: required in production (the client secret FranceConnect gave the service)');
    else if (fcSecret === DEV_FRANCECONNECT_SECRET) problems.push('FRANCECONNECT_CLIENT_SECRET: the local stand-in\'s demo secret cannot be used in production');
  }
  const fcCallbackUrl = url('FRANCECONNECT_CALLBACK_URL', ['http:', 'https:'], `${publicUrl}/espace-aidant/franceconnect/retour`) ?? `${publicUrl}/espace-aidant/franceconnect/retour`;
  const fcPostLogoutUrl = url('FRANCECONNECT_POST_LOGOUT_URL', ['http:', 'https:'], `${publicUrl}/espace-aidant/franceconnect/deconnexion`) ?? `${publicUrl}/espace-aidant/franceconnect/deconnexion`;
  for (const [name, value] of [['FRANCECONNECT_CALLBACK_URL', fcCallbackUrl], ['FRANCECONNECT_POST_LOGOUT_URL', fcPostLogoutUrl]] as const) {
    if (URL.canParse(value) && new URL(value).origin !== new URL(publicUrl).origin) problems.push(`${name}: must be on PUBLIC_URL's origin (${new URL(publicUrl).origin}): the browser comes back to this service (got "${value}")`);
  }

  return () => ({
    issuer: fcIssuer ?? `http://localhost:${standInPort}/api/v2`,
    standIn: fcIssuer === undefined,
    standInPort,
    clientId: fcClientId ?? '',
    clientSecret: fcSecret ?? '',
    callbackUrl: fcCallbackUrl,
    postLogoutUrl: fcPostLogoutUrl,
    signingAlg: oneOf('FRANCECONNECT_SIGNING_ALG', ['RS256', 'ES256'], 'RS256'),
    connectionAgeMs: duration('FC_CONNECTION_AGE', '5 minutes'),
  });
}
