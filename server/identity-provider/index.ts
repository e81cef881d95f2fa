// Aidants Connect as a FranceConnect identity provider: hand-written endpoints (see README « Identity
// provider »), apart from the service's own client of FranceConnect (server/espace/franceconnect-router.ts).
//   GET  <issuer path>/.well-known/openid-configuration   discovery (HS256, client_secret_post; no JWKS)
//   GET  /authorize/      strict check of FranceConnect's parameters, answered in place when wrong (400/403);
//                         then 303 to the aidant's pages below
//   GET  /espace-aidant/fournisseur-identite/:id          step 1: the usager (login, activity check first)
//   POST /espace-aidant/fournisseur-identite/:id/usager
//   GET  /espace-aidant/fournisseur-identite/:id/demarche step 2: the démarche
//   POST /espace-aidant/fournisseur-identite/:id/demarche → 302 <redirect_uri>?code=…&state=…
//   POST /token/          client_secret_post; single-use code; HS256 id_token
//   GET  /userinfo/       Bearer; the identité pivot; journals use_autorisation
//   GET  /logout/         exact post-logout allow-list; state appended for v2
import { Router, type Request, type Response } from 'express';
import { jwtVerify } from 'jose';
import type { AppDeps } from '../app.js';
import { checkAuthorizeParams, offeredDemarches, perimetersRefusal } from '../../domain/identity-provider.js';
import {
  actingDemarches, chooseUsager, createInteraction, issueCode, openInteraction, redeemCode, sameSecret, useAccessToken, usagersForInteraction, type InteractionLookup,
} from '../../services/identity-provider.js';
import { personOf, requireAidant, requireLogin, requireRecentActivity } from '../espace/session.js';
import { admission, type Admission } from '../web/admission.js';
import { asyncRoute } from '../web/async-route.js';
import { sendUnavailable } from '../web/unavailable.js';
import { csrfToken, verifyCsrf } from '../web/csrf.js';
import { demarcheChoicePage, interactionPath, protocolErrorPage, usagerChoicePage } from './pages.js';

const TOKEN_FIELDS = ['code', 'grant_type', 'redirect_uri', 'client_id', 'client_secret'];
const BEARER = /^Bearer ([A-Za-z0-9_-]+)$/;

const noStore = (res: Response) => { res.setHeader('Cache-Control', 'no-store'); res.setHeader('Pragma', 'no-cache'); };
const oauthError = (res: Response, status: number, error: string, description: string) => { noStore(res); res.status(status).json({ error, error_description: description }); };
const rawQuery = (req: Request) => new URLSearchParams(req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '');

/** The paths of the round trip, whose requests take their turn (identityProviderAdmission). */
export const IDENTITY_PROVIDER_PATHS = ['/authorize', '/espace-aidant/fournisseur-identite', '/token', '/userinfo', '/logout'];

/**
 * At most IDP_CONCURRENT_REQUESTS requests of the round trip in progress, the others in arrival order; after
 * IDP_QUEUE_TIMEOUT, 503: FranceConnect's server calls get an OAuth error, the aidant's browser the page.
 */
export function identityProviderAdmission(deps: AppDeps): Admission {
  const config = deps.config.identityProvider;
  const secure = deps.config.http.publicUrl.startsWith('https:');
  return admission({
    limit: config.concurrentRequests,
    maxWaitMs: config.queueTimeoutMs,
    refuse: (req, res) => {
      if (req.baseUrl === '/token' || req.baseUrl === '/userinfo') {
        res.setHeader('Retry-After', '5');
        oauthError(res, 503, 'temporarily_unavailable', 'too many requests in progress');
      } else sendUnavailable(req, res, secure);
    },
  });
}

