// The Express application: public pages (DSFR), /health, the AdminJS back-office and French error pages.
// Built from injected dependencies so tests can run it in-process.
import path from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Sequelize } from 'sequelize';
import type { Client } from '@temporalio/client';
import { PROJECT_ROOT, type Config } from '../config/index.js';
import { DomainError } from '../domain/errors.js';
import type { Logger } from '../infra/logger.js';
import type { Lifecycles } from '../services/lifecycles.js';
import { healthHandler } from './health.js';
import { postRateLimit } from './web/rate-limit.js';
import { isUnavailable, sendUnavailable } from './web/unavailable.js';
import { errorPage } from './web/error-pages.js';
import { homePage } from './web/home-page.js';
import { trainingRegistrationPage } from './habilitation/next-steps-pages.js';
import { renderContext } from '../emails/render.js';
import { demandeurRouter } from './habilitation/demandeur-router.js';
import { habilitationRouter } from './habilitation/request-router.js';
import { devRouter } from './dev/dev-router.js';
import { requireDemandeur } from './habilitation/lookups.js';
import { espaceRouter } from './espace/index.js';
import { IDENTITY_PROVIDER_PATHS, identityProviderAdmission, identityProviderRouter } from './identity-provider/index.js';
import { demandeurSession } from './habilitation/demandeur-session.js';
import { verificationRouter } from './mandat-verification-router.js';
import { VERIFICATION_PATH } from '../services/mandat-verification.js';

/** Paths as logged: the tokens of private, confirmation, login and setup links never reach a log line. */
export const withoutTokens = (path: string) => path.replace(/^(\/habilitation\/(?:lien|confirmer)|\/connexion\/(?:lien|premiere-connexion)|\/mandats\/verification)\/[^/?#]+/, '$1/…');

export interface AppDeps {
  config: Config;
  sequelize: Sequelize;
  temporal: Client;
  lifecycles: Lifecycles;
  log: Logger;
  /** The AdminJS router, mounted at /admin before any body parser (AdminJS parses its own bodies). */
  adminRouter?: Router;
}

const PUBLIC_CSP = [
  "default-src 'self'", "img-src 'self' data:", "style-src 'self'", "script-src 'self'", "font-src 'self'", "object-src 'none'",
  "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Only a configured proxy may tell the client's address: otherwise anyone could forge X-Forwarded-For and
  // escape the per-address limits (login failures, POSTs).
  app.set('trust proxy', deps.config.http.trustProxy);
  app.use((_req, res, next) => {
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'strict-origin');
    next();
  });

  // FranceConnect's round trip first come, first served (server/web/admission.ts): before anything that takes a
  // database connection (the POST limit, the espace session), or those statements would compete, outside their
  // turn, with the statements of the requests in progress.
  app.use(IDENTITY_PROVIDER_PATHS, identityProviderAdmission(deps));
  // Before the back-office: its login is a public POST too.
  app.use(postRateLimit({ sequelize: deps.sequelize, limit: deps.config.http.postRateLimit, windowMs: deps.config.http.postRateWindowMs }));
  if (deps.adminRouter) app.use('/admin', deps.adminRouter);

  // Public pages load nothing but our own files (AdminJS, above, needs inline scripts and has its own rules).
  const hsts = deps.config.http.publicUrl.startsWith('https:');
  app.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', PUBLIC_CSP);
    if (hsts) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  });

  app.use('/dsfr', express.static(path.join(PROJECT_ROOT, 'node_modules/@gouvfr/dsfr/dist'), { maxAge: '7d', index: false }));
  app.get('/health', healthHandler(deps));
  app.use(express.urlencoded({ extended: false, limit: '100kb' }));
  app.get('/', (_req, res) => { res.send(homePage()); });
  // Where e-mails send people for their next step (training registration, the aidant and référent space).
  const { contactEmail } = renderContext(deps.config.http.publicUrl);
  app.get('/formation', (_req, res) => { res.send(trainingRegistrationPage(contactEmail)); });
  // Pages behind a private link (the demandeur's space, a request): never cached (shared computers in France
  // Services) nor indexed.
  app.use(['/habilitation/espace', '/habilitation/lien', '/habilitation/confirmer'], (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    next();
  });
  // The demandeur's session (opened by a private link); every page of their space requires it.
  app.use('/habilitation', demandeurSession({ sequelize: deps.sequelize, secret: deps.config.http.sessionSecret, secure: hsts }));
  app.use('/habilitation/espace', requireDemandeur);
  app.use('/habilitation', demandeurRouter(deps), habilitationRouter(deps));
  // Where the QR code of a mandat's attestation leads: public, no session.
  app.use(VERIFICATION_PATH, verificationRouter(deps));
  // The espace aidant and référent (login, then each person's pages); /espace is where e-mails send them.
  app.get('/espace', (_req, res) => { res.redirect(303, '/espace-aidant'); });
  app.use(espaceRouter(deps));
  app.use(identityProviderRouter(deps)); // Aidants Connect as FranceConnect's identity provider (after the espace session)
  if (deps.config.http.devTools) app.use('/dev', devRouter(deps));

  app.use((_req, res) => { res.status(404).send(errorPage(404)); });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof DomainError) {
      res.status(error.httpStatus).send(errorPage(error.httpStatus, error.message));
      return;
    }
    // An outage (database or Temporal unreachable) is not a bug: 503, and a posted form is kept.
    if (isUnavailable(error)) {
      deps.log.warn('service unavailable', { method: req.method, path: withoutTokens(req.path), error: String((error as Error)?.message ?? error).split('\n')[0] });
      sendUnavailable(req, res, hsts);
      return;
    }
    const { status, type } = error as { status?: number; type?: string };
    // The client went away while its body was awaited (e.g. behind the rate limiter's query): nothing to answer.
    if (type === 'request.aborted' || type === 'stream.not.readable') {
      if (!res.headersSent) res.status(400).end();
      return;
    }
    if (status === 400 || status === 413 || type === 'entity.parse.failed') {
      res.status(400).send(errorPage(400));
      return;
    }
    deps.log.error('unhandled error', { path: withoutTokens(req.path), error: (error as Error)?.stack ?? String(error) });
    res.status(500).send(errorPage(500));
  });
  return app;
}
