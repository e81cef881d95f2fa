// Aidants Connect as FranceConnect's identity provider, on loopback with the app in-process and a real
// PostgreSQL: a FranceConnect-style client (openid-client, jose for HS256) drives the whole flow, then the
// negative battery of franceconnect.md §5 « AC as identity provider »: the authorize parameters (missing 400,
// malformed/unexpected 403, never a redirect), redirect_uri variants, the client's authentication, the
// single-use code (sequential and 16 parallel redemptions, a replay revokes the token), its expiry and its
// binding to the redirect_uri, Bearer formats, the authorisation rules in the aidant's pages (no mandat, no
// autorisation, expired or revoked mandat, another structure, rep_scope outside the perimeter, another
// browser), the re-check at userinfo and its journal entry, and the logout allow-list.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { jwtVerify, SignJWT } from 'jose';
import * as client from 'openid-client';
import { QueryTypes, type Sequelize } from 'sequelize';
import request from 'supertest';
import { IdpConnection, JournalEntry, Mandat, Organisation, type Usager } from '../db/models/index.js';
import { testConfig, testSequelize } from './support/env.js';
import { createPerson, createStructure, csrfOf, espaceCookie, type TestPerson } from './support/espace.js';
import { createTestMandat, createUsager, revokeAutorisations } from './support/mandats.js';
import { useAccessToken } from '../services/identity-provider.js';
import { appWithoutTemporal } from './support/app.js';

const V1 = 'https://fcp.integ.test/oidc_callback';
const V2 = 'https://fcp-low.integ.test/api/v2/oidc-callback';
const LOGOUT_V1 = 'https://fcp.integ.test/api/v1/logout/redirect_from_provider';
const LOGOUT_V2 = 'https://fcp-low.integ.test/api/v2/client/logout-callback';
const SECRET = 'identity-provider-demo-secret-not-for-production';
const CLIENT_ID = 'franceconnect-demo';

let sequelize: Sequelize;
let server: Server;
let app: Express;
let issuer: string;
let secretsKey: Buffer;

beforeAll(async () => {
  sequelize = testSequelize();
  // The issuer is the loopback address of this very server: listen first, then build the app it serves.
  let handler: Express | undefined;
  server = (await import('node:http')).createServer((req, res) => handler!(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = testConfig({
    PUBLIC_URL: issuer, IDP_FC_REDIRECT_URI_V1: V1, IDP_FC_REDIRECT_URI_V2: V2, IDP_FC_POST_LOGOUT_URI_V1: LOGOUT_V1, IDP_FC_POST_LOGOUT_URI_V2: LOGOUT_V2,
  });
  app = appWithoutTemporal(sequelize, config);
  secretsKey = config.secrets.key;
  handler = app;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await sequelize.close();
});

const hex = (n = 32) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');

function authorizeQuery(overrides: Record<string, string | null> = {}, version: 1 | 2 = 2): URLSearchParams {
  const params: Record<string, string | null> = {
    response_type: 'code', client_id: CLIENT_ID, redirect_uri: version === 2 ? V2 : V1,
    scope: version === 2 ? 'openid profile email birth' : 'openid profile email address phone birth', acr_values: 'eidas1',
    state: hex(64), nonce: hex(64), ...(version === 2 ? { prompt: 'login' } : {}), ...overrides,
  };
  return new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== null));
}

/** A logged-in aidant of a structure and their browser (cookie session, CSRF). */
async function aidantOf(organisation: Organisation, person?: TestPerson) {
  const who = person ?? await createPerson(organisation);
  const session = await espaceCookie(sequelize, who.user, organisation.id);
  let cookie = session;
  const get = async (path: string) => {
    const res = await request(app).get(path).set('Cookie', cookie);
    const csrf = /name="_csrf"/.test(res.text) ? csrfOf(res) : null;
    if (csrf?.cookie && !cookie.includes('ac_csrf=')) cookie = `${cookie}; ${csrf.cookie}`;
    return { res, csrf: csrf?.token };
  };
  const post = (path: string, csrf: string, form: Record<string, string>) =>
    request(app).post(path).set('Cookie', cookie).type('form').send(new URLSearchParams({ _csrf: csrf, ...form }).toString());
  return { person: who, organisation, get, post };
}
type Aidant = Awaited<ReturnType<typeof aidantOf>>;

