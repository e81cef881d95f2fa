// Journaled transactions side by side: 8 writers, each transaction journals an entry and then goes on for a
// couple of milliseconds before its commit (as a real one does: other statements, a round trip), then the
// sealing of what they wrote. With the chain lock of migration 0001 the writers queued one behind the other
// for the whole rest of each transaction; sealed after commit (migration 0033) they do not wait for each other.
// `npm run bench -- journal`; JOURNAL_WRITERS_TRANSACTIONS changes the count (default 2 000).
import type { Sequelize } from 'sequelize';
import { appendJournal, sealJournal } from '../services/journal.js';

const TRANSACTIONS = Number(process.env.JOURNAL_WRITERS_TRANSACTIONS ?? 2_000);
const WRITERS = 8;
const AFTER_INSERT_MS = 2;

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;

export async function benchJournalWriters(sequelize: Sequelize, line: (name: string, figures: string) => void): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: WRITERS }, async () => {
    while (next < TRANSACTIONS) {
      const i = next++;
      const t = performance.now();
      await sequelize.transaction(async (transaction) => {
        await appendJournal({ action: 'admin_login', details: { bench: i } }, transaction);
        await sequelize.query(`SELECT pg_sleep(${AFTER_INSERT_MS / 1000})`, { transaction });
      });
      latencies.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  line(`journaled transactions (${WRITERS} writers, ${AFTER_INSERT_MS} ms after the entry)`,
    `${(TRANSACTIONS / seconds).toFixed(0)} transactions/s  p50 ${quantile(latencies, 0.5).toFixed(1)} ms  p95 ${quantile(latencies, 0.95).toFixed(1)} ms  p99 ${quantile(latencies, 0.99).toFixed(1)} ms`);
  const sealStart = performance.now();
  const sealed = await sealJournal(sequelize, { wait: true });
  const sealSeconds = (performance.now() - sealStart) / 1000;
  line('journal sealing (what they wrote, batches of 1 000)', `${sealed} entries in ${(sealSeconds * 1000).toFixed(0)} ms, ${(sealed / sealSeconds).toFixed(0)} entries/s`);
}
