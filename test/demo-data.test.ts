// Demo data (a public password, TOTP secrets in the source) can never be seeded in production.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { PROJECT_ROOT } from '../config/index.js';
import pg from 'pg';
import { dropDatabase, ensureDatabase } from '../infra/embedded-postgres.js';
import { createSecretBox } from '../services/secret-box.js';
import { DemoDataRefusedError, seedDemoData } from '../services/demo-data.js';
import { testEnv, testSequelize, unique } from './support/env.js';

let sequelize: Sequelize;
beforeAll(() => { sequelize = testSequelize(); });
afterAll(async () => { await sequelize.close(); });

function runSeed(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/seed.ts'], { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('demo data', () => {
  it('`npm run seed` refuses NODE_ENV=production with a clear message and creates nothing', async () => {
    // An empty database of its own: the test database is shared with files that seed the demo data.
    const admin = Object.assign(new URL(testEnv.databaseUrl), { pathname: '/postgres' }).toString();
    const database = unique('ac_seed_');
    await ensureDatabase(admin, database);
    const databaseUrl = Object.assign(new URL(testEnv.databaseUrl), { pathname: `/${database}` }).toString();
    const { code, output } = await runSeed({
      NODE_ENV: 'production', DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: testEnv.temporalAddress, SMTP_URL: testEnv.smtpUrl,
      SESSION_SECRET: 'x'.repeat(40), SECRETS_KEY: 'c'.repeat(64),
    });
    expect(code).toBe(1);
    expect(output).toContain('Demo data cannot be created when NODE_ENV=production');
    expect(output).not.toMatch(/\bat .+\.(ts|js):\d+/);
    const probe = new pg.Client({ connectionString: databaseUrl });
    await probe.connect();
    try {
      const { rowCount } = await probe.query("SELECT 1 FROM pg_tables WHERE tablename = 'users'");
      expect(rowCount).toBe(0);
    } finally {
      await probe.end();
      await dropDatabase(admin, database);
    }
  });

  it('is refused by seedDemoData itself whoever calls it in production', async () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await expect(seedDemoData(sequelize, createSecretBox(testEnv.secretsKey))).rejects.toBeInstanceOf(DemoDataRefusedError);
    } finally {
      process.env.NODE_ENV = previous;
    }
  });

  it('is not offered by the production-like docker-compose stack', () => {
    const compose = readFileSync(path.join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8');
    expect(compose).not.toMatch(/SEED_DEMO_DATA|scripts\/seed\.ts/);
  });
});
