// The PostgreSQL store of every session of the service (the demandeur's, the espace's; table http_sessions,
// connect-pg-simple's layout). Its few queries run on the application's own pool (db/raw-query.ts): no second
// pool to close.
// express-session « touches » an unmodified session at every request to move its stored expiry; the espace's
// sessions are not rolling, so that is the same value written again and again (a statement per page, four per
// FranceConnect round trip). A touch is skipped when this process already stored an expiry less than a minute
// away from the new one: the stored expiry only serves the purge of old sessions.
// A store may also read, in the session's own statement, rows that depend on it (the espace reads the person
// of the session: one round trip to PostgreSQL per page instead of two); the request gets them once,
// `prefetchedRows(req)`, and they never enter the session's stored data.
import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import type { Sequelize } from 'sequelize';
import { rawQuery } from '../../db/raw-query.js';

export const TOUCH_GRANULARITY_MS = 60_000;
/** Sessions whose last stored expiry this process remembers (the oldest forgotten first). */
const REMEMBERED_SESSIONS = 10_000;

const expiryOf = (sess: session.SessionData): number | null => {
  const expires = sess?.cookie?.expires;
  return expires ? new Date(expires).getTime() : null;
};

/**
 * What to read with the session: a statement joined LATERAL to the session row `s` (its JSON is `s.sess`), and
 * the order of its rows (columns of `p`).
 */
export interface SessionPrefetch { lateral: () => string; orderBy: string }

type Row = Record<string, unknown>;
const PREFETCHED = Symbol('prefetched rows');
const prefetched = new WeakMap<Request, Row[]>();

/** The rows read with this request's session (null when its store prefetches nothing or had no session). */
export function prefetchedRows(req: Request): Row[] | null {
  return prefetched.get(req) ?? null;
}

export function pgSessionStore(sequelize: Sequelize, prefetch?: SessionPrefetch): session.Store {
  const PgStore = connectPgSimple(session);
  const pool = {
    query: async (text: string, params: unknown[] = []) => ({ rows: (await rawQuery(sequelize, text, params)).rows }),
  };
  const stored = new Map<string, number>();
  const remember = (sid: string, expiry: number | null) => {
    stored.delete(sid);
    if (expiry === null) return;
    stored.set(sid, expiry);
    if (stored.size > REMEMBERED_SESSIONS) stored.delete(stored.keys().next().value!);
  };

  // connect-pg-simple's own read, with the prefetch's rows beside the session (same validity rule); written at
  // the first read, once the models the prefetch names are defined.
  let getWithPrefetch: string | undefined;
  const readStatement = (of: SessionPrefetch) => getWithPrefetch ??= `
    SELECT s.sess, p.* FROM http_sessions s LEFT JOIN LATERAL (${of.lateral()}) p ON true
    WHERE s.sid = $1 AND s.expire >= to_timestamp($2) ORDER BY ${of.orderBy}`;

  class ThrottledTouchStore extends PgStore {
    override get(sid: string, callback: (error: unknown, session?: session.SessionData | null) => void): void {
      if (!prefetch) { super.get(sid, callback); return; }
      rawQuery<Row>(sequelize, readStatement(prefetch), [sid, Math.ceil(Date.now() / 1000)]).then(({ rows }) => {
        const stored = rows[0]?.sess;
        if (stored === undefined || stored === null) return callback(null, null);
        let data: session.SessionData;
        try {
          data = typeof stored === 'string' ? JSON.parse(stored) : stored;
        } catch {
          return this.destroy(sid, (error) => callback(error, null));
        }
        // A symbol: neither copied into the session (for…in) nor ever saved with it (JSON).
        Object.defineProperty(data, PREFETCHED, { value: rows, enumerable: false });
        callback(null, data);
      }, (error: unknown) => callback(error));
    }

    override createSession(req: Request, data: session.SessionData): session.Session & session.SessionData {
      const rows = (data as unknown as { [PREFETCHED]?: Row[] })[PREFETCHED];
      if (rows) prefetched.set(req, rows);
      return super.createSession(req, data);
    }

    override set(sid: string, sess: session.SessionData, callback?: (error?: unknown) => void): void {
      super.set(sid, sess, (error?: unknown) => {
        if (!error) remember(sid, expiryOf(sess));
        callback?.(error);
      });
    }

    override touch(sid: string, sess: session.SessionData, callback?: () => void): void {
      const expiry = expiryOf(sess);
      const last = stored.get(sid);
      if (expiry !== null && last !== undefined && Math.abs(expiry - last) < TOUCH_GRANULARITY_MS) { callback?.(); return; }
      super.touch(sid, sess, (error?: unknown) => {
        if (!error) remember(sid, expiry);
        (callback as ((error?: unknown) => void) | undefined)?.(error);
      });
    }

    override destroy(sid: string, callback?: (error?: unknown) => void): void {
      stored.delete(sid);
      super.destroy(sid, callback);
    }
  }
  return new ThrottledTouchStore({ pool: pool as never, tableName: 'http_sessions', createTableIfMissing: false, pruneSessionInterval: false });
}

/** A session's data as stored (its cookie aside): what a request changed is what differs. */
const storedForm = (sess: session.Session & Partial<session.SessionData>) => JSON.stringify(sess, (key, value) => (key === 'cookie' ? undefined : value));

/**
 * express-session sends a response's headers before storing the session the request changed (it holds back only
 * the body's last byte), and a browser follows a 303 on its headers: the next page could read the session as it
 * was (a mandat's draft page without the choice just posted). With this, a redirect waits until the changed
 * session is stored; a redirect that changed nothing is not delayed.
 */
export function redirectAfterSave(sessionMiddleware: RequestHandler): RequestHandler {
  return (req, res, next) => sessionMiddleware(req, res, (error?: unknown) => {
    if (error) { next(error); return; }
    const loaded = req.session ? storedForm(req.session) : undefined;
    const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
    res.redirect = ((...args: unknown[]) => {
      const current = req.session;
      if (!current || storedForm(current) === loaded) { redirect(...args); return; }
      current.save((saveError?: unknown) => (saveError ? next(saveError) : redirect(...args)));
    }) as typeof res.redirect;
    next();
  });
}