/** Authorize → usager → démarche: the final answer (302 to the callback when all went well). */
async function runInteraction(aidant: Aidant, usager: Usager, demarche: string, query = authorizeQuery()) {
  const authorize = await request(app).get(`/authorize/?${query}`);
  expect(authorize.status).toBe(303);
  const interaction = authorize.headers.location as string;
  const step1 = await aidant.get(interaction);
  expect(step1.res.status).toBe(200);
  const chosen = await aidant.post(`${interaction}/usager`, step1.csrf!, { usager: usager.id });
  if (chosen.status !== 303) return chosen;
  const step2 = await aidant.get(chosen.headers.location);
  expect(step2.res.status).toBe(200);
  return aidant.post(`${interaction}/demarche`, step2.csrf!, { demarche });
}

async function setting(demarches = ['papiers', 'social']) {
  const organisation = await createStructure();
  const aidant = await aidantOf(organisation);
  const { usager, mandat } = await createTestMandat(organisation, aidant.person.user, { duration: 'LONG', demarches: demarches as never });
  return { organisation, aidant, usager, mandat };
}

const codeOf = (answer: { headers: Record<string, string> }) => new URL(answer.headers.location!).searchParams.get('code')!;
const token = (form: Record<string, string>) => request(app).post('/token/').type('form').send(new URLSearchParams(form).toString());
const tokenForm = (code: string, overrides: Record<string, string> = {}) =>
  ({ code, grant_type: 'authorization_code', redirect_uri: V2, client_id: CLIENT_ID, client_secret: SECRET, ...overrides });

describe('the whole flow, driven by a FranceConnect-style client', () => {
  it('gives FranceConnect a code with its exact state, an HS256 id_token and the identité pivot, and journals the use', async () => {
    const { aidant, usager, organisation } = await setting();
    const config = await client.discovery(new URL(issuer), CLIENT_ID, { client_secret: SECRET, id_token_signed_response_alg: 'HS256' }, client.ClientSecretPost(SECRET), { execute: [client.allowInsecureRequests] });
    const state = hex(64);
    const nonce = hex(64);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: V2, scope: 'openid profile email birth', acr_values: 'eidas1', state, nonce, prompt: 'login',
      claims: JSON.stringify({ id_token: { rep_scope: { essential: true, values: ['social'] } } }),
    });
    expect(url.href.startsWith(`${issuer}/authorize/?`)).toBe(true);
    const callback = await runInteraction(aidant, usager, 'social', url.searchParams);
    expect(callback.status).toBe(302);
    const back = new URL(callback.headers.location);
    expect(`${back.origin}${back.pathname}`).toBe(V2);
    expect([...back.searchParams.keys()]).toEqual(['code', 'state']);
    expect(back.searchParams.get('state')).toBe(state);

    const tokens = await client.authorizationCodeGrant(config, back, { expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, new TextEncoder().encode(SECRET), { issuer, audience: CLIENT_ID, algorithms: ['HS256'] });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toMatchObject({ iss: issuer, aud: CLIENT_ID, sub: usager.sub, nonce, acr: 'eidas1', rep_scope: ['social'] });
    expect(payload.exp! - payload.iat!).toBe(300);
    await expect(jwtVerify(tokens.id_token!, new TextEncoder().encode('another-secret-of-at-least-32-characters'))).rejects.toThrow();

    const info = await client.fetchUserInfo(config, tokens.access_token, usager.sub);
    expect(info).toEqual({
      sub: usager.sub, given_name: 'Marie', family_name: usager.familyName, birthdate: '1948-03-12', gender: 'female',
      birthplace: '17300', birthcountry: '99100', email: 'noemailprovided@aidantconnect.beta.gouv.fr',
    });
    const entries = await JournalEntry.findAll({ where: { action: 'use_autorisation', usagerId: usager.id } });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorId: aidant.person.user.id, organisationId: organisation.id, demarches: ['social'] });
    // The use is recorded for the usager's notification with its journal entry (sent by test/usager-notification.test.ts).
    const recorded = await sequelize.query<{ journal_id: string }>('SELECT journal_id FROM usager_notifications WHERE usager_id = $1', { bind: [usager.id], type: QueryTypes.SELECT });
    expect(recorded.map((r) => String(r.journal_id))).toEqual([String(entries[0].id)]);
    // Nothing secret stored in clear.
    const row = await IdpConnection.findOne({ where: { usagerId: usager.id } });
    expect(row!.codeHash).not.toBe(back.searchParams.get('code'));
    expect(row!.accessTokenHash).not.toBe(tokens.access_token);
  });

  it('answers token and userinfo with no-store, and formats the pivot of a usager born abroad, date presumed', async () => {
    const { aidant, usager } = await setting();
    await usager.update({ birthcountry: '99352', birthplace: '17300', birthdate: '1961-00-00', gender: 'male', email: 'usager@exemple.fr' });
    const code = codeOf(await runInteraction(aidant, usager, 'papiers'));
    const tokens = await token(tokenForm(code));
    expect(tokens.status).toBe(200);
    expect(tokens.headers['cache-control']).toBe('no-store');
    expect(tokens.headers.pragma).toBe('no-cache');
    const info = await request(app).get('/userinfo/').set('Authorization', `Bearer ${tokens.body.access_token}`);
    expect(info.status).toBe(200);
    expect(info.headers['cache-control']).toBe('no-store');
    expect(info.body).toMatchObject({ birthdate: '1961-00-00', gender: 'male', birthplace: '', birthcountry: '99352', email: 'usager@exemple.fr' });
  });

  it('serves the v1 callback too (no prompt, the v1 scopes)', async () => {
    const { aidant, usager } = await setting();
    const callback = await runInteraction(aidant, usager, 'papiers', authorizeQuery({}, 1));
    expect(callback.status).toBe(302);
    expect(callback.headers.location.startsWith(`${V1}?code=`)).toBe(true);
    expect((await token(tokenForm(codeOf(callback), { redirect_uri: V1 }))).status).toBe(200);
  });
});

