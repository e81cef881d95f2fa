// A small « démarche » site for the demo and the tests: a FranceConnect-style relying party of Aidants
// Connect's identity provider. It plays FranceConnect v2's part towards it with openid-client: authorize with
// the parameters FranceConnect sends (scope, acr_values=eidas1, prompt=login, 32-byte hex state and nonce, and
// `claims` asking rep_scope when a perimeter is chosen), its callback at the IdP's registered v2 redirect URI,
// the code exchanged with client_secret_post, the HS256 id_token verified with jose (the shared secret),
// userinfo, then the identity received shown, with a logout through the IdP's /logout/.
// Pending logins are kept in memory keyed by state (single-use, 10 minutes) and bound to the browser by a
// cookie. Never imported by production code paths: only `npm start` in development and the tests start it.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import path from 'node:path';
import express, { type Request, type Response } from 'express';
import { jwtVerify } from 'jose';
import * as client from 'openid-client';
import { PROJECT_ROOT } from '../config/index.js';
import { DEMARCHE_KEYS, DEMARCHES, isDemarche, type Demarche } from '../domain/demarches.js';
import { html, type Raw } from '../server/web/html.js';

/** The paths of FranceConnect v2's callbacks, kept here so that the URIs registered at the IdP look like them. */
export const DEMO_CALLBACK_PATH = '/api/v2/oidc-callback';
export const DEMO_POST_LOGOUT_PATH = '/api/v2/client/logout-callback';

/** The site's address and the two URIs to register at the identity provider (IDP_FC_REDIRECT_URI_V2, IDP_FC_POST_LOGOUT_URI_V2). */
export function demoDemarcheSiteUris(port: number, hostname = 'localhost') {
  const url = `http://${hostname}:${port}`;
  return { url, redirectUri: `${url}${DEMO_CALLBACK_PATH}`, postLogoutRedirectUri: `${url}${DEMO_POST_LOGOUT_PATH}` };
}

export interface DemoDemarcheSiteOptions {
  port: number;
  /** The name the browser uses for this site (default localhost); it listens on 127.0.0.1. */
  hostname?: string;
  /** Aidants Connect as FranceConnect knows it: the issuer (discovery) and FranceConnect's client there. */
  identityProvider: { issuer: string; clientId: string; clientSecret: string };
}

export interface DemoDemarcheSite {
  url: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  stop(): Promise<void>;
}

/** FranceConnect v2's scopes towards an identity provider (franceconnect.md §1.1). */
const SCOPE = 'openid profile email birth';
const PENDING_TTL_MS = 10 * 60_000;
const MAX_PENDING = 10_000;
const COOKIE = 'demarche_demo_connexion';

interface Pending { nonce: string; repScope: Demarche[]; expiresAt: number }

const hex32 = () => randomBytes(32).toString('hex');

function page(title: string, body: Raw): string {
  return html`<!doctype html>
<html lang="fr" data-fr-scheme="light">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title} - Démarche de démonstration</title>
  <link rel="stylesheet" href="/dsfr/dsfr.min.css">
</head>
<body>
  <div class="fr-skiplinks"><nav class="fr-container" role="navigation" aria-label="Accès rapide">
    <ul class="fr-skiplinks__list"><li><a class="fr-link" href="#contenu">Contenu</a></li></ul>
  </nav></div>
  <header role="banner" class="fr-header"><div class="fr-header__body"><div class="fr-container"><div class="fr-header__body-row">
    <div class="fr-header__brand fr-enlarge-link"><div class="fr-header__brand-top">
      <div class="fr-header__logo"><p class="fr-logo">République<br>Française</p></div>
    </div>
    <div class="fr-header__service">
      <a href="/" title="Accueil - Démarche de démonstration"><p class="fr-header__service-title">Démarche de démonstration</p></a>
      <p class="fr-header__service-tagline">Un site de démarche fictif, pour essayer Aidants Connect en local</p>
    </div></div>
  </div></div></div></header>
  <main role="main" id="contenu" class="fr-container fr-my-6w">
${body}
  </main>
  <footer class="fr-footer" role="contentinfo"><div class="fr-container"><div class="fr-footer__body">
    <div class="fr-footer__content"><p class="fr-footer__content-desc">Site de démonstration : il joue le rôle de FranceConnect auprès d’Aidants Connect. Aucune donnée n’est conservée.</p></div>
  </div></div></footer>
</body>
</html>`.value;
}

function homePage(): string {
  return page('Accueil', html`
    <h1>Démarche de démonstration</h1>
    <p class="fr-text--lead">Ce site fictif représente une démarche en ligne. Un aidant habilité la réalise au nom d’une personne
      qu’il accompagne, grâce au mandat signé avec elle.</p>
    <form method="get" action="/connexion">
      <div class="fr-select-group">
        <label class="fr-label" for="perimetre">Démarches demandées par le site (rep_scope)
          <span class="fr-hint-text">Facultatif : sans choix, toutes les démarches du mandat sont proposées à l’aidant.</span></label>
        <select class="fr-select" id="perimetre" name="perimetre">
          <option value="">Toutes les démarches</option>
          ${DEMARCHE_KEYS.map((key) => html`<option value="${key}">${DEMARCHES[key].titre}</option>`)}
        </select>
      </div>
      <button type="submit" class="fr-btn">Se connecter avec Aidants Connect</button>
    </form>`);
}

