// The PostgreSQL store of every session of the service (the demandeur's, the espace's; table http_sessions,
// connect-pg-simple's layout). Its few queries run on the application's own pool (db/raw-query.ts): no second
// pool to close.
// express-session « touches » an unmodified session at every request to move its stored expiry; the espace's
// sessions are not rolling, so that is the same value written again and again (a statement per page, four per
// FranceConnect round trip). A touch is skipped when this process already stored an expiry less than a minute
// away from the new one: the stored expiry only serves the purge of old sessions.
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

export function pgSessionStore(sequelize: Sequelize): session.Store {
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

  class ThrottledTouchStore extends PgStore {
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
