// The hot path's statements (every espace page, the identity provider's round trip, sessions, the POST limit)
// straight on a connection of Sequelize's own pool, with positional parameters ($1, $2…). Measured here
// (2026-11-30): for the authorisation check, Sequelize's query path — named replacements found by parsing the
// SQL text, options merged, results mapped — took about 0.2 ms of CPU per statement on top of pg's 0.25 ms; on
// a FranceConnect round trip of 21 statements that was about a sixth of the web process's CPU. Results are
// the same: the connections carry Sequelize's type parsers. Inside a transaction, its connection is used.
import { createHash } from 'node:crypto';
import type { QueryConfig, QueryResultRow } from 'pg';
import type { Sequelize, Transaction } from 'sequelize';

interface PgConnection { query<R extends QueryResultRow>(query: QueryConfig): Promise<{ rows: R[]; rowCount: number | null }> }
interface ConnectionManager {
  getConnection(options: { type: string }): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): void;
}

export interface RawResult<R> { rows: R[]; rowCount: number }

export async function rawQuery<R extends QueryResultRow>(sequelize: Sequelize, sql: string, params: readonly unknown[] = [], transaction?: Transaction | null): Promise<RawResult<R>> {
  const own = (transaction as unknown as { connection?: PgConnection } | null | undefined)?.connection;
  if (own) return normalise(await own.query<R>(prepared(sql, params)));
  const manager = (sequelize as unknown as { connectionManager: ConnectionManager }).connectionManager;
  const connection = await manager.getConnection({ type: 'SELECT' });
  try {
    return normalise(await connection.query<R>(prepared(sql, params)));
  } finally {
    manager.releaseConnection(connection);
  }
}

/**
 * Each statement prepared once per connection (a named statement): PostgreSQL parses and plans it once, then
 * reuses the plan. Measured on the identity provider's round trip (2026-11-30): its statements — joins of the
 * authorisation check, the session's person — cost PostgreSQL more CPU in parsing and planning than in running,
 * 14.7 ms per round trip against the reference's 9.3. The texts are the code's own (a bounded set; beyond
 * MAX_NAMED, a statement runs unnamed, as before).
 */
const MAX_NAMED = 1_000;
const names = new Map<string, string>();
function prepared(sql: string, params: readonly unknown[]): QueryConfig {
  let name = names.get(sql);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `ac_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    names.set(sql, name);
  }
  return name === undefined ? { text: sql, values: [...params] } : { name, text: sql, values: [...params] };
}

const normalise = <R>(result: { rows: R[]; rowCount: number | null }): RawResult<R> => ({ rows: result.rows, rowCount: result.rowCount ?? 0 });
