// The demandeur's session: opened by a private link (or the e-mail confirmation link), it carries the issuer
// and the link it was opened with, so that revoking or expiring the link ends it. Stored in PostgreSQL like
// the back-office's sessions (table http_sessions), under its own cookie limited to /habilitation.
import type { RequestHandler, Request } from 'express';
import session from 'express-session';
import { pgSessionStore, redirectAfterSave } from '../web/session-store.js';
import type { Sequelize } from 'sequelize';
import { PrivateLink } from '../../db/models/index.js';

declare module 'express-session' {
  interface SessionData {
    demandeur?: { issuerId: string; linkId: string };
  }
}

export const DEMANDEUR_COOKIE = 'ac_demandeur';
/** A session left idle this long closes (shared computers in France Services); the link itself stays valid. */
const IDLE_MS = 4 * 3600_000;


export function demandeurSession(options: { sequelize: Sequelize; secret: string; secure: boolean }): RequestHandler {
  return redirectAfterSave(session({
    store: pgSessionStore(options.sequelize),
    name: DEMANDEUR_COOKIE,
    secret: options.secret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure: options.secure, maxAge: IDLE_MS, path: '/habilitation' },
  }));
}

const promised = (fn: (callback: (error?: unknown) => void) => void) =>
  new Promise<void>((resolve, reject) => fn((error) => (error ? reject(error) : resolve())));

/** Opens a session for the link's demandeur, under a new session id (never one chosen before the login). */
export async function openDemandeurSession(req: Request, link: { id: string; issuerId: string }): Promise<void> {
  await promised((cb) => req.session.regenerate(cb));
  req.session.demandeur = { issuerId: link.issuerId, linkId: link.id };
  await promised((cb) => req.session.save(cb));
}

export async function closeDemandeurSession(req: Request): Promise<void> {
  if (req.session?.demandeur) await promised((cb) => req.session.destroy(cb));
}

/**
 * The demandeur of this request's session, when its link is still valid (not revoked, not expired, still
 * theirs); a session whose link no longer is gets closed. Null otherwise.
 */
export async function currentDemandeur(req: Request): Promise<{ issuerId: string; linkId: string } | null> {
  const current = req.session?.demandeur;
  if (!current) return null;
  const link = await PrivateLink.findByPk(current.linkId, { attributes: ['id', 'issuerId', 'revokedAt', 'expiresAt'] });
  if (link && link.issuerId === current.issuerId && !link.revokedAt && link.expiresAt.getTime() > Date.now()) return current;
  await closeDemandeurSession(req);
  return null;
}
