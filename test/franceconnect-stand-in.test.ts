// The local FranceConnect v2 stand-in on its own (a client registered for this file only), as openid-client
// sees it: discovery with FranceConnect's endpoints, RS256 id_tokens verified against its JWKS with acr eidas1,
// userinfo as a signed JWT with the test identities' claims (born abroad: empty birthplace; « présumé né »:
// 1990-00-00; an e-mail that changes at each login), client_secret_post only, /authorize refusing what
// FranceConnect refuses (PKCE, short nonce, another acr), end-session to registered URIs only, and stop.
import * as oidc from 'openid-client';
import { startFranceConnectStandIn, type FranceConnectStandIn } from '../infra/franceconnect-stand-in.js';
import { unique } from './support/env.js';
import { standInBrowser } from './support/franceconnect.js';

const client = {
  clientId: unique('client-'), clientSecret: unique('secret-').repeat(3),
  redirectUri: 'http://localhost:4999/retour', postLogoutRedirectUri: 'http://localhost:4999/deconnexion',
};
let standIn: FranceConnectStandIn;
let config: oidc.Configuration;

beforeAll(async () => {
  standIn = await startFranceConnectStandIn({ port: 0, client });
  config = await oidc.discovery(new URL(standIn.issuer), client.clientId, {
    client_secret: client.clientSecret, id_token_signed_response_alg: 'RS256', userinfo_signed_response_alg: 'RS256',
  }, oidc.ClientSecretPost(client.clientSecret), { execute: [oidc.allowInsecureRequests] });
  oidc.enableNonRepudiationChecks(config);
});
afterAll(async () => {
  await standIn?.stop();
});

const SCOPE = 'openid given_name family_name birthdate gender birthplace birthcountry email preferred_username';

/** A whole login as `identity`: the verified id_token claims, the verified userinfo, and the id_token. */
async function loginAs(identity: string) {
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, { redirect_uri: client.redirectUri, scope: SCOPE, state, nonce, acr_values: 'eidas1' });
  const back = await standInBrowser().login(url.href, identity);
  const tokens = await oidc.authorizationCodeGrant(config, back, { expectedState: state, expectedNonce: nonce, idTokenExpected: true });
  const claims = tokens.claims()!;
  const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  return { claims, userinfo, idToken: tokens.id_token!, accessToken: tokens.access_token };
}

