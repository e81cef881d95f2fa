// The rules of Aidants Connect as FranceConnect's identity provider that need no database: the strict check
// of the authorize parameters (franceconnect.md §1.2, §5.6; statuses of the real service: a missing parameter
// 400, a malformed or unexpected one 403, never a redirect), the shape of `claims` (rep_scope) and the
// identité pivot returned by userinfo (§1.3/§1.4).
import { DEMARCHE_KEYS, isDemarche, type Demarche } from './demarches.js';

export interface IdpClient {
  clientId: string;
  redirectUriV1: string;
  redirectUriV2: string;
}

export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  fcVersion: 1 | 2;
  state: string;
  nonce: string;
  acr: 'eidas1';
  /** claims.id_token.rep_scope.values when asked (possibly empty: no restriction); null when not asked. */
  repScope: Demarche[] | null;
}

export type AuthorizeCheck =
  | { ok: true; request: AuthorizeRequest }
  | { ok: false; status: 400 | 403; reason: 'missing parameter' | 'malformed parameter value' | 'forbidden parameter value' | 'unauthorized perimeters'; detail: string };

const V1_SCOPES = ['address', 'birth', 'email', 'openid', 'phone', 'profile'];
const V2_SCOPES = ['birth', 'email', 'openid', 'profile'];
const COMMON = ['response_type', 'client_id', 'redirect_uri', 'scope', 'acr_values', 'state', 'nonce'];
/** state and nonce: FranceConnect sends hex; anything but letters and digits is refused (as the real service). */
const ALPHANUMERIC = /^[A-Za-z0-9]{1,512}$/;

const refuse = (status: 400 | 403, reason: Exclude<AuthorizeCheck, { ok: true }>['reason'], detail: string): AuthorizeCheck => ({ ok: false, status, reason, detail });

/** Unauthorized perimeters, in the words of the real service (FranceConnect's tests look for them). */
export const perimetersRefusal = (values: string[]) => `Unauthorized perimeters: {${values.join(', ')}}`;

/**
 * Checks the query of GET /authorize/ as FranceConnect sends it. `params` is the raw query (a repeated key is
 * malformed). The version is told by the redirect_uri, compared byte for byte after the one decoding of the
 * query string: a case, slash, encoding or query variant is not registered.
 */
export function checkAuthorizeParams(params: URLSearchParams, client: IdpClient): AuthorizeCheck {
  const redirectUri = params.get('redirect_uri');
  const fcVersion = redirectUri === client.redirectUriV2 ? 2 : 1;
  const required = fcVersion === 2 ? [...COMMON, 'prompt'] : COMMON;
  const missing = required.filter((key) => !params.get(key));
  if (missing.length > 0) return refuse(400, 'missing parameter', missing.join(', '));
  const allowed = new Set([...required, 'claims']);
  const keys = [...params.keys()];
  const extra = keys.filter((key) => !allowed.has(key));
  if (extra.length > 0) return refuse(403, 'forbidden parameter value', [...new Set(extra)].join(', '));
  const repeated = keys.filter((key, i) => keys.indexOf(key) !== i);
  if (repeated.length > 0) return refuse(403, 'malformed parameter value', [...new Set(repeated)].join(', '));

  const value = (key: string) => params.get(key)!;
  if (redirectUri !== client.redirectUriV1 && redirectUri !== client.redirectUriV2) return refuse(403, 'malformed parameter value', 'redirect_uri');
  if (value('response_type') !== 'code') return refuse(403, 'malformed parameter value', 'response_type');
  if (value('client_id') !== client.clientId) return refuse(403, 'malformed parameter value', 'client_id');
  const scopes = new Set(value('scope').split(/\s+/).filter(Boolean));
  if (!(fcVersion === 2 ? V2_SCOPES : V1_SCOPES).every((scope) => scopes.has(scope))) return refuse(403, 'malformed parameter value', 'scope');
  if (value('acr_values') !== 'eidas1') return refuse(403, 'malformed parameter value', 'acr_values');
  if (!ALPHANUMERIC.test(value('state'))) return refuse(403, 'malformed parameter value', 'state');
  if (!ALPHANUMERIC.test(value('nonce'))) return refuse(403, 'malformed parameter value', 'nonce');
  if (fcVersion === 2 && !value('prompt').split(/\s+/).includes('login')) return refuse(403, 'malformed parameter value', 'prompt');

  let repScope: Demarche[] | null = null;
  if (params.has('claims')) {
    const claims = parseRepScopeClaims(value('claims'));
    if (claims === 'malformed') return refuse(403, 'malformed parameter value', 'claims');
    const unknown = claims.filter((v) => !isDemarche(v));
    if (unknown.length > 0) return refuse(403, 'unauthorized perimeters', perimetersRefusal(unknown));
    repScope = [...new Set(claims)] as Demarche[];
  }
  return { ok: true, request: { clientId: client.clientId, redirectUri: redirectUri!, fcVersion, state: value('state'), nonce: value('nonce'), acr: 'eidas1', repScope } };
}

/** `{"id_token":{"rep_scope":{"essential":true,"values":[...]}}}` and nothing else: the values, or 'malformed'. */
export function parseRepScopeClaims(raw: string): string[] | 'malformed' {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return 'malformed';
  }
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(parsed) || Object.keys(parsed).join() !== 'id_token') return 'malformed';
  const idToken = parsed.id_token;
  if (!isObject(idToken) || Object.keys(idToken).join() !== 'rep_scope') return 'malformed';
  const repScope = idToken.rep_scope;
  if (!isObject(repScope) || repScope.essential !== true || Object.keys(repScope).some((k) => k !== 'essential' && k !== 'values')) return 'malformed';
  const values = repScope.values ?? [];
  if (!Array.isArray(values) || values.length > DEMARCHE_KEYS.length * 4 || !values.every((v) => typeof v === 'string' && v.length <= 64)) return 'malformed';
  return values as string[];
}

/** The démarches an interaction may offer: the structure's, restricted to rep_scope when FranceConnect asked one. */
export function offeredDemarches(allowed: readonly string[], repScope: readonly string[] | null): Demarche[] {
  return DEMARCHE_KEYS.filter((d) => allowed.includes(d) && (!repScope || repScope.length === 0 || repScope.includes(d)));
}

/** When FranceConnect has no address for a usager, what the real service sends (FranceConnect requires an e-mail). */
export const NO_EMAIL_PROVIDED = 'noemailprovided@aidantconnect.beta.gouv.fr';
export const FRANCE_COG = '99100';

export interface PivotSource {
  sub: string;
  givenName: string;
  familyName: string;
  preferredUsername: string | null;
  gender: string;
  birthdate: string;
  birthplace: string | null;
  birthcountry: string;
  email: string | null;
}

/**
 * The identité pivot as FranceConnect validates it: birthdate YYYY-MM-DD (YYYY-MM-00 / YYYY-00-00 for présumés
 * nés, kept as stored), birthplace the COG code only when born in France and "" otherwise (never "None"),
 * birthcountry the COG country code, an e-mail always, preferred_username only when known.
 */
export function identitePivot(usager: PivotSource): Record<string, string> {
  return {
    sub: usager.sub,
    given_name: usager.givenName,
    family_name: usager.familyName,
    birthdate: usager.birthdate,
    gender: usager.gender,
    birthplace: usager.birthcountry === FRANCE_COG ? (usager.birthplace ?? '') : '',
    birthcountry: usager.birthcountry,
    email: usager.email ?? NO_EMAIL_PROVIDED,
    ...(usager.preferredUsername ? { preferred_username: usager.preferredUsername } : {}),
  };
}
