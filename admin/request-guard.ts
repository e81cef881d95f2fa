// Cross-site request forgery protection of the back-office. AdminJS's API takes POSTs authenticated by the
// session cookie alone, so:
// - a state-changing request from another site (Sec-Fetch-Site, Origin or Referer) is refused;
// - every state-changing API call carries the session's token in the X-XSRF-TOKEN header: AdminJS's frontend
//   client (axios) copies it there from the XSRF-TOKEN cookie on same-origin requests, which another site
//   cannot read.
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { readCookie, sameToken } from '../server/web/csrf.js';

declare module 'express-session' {
  interface SessionData {
    adminCsrf?: string;
  }
}

export const XSRF_COOKIE = 'XSRF-TOKEN';
export const XSRF_HEADER = 'x-xsrf-token';
const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];
const CROSS_SITE = 'Requête refusée : elle ne provient pas du back-office d’Aidants Connect. Ouvrez le back-office et recommencez.';
const NO_TOKEN = 'Requête refusée : votre session a changé. Rechargez la page puis recommencez.';

function refuse(req: Request, res: Response, message: string): void {
  if (req.path.startsWith('/api/')) res.status(403).json({ message, notice: { type: 'error', message } });
  else res.status(403).type('text/plain; charset=utf-8').send(message);
}

function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try { return new URL(url).origin; } catch { return 'invalid'; }
}

/** Refuses state-changing requests sent by another site (before any authentication, the login form included). */
export function sameOriginOnly(publicUrl: string) {
  const publicOrigin = new URL(publicUrl).origin;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (SAFE_METHODS.includes(req.method)) return next();
    if (req.get('sec-fetch-site') === 'cross-site') return refuse(req, res, CROSS_SITE);
    const origin = originOf(req.get('origin')) ?? originOf(req.get('referer'));
    // The request's own host also counts: a browser always sends the host it targets, so another site's
    // page cannot forge it, and the back-office keeps working when reached by another name (127.0.0.1…).
    if (origin !== null && origin !== publicOrigin && origin !== `${req.protocol}://${req.get('host')}`) return refuse(req, res, CROSS_SITE);
    next();
  };
}

/** For a signed-in person: hands the session's token to the frontend, and requires it on state changes. */
export function sessionToken(secureCookies: boolean) {
  return (req: Request, res: Response, next: NextFunction): void => {
    req.session.adminCsrf ??= randomBytes(24).toString('base64url');
    const token = req.session.adminCsrf;
    if (SAFE_METHODS.includes(req.method)) {
      if (readCookie(req, XSRF_COOKIE) !== token) {
        res.cookie(XSRF_COOKIE, token, { httpOnly: false, sameSite: 'strict', secure: secureCookies, path: '/admin' });
      }
      return next();
    }
    if (!sameToken(req.get(XSRF_HEADER) ?? '', token)) return refuse(req, res, NO_TOKEN);
    next();
  };
}