it('publishes FranceConnect v2’s metadata: endpoints under /api/v2, RS256, eidas1, client_secret_post', async () => {
  const metadata = await (await fetch(`${standIn.issuer}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
  expect(metadata).toMatchObject({
    issuer: standIn.issuer,
    authorization_endpoint: `${standIn.issuer}/authorize`, token_endpoint: `${standIn.issuer}/token`,
    userinfo_endpoint: `${standIn.issuer}/userinfo`, end_session_endpoint: `${standIn.issuer}/session/end`, jwks_uri: `${standIn.issuer}/jwks`,
    acr_values_supported: ['eidas1'], token_endpoint_auth_methods_supported: ['client_secret_post'],
  });
  expect(metadata.id_token_signing_alg_values_supported).toContain('RS256');
  const { keys } = await (await fetch(`${standIn.issuer}/jwks`)).json() as { keys: { kty: string; alg: string; d?: string }[] };
  expect(keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256' })]);
  expect(keys[0]!.d).toBeUndefined(); // the public half only
});

it('signs id_tokens (RS256, acr eidas1) and userinfo JWTs verified against its keys, with the identity pivot', async () => {
  const { claims, userinfo, idToken } = await loginAs('marie');
  expect(JSON.parse(Buffer.from(idToken.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'RS256' });
  expect(claims).toMatchObject({ iss: standIn.issuer, aud: client.clientId, acr: 'eidas1', sub: standIn.subOf('marie') });
  expect(userinfo).toMatchObject({
    sub: standIn.subOf('marie'), given_name: 'Marie Thérèse', family_name: 'MARTIN', preferred_username: 'DURAND',
    birthdate: '1952-03-14', gender: 'female', birthplace: '17415', birthcountry: '99100', email: 'marie.martin@usager.demo',
  });
  // Userinfo comes as application/jwt, as FranceConnect v2 sends it.
  const raw = await fetch(`${standIn.issuer}/userinfo`, { headers: { authorization: `Bearer ${(await loginAs('marie')).accessToken}` } });
  expect(raw.headers.get('content-type')).toMatch(/^application\/jwt/);
});

it('has a person born abroad (empty birthplace), a « présumé né » (YYYY-00-00) and an e-mail that changes between logins', async () => {
  expect((await loginAs('karim')).userinfo).toMatchObject({ birthplace: '', birthcountry: '99350' });
  expect((await loginAs('fatou')).userinfo).toMatchObject({ birthdate: '1990-00-00' });
  const first = (await loginAs('jean')).userinfo.email;
  const second = (await loginAs('jean')).userinfo.email;
  expect(first).not.toBe(second);
  // Subs are pairwise: another service provider would see other ones.
  expect(standIn.subOf('jean')).not.toBe(standIn.subOf('karim'));
});

it('refuses at /authorize what FranceConnect refuses: PKCE or any unlisted parameter, a short nonce, another acr', async () => {
  const base = { client_id: client.clientId, redirect_uri: client.redirectUri, response_type: 'code', scope: SCOPE, state: oidc.randomState(), nonce: oidc.randomNonce(), acr_values: 'eidas1' };
  const authorize = (params: Record<string, string>) => fetch(`${standIn.issuer}/authorize?${new URLSearchParams(params).toString()}`, { redirect: 'manual' });
  expect((await authorize(base)).status).toBe(303);
  const pkce = await authorize({ ...base, code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
  expect(pkce.status).toBe(400);
  expect(await pkce.text()).toContain('code_challenge');
  expect((await authorize({ ...base, nonce: 'short' })).status).toBe(400);
  expect((await authorize({ ...base, acr_values: 'eidas2' })).status).toBe(400);
  expect((await authorize({ ...base, redirect_uri: `${client.redirectUri}/` })).status).toBe(400); // registered URIs only
});

it('authenticates the client by client_secret_post only: a wrong secret or HTTP Basic is refused', async () => {
  const token = (init: RequestInit) => fetch(`${standIn.issuer}/token`, { method: 'POST', ...init });
  const form = { grant_type: 'authorization_code', code: 'unknown', redirect_uri: client.redirectUri, client_id: client.clientId };
  const wrong = await token({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...form, client_secret: 'wrong' }) });
  expect({ status: wrong.status, body: await wrong.json() }).toEqual({ status: 401, body: expect.objectContaining({ error: 'invalid_client' }) });
  const basic = await token({
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: 'unknown', redirect_uri: client.redirectUri }),
  });
  expect({ status: basic.status, body: await basic.json() }).toEqual({ status: 401, body: expect.objectContaining({ error: 'invalid_client' }) });
});

it('ends the session towards the registered post-logout URI only, with the state', async () => {
  const { idToken } = await loginAs('karim');
  const end = (postLogout: string) => oidc.buildEndSessionUrl(config, { id_token_hint: idToken, state: 'S'.repeat(43), post_logout_redirect_uri: postLogout }).href;
  const back = await standInBrowser().logout(end(client.postLogoutRedirectUri));
  expect(back.href).toBe(`${client.postLogoutRedirectUri}?state=${'S'.repeat(43)}`);
  expect((await fetch(end('http://localhost:4999/ailleurs'))).status).toBe(400);
});

it('stops: nothing answers any more', async () => {
  const other = await startFranceConnectStandIn({ port: 0, client });
  expect((await fetch(`${other.issuer}/.well-known/openid-configuration`)).status).toBe(200);
  await other.stop();
  await expect(fetch(`${other.issuer}/.well-known/openid-configuration`)).rejects.toThrow();
});