export function identityProviderRouter(deps: AppDeps): Router {
  const config = deps.config.identityProvider;
  const secretsKey = deps.config.secrets.key;
  const secure = deps.config.http.publicUrl.startsWith('https:');
  const base = deps.config.http.publicUrl;
  const issuerPath = new URL(config.issuer).pathname.replace(/\/$/, '');
  const router = Router();

  router.get(`${issuerPath}/.well-known/openid-configuration`, (_req, res) => {
    res.json({
      issuer: config.issuer,
      authorization_endpoint: `${base}/authorize/`, token_endpoint: `${base}/token/`, userinfo_endpoint: `${base}/userinfo/`, end_session_endpoint: `${base}/logout/`,
      response_types_supported: ['code'], grant_types_supported: ['authorization_code'], subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['HS256'], token_endpoint_auth_methods_supported: ['client_secret_post'],
      scopes_supported: ['openid', 'profile', 'email', 'birth', 'address', 'phone'], acr_values_supported: ['eidas1'],
      claims_parameter_supported: true, request_parameter_supported: false, request_uri_parameter_supported: false,
      claims_supported: ['sub', 'given_name', 'family_name', 'preferred_username', 'birthdate', 'gender', 'birthplace', 'birthcountry', 'email', 'rep_scope'],
    });
  });

  router.get('/authorize/', asyncRoute(async (req, res) => {
    const check = checkAuthorizeParams(rawQuery(req), config);
    if (!check.ok) {
      res.status(check.status).send(protocolErrorPage(check.status, check.reason === 'unauthorized perimeters' ? check.detail : 'La demande de FranceConnect n’est pas valide : revenez au site de la démarche et recommencez.', check.reason === 'unauthorized perimeters' ? undefined : `${check.reason} (${check.detail})`));
      return;
    }
    const interaction = await createInteraction(check.request, config.interactionTtlMs);
    res.redirect(303, interactionPath(interaction.id));
  }));

  // The aidant's pages: the espace session (mounted before this router by the espace) and its access rules.
  const pages = Router({ mergeParams: true });
  pages.use(requireLogin, requireAidant, requireRecentActivity({ sequelize: deps.sequelize, afterMs: deps.config.espace.activityCheckAfterMs }));
  router.use('/espace-aidant/fournisseur-identite/:id', (_req, res, next) => { noStore(res); next(); }, pages);

  /** The interaction of this aidant, in this browser and structure; otherwise the page answered with its status. */
  const interactionOf = async (req: Request, res: Response) => {
    const person = personOf(res);
    const found: InteractionLookup = await openInteraction(req.params.id!, { userId: person.user.id, organisationId: person.organisation.id, sessionId: req.sessionID }, secretsKey);
    if (found.outcome === 'valid') {
      const repScope = found.connection.repScope;
      const outside = (repScope ?? []).filter((d) => !person.organisation.allowedDemarches.includes(d));
      if (outside.length > 0) {
        res.status(403).send(protocolErrorPage(403, perimetersRefusal(outside)));
        return null;
      }
      return { person, connection: found.connection, offered: offeredDemarches(person.organisation.allowedDemarches, repScope) };
    }
    if (found.outcome === 'expired') res.status(408).send(protocolErrorPage(408, 'Le délai pour choisir la personne accompagnée et la démarche est dépassé : recommencez depuis le site de la démarche.'));
    else res.status(403).send(protocolErrorPage(403, 'Cette connexion n’existe pas, est terminée, ou a été ouverte par un autre aidant ou dans un autre navigateur : recommencez depuis le site de la démarche.'));
    return null;
  };

  const who = (person: ReturnType<typeof personOf>) => ({ aidantId: person.user.id, organisationId: person.organisation.id });

  pages.get('/', asyncRoute(async (req, res) => {
    const found = await interactionOf(req, res);
    if (!found) return;
    const search = typeof req.query.recherche === 'string' ? req.query.recherche.trim().slice(0, 200) : '';
    res.send(usagerChoicePage(found.person, csrfToken(req, res, secure), found.connection.id, await usagersForInteraction(deps.sequelize, who(found.person), found.offered, search), search));
  }));

  pages.post('/usager', verifyCsrf, asyncRoute(async (req, res) => {
    const found = await interactionOf(req, res);
    if (!found) return;
    const chosen = typeof req.body.usager === 'string' ? req.body.usager : '';
    if (!chosen) {
      const usagers = await usagersForInteraction(deps.sequelize, who(found.person), found.offered, '');
      res.status(400).send(usagerChoicePage(found.person, csrfToken(req, res, secure), found.connection.id, usagers, '', 'Erreur : choisissez la personne accompagnée.'));
      return;
    }
    // THE authorisation check, for the démarches the request allows, and the choice recorded in one statement.
    if (!await chooseUsager(deps.sequelize, found.connection, who(found.person), chosen, found.offered)) {
      res.status(403).send(protocolErrorPage(403, 'Cette personne n’a pas de mandat actif avec votre structure pour les démarches demandées.'));
      return;
    }
    res.redirect(303, `${interactionPath(found.connection.id)}/demarche`);
  }));

  const demarchePage = async (req: Request, res: Response, found: NonNullable<Awaited<ReturnType<typeof interactionOf>>>, status: number, error?: string) => {
    const { usagerId, usager } = found.connection;
    if (!usagerId || !usager) { res.redirect(303, interactionPath(found.connection.id)); return; }
    // This form's answer is the redirect to FranceConnect's callback, and CSP form-action covers the redirects
    // after a post: allow that registered origin on this page only.
    const csp = res.getHeader('Content-Security-Policy');
    if (typeof csp === 'string') res.setHeader('Content-Security-Policy', csp.replace("form-action 'self'", `form-action 'self' ${new URL(found.connection.redirectUri).origin}`));
    const demarches = await actingDemarches(deps.sequelize, { ...who(found.person), usagerId }, found.offered);
    res.status(status).send(demarcheChoicePage(found.person, csrfToken(req, res, secure), found.connection.id, usager, demarches, error));
  };

  pages.get('/demarche', asyncRoute(async (req, res) => {
    const found = await interactionOf(req, res);
    if (found) await demarchePage(req, res, found, 200);
  }));

  pages.post('/demarche', verifyCsrf, asyncRoute(async (req, res) => {
    const found = await interactionOf(req, res);
    if (!found) return;
    const demarche = typeof req.body.demarche === 'string' ? req.body.demarche : '';
    if (!demarche) return demarchePage(req, res, found, 400, 'Erreur : choisissez la démarche.');
    // THE authorisation check (services/autorisations.ts), for a démarche the request allows, and the code bound
    // to the autorisation it found, in one statement.
    const code = found.offered.includes(demarche as never)
      ? await issueCode(deps.sequelize, found.connection, who(found.person), demarche, config.codeTtlMs, secretsKey)
      : null;
    if (!code) {
      res.status(403).send(protocolErrorPage(403, 'Vous n’avez pas d’autorisation valide pour cette démarche avec cette personne.'));
      return;
    }
    // The redirect_uri of the request, which matched a registered one exactly.
    const target = new URL(found.connection.redirectUri);
    target.searchParams.append('code', code);
    target.searchParams.append('state', found.connection.state);
    res.redirect(302, target.toString());
  }));

  router.all('/token/', asyncRoute(async (req, res) => {
    if (req.method !== 'POST') return oauthError(res, 405, 'invalid_request', 'POST only');
    // client_secret_post only: another authentication method (Basic) alongside or instead is refused.
    if (req.headers.authorization !== undefined) return oauthError(res, 403, 'invalid_client', 'client_secret_post only');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const missing = TOKEN_FIELDS.filter((key) => body[key] === undefined || body[key] === '');
    if (missing.length > 0) return oauthError(res, 400, 'invalid_request', `missing parameter: ${missing.join(', ')}`);
    // A repeated field arrives as an array: malformed.
    if (TOKEN_FIELDS.some((key) => typeof body[key] !== 'string')) return oauthError(res, 403, 'invalid_request', 'malformed parameter value');
    const extra = Object.keys(body).filter((key) => !TOKEN_FIELDS.includes(key));
    if (extra.length > 0) return oauthError(res, 403, 'invalid_request', `forbidden parameter: ${extra.join(', ')}`);
    const field = (key: string) => body[key] as string;
    if (field('grant_type') !== 'authorization_code') return oauthError(res, 403, 'unsupported_grant_type', 'authorization_code only');
    const clientOk = field('client_id') === config.clientId;
    const secretOk = sameSecret(field('client_secret'), config.clientSecret);
    if (!clientOk || !secretOk) return oauthError(res, 403, 'invalid_client', 'unknown client or wrong secret');
    if (field('redirect_uri') !== config.redirectUriV1 && field('redirect_uri') !== config.redirectUriV2) return oauthError(res, 403, 'invalid_grant', 'redirect_uri not registered');
    const redemption = await redeemCode(deps.sequelize, config, secretsKey, { code: field('code'), clientId: field('client_id'), redirectUri: field('redirect_uri') });
    if (redemption.outcome === 'expired') return oauthError(res, 408, 'invalid_grant', 'code expired');
    if (redemption.outcome !== 'issued') return oauthError(res, 403, 'invalid_grant', 'invalid code');
    noStore(res);
    res.json({ access_token: redemption.accessToken, token_type: 'Bearer', expires_in: redemption.expiresIn, id_token: redemption.idToken });
  }));

  router.all('/userinfo/', asyncRoute(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'POST') return oauthError(res, 405, 'invalid_request', 'GET or POST');
    // The token in a header only: never in the address (logs, history) nor in a body.
    const inQueryOrBody = 'access_token' in req.query || (req.body && typeof req.body === 'object' && 'access_token' in req.body);
    const match = BEARER.exec(req.headers.authorization ?? '');
    if (!match || inQueryOrBody) return oauthError(res, 403, 'invalid_token', 'Authorization: Bearer <token> required');
    const answer = await useAccessToken(deps.sequelize, secretsKey, match[1]!);
    if (answer.outcome === 'expired') return oauthError(res, 408, 'invalid_token', 'token expired');
    if (answer.outcome !== 'identity') return oauthError(res, 403, 'invalid_token', answer.outcome === 'not_allowed' ? 'autorisation no longer valid' : 'invalid token');
    res.locals.identityProviderUse = { journalEntryId: answer.journalEntryId, connectionId: answer.connectionId };
    noStore(res);
    res.json(answer.claims);
    // The use is recorded for the usager's notification (same transaction as the journal): wake it, now
    // committed, unless a wake for the uses before it is pending. If Temporal does not answer, the notification
    // sweep of server/main.ts wakes it later.
    if (answer.wake) {
      deps.lifecycles.notifyUsager(answer.usagerId).catch((error: Error) =>
        deps.log.warn('usager notification not woken', { error: String(error?.message ?? error).split('\n')[0] }));
    }
  }));

  router.all('/logout/', asyncRoute(async (req, res) => {
    if (req.method !== 'GET') { res.status(400).send(protocolErrorPage(400, 'La déconnexion se fait par un lien.')); return; }
    const params = rawQuery(req);
    const uri = params.getAll('post_logout_redirect_uri');
    const state = params.getAll('state');
    if (uri.length !== 1 || (uri[0] !== config.postLogoutUriV1 && uri[0] !== config.postLogoutUriV2) || state.length > 1 || (state[0] !== undefined && !/^[A-Za-z0-9_-]{1,512}$/.test(state[0]))) {
      res.status(400).send(protocolErrorPage(400, 'L’adresse de retour de la déconnexion n’est pas reconnue.'));
      return;
    }
    const hint = params.get('id_token_hint');
    if (hint !== null) {
      // A hint, when given, must be one of our id_tokens (expired or not).
      const valid = await jwtVerify(hint, new TextEncoder().encode(config.clientSecret), { algorithms: ['HS256'], issuer: config.issuer, audience: config.clientId, currentDate: new Date(0) })
        .then(() => true, () => false);
      if (!valid) { res.status(400).send(protocolErrorPage(400, 'La demande de déconnexion n’est pas valide.')); return; }
    }
    const target = new URL(uri[0]!);
    if (uri[0] === config.postLogoutUriV2 && state[0] !== undefined) target.searchParams.append('state', state[0]);
    res.redirect(302, uri[0] === config.postLogoutUriV2 && state[0] !== undefined ? target.toString() : uri[0]!);
  }));

  return router;
}