export function errorPage(text: string, technical?: string): string {
  return page('La connexion n’a pas abouti', html`
    <div class="fr-alert fr-alert--error fr-mb-4w">
      <h1 class="fr-alert__title">La connexion n’a pas abouti</h1>
      <p>${text}</p>
      ${technical ? html`<p class="fr-text--sm">Détail technique : <code>${technical}</code></p>` : ''}
    </div>
    <p><a class="fr-link" href="/">Revenir à l’accueil de la démarche</a></p>`);
}

const PIVOT: [string, string][] = [
  ['given_name', 'Prénoms'], ['family_name', 'Nom de naissance'], ['birthdate', 'Date de naissance'], ['gender', 'Sexe'],
  ['birthplace', 'Lieu de naissance (code COG)'], ['birthcountry', 'Pays de naissance (code COG)'], ['email', 'Adresse électronique'],
];

function identityPage(info: Record<string, unknown>, idToken: { sub: string; repScope: string[]; acr: string }, logoutUrl: string): string {
  const text = (value: unknown) => (typeof value === 'string' ? (value === '' ? '(vide)' : value) : '(absent)');
  const demarches = idToken.repScope.map((d) => (isDemarche(d) ? `${DEMARCHES[d].titre} (${d})` : d));
  return page('Identité reçue', html`
    <h1>Identité reçue d’Aidants Connect</h1>
    <div class="fr-alert fr-alert--success fr-mb-4w"><p>Connexion réussie : la démarche est réalisée au nom de
      <strong>${text(info.given_name)} ${text(info.family_name)}</strong>.</p></div>
    <div class="fr-table"><table id="identite">
      <caption>Identité pivot de la personne accompagnée (userinfo)</caption>
      <thead><tr><th scope="col">Donnée</th><th scope="col">Valeur</th></tr></thead>
      <tbody>
        ${PIVOT.map(([claim, label]) => html`<tr><th scope="row">${label} <code>${claim}</code></th><td>${text(info[claim])}</td></tr>`)}
      </tbody>
    </table></div>
    <div class="fr-table"><table id="jeton">
      <caption>Connexion (id_token)</caption>
      <thead><tr><th scope="col">Donnée</th><th scope="col">Valeur</th></tr></thead>
      <tbody>
        <tr><th scope="row">Identifiant de la personne <code>sub</code></th><td>${idToken.sub}</td></tr>
        <tr><th scope="row">Démarche <code>rep_scope</code></th><td id="demarche">${demarches.join(', ') || '(absente)'}</td></tr>
        <tr><th scope="row">Niveau <code>acr</code></th><td>${idToken.acr}</td></tr>
      </tbody>
    </table></div>
    <p><a class="fr-btn fr-btn--secondary" href="${logoutUrl}">Se déconnecter</a></p>`);
}

function loggedOutPage(): string {
  return page('Déconnexion', html`
    <h1>Vous êtes déconnecté</h1>
    <p>Aidants Connect a mis fin à la connexion et vous a renvoyé sur ce site.</p>
    <p><a class="fr-link" href="/">Revenir à l’accueil de la démarche</a></p>`);
}

const cookieOf = (req: Request, name: string): string | undefined =>
  (req.headers.cookie ?? '').split(';').map((part) => part.trim().split('=')).find(([key]) => key === name)?.[1];

