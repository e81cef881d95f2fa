// Streams the journal as CSV, a million rows without holding them: keyset pagination on the primary key, one
// bounded batch at a time, each fetched only once the previous one has been taken by the client (backpressure,
// services/csv-stream.ts, shared with the other exports). The export is a consistent snapshot all the same: it
// seals what is pending, then takes the entries sealed up to that chain position — a set that never changes
// (the chain is append-only), whatever commits during the download.
import type { Writable } from 'node:stream';
import { QueryTypes, type Sequelize } from 'sequelize';
import { JOURNAL_CSV_HEADERS, journalCsvLine, type JournalExportRow, type JournalFilters } from '../domain/journal-export.js';
import { EXPORT_BATCH_SIZE, keysetBatches, writeCsvStream } from './csv-stream.js';
import { sealJournal } from './journal.js';

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

/**
 * Seals every entry committed by now and returns the chain's last position: the export stops there (entries
 * written during the download are not in it).
 */
export async function sealedJournalPosition(sequelize: Sequelize): Promise<string> {
  await sealJournal(sequelize, { wait: true });
  const [row] = await sequelize.query<{ position: string | null }>('SELECT max(position)::text AS position FROM journal_seals', { type: QueryTypes.SELECT });
  return row?.position ?? '0';
}

/** The matching entries sealed up to chain position `upToPosition`, in id order, `batchSize` at a time. */
export function journalBatches(
  sequelize: Sequelize, filters: JournalFilters, upToPosition: string, batchSize = EXPORT_BATCH_SIZE,
): AsyncGenerator<JournalExportRow[]> {
  const where = filterClause(filters);
  return keysetBatches((after: string | undefined, limit) => sequelize.query<JournalExportRow>(`
      SELECT j.id::text AS id, to_char(j.created_at AT TIME ZONE 'Europe/Paris', 'DD/MM/YYYY HH24:MI:SS') AS created_at, j.action,
             j.actor_id, nullif(concat_ws(' ', u.first_name, u.last_name), '') AS actor_name, j.organisation_id, o.name AS organisation_name,
             j.usager_id, j.mandat_id, j.autorisation_id, j.habilitation_request_id, j.onboarding_id, j.demarches, j.duration_days,
             j.details, s.hash, s.previous_hash
      FROM journal j
      JOIN journal_seals s ON s.entry_id = j.id
      LEFT JOIN users u ON u.id = j.actor_id
      LEFT JOIN organisations o ON o.id = j.organisation_id
      WHERE j.id > $1 AND s.position <= $2${where.sql}
      ORDER BY j.id
      LIMIT ${limit}`, { type: QueryTypes.SELECT, bind: [after ?? '0', upToPosition, ...where.bind] }), (row) => row.id, batchSize);
}

/**
 * Writes the CSV (BOM, French headers, one line per entry) to `out`, waiting for it to drain whenever it is
 * full; stops early if `out` is destroyed (the person cancelled the download). Returns how many rows went out.
 */
export function writeJournalCsv(
  sequelize: Sequelize, filters: JournalFilters, upToPosition: string, out: Writable, options: { batchSize?: number } = {},
): Promise<number> {
  return writeCsvStream(out, JOURNAL_CSV_HEADERS, journalBatches(sequelize, filters, upToPosition, options.batchSize), journalCsvLine);
}
