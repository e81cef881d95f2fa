// What the soak (bench/soak.ts) watches: each process's memory and open files, PostgreSQL's connections.
import { readdirSync, readFileSync } from 'node:fs';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Topology } from './soak-topology.js';

export interface Sample { at: number; processes: Map<string, { rssKb: number; fds: number }>; connections: Record<string, number> }

export async function connectionsByDatabase(sequelize: Sequelize): Promise<Record<string, number>> {
  const rows = await sequelize.query<{ datname: string; count: string }>('SELECT datname, count(*) FROM pg_stat_activity WHERE datname IS NOT NULL GROUP BY datname', { type: QueryTypes.SELECT });
  return Object.fromEntries(rows.map((r) => [r.datname, Number(r.count)]));
}

/** Every 30 s: each process's resident memory and open files, and PostgreSQL's connections per database. */
export function startMonitor(cluster: Topology, sequelize: Sequelize) {
  const samples: Sample[] = [];
  const sample = async () => {
    const processes = new Map<string, { rssKb: number; fds: number }>();
    for (const [part, pid] of cluster.processes()) {
      try {
        const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
        processes.set(`${part} (${pid})`, { rssKb, fds: readdirSync(`/proc/${pid}/fd`).length });
      } catch { /* it just ended: the next sample says */ }
    }
    samples.push({ at: Date.now(), processes, connections: await connectionsByDatabase(sequelize) });
  };
  void sample();
  const timer = setInterval(() => void sample(), 30_000);
  return {
    async stop() {
      clearInterval(timer);
      await sample();
      return samples;
    },
  };
}

/**
 * Memory and open files a minute into the soak (warm), at its middle and at its end: caches (Temporal's history
 * cache, the workers' workflow cache, V8's heap) fill during the first half; what still grows by more than a
 * quarter in the second half, or open files by more than 20, is reported as growing. PostgreSQL's connections:
 * the pools open them on demand up to their bound and close them after 10 idle seconds, so what counts is how
 * many are left 15 s after the load stopped, against the count before it began. True when something grew.
 */
export function reportGrowth(samples: Sample[], quiet: Record<string, number>, say: (line: string) => void): boolean {
  const first = samples[0]!;
  const warm = samples.find((s) => s.at - first.at >= 60_000) ?? first;
  const last = samples.at(-1)!;
  const middle = samples.find((s) => s.at >= (warm.at + last.at) / 2) ?? last;
  const mb = (kb: number | undefined) => (kb === undefined ? '–' : String(Math.round(kb / 1024)));
  let grew = false;
  say(`Resources at ${Math.round((warm.at - first.at) / 1000)} s, ${Math.round((middle.at - first.at) / 1000)} s and ${Math.round((last.at - first.at) / 1000)} s into the soak (${samples.length} samples, every 30 s):`);
  for (const [name, end] of last.processes) {
    const start = warm.processes.get(name);
    const mid = middle.processes.get(name);
    if (!start || !mid) {
      say(`  ${name.padEnd(30)} started during the soak (a restart): ${mb(end.rssKb)} MB, ${end.fds} open files  ← RESTARTED`);
      grew = true;
      continue;
    }
    const growing = end.rssKb > mid.rssKb * 1.25 || end.fds > mid.fds + 20;
    if (growing) grew = true;
    say(`  ${name.padEnd(30)} memory ${mb(start.rssKb)} → ${mb(mid.rssKb)} → ${mb(end.rssKb)} MB   open files ${start.fds} → ${mid.fds} → ${end.fds}${growing ? '  ← GREW' : ''}`);
  }
  for (const database of new Set([...Object.keys(first.connections), ...Object.keys(last.connections)])) {
    const peak = Math.max(...samples.map((s) => s.connections[database] ?? 0));
    const growing = (quiet[database] ?? 0) > (first.connections[database] ?? 0) + 2;
    if (growing) grew = true;
    say(`  PostgreSQL connections to ${database.padEnd(20)} before ${first.connections[database] ?? 0}, peak ${peak}, 15 s after the load ${quiet[database] ?? 0}${growing ? '  ← GREW' : ''}`);
  }
  return grew;
}
