// The session of the espace aidant and the espace référent: opened by a consumed login link, stored in
// PostgreSQL (table http_sessions) under its own cookie, ended 24 h after the login (ESPACE_SESSION_MAX_AGE)
// or at logout. Everything behind it is scoped to the person's current structure, read again at each request
// so that a deactivation or a removal takes effect at once.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import { pgSessionStore, prefetchedRows, redirectAfterSave, type SessionPrefetch } from '../web/session-store.js';
import { QueryTypes, type Sequelize } from 'sequelize';
import { Organisation, OrganisationMembership, User } from '../../db/models/index.js';
import { ForbiddenError } from '../../domain/errors.js';
import { isUuid } from '../../domain/uuid.js';
import { rawQuery } from '../../db/raw-query.js';

declare module 'express-session' {
  interface SessionData {
    espace?: { userId: string; organisationId: string; loggedInAt: string };
    /** A message for the next page shown (after an action and its redirect). */
    notice?: { type: 'success' | 'info' | 'error'; message: string };
  }
}

export const ESPACE_COOKIE = 'ac_espace';
/** Where the espace session lives: never /habilitation (the demandeur's own session) nor /admin. */
export const ESPACE_PATHS = ['/connexion', '/deconnexion', '/reprise-activite', '/espace-aidant', '/espace-referent'];

/** The person behind the request, in their current structure (res.locals.person on every espace page). */
export interface EspacePerson {
  user: User;
  organisation: Organisation;
  membership: OrganisationMembership;
  /** Every active membership, for the structure switch. */
  memberships: (OrganisationMembership & { organisation: Organisation })[];
}

export function espaceSession(options: { sequelize: Sequelize; secret: string; secure: boolean; maxAgeMs: number }): RequestHandler {
  return redirectAfterSave(session({
    store: pgSessionStore(options.sequelize, ESPACE_PERSON_PREFETCH),
    name: ESPACE_COOKIE,
    secret: options.secret,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: options.secure, maxAge: options.maxAgeMs, path: '/' },
  }));
}

const promised = (fn: (callback: (error?: unknown) => void) => void) =>
  new Promise<void>((resolve, reject) => fn((error) => (error ? reject(error) : resolve())));

/** Opens a session for this person under a new session id (never one chosen before the login). */
export async function openEspaceSession(req: Request, person: { userId: string; organisationId: string }): Promise<void> {
  await promised((cb) => req.session.regenerate(cb));
  req.session.espace = { ...person, loggedInAt: new Date().toISOString() };
  await promised((cb) => req.session.save(cb));
}

export async function closeEspaceSession(req: Request): Promise<void> {
  if (req.session?.espace) await promised((cb) => req.session.destroy(cb));
}

/** Keeps a message for the next page (post → redirect → get). */
export function setNotice(req: Request, notice: { type: 'success' | 'info' | 'error'; message: string }): void {
  req.session.notice = notice;
}

/** The message kept for this page, once. */
export function takeNotice(req: Request): { type: 'success' | 'info' | 'error'; message: string } | undefined {
  const notice = req.session?.notice;
  if (notice) delete req.session.notice;
  return notice;
}

/** Changes the current structure of the session (the caller checked the membership and journals the switch). */
export async function switchEspaceOrganisation(req: Request, organisationId: string): Promise<void> {
  if (!req.session.espace) throw new Error('no espace session');
  req.session.espace.organisationId = organisationId;
  await promised((cb) => req.session.save(cb));
}

/** The columns of a model under `alias`, each named `<prefix>.<attribute>` (to split a joined row). */
const columnsOf = (attributes: Record<string, { field?: string }>, alias: string) =>
  Object.entries(attributes).map(([name, attribute]) => `${alias}."${attribute.field ?? name}" AS "${alias}.${name}"`).join(', ');

/** The values of one model in a joined row (null when its side of a LEFT JOIN is empty). */
function valuesOf(row: Record<string, unknown>, alias: string): Record<string, unknown> | null {
  const values: Record<string, unknown> = {};
  const prefix = `${alias}.`;
  let empty = true;
  for (const key in row) {
    if (!key.startsWith(prefix)) continue;
    values[key.slice(prefix.length)] = row[key];
    if (row[key] !== null) empty = false;
  }
  return empty ? null : values;
}

/**
 * The account, its active memberships of active structures and the date of its last journaled action (the
 * activity check), in ONE statement, for the user id `userId` (an SQL expression): every espace page and the
 * identity provider's run it.
 */
const personStatement = (userId: string) => `
  SELECT ${columnsOf(User.getAttributes(), 'u')}, ${columnsOf(OrganisationMembership.getAttributes(), 'm')}, ${columnsOf(Organisation.getAttributes(), 'o')},
    (SELECT max(created_at) FROM journal WHERE actor_id = u.id) AS "journaledActivityAt"
  FROM users u
  LEFT JOIN (organisation_memberships m JOIN organisations o ON o.id = m.organisation_id AND o.is_active)
    ON m.user_id = u.id AND m.is_active AND u.is_active
  WHERE u.id = ${userId}`;
/** Memberships oldest first: the structure a person lands in when the session's one ended. */
const MEMBERSHIPS_ORDER = '"m.createdAt" ASC';

let personQuery: string | undefined;
const PERSON_QUERY = () => personQuery ??= `${personStatement('$1')} ORDER BY ${MEMBERSHIPS_ORDER}`;