describe('authorize: parameters checked strictly and answered in place', () => {
  const authorize = (query: URLSearchParams | string) => request(app).get(`/authorize/?${query}`);

  it.each(['response_type', 'client_id', 'redirect_uri', 'scope', 'acr_values', 'state', 'nonce', 'prompt'])('answers 400 without %s', async (key) => {
    const res = await authorize(authorizeQuery({ [key]: null }));
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
  });

  it.each([
    ['response_type', 'token'], ['client_id', 'another-client'], ['acr_values', 'eidas2'], ['scope', 'openid profile'], ['prompt', 'consent'],
    ['state', 'abc-def'], ['nonce', 'abc def'], ['claims', '{not json'], ['claims', '{"id_token":{"rep_scope":{"essential":false,"values":["social"]}}}'],
    ['claims', '{"userinfo":{"rep_scope":{"essential":true}}}'],
  ])('answers 403 to a malformed %s (%s)', async (key, value) => {
    const res = await authorize(authorizeQuery({ [key]: value }));
    expect(res.status).toBe(403);
    expect(res.headers.location).toBeUndefined();
  });

  it('answers 403 to an unexpected parameter, a repeated one, PKCE, or prompt on v1', async () => {
    for (const query of [
      `${authorizeQuery()}&ui_locales=fr`, `${authorizeQuery()}&code_challenge=abc&code_challenge_method=S256`, `${authorizeQuery()}&state=${hex()}`,
      `${authorizeQuery({}, 1)}&prompt=login`,
    ]) {
      const res = await authorize(query);
      expect(res.status).toBe(403);
      expect(res.headers.location).toBeUndefined();
    }
  });

  it.each([
    V2.toUpperCase(), `${V2}/`, `${V2}?x=1`, `${V2}#f`, encodeURIComponent(V2), V2.replace('https:', 'http:'), V2.replace('fcp-low', 'fcp-low.evil'),
    `${V2}/extra`, 'https://evil.example/api/v2/oidc-callback',
  ])('never redirects to an unregistered redirect_uri (%s)', async (redirectUri) => {
    const res = await authorize(authorizeQuery({ redirect_uri: redirectUri }));
    expect([400, 403]).toContain(res.status);
    expect(res.headers.location).toBeUndefined();
  });

  it('refuses an unknown démarche in rep_scope with « Unauthorized perimeters »', async () => {
    const res = await authorize(authorizeQuery({ claims: JSON.stringify({ id_token: { rep_scope: { essential: true, values: ['social', 'voyages'] } } }) }));
    expect(res.status).toBe(403);
    expect(res.text).toContain('Unauthorized perimeters: {voyages}');
  });

  it('sends an aidant without a session to the login, coming back to the interaction', async () => {
    const res = await authorize(authorizeQuery());
    const page = await request(app).get(res.headers.location);
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe(`/connexion?next=${encodeURIComponent(res.headers.location)}`);
  });
});

