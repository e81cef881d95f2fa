// The mandat benchmarks of issue 9, in order: seeding, reads (authorisation check, usagers list, plans), then
// the lifecycles (10 000 workflows, 10 000 reminders due the same day). `npm run bench` runs them after the
// others; `npm run bench -- mandats` runs them alone. For a quick try at a smaller scale:
// BENCH_MANDAT_STRUCTURES (10 000), BENCH_MANDATS_PER_STRUCTURE (100), BENCH_MANDAT_WORKFLOWS (10 000),
// BENCH_MANDAT_REMINDERS (10 000).
import os from 'node:os';
import type { Sequelize } from 'sequelize';
import type { ThrowawayStack } from '../infra/throwaway-stack.js';
import { benchMandatWorkflows } from './mandat-workflows.js';
import { benchMandatReads, FULL_SCALE, seedForBench, type Line } from './mandats.js';

const fromEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

export async function benchMandatSuite(options: { stack: ThrowawayStack; sequelize: Sequelize; line: Line }): Promise<void> {
  const { stack, sequelize, line } = options;
  // The machine is shared: its load next to each part says how far the figures are the code's own.
  const load = () => line('  machine', `${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min)`);
  process.stdout.write('\nMandats (issue 9)\n');
  load();
  const seed = await seedForBench(sequelize, {
    structures: fromEnv('BENCH_MANDAT_STRUCTURES', FULL_SCALE.structures),
    mandatsPerStructure: fromEnv('BENCH_MANDATS_PER_STRUCTURE', FULL_SCALE.mandatsPerStructure),
  }, line);
  load();
  await benchMandatReads({ sequelize, databaseUrl: stack.databaseUrl, seed, line });
  load();
  await benchMandatWorkflows({
    sequelize, stack, seed, line, count: fromEnv('BENCH_MANDAT_WORKFLOWS', 10_000), reminders: fromEnv('BENCH_MANDAT_REMINDERS', 10_000),
  });
}