/** The person read with the session itself (server/web/session-store.ts): one statement per page, not two. */
const SESSION_USER_ID = `s.sess->'espace'->>'userId'`;
export const ESPACE_PERSON_PREFETCH: SessionPrefetch = {
  lateral: () => personStatement(`CASE WHEN ${SESSION_USER_ID} ~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' THEN (${SESSION_USER_ID})::uuid END`),
  orderBy: `p.${MEMBERSHIPS_ORDER}`,
};

/**
 * Loads the person of the session into res.locals.person: an active account and an active membership of the
 * session's structure (or, when that one ended, of another structure of theirs); otherwise the session ends.
 * The date of their last journaled action goes to res.locals.journaledActivityAt (requireRecentActivity).
 */
export function loadEspacePerson(options: { sequelize: Sequelize }): RequestHandler {
  return async (req, res, next) => {
    try {
      const current = req.session?.espace;
      if (!current) return next();
      const prefetched = prefetchedRows(req);
      // Read with the session unless the session's person changed since (a login in this request).
      const rows = prefetched && prefetched[0]?.['u.id'] === current.userId ? prefetched
        : isUuid(current.userId) ? (await rawQuery<Record<string, unknown>>(options.sequelize, PERSON_QUERY(), [current.userId])).rows
        : [];
      const userValues = rows[0] ? valuesOf(rows[0], 'u') : null;
      const user = userValues ? User.build(userValues as never, { raw: true, isNewRecord: false }) : null;
      const memberships = user?.isActive ? rows.flatMap((row) => {
        const membershipValues = valuesOf(row, 'm');
        if (!membershipValues) return [];
        const membership = OrganisationMembership.build(membershipValues as never, { raw: true, isNewRecord: false }) as EspacePerson['memberships'][number];
        membership.organisation = Organisation.build(valuesOf(row, 'o') as never, { raw: true, isNewRecord: false });
        return [membership];
      }) : [];
      const membership = memberships.find((m) => m.organisationId === current.organisationId) ?? memberships[0];
      if (!user || !membership) {
        await closeEspaceSession(req);
        return next();
      }
      if (membership.organisationId !== current.organisationId) await switchEspaceOrganisation(req, membership.organisationId);
      res.locals.person = { user, organisation: membership.organisation, membership, memberships } satisfies EspacePerson;
      const at = rows[0]!.journaledActivityAt;
      res.locals.journaledActivityAt = at ? new Date(at as string) : null;
      next();
    } catch (error) {
      next(error);
    }
  };
}

export const personOf = (res: Response): EspacePerson => {
  const person = res.locals.person as EspacePerson | undefined;
  if (!person) throw new Error('personOf called outside requireLogin');
  return person;
};

/** A relative path of this site to come back to after a login or an activity check; null for anything else. */
export function safeNext(next: unknown): string | null {
  if (typeof next !== 'string' || next.length === 0 || next.length > 500) return null;
  // "//host" and "/\host" are other origins to a browser; control characters are never part of our paths.
  if (!next.startsWith('/') || next.startsWith('//') || next.includes('\\') || /[\u0000-\u001f]/.test(next)) return null;
  try {
    const base = 'http://same.invalid';
    const url = new URL(next, base);
    return url.origin === base ? `${url.pathname}${url.search}` : null;
  } catch {
    return null;
  }
}

/** Pages behind a login: without a session, to the login form, coming back here afterwards. */
export function requireLogin(req: Request, res: Response, next: NextFunction): void {
  if (res.locals.person) return next();
  const back = req.method === 'GET' ? safeNext(req.originalUrl) : null;
  res.redirect(303, back ? `/connexion?next=${encodeURIComponent(back)}` : '/connexion');
}

/** The date of the person's last journaled action (the activity check measures from it). */
export async function lastActivity(sequelize: Sequelize, userId: string): Promise<Date | null> {
  const [row] = await sequelize.query<{ at: Date | null }>('SELECT max(created_at) AS at FROM journal WHERE actor_id = :userId', {
    replacements: { userId }, type: QueryTypes.SELECT,
  });
  return row?.at ? new Date(row.at) : null;
}

/**
 * Protected pages (espace référent, mandats): when the person's last journaled action is older than
 * `afterMs`, a card code is asked again (/reprise-activite), coming back here afterwards. Pages only (GET): a
 * form posted from a page shown a moment ago goes through, so that nothing typed is lost.
 */
export function requireRecentActivity(options: { sequelize: Sequelize; afterMs: number }): RequestHandler {
  return async (req, res, next) => {
    try {
      if (req.method !== 'GET') return next();
      const person = personOf(res);
      // Read with the person (loadEspacePerson) on every espace request; asked here only otherwise.
      const loaded = res.locals.journaledActivityAt as Date | null | undefined;
      const last = loaded !== undefined ? loaded : await lastActivity(options.sequelize, person.user.id);
      if (last && Date.now() - last.getTime() <= options.afterMs) return next();
      const back = safeNext(req.originalUrl);
      res.redirect(303, `/reprise-activite${back ? `?next=${encodeURIComponent(back)}` : ''}`);
    } catch (error) {
      next(error);
    }
  };
}

/** The espace référent: référent of the current structure only. */
export function requireReferent(_req: Request, res: Response, next: NextFunction): void {
  if (personOf(res).membership.isReferent) return next();
  next(new ForbiddenError('Cet espace est réservé aux référents de la structure. Si vous êtes référent d’une autre structure, changez de structure depuis votre espace aidant.'));
}

/** Pages of the aidant's work (mandats): people habilitated to create mandats in the current structure only. */
export function requireAidant(_req: Request, res: Response, next: NextFunction): void {
  if (personOf(res).membership.canCreateMandats) return next();
  next(new ForbiddenError('Votre compte ne permet pas de créer de mandats dans cette structure.'));
}
