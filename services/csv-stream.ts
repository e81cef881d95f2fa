// Streaming a CSV export of any size without holding it: keyset pagination (each batch starts after the last
// key of the previous one, never OFFSET, which rereads everything it skips), one bounded batch at a time, each
// fetched only once the previous one has been taken by the client (backpressure), and nothing more fetched
// once the client has gone. Keyset rather than a server-side cursor: a cursor keeps a transaction (and a
// snapshot, and a connection) open for as long as the slowest download lasts; here each batch is a short
// query of its own. Shared by the journal's export (services/journal-export.ts) and the data exports
// (services/data-exports.ts).
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { CSV_BOM, csvLine } from '../domain/csv.js';

export const EXPORT_BATCH_SIZE = 2000;

/**
 * The rows `fetch` returns, batch after batch: `fetch(after, limit)` gives at most `limit` rows in key order
 * after the key `after` (undefined for the first batch); a short batch is the last one.
 */
export async function* keysetBatches<Row, Key>(
  fetch: (after: Key | undefined, limit: number) => Promise<Row[]>, keyOf: (row: Row) => Key, batchSize = EXPORT_BATCH_SIZE,
): AsyncGenerator<Row[]> {
  const limit = Math.max(1, Math.trunc(batchSize));
  let after: Key | undefined;
  for (;;) {
    const rows = await fetch(after, limit);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < limit) return;
    after = keyOf(rows[rows.length - 1]);
  }
}

/**
 * Writes `chunk` to `out`; when `out` is full, waits until it drains or closes. False once `out` is gone
 * (the person cancelled the download): the caller stops fetching.
 */
export async function writeWithBackpressure(out: Writable, chunk: string): Promise<boolean> {
  if (out.destroyed) return false;
  if (!out.write(chunk)) {
    // Either drained or closed: a closed client must not leave us waiting forever. The listener of the
    // event that did not happen is removed (one download writes hundreds of batches).
    const stop = new AbortController();
    try {
      await Promise.race([once(out, 'drain', { signal: stop.signal }), once(out, 'close', { signal: stop.signal })]);
    } finally {
      stop.abort();
    }
  }
  return !out.destroyed;
}

/**
 * Writes a CSV (BOM, French headers, one line per row) to `out`, one batch at a time, waiting for `out` to
 * drain whenever it is full; stops early if `out` is destroyed. Returns how many rows went out.
 */
export async function writeCsvStream<Row>(
  out: Writable, headers: readonly string[], batches: AsyncIterable<Row[]>, lineOf: (row: Row) => string,
): Promise<number> {
  let written = 0;
  if (!(await writeWithBackpressure(out, CSV_BOM + csvLine(headers)))) return written;
  for await (const rows of batches) {
    let chunk = '';
    for (const row of rows) chunk += lineOf(row);
    written += rows.length;
    if (!(await writeWithBackpressure(out, chunk))) return written;
  }
  return written;
}
