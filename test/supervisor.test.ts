// What `npm start` does when the embedded PostgreSQL dies: it notices, says so, restarts it on the same data,
// a bounded number of times, then gives up. On a real embedded cluster in a temporary folder.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../infra/embedded-postgres.js';
import { freePort } from '../infra/throwaway-stack.js';
import { supervise, type SupervisedService } from '../infra/supervisor.js';
import { waitFor } from './support/wait.js';

let dataDir: string;
let service: SupervisedService | undefined;
afterAll(async () => {
  await service?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function count(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return Number((await client.query('SELECT count(*) AS n FROM kept')).rows[0].n);
  } finally {
    await client.end();
  }
}

describe('the supervision of the embedded PostgreSQL', () => {
  it('restarts a PostgreSQL that died, on the same data, says so, and gives up after too many deaths', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'ac-supervised-pg-'));
    const port = await freePort();
    const lines: string[] = [];
    const giveUps: string[] = [];
    let current: EmbeddedDatabase | undefined;
    service = await supervise({
      name: 'PostgreSQL',
      start: async () => (current = await startEmbeddedPostgres({ dataDir, port, database: 'supervised', persistent: true })),
      say: (line) => lines.push(line),
      onGiveUp: (reason) => giveUps.push(reason),
      maxRestarts: 1,
      retryDelayMs: 200,
    });
    const url = current!.url;
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    await setup.query('CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)');
    await setup.end();

    const firstPid = current!.pid;
    process.kill(firstPid, 'SIGKILL');
    await waitFor('PostgreSQL to be restarted', async () => lines.some((l) => l === 'PostgreSQL is running again.'));
    expect(lines[0]).toBe('PostgreSQL stopped unexpectedly (signal SIGKILL); restarting it (attempt 1 of 1)…');
    expect(current!.pid).not.toBe(firstPid);
    expect(await count(url)).toBe(1);
    expect(giveUps).toEqual([]);

    process.kill(current!.pid, 'SIGKILL');
    await waitFor('the supervisor to give up', async () => giveUps.length > 0);
    expect(giveUps[0]).toMatch(/^PostgreSQL stopped unexpectedly 2 times within 10 minutes \(last: signal SIGKILL\)/);
  });
});
