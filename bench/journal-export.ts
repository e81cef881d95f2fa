// The journal's CSV export (services/journal-export.ts) on a million entries: rows per second and the process's
// peak RSS above its level before the export (the rows must stream, not pile up), then the chain verification
// on the same journal. Called by bench/run.ts; `node --import tsx bench/journal-export.ts` runs it alone on a
// throwaway stack. JOURNAL_BENCH_ROWS changes the number of entries.
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { Sequelize } from 'sequelize';
import { createSequelize } from '../db/sequelize.js';
import { Organisation } from '../db/models/index.js';
import { sealJournal, verifyJournalChain } from '../services/journal.js';
import { sealedJournalPosition, writeJournalCsv } from '../services/journal-export.js';

const ROWS = Number(process.env.JOURNAL_BENCH_ROWS ?? 1_000_000);
const MB = 1024 * 1024;

export async function benchJournalExport(sequelize: Sequelize, line: (name: string, figures: string) => void): Promise<void> {
  const organisation = await Organisation.create({
    name: `CCAS du banc d’essai ${Date.now()}`, type: 'ccas', typeOther: null, siret: '26170021400016', address: '1 place de la Mairie', zipcode: '17460',
    city: 'Préguillac', departmentCode: '17', franceServicesLabel: false, franceServicesNumber: null, habilitationNumber: `AC-BENCH-${Date.now()}`,
  });
  let started = performance.now();
  // Set-based, in slices (each row queued for sealing by the journal's trigger).
  for (let done = 0; done < ROWS; done += 100_000) {
    await sequelize.query(`
      INSERT INTO journal (action, actor_id, organisation_id, details)
      SELECT 'use_autorisation', NULL, $1, jsonb_build_object('n', g, 'motif', 'Démarche « ' || g || ' », ligne;"2"')
      FROM generate_series($2::int, $3::int) g`, { bind: [organisation.id, done + 1, Math.min(ROWS, done + 100_000)] });
  }
  line(`journal: write ${ROWS} entries (set-based)`, `${(ROWS / ((performance.now() - started) / 1000)).toFixed(0)} entries/s`);
  started = performance.now();
  const sealed = await sealJournal(sequelize, { wait: true });
  line(`journal: seal them (hash chain, batches of 1 000)`, `${sealed} entries in ${((performance.now() - started) / 1000).toFixed(1)} s, ${(sealed / ((performance.now() - started) / 1000)).toFixed(0)} entries/s`);

  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  let bytes = 0;
  const sink = new Writable({ highWaterMark: 64 * 1024, write(chunk: Buffer, _encoding, callback) { bytes += chunk.length; setImmediate(callback); } });
  started = performance.now();
  const rows = await writeJournalCsv(sequelize, { organisationId: organisation.id }, await sealedJournalPosition(sequelize), sink);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  if (rows !== ROWS) throw new Error(`exported ${rows} rows instead of ${ROWS}`);
  line(`journal CSV export: ${ROWS} rows (${(bytes / MB).toFixed(0)} MB)`,
    `${(rows / seconds).toFixed(0)} rows/s  ${(bytes / MB / seconds).toFixed(1)} MB/s  peak RSS ${(peak / MB).toFixed(0)} MB (+${((peak - baseline) / MB).toFixed(0)} MB over ${(baseline / MB).toFixed(0)} MB)`);

  started = performance.now();
  const chain = await verifyJournalChain();
  line('journal chain verification (batches of 10 000)', `${chain.checked} entries in ${((performance.now() - started) / 1000).toFixed(1)} s (${chain.brokenAt ? 'BROKEN' : 'intact'})`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { startThrowawayStack } = await import('../infra/throwaway-stack.js');
  const stack = await startThrowawayStack();
  const sequelize = createSequelize(stack.databaseUrl, { poolMax: 4 });
  try {
    await benchJournalExport(sequelize, (name, figures) => process.stdout.write(`${name.padEnd(52)} ${figures}\n`));
  } finally {
    await sequelize.close();
    await stack.stop();
  }
}