export async function startDemoDemarcheSite(options: DemoDemarcheSiteOptions): Promise<DemoDemarcheSite> {
  const uris = demoDemarcheSiteUris(options.port, options.hostname);
  const idp = options.identityProvider;
  const pending = new Map<string, Pending>();
  const logouts = new Map<string, number>();
  const prune = (map: Map<string, unknown>, expired: (value: never) => boolean) => {
    for (const [key, value] of map) if (expired(value as never)) map.delete(key);
  };

  // Discovery once it answers (the identity provider may start after this site), then kept.
  let configuration: Promise<client.Configuration> | undefined;
  const oidc = () => {
    configuration ??= client.discovery(new URL(idp.issuer), idp.clientId, { client_secret: idp.clientSecret, id_token_signed_response_alg: 'HS256' },
      client.ClientSecretPost(idp.clientSecret), { execute: [client.allowInsecureRequests] });
    configuration.catch(() => { configuration = undefined; });
    return configuration;
  };

  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // The callback's address holds the code: never sent on.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use('/dsfr', express.static(path.join(PROJECT_ROOT, 'node_modules/@gouvfr/dsfr/dist'), { index: false }));
  app.get('/', (_req, res) => { res.type('html').send(homePage()); });

  app.get('/connexion', async (req: Request, res: Response) => {
    const perimetre = typeof req.query.perimetre === 'string' ? req.query.perimetre : '';
    if (perimetre !== '' && !isDemarche(perimetre)) {
      res.status(400).type('html').send(errorPage('Cette démarche n’existe pas : revenez à l’accueil et choisissez-en une dans la liste.'));
      return;
    }
    let config: client.Configuration;
    try {
      config = await oidc();
    } catch (error) {
      res.status(502).type('html').send(errorPage('Aidants Connect ne répond pas : vérifiez qu’il est démarré, puis réessayez.', (error as Error).message));
      return;
    }
    const state = hex32();
    const nonce = hex32();
    const repScope = perimetre ? [perimetre as Demarche] : [];
    prune(pending, (p: Pending) => p.expiresAt <= Date.now());
    if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value!);
    pending.set(state, { nonce, repScope, expiresAt: Date.now() + PENDING_TTL_MS });
    res.setHeader('Set-Cookie', `${COOKIE}=${state}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${PENDING_TTL_MS / 1000}`);
    // Exactly FranceConnect v2's parameters (client_id and response_type=code are added by openid-client); no PKCE.
    const authorize = client.buildAuthorizationUrl(config, {
      redirect_uri: uris.redirectUri, scope: SCOPE, acr_values: 'eidas1', state, nonce, prompt: 'login',
      ...(repScope.length > 0 ? { claims: JSON.stringify({ id_token: { rep_scope: { essential: true, values: repScope } } }) } : {}),
    });
    res.redirect(303, authorize.href);
  });

  app.get(DEMO_CALLBACK_PATH, async (req: Request, res: Response) => {
    const refuse = (text: string, technical?: string) => { res.status(400).type('html').send(errorPage(text, technical)); };
    const query = new URLSearchParams(req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '');
    const state = query.get('state') ?? '';
    if (query.has('error')) {
      if (pending.delete(state)) res.setHeader('Set-Cookie', `${COOKIE}=; Path=/; Max-Age=0`);
      return refuse('Aidants Connect a refusé la connexion.', `${query.get('error')}${query.get('error_description') ? ` : ${query.get('error_description')}` : ''}`);
    }
    const login = pending.get(state);
    if (!state || !login || login.expiresAt <= Date.now()) {
      return refuse('Cette connexion est inconnue, expirée ou a déjà servi : recommencez depuis l’accueil de la démarche.');
    }
    if (cookieOf(req, COOKIE) !== state) return refuse('Cette connexion a été commencée dans un autre navigateur : recommencez depuis l’accueil de la démarche.');
    pending.delete(state); // single-use, whatever follows
    res.setHeader('Set-Cookie', `${COOKIE}=; Path=/; Max-Age=0`);
    try {
      const config = await oidc();
      const callback = new URL(uris.redirectUri);
      callback.search = query.toString();
      const tokens = await client.authorizationCodeGrant(config, callback, { expectedState: state, expectedNonce: login.nonce, idTokenExpected: true });
      // As FranceConnect does: the HS256 signature with the shared secret, iss, aud, exp, nonce, acr.
      const { payload } = await jwtVerify(tokens.id_token!, new TextEncoder().encode(idp.clientSecret), { issuer: idp.issuer, audience: idp.clientId, algorithms: ['HS256'] });
      if (payload.nonce !== login.nonce) throw new Error('nonce mismatch');
      if (payload.acr !== 'eidas1') throw new Error(`unexpected acr ${String(payload.acr)}`);
      const repScope = Array.isArray(payload.rep_scope) ? payload.rep_scope.map(String) : [];
      if (login.repScope.length > 0 && !repScope.some((d) => login.repScope.includes(d as Demarche))) throw new Error('rep_scope outside the requested perimeter');
      const info = await client.fetchUserInfo(config, tokens.access_token, payload.sub!);
      const logoutState = hex32();
      prune(logouts, (expiresAt: number) => expiresAt <= Date.now());
      logouts.set(logoutState, Date.now() + PENDING_TTL_MS);
      const logoutUrl = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: uris.postLogoutRedirectUri, state: logoutState });
      res.type('html').send(identityPage(info as Record<string, unknown>, { sub: payload.sub!, repScope, acr: String(payload.acr) }, logoutUrl.href));
    } catch (error) {
      const description = error instanceof client.ResponseBodyError ? `${error.error}${error.error_description ? ` : ${error.error_description}` : ''}` : (error as Error).message;
      res.status(502).type('html').send(errorPage('Aidants Connect n’a pas confirmé l’identité de la personne accompagnée.', description));
    }
  });

  app.get(DEMO_POST_LOGOUT_PATH, (req: Request, res: Response) => {
    const state = typeof req.query.state === 'string' ? req.query.state : '';
    const known = logouts.get(state);
    logouts.delete(state);
    if (known === undefined || known <= Date.now()) {
      res.status(400).type('html').send(errorPage('Ce retour de déconnexion est inconnu ou a déjà servi.'));
      return;
    }
    res.type('html').send(loggedOutPage());
  });

  app.use((_req: Request, res: Response) => { res.status(404).type('html').send(errorPage('Cette page n’existe pas.')); });

  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(options.port, '127.0.0.1', () => resolve(listening));
    listening.once('error', reject);
  });
  return {
    ...uris,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
