// The demo démarche site (infra/demo-demarche-site.ts) without a browser: the authorize request it sends is
// FranceConnect v2's and the identity provider accepts it; and every bad callback ends on a French error page
// showing no identity — an error from the identity provider, an unknown or replayed state, a state of another
// browser, a code the identity provider refuses, an id_token not signed with the shared secret — as do a bad
// perimeter, an unreachable identity provider and an unknown logout return.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { SignJWT } from 'jose';
import { DEV_IDP_CLIENT_ID, DEV_IDP_CLIENT_SECRET } from '../config/index.js';
import { demoDemarcheSiteUris, startDemoDemarcheSite, type DemoDemarcheSite } from '../infra/demo-demarche-site.js';
import { freePort } from '../infra/throwaway-stack.js';
import { testConfig, testSequelize } from './support/env.js';
import { appWithoutTemporal } from './support/app.js';

const sequelize = testSequelize();
const listen = async (handler: RequestListener): Promise<{ server: Server; url: string }> => {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
};

// Aidants Connect in-process, registering the demo site's callbacks; the site pointed at it.
let idp: { server: Server; url: string };
let site: DemoDemarcheSite;
// A fake identity provider whose id_tokens are signed with another secret, and a site pointed at it.
let forger: { server: Server; url: string };
let forgedSite: DemoDemarcheSite;
const started: DemoDemarcheSite[] = [];

beforeAll(async () => {
  const sitePort = await freePort();
  const uris = demoDemarcheSiteUris(sitePort);
  let app: Express | undefined;
  idp = await listen((req, res) => app!(req, res));
  app = appWithoutTemporal(sequelize, testConfig({ PUBLIC_URL: idp.url, IDP_FC_REDIRECT_URI_V2: uris.redirectUri, IDP_FC_POST_LOGOUT_URI_V2: uris.postLogoutRedirectUri }));
  site = await startDemoDemarcheSite({ port: sitePort, identityProvider: { issuer: idp.url, clientId: DEV_IDP_CLIENT_ID, clientSecret: DEV_IDP_CLIENT_SECRET } });
  started.push(site);

  const fake = express();
  fake.get('/.well-known/openid-configuration', (_req, res) => {
    res.json({ issuer: forger.url, authorization_endpoint: `${forger.url}/authorize/`, token_endpoint: `${forger.url}/token/`, userinfo_endpoint: `${forger.url}/userinfo/`, end_session_endpoint: `${forger.url}/logout/` });
  });
  fake.post('/token/', express.urlencoded({ extended: false }), async (req, res) => {
    const nonce = String(req.body.code); // the test passes the nonce as the code
    const idToken = await new SignJWT({ nonce, acr: 'eidas1', rep_scope: ['social'] }).setProtectedHeader({ alg: 'HS256' })
      .setIssuer(forger.url).setAudience(DEV_IDP_CLIENT_ID).setSubject('forged-sub').setIssuedAt().setExpirationTime('5 minutes')
      .sign(new TextEncoder().encode('another-secret-than-the-shared-one-000000'));
    res.json({ access_token: 'forged-access-token', token_type: 'Bearer', expires_in: 60, id_token: idToken });
  });
  fake.get('/userinfo/', (_req, res) => { res.json({ sub: 'forged-sub', given_name: 'Usurpée', family_name: 'IDENTITÉ' }); });
  forger = await listen(fake);
  forgedSite = await startDemoDemarcheSite({ port: await freePort(), identityProvider: { issuer: forger.url, clientId: DEV_IDP_CLIENT_ID, clientSecret: DEV_IDP_CLIENT_SECRET } });
  started.push(forgedSite);
});
afterAll(async () => {
  for (const s of started) await s.stop();
  for (const { server } of [idp, forger]) if (server) await new Promise((resolve) => server.close(resolve));
  await sequelize.close();
});

/** Starts a login on a site: the authorize URL it redirects to and the cookie binding the browser. */
async function startLogin(on: DemoDemarcheSite, perimetre = '') {
  const res = await fetch(`${on.url}/connexion?perimetre=${perimetre}`, { redirect: 'manual' });
  expect(res.status).toBe(303);
  const authorize = new URL(res.headers.get('location')!);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  return { authorize, cookie, state: authorize.searchParams.get('state')! };
}

const get = (url: string, cookie?: string) => fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });

/** A French error page, with no identity on it. */
async function expectErrorPage(res: Response, status: number, text: string) {
  expect(res.status).toBe(status);
  const body = await res.text();
  expect(body).toContain('<html lang="fr"');
  expect(body).toContain('La connexion n’a pas abouti');
  expect(body).toContain(text);
  expect(body).not.toContain('id="identite"');
  return body;
}