describe('the aidant\'s choice: the authorisation rules', () => {
  it('refuses a usager without a mandat, or with a mandat of another structure', async () => {
    const { aidant } = await setting();
    const stranger = await createUsager();
    expect((await runInteraction(aidant, stranger, 'papiers')).status).toBe(403);
    const other = await setting();
    expect((await runInteraction(aidant, other.usager, 'papiers')).status).toBe(403);
  });

  it('refuses a démarche without an autorisation, or revoked', async () => {
    const { aidant, usager, mandat } = await setting(['papiers', 'social']);
    expect((await runInteraction(aidant, usager, 'logement')).status).toBe(403);
    await revokeAutorisations(mandat.id, ['social']);
    expect((await runInteraction(aidant, usager, 'social')).status).toBe(403);
    expect((await runInteraction(aidant, usager, 'papiers')).status).toBe(302);
  });

  it('refuses an expired or a revoked mandat', async () => {
    const organisation = await createStructure();
    const aidant = await aidantOf(organisation);
    const { usager } = await createTestMandat(organisation, aidant.person.user, { duration: 'SHORT', createdAt: new Date(Date.now() - 3 * 86_400_000) });
    expect((await runInteraction(aidant, usager, 'papiers')).status).toBe(403);
    const revoked = await setting();
    await revokeAutorisations(revoked.mandat.id, 'all');
    await Mandat.update({ revokedAt: new Date(), status: 'revoked' }, { where: { id: revoked.mandat.id } });
    expect((await runInteraction(revoked.aidant, revoked.usager, 'papiers')).status).toBe(403);
  });

  it('refuses a rep_scope outside the structure\'s perimeter, and offers only the démarches asked', async () => {
    const { aidant, usager, organisation } = await setting(['papiers', 'social']);
    await Organisation.update({ allowedDemarches: ['papiers', 'social'] }, { where: { id: organisation.id } });
    const outside = await request(app).get(`/authorize/?${authorizeQuery({ claims: JSON.stringify({ id_token: { rep_scope: { essential: true, values: ['justice'] } } }) })}`);
    const page = await aidant.get(outside.headers.location);
    expect(page.res.status).toBe(403);
    expect(page.res.text).toContain('Unauthorized perimeters: {justice}');
    // Asked « social » only: « papiers » is not offered, and refused if posted.
    const query = authorizeQuery({ claims: JSON.stringify({ id_token: { rep_scope: { essential: true, values: ['social'] } } }) });
    expect((await runInteraction(aidant, usager, 'papiers', query)).status).toBe(403);
  });

  it('keeps the interaction to the aidant\'s browser: another session, even of the same aidant, is refused', async () => {
    const { aidant, organisation } = await setting();
    const start = await request(app).get(`/authorize/?${authorizeQuery()}`);
    expect((await aidant.get(start.headers.location)).res.status).toBe(200);
    const otherBrowser = await aidantOf(organisation, aidant.person);
    expect((await otherBrowser.get(start.headers.location)).res.status).toBe(403);
    const colleague = await aidantOf(organisation);
    expect((await colleague.get(start.headers.location)).res.status).toBe(403);
  });

  it('searches the usagers by name, requires the CSRF token, and asks a card code again after inactivity', async () => {
    const { aidant, usager, organisation } = await setting();
    const start = await request(app).get(`/authorize/?${authorizeQuery()}`);
    const found = await aidant.get(`${start.headers.location}?recherche=${encodeURIComponent(usager.familyName)}`);
    expect(found.res.text).toContain(`value="${usager.id}"`);
    const none = await aidant.get(`${start.headers.location}?recherche=zzzznobody`);
    expect(none.res.text).not.toContain(`value="${usager.id}"`);
    expect((await aidant.post(`${start.headers.location}/usager`, 'forged-token-of-enough-length-000000', { usager: usager.id })).status).toBe(403);
    const stale = await espaceCookie(sequelize, (await createPerson(organisation)).user, organisation.id, { fresh: false });
    const again = await request(app).get((await request(app).get(`/authorize/?${authorizeQuery()}`)).headers.location).set('Cookie', stale);
    expect(again.status).toBe(303);
    expect(again.headers.location).toMatch(/^\/reprise-activite\?next=%2Fespace-aidant%2Ffournisseur-identite%2F/);
  });

  it('answers 408 once the interaction expired', async () => {
    const { aidant } = await setting();
    const start = await request(app).get(`/authorize/?${authorizeQuery()}`);
    await IdpConnection.update({ expiresAt: new Date(Date.now() - 1000) }, { where: { id: start.headers.location.split('/').pop() } });
    expect((await aidant.get(start.headers.location)).res.status).toBe(408);
  });
});

