// A local stand-in for FranceConnect v2, as a service provider sees it, for development, the demo and the
// tests: a real OpenID provider (oidc-provider, which FranceConnect itself runs) under /api/v2 with discovery,
// RS256-signed id_tokens, userinfo as a signed JWT, acr eidas1, client_secret_post only, end-session with a
// registered post_logout_redirect_uri; and a French page where the person picks one of a few test identities.
// Like FranceConnect, /authorize refuses any parameter it does not list (PKCE included) and short nonces.
// Never imported by production code paths: npm start and the test stack start it when no real FranceConnect
// is configured (and the soak benchmark, over https, since the production mode accepts nothing else).
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import Provider, { type KoaContextLike } from 'oidc-provider';

/** The service provider registered at the stand-in (Aidants Connect). */
export interface StandInClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
}

export interface TestIdentity {
  /** What the login page sends; also the seed of the pairwise `sub`. */
  key: string;
  label: string;
  given_name: string;
  family_name: string;
  birthdate: string;
  gender: 'female' | 'male';
  /** INSEE code of the birth commune; "" when born abroad (as FranceConnect says). */
  birthplace: string;
  birthcountry: string;
  /** Several addresses: the identity's e-mail changes at each login, in turn. */
  emails: string[];
  preferred_username?: string;
}

/** The identities of the login page (fictitious people). */
export const TEST_IDENTITIES: readonly TestIdentity[] = [
  {
    key: 'marie', label: 'née en France', given_name: 'Marie Thérèse', family_name: 'MARTIN', preferred_username: 'DURAND',
    birthdate: '1952-03-14', gender: 'female', birthplace: '17415', birthcountry: '99100', emails: ['marie.martin@usager.demo'],
  },
  {
    key: 'karim', label: 'né à l’étranger (lieu de naissance vide)', given_name: 'Karim', family_name: 'BENALI',
    birthdate: '1978-11-02', gender: 'male', birthplace: '', birthcountry: '99350', emails: ['karim.benali@usager.demo'],
  },
  {
    key: 'fatou', label: 'présumée née en 1990 (date de naissance 1990-00-00)', given_name: 'Fatou', family_name: 'DIALLO',
    birthdate: '1990-00-00', gender: 'female', birthplace: '', birthcountry: '99341', emails: ['fatou.diallo@usager.demo'],
  },
  {
    key: 'jean', label: 'dont l’e-mail change à chaque connexion', given_name: 'Jean', family_name: 'PETIT',
    birthdate: '1945-07-30', gender: 'male', birthplace: '17300', birthcountry: '99100',
    emails: ['jean.petit@usager.demo', 'jean.petit.nouvelle-adresse@usager.demo'],
  },
];

/** The claims FranceConnect v2 gives, each requestable as a scope of its own (and the v1 groupings). */
const CLAIMS: Record<string, string[]> = {
  openid: ['sub'],
  given_name: ['given_name'], family_name: ['family_name'], birthdate: ['birthdate'], gender: ['gender'],
  birthplace: ['birthplace'], birthcountry: ['birthcountry'], email: ['email'], preferred_username: ['preferred_username'],
  profile: ['given_name', 'family_name', 'birthdate', 'gender', 'preferred_username'],
  birth: ['birthplace', 'birthcountry'],
  identite_pivot: ['given_name', 'family_name', 'birthdate', 'gender', 'birthplace', 'birthcountry'],
};

/** The only parameters FranceConnect v2's /authorize accepts (AuthorizeParamsDto, forbidNonWhitelisted). */
const AUTHORIZE_PARAMETERS = new Set(['client_id', 'acr_values', 'claims', 'response_type', 'nonce', 'state', 'redirect_uri', 'scope', 'prompt', 'idp_hint', 'ui_locales']);

