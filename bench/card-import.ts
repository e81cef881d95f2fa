// Card CSV import (services/cards.ts importCards): the time to refuse a 10 000-line file with one bad line
// (parse, one stock query, the line named) and to import 10 000 good lines (seal each seed, one bulk insert,
// journal). Called by bench/run.ts; `node --import tsx bench/card-import.ts` runs it alone on a throwaway stack.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Sequelize } from 'sequelize';
import { createSequelize } from '../db/sequelize.js';
import { User } from '../db/models/index.js';
import { importCards } from '../services/cards.js';
import { createSecretBox } from '../services/secret-box.js';

const LINES = 10_000;
const RUNS = 5;

function csv(prefix: string, badLine: number | null): string {
  const lines = Array.from({ length: LINES }, (_, i) => `${prefix}-${String(i).padStart(5, '0')},${randomBytes(20).toString('hex')}`);
  if (badLine !== null) lines[badLine - 2] = `${prefix}-BAD,${randomBytes(20).toString('hex').slice(0, 37)}`; // the header is line 1
  return `serial_number,seed\n${lines.join('\n')}\n`;
}

export async function benchCardImport(sequelize: Sequelize, line: (name: string, figures: string) => void): Promise<void> {
  const deps = { sequelize, secrets: createSecretBox(Buffer.alloc(32, 7)) };
  const actor = await User.create({
    email: `bench-${randomBytes(4).toString('hex')}@anct.invalid`, firstName: 'Bench', lastName: 'ANCT', profession: null, phone: null,
    currentOrganisationId: null, staffRoles: [], passwordHash: null, sealedAdminTotpSecret: null, lastLoginAt: null, lastActivityAt: null,
  });
  const refusals: number[] = [];
  const imports: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const bad = csv(`BENCHR${run}`, 7_532);
    let started = performance.now();
    const refused = await importCards(deps, bad, actor.id);
    refusals.push(performance.now() - started);
    if (refused.errors.length !== 1 || refused.errors[0].line !== 7_532) throw new Error(`unexpected refusal: ${JSON.stringify(refused.errors.slice(0, 3))}`);

    const good = csv(`BENCHI${run}`, null);
    started = performance.now();
    const imported = await importCards(deps, good, actor.id);
    imports.push(performance.now() - started);
    if (imported.imported !== LINES) throw new Error(`unexpected import: ${JSON.stringify(imported.errors.slice(0, 3))}`);
  }
  const figures = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms  max ${sorted[sorted.length - 1].toFixed(0)} ms  (${RUNS} runs)`;
  };
  line(`card CSV: refuse ${LINES} lines with one bad line`, figures(refusals));
  line(`card CSV: import ${LINES} good lines`, figures(imports));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { startThrowawayStack } = await import('../infra/throwaway-stack.js');
  const stack = await startThrowawayStack();
  const sequelize = createSequelize(stack.databaseUrl, { poolMax: 4 });
  try {
    await benchCardImport(sequelize, (name, figures) => process.stdout.write(`${name.padEnd(52)} ${figures}\n`));
  } finally {
    await sequelize.close();
    await stack.stop();
  }
}