describe('token: the client, the single-use code and its binding', () => {
  it('refuses a wrong client, a wrong secret, Basic authentication, missing and extra fields', async () => {
    const { aidant, usager } = await setting();
    const code = codeOf(await runInteraction(aidant, usager, 'papiers'));
    expect((await token(tokenForm(code, { client_id: 'another' }))).status).toBe(403);
    expect((await token(tokenForm(code, { client_secret: `${SECRET}x` }))).status).toBe(403);
    expect((await token(tokenForm(code, { client_secret: SECRET.slice(0, -1) }))).status).toBe(403);
    expect((await token(tokenForm(code, { grant_type: 'refresh_token' }))).status).toBe(403);
    expect((await token({ ...tokenForm(code), code_verifier: 'x'.repeat(43) })).status).toBe(403);
    const { client_secret: _secret, ...withoutSecret } = tokenForm(code);
    expect((await token(withoutSecret)).status).toBe(400);
    const basic = await request(app).post('/token/').set('Authorization', `Basic ${Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64')}`).type('form').send(new URLSearchParams(tokenForm(code)).toString());
    expect(basic.status).toBe(403);
    // None of that used the code.
    expect((await token(tokenForm(code))).status).toBe(200);
  });

  it('redeems a code once; a replay fails and revokes the access token issued', async () => {
    const { aidant, usager } = await setting();
    const code = codeOf(await runInteraction(aidant, usager, 'papiers'));
    const first = await token(tokenForm(code));
    expect(first.status).toBe(200);
    expect((await token(tokenForm(code))).status).toBe(403);
    expect((await request(app).get('/userinfo/').set('Authorization', `Bearer ${first.body.access_token}`)).status).toBe(403);
  });

  it('of 16 redemptions at the same instant, exactly one succeeds', async () => {
    const { aidant, usager } = await setting();
    const code = codeOf(await runInteraction(aidant, usager, 'papiers'));
    const answers = await Promise.all(Array.from({ length: 16 }, () => token(tokenForm(code))));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 403)).toHaveLength(15);
  });

  it('refuses an expired code (408), and a code with another registered redirect_uri than its request\'s', async () => {
    const { aidant, usager } = await setting();
    const expired = codeOf(await runInteraction(aidant, usager, 'papiers'));
    await IdpConnection.update({ codeExpiresAt: new Date(Date.now() - 1000) }, { where: { usagerId: usager.id, codeUsedAt: null } });
    expect((await token(tokenForm(expired))).status).toBe(408);
    const v2Code = codeOf(await runInteraction(aidant, usager, 'papiers'));
    expect((await token(tokenForm(v2Code, { redirect_uri: V1 }))).status).toBe(403);
    expect((await token(tokenForm(v2Code, { redirect_uri: `${V2}/` }))).status).toBe(403);
    expect((await token(tokenForm(v2Code))).status).toBe(200);
    expect((await token(tokenForm('not-a-code'))).status).toBe(403);
  });
});

