// CSRF protection for the public forms: a random token in a SameSite cookie that each form echoes back.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../../domain/errors.js';

const COOKIE = 'ac_csrf';

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** Compares a token sent by the client with the expected one in constant time. */
export function sameToken(sent: string, expected: string): boolean {
  return expected.length > 0 && sent.length === expected.length && timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
}

/** Returns the request's CSRF token, setting the cookie when there is none yet. */
export function csrfToken(req: Request, res: Response, secure: boolean): string {
  let token = readCookie(req, COOKIE);
  if (!token || !/^[A-Za-z0-9_-]{32,}$/.test(token)) {
    token = randomBytes(24).toString('base64url');
    res.cookie(COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
  }
  return token;
}

export function verifyCsrf(req: Request, _res: Response, next: NextFunction): void {
  const cookie = readCookie(req, COOKIE) ?? '';
  const sent = typeof req.body?._csrf === 'string' ? req.body._csrf : '';
  if (!sameToken(sent, cookie)) return next(new DomainError('Votre session a expiré. Rechargez la page puis soumettez à nouveau le formulaire.', 'csrf', 403));
  next();
}