describe('the demo démarche site', () => {
  it('shows its « Se connecter avec Aidants Connect » button, and sends FranceConnect v2’s authorize request, which the identity provider accepts', async () => {
    const home = await (await fetch(site.url)).text();
    expect(home).toContain('Démarche de démonstration');
    expect(home).toContain('Se connecter avec Aidants Connect');
    expect((await fetch(`${site.url}/dsfr/dsfr.min.css`)).status).toBe(200); // DSFR's look, served by the site itself

    const { authorize, cookie, state } = await startLogin(site, 'social');
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${idp.url}/authorize/`);
    expect([...authorize.searchParams.keys()].sort()).toEqual(['acr_values', 'claims', 'client_id', 'nonce', 'prompt', 'redirect_uri', 'response_type', 'scope', 'state']);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code', client_id: DEV_IDP_CLIENT_ID, redirect_uri: site.redirectUri, scope: 'openid profile email birth', acr_values: 'eidas1', prompt: 'login',
    });
    expect(state).toMatch(/^[0-9a-f]{64}$/);
    expect(authorize.searchParams.get('nonce')).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(authorize.searchParams.get('claims')!)).toEqual({ id_token: { rep_scope: { essential: true, values: ['social'] } } });
    expect(cookie).toBe(`demarche_demo_connexion=${state}`);
    // The identity provider accepts it (its redirect_uri is the registered v2 one) and sends to the aidant's pages.
    const accepted = await get(authorize.href);
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get('location')).toMatch(/^\/espace-aidant\/fournisseur-identite\/[0-9a-f-]{36}$/);
    // Without a perimeter: no claims.
    expect((await startLogin(site)).authorize.searchParams.has('claims')).toBe(false);
  });

  it('refuses an error answer, an unknown state, another browser’s state, a refused code, and a replay', async () => {
    const { state, cookie } = await startLogin(site);
    await expectErrorPage(await get(`${site.redirectUri}?error=access_denied&error_description=annul%C3%A9&state=${state}`, cookie), 400, 'Aidants Connect a refusé la connexion.');
    // The error ended that login.
    await expectErrorPage(await get(`${site.redirectUri}?code=abc&state=${state}`, cookie), 400, 'Cette connexion est inconnue, expirée ou a déjà servi');

    await expectErrorPage(await get(`${site.redirectUri}?code=abc&state=${'a'.repeat(64)}`), 400, 'Cette connexion est inconnue, expirée ou a déjà servi');
    await expectErrorPage(await get(`${site.redirectUri}?code=abc`), 400, 'Cette connexion est inconnue, expirée ou a déjà servi');

    const other = await startLogin(site);
    await expectErrorPage(await get(`${site.redirectUri}?code=abc&state=${other.state}`), 400, 'commencée dans un autre navigateur');
    await expectErrorPage(await get(`${site.redirectUri}?code=abc&state=${other.state}`, 'demarche_demo_connexion=another'), 400, 'commencée dans un autre navigateur');

    // A code the identity provider does not know: its token endpoint refuses, the page says so.
    const body = await expectErrorPage(await get(`${site.redirectUri}?code=${'x'.repeat(43)}&state=${other.state}`, other.cookie), 502, 'n’a pas confirmé l’identité');
    expect(body).toContain('invalid_grant');
    // Used once, whatever the outcome.
    await expectErrorPage(await get(`${site.redirectUri}?code=${'x'.repeat(43)}&state=${other.state}`, other.cookie), 400, 'Cette connexion est inconnue, expirée ou a déjà servi');
  });

  it('refuses an id_token not signed with the shared secret', async () => {
    const { state, cookie, authorize } = await startLogin(forgedSite);
    const body = await expectErrorPage(await get(`${forgedSite.redirectUri}?code=${authorize.searchParams.get('nonce')}&state=${state}`, cookie), 502, 'n’a pas confirmé l’identité');
    expect(body).toContain('signature verification failed');
    expect(body).not.toContain('Usurpée');
  });

  it('answers a bad perimeter, an unreachable identity provider and an unknown logout return in French', async () => {
    await expectErrorPage(await get(`${site.url}/connexion?perimetre=inconnue`), 400, 'Cette démarche n’existe pas');
    const down = await startDemoDemarcheSite({ port: await freePort(), identityProvider: { issuer: `http://127.0.0.1:${await freePort()}`, clientId: DEV_IDP_CLIENT_ID, clientSecret: DEV_IDP_CLIENT_SECRET } });
    started.push(down);
    await expectErrorPage(await get(`${down.url}/connexion`), 502, 'Aidants Connect ne répond pas');
    await expectErrorPage(await get(`${site.postLogoutRedirectUri}?state=${'b'.repeat(64)}`), 400, 'Ce retour de déconnexion est inconnu');
  });
});
