// The PostgreSQL store of every session of the service (the demandeur's, the espace's; table http_sessions,
// connect-pg-simple's layout). Its few queries run on the application's own pool: no second pool to close.
import session from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import type { Sequelize } from 'sequelize';

export function pgSessionStore(sequelize: Sequelize): session.Store {
  const PgStore = connectPgSimple(session);
  const pool = {
    query: async (text: string, params: unknown[] = []) => {
      const [rows] = await sequelize.query(text, { bind: params });
      return { rows };
    },
  };
  return new PgStore({ pool: pool as never, tableName: 'http_sessions', createTableIfMissing: false, pruneSessionInterval: false });
}
