// Streams the journal as CSV, a million rows without holding them: keyset pagination on the primary key, one
// bounded batch at a time, each fetched only once the previous one has been taken by the client (backpressure,
// services/csv-stream.ts, shared with the other exports). The export is a
// consistent snapshot all the same: the journal is append-only and its ids are drawn under the chain's lock,
// so the entries up to the last id seen at the start are exactly those committed then.
import type { Writable } from 'node:stream';
import { QueryTypes, type Sequelize } from 'sequelize';
import { JOURNAL_CSV_HEADERS, journalCsvLine, type JournalExportRow, type JournalFilters } from '../domain/journal-export.js';
import { EXPORT_BATCH_SIZE, keysetBatches, writeCsvStream } from './csv-stream.js';

export { EXPORT_BATCH_SIZE } from './csv-stream.js';

/** The WHERE clause of the filters, with bind parameters from $3 on ($1 and $2 are the keyset bounds). */
function filterClause(filters: JournalFilters): { sql: string; bind: unknown[] } {
  const conditions: string[] = [];
  const bind: unknown[] = [];
  const add = (condition: string, value: unknown) => {
    bind.push(value);
    conditions.push(condition.replace('?', `$${bind.length + 2}`));
  };
  if (filters.action) add('j.action = ?', filters.action);
  if (filters.organisationId) add('j.organisation_id = ?', filters.organisationId);
  if (filters.actorId) add('j.actor_id = ?', filters.actorId);
  if (filters.usagerId) add('j.usager_id = ?', filters.usagerId);
  if (filters.from) add('j.created_at >= ?', filters.from);
  if (filters.to) add('j.created_at <= ?', filters.to);
  return { sql: conditions.map((c) => ` AND ${c}`).join(''), bind };
}

/** The last entry's id now: the export stops there (entries written during the download are not in it). */
export async function lastJournalId(sequelize: Sequelize): Promise<string> {
  const [row] = await sequelize.query<{ id: string | null }>('SELECT max(id)::text AS id FROM journal', { type: QueryTypes.SELECT });
  return row?.id ?? '0';
}

/** The matching entries up to `upToId`, in order, `batchSize` at a time. */
export function journalBatches(
  sequelize: Sequelize, filters: JournalFilters, upToId: string, batchSize = EXPORT_BATCH_SIZE,
): AsyncGenerator<JournalExportRow[]> {
  const where = filterClause(filters);
  return keysetBatches((after: string | undefined, limit) => sequelize.query<JournalExportRow>(`
      SELECT j.id::text AS id, to_char(j.created_at AT TIME ZONE 'Europe/Paris', 'DD/MM/YYYY HH24:MI:SS') AS created_at, j.action,
             j.actor_id, nullif(concat_ws(' ', u.first_name, u.last_name), '') AS actor_name, j.organisation_id, o.name AS organisation_name,
             j.usager_id, j.mandat_id, j.autorisation_id, j.habilitation_request_id, j.onboarding_id, j.demarches, j.duration_days,
             j.details, j.hash, j.previous_hash
      FROM journal j
      LEFT JOIN users u ON u.id = j.actor_id
      LEFT JOIN organisations o ON o.id = j.organisation_id
      WHERE j.id > $1 AND j.id <= $2${where.sql}
      ORDER BY j.id
      LIMIT ${limit}`, { type: QueryTypes.SELECT, bind: [after ?? '0', upToId, ...where.bind] }), (row) => row.id, batchSize);
}

/**
 * Writes the CSV (BOM, French headers, one line per entry) to `out`, waiting for it to drain whenever it is
 * full; stops early if `out` is destroyed (the person cancelled the download). Returns how many rows went out.
 */
export function writeJournalCsv(
  sequelize: Sequelize, filters: JournalFilters, upToId: string, out: Writable, options: { batchSize?: number } = {},
): Promise<number> {
  return writeCsvStream(out, JOURNAL_CSV_HEADERS, journalBatches(sequelize, filters, upToId, options.batchSize), journalCsvLine);
}