describe('userinfo: Bearer only, and the autorisation checked again', () => {
  it('refuses other formats of the token', async () => {
    const { aidant, usager } = await setting();
    const tokens = await token(tokenForm(codeOf(await runInteraction(aidant, usager, 'papiers'))));
    const accessToken = tokens.body.access_token as string;
    for (const header of [`Bearer:${accessToken}`, `bearer ${accessToken}`, accessToken, `Bearer  ${accessToken}`, `Basic ${accessToken}`, 'Bearer ']) {
      expect((await request(app).get('/userinfo/').set('Authorization', header)).status).toBe(403);
    }
    expect((await request(app).get(`/userinfo/?access_token=${accessToken}`)).status).toBe(403);
    expect((await request(app).get(`/userinfo/?access_token=${accessToken}`).set('Authorization', `Bearer ${accessToken}`)).status).toBe(403);
    expect((await request(app).get('/userinfo/').set('Authorization', `Bearer ${accessToken}`)).status).toBe(200);
  });

  it('refuses once the autorisation was revoked after the code, and journals nothing then', async () => {
    const { aidant, usager, mandat } = await setting();
    const tokens = await token(tokenForm(codeOf(await runInteraction(aidant, usager, 'papiers'))));
    await revokeAutorisations(mandat.id, ['papiers']);
    expect((await request(app).get('/userinfo/').set('Authorization', `Bearer ${tokens.body.access_token}`)).status).toBe(403);
    expect(await JournalEntry.count({ where: { action: 'use_autorisation', usagerId: usager.id } })).toBe(0);
  });

  it('wakes the usager\'s notification once per batch: not again while an earlier use awaits its claim', async () => {
    const { aidant, usager } = await setting();
    const accessToken = (await token(tokenForm(codeOf(await runInteraction(aidant, usager, 'papiers'))))).body.access_token as string;
    const wakes = async () => {
      const answer = await useAccessToken(sequelize, secretsKey, accessToken);
      expect(answer.outcome).toBe('identity');
      return answer.outcome === 'identity' && answer.wake;
    };
    expect(await wakes()).toBe(true); // the first use: its workflow must be woken
    expect(await wakes()).toBe(false); // joins the batch the first use's wake started
    // Once the workflow claimed them, the next use starts a batch of its own, and wakes again.
    await sequelize.query("UPDATE usager_notifications SET batch = 'claimed-by-test' WHERE usager_id = $1 AND batch IS NULL", { bind: [usager.id] });
    expect(await wakes()).toBe(true);
    expect(await JournalEntry.count({ where: { action: 'use_autorisation', usagerId: usager.id } })).toBe(3);
  });

  it('refuses an expired access token (408)', async () => {
    const { aidant, usager } = await setting();
    const tokens = await token(tokenForm(codeOf(await runInteraction(aidant, usager, 'papiers'))));
    await IdpConnection.update({ accessTokenExpiresAt: new Date(Date.now() - 1000) }, { where: { usagerId: usager.id } });
    expect((await request(app).get('/userinfo/').set('Authorization', `Bearer ${tokens.body.access_token}`)).status).toBe(408);
  });
});

describe('logout: an exact allow-list', () => {
  it('returns to a registered URI, with the state for v2, and refuses anything else in place', async () => {
    const state = hex(64);
    const v2 = await request(app).get(`/logout/?${new URLSearchParams({ post_logout_redirect_uri: LOGOUT_V2, state })}`);
    expect(v2.status).toBe(302);
    expect(v2.headers.location).toBe(`${LOGOUT_V2}?state=${state}`);
    const v1 = await request(app).get(`/logout/?${new URLSearchParams({ post_logout_redirect_uri: LOGOUT_V1, state })}`);
    expect(v1.headers.location).toBe(LOGOUT_V1);
    for (const uri of [`${LOGOUT_V2}/`, LOGOUT_V2.toUpperCase(), `${LOGOUT_V2}?next=https://evil.example`, 'https://evil.example/', '']) {
      const res = await request(app).get(`/logout/?${new URLSearchParams({ post_logout_redirect_uri: uri, state })}`);
      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
    }
    expect((await request(app).post('/logout/').type('form').send(`post_logout_redirect_uri=${encodeURIComponent(LOGOUT_V2)}`)).status).toBe(400);
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(issuer).setAudience(CLIENT_ID).sign(new TextEncoder().encode('x'.repeat(48)));
    expect((await request(app).get(`/logout/?${new URLSearchParams({ post_logout_redirect_uri: LOGOUT_V2, state, id_token_hint: forged })}`)).status).toBe(400);
  });
});
