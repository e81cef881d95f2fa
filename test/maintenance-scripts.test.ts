// `npm run journal:verify` and `npm run retention:preview` against the service's database: DATABASE_URL, or, in
// development without it, the embedded PostgreSQL of `npm start` (scripts/service-database.ts, shared with
// `npm run staff:add`).
import { loadConfig } from '../config/index.js';
import { serviceDatabaseUrl } from '../scripts/service-database.js';
import { testEnv } from './support/env.js';
import { runScript } from './support/run-script.js';

const run = (script: string) => runScript(script, [], { ...process.env, NODE_ENV: 'test', DATABASE_URL: testEnv.databaseUrl, LOG_LEVEL: 'warn' });

describe('the maintenance scripts', () => {
  it('use DATABASE_URL, and in development without it the embedded PostgreSQL of npm start', () => {
    expect(serviceDatabaseUrl(loadConfig({ DATABASE_URL: 'postgres://ac:secret@db.example:5432/ac' }))).toBe('postgres://ac:secret@db.example:5432/ac');
    expect(serviceDatabaseUrl(loadConfig({ EMBEDDED_PG_PORT: '55432' }))).toMatch(/^postgres:\/\/[^@]+@127\.0\.0\.1:55432\/aidants_connect$/);
  });

  it('journal:verify says in French that the chain is intact, and exits 0', async () => {
    const { code, stdout, stderr } = await run('scripts/verify-journal.ts');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    // \s: French thousands are separated by a narrow no-break space (54 571).
    expect(stdout).toMatch(/^Chaîne d’empreintes intacte : \d[\d\s]* entrées? vérifiées?, aucune n’a été modifiée ni supprimée\.\n$/);
  });

  it('retention:preview lists in French what the retention would delete, deleting nothing', async () => {
    const { code, stdout, stderr } = await run('scripts/retention-preview.ts');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n').filter(Boolean).every((line) => / : \d+/.test(line))).toBe(true);
    expect(stdout.split('\n').filter(Boolean).length).toBeGreaterThan(3);
  });
});