export interface FranceConnectStandIn {
  /** The issuer, as FranceConnect's: http://localhost:<port>/api/v2 */
  issuer: string;
  port: number;
  /** The login page and the API's origin. */
  url: string;
  identities: readonly TestIdentity[];
  /** The pairwise `sub` the stand-in gives an identity for the registered client. */
  subOf(identityKey: string): string;
  stop(): Promise<void>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string, extraHead = ''): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)} – FranceConnect (simulation locale)</title>${extraHead}
  <style>body{font-family:Marianne,Arial,sans-serif;margin:0;color:#161616}header{background:#000091;color:#fff;padding:1rem 2rem}
  main{max-width:44rem;margin:2rem auto;padding:0 1rem}button{font:inherit;padding:.6rem 1rem;margin:.25rem 0;cursor:pointer}
  .identity{display:block;width:100%;text-align:left;background:#f5f5fe;border:1px solid #000091;color:#000091}
  .cancel{background:#fff;border:1px solid #666}.note{color:#555;font-size:.9rem}</style></head>
  <body><header><strong>FranceConnect</strong> — simulation locale pour le développement</header>
  <main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

export async function startFranceConnectStandIn(options: {
  port: number; client: StandInClient; host?: string;
  /** Serve over https with this key and certificate (a production-mode service accepts only an https FranceConnect). */
  tls?: { key: string; cert: string };
}): Promise<FranceConnectStandIn> {
  const app = express();
  app.disable('x-powered-by');
  const server: Server = await new Promise((resolve, reject) => {
    const listening = options.tls ? createHttpsServer(options.tls, app) : createHttpServer(app);
    listening.once('error', reject);
    listening.listen(options.port, options.host ?? '127.0.0.1', () => resolve(listening));
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${options.tls ? 'https' : 'http'}://localhost:${port}`;
  const issuer = `${url}/api/v2`;

  // FranceConnect's subs are pairwise: one per person and service provider.
  const subOf = (key: string) => `${createHash('sha256').update(`${key}:${options.client.clientId}`).digest('hex')}v1`;
  const bySub = new Map(TEST_IDENTITIES.map((identity) => [subOf(identity.key), identity]));
  const logins = new Map<string, number>();

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };

  const provider = new Provider(issuer, {
    clients: [{
      client_id: options.client.clientId,
      client_secret: options.client.clientSecret,
      redirect_uris: [options.client.redirectUri],
      post_logout_redirect_uris: [options.client.postLogoutRedirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
      userinfo_signed_response_alg: 'RS256',
    }],
    clientAuthMethods: ['client_secret_post'],
    jwks: { keys: [signingKey] },
    acrValues: ['eidas1'],
    scopes: Object.keys(CLAIMS),
    claims: CLAIMS,
    responseTypes: ['code'],
    pkce: { required: () => false },
    routes: { authorization: '/authorize', userinfo: '/userinfo', end_session: '/session/end', jwks: '/jwks', token: '/token' },
    // FranceConnect's lifetimes towards service providers.
    ttl: { AuthorizationCode: 30, AccessToken: 60, IdToken: 60, Interaction: 600, Session: 600, Grant: 600 },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    features: {
      devInteractions: { enabled: false },
      jwtUserinfo: { enabled: true },
      claimsParameter: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // FranceConnect logs out at once: the confirmation form submits itself.
        logoutSource: (ctx: KoaContextLike, form: string) => {
          ctx.type = 'html';
          ctx.body = page('Déconnexion de FranceConnect', `${form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>')}
            <p>Vous allez être déconnecté de FranceConnect.</p>
            <button type="submit" form="op.logoutForm">Continuer</button>`,
          '<script>addEventListener("DOMContentLoaded",()=>document.getElementById("op.logoutForm").submit())</script>');
        },
        postLogoutSuccessSource: (ctx: KoaContextLike) => {
          ctx.type = 'html';
          ctx.body = page('Vous êtes déconnecté de FranceConnect', '<p>Vous pouvez fermer cette page.</p>');
        },
      },
    },
    findAccount: (_ctx: unknown, sub: string) => {
      const identity = bySub.get(sub);
      if (!identity) return undefined;
      return {
        accountId: sub,
        claims: () => {
          const count = logins.get(identity.key) ?? 1;
          return {
            sub, given_name: identity.given_name, family_name: identity.family_name, birthdate: identity.birthdate,
            gender: identity.gender, birthplace: identity.birthplace, birthcountry: identity.birthcountry,
            email: identity.emails[(count - 1) % identity.emails.length], preferred_username: identity.preferred_username,
          };
        },
      };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    renderError: (ctx: KoaContextLike, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = page('Une erreur est survenue', `<p>Code : <code>${escapeHtml(out.error ?? '')}</code></p><p>${escapeHtml(out.error_description ?? '')}</p>`);
    },
  });

  // What FranceConnect v2 checks before anything else at /authorize (its DTO): the listed parameters only,
  // acr_values eidas1, a state and a nonce of at least 22 characters. (The stand-in takes GET requests only.)
  app.use('/api/v2/authorize', (req: Request, res: Response, next: NextFunction) => {
    if (req.path !== '/') return next(); // /authorize/<uid>: the return from the login page
    const params = req.query as Record<string, unknown>;
    const problems: string[] = [];
    if (req.method !== 'GET') problems.push('la simulation locale n’accepte que GET');
    const unknown = Object.keys(params).filter((name) => !AUTHORIZE_PARAMETERS.has(name));
    if (unknown.length > 0) problems.push(`paramètre(s) non autorisé(s) : ${unknown.join(', ')}`);
    if (params.acr_values !== 'eidas1') problems.push('acr_values doit valoir eidas1');
    if (typeof params.state !== 'string' || params.state.length < 22) problems.push('state manquant ou trop court');
    if (typeof params.nonce !== 'string' || params.nonce.length < 22) problems.push('nonce manquant ou trop court');
    if (problems.length === 0) return next();
    res.status(400).type('html').send(page('Requête invalide (Y000400)', `<p>${problems.map(escapeHtml).join('<br>')}</p>`));
  });
  // The client authenticates with client_secret_post only (as registered at FranceConnect): never HTTP Basic.
  app.post('/api/v2/token', (req: Request, res: Response, next: NextFunction) => {
    if (!req.headers.authorization) return next();
    res.status(401).json({ error: 'invalid_client', error_description: 'client authentication must use client_secret_post' });
  });
  app.use('/api/v2', provider.callback());

  app.get('/interaction/:uid', async (req, res, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      const buttons = TEST_IDENTITIES.map((identity) => `<button class="identity" type="submit" name="identity" value="${identity.key}">
        ${escapeHtml(`${identity.given_name} ${identity.family_name}`)} <span class="note">— ${escapeHtml(identity.label)}</span></button>`).join('');
      res.type('html').send(page('Choisissez une identité de test', `
        <p>Cette page remplace FranceConnect en développement : aucune connexion réelle, l’identité choisie est transmise
        à Aidants Connect comme le ferait FranceConnect.</p>
        <form method="post" action="/interaction/${escapeHtml(details.uid)}/login">${buttons}</form>
        <form method="post" action="/interaction/${escapeHtml(details.uid)}/abort">
          <button class="cancel" type="submit">Annuler et revenir à Aidants Connect</button></form>`));
    } catch (error) {
      next(error);
    }
  });

  app.post('/interaction/:uid/login', express.urlencoded({ extended: false }), async (req, res, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      const identity = TEST_IDENTITIES.find((candidate) => candidate.key === req.body.identity);
      if (!identity) {
        res.status(400).type('html').send(page('Identité inconnue', '<p>Revenez en arrière et choisissez une des identités proposées.</p>'));
        return;
      }
      logins.set(identity.key, (logins.get(identity.key) ?? 0) + 1);
      const accountId = subOf(identity.key);
      // FranceConnect asks no consent of the usager for a service provider: login and grant in one step.
      const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope ?? 'openid'));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId, acr: 'eidas1', amr: ['pwd'], remember: false }, consent: { grantId } }, { mergeWithLastSubmission: false });
    } catch (error) {
      next(error);
    }
  });

  app.post('/interaction/:uid/abort', async (req, res, next) => {
    try {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'User auth aborted' }, { mergeWithLastSubmission: false });
    } catch (error) {
      next(error);
    }
  });

  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(400).type('html').send(page('Une erreur est survenue', `<p>${escapeHtml(error.message)}</p>`));
  });

  return {
    issuer, port, url, identities: TEST_IDENTITIES, subOf,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
