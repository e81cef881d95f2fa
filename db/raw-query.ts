// The hot path's statements (every espace page, the identity provider's round trip, sessions, the POST limit)
// straight on a connection of Sequelize's own pool, with positional parameters ($1, $2…). Measured here
// (2026-11-30): for the authorisation check, Sequelize's query path — named replacements found by parsing the
// SQL text, options merged, results mapped — took about 0.2 ms of CPU per statement on top of pg's 0.25 ms; on
// a FranceConnect round trip of 21 statements that was about a sixth of the web process's CPU. Results are
// the same: the connections carry Sequelize's type parsers. Inside a transaction, its connection is used.
import type { QueryResultRow } from 'pg';
import type { Sequelize, Transaction } from 'sequelize';

interface PgConnection { query<R extends QueryResultRow>(sql: string, params: unknown[]): Promise<{ rows: R[]; rowCount: number | null }> }
interface ConnectionManager {
  getConnection(options: { type: string }): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): void;
}

export interface RawResult<R> { rows: R[]; rowCount: number }

export async function rawQuery<R extends QueryResultRow>(sequelize: Sequelize, sql: string, params: readonly unknown[] = [], transaction?: Transaction | null): Promise<RawResult<R>> {
  const own = (transaction as unknown as { connection?: PgConnection } | null | undefined)?.connection;
  if (own) return normalise(await own.query<R>(sql, [...params]));
  const manager = (sequelize as unknown as { connectionManager: ConnectionManager }).connectionManager;
  const connection = await manager.getConnection({ type: 'SELECT' });
  try {
    return normalise(await connection.query<R>(sql, [...params]));
  } finally {
    manager.releaseConnection(connection);
  }
}

const normalise = <R>(result: { rows: R[]; rowCount: number | null }): RawResult<R> => ({ rows: result.rows, rowCount: result.rowCount ?? 0 });
