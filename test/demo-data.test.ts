// Demo data (a public password, TOTP secrets in the source) can never be seeded in production; the demo aidants
// and référents log in at once with the codes of /dev/codes.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { PROJECT_ROOT } from '../config/index.js';
import pg from 'pg';
import request from 'supertest';
import { Op } from 'sequelize';
import type { Client } from '@temporalio/client';
import { Autorisation, EmailOutbox, Mandat, Organisation, TrainingSession, Usager } from '../db/models/index.js';
import { attestationHash } from '../domain/attestation.js';
import { createLogger } from '../infra/logger.js';
import { createApp } from '../server/app.js';
import { createLifecycles } from '../services/lifecycles.js';
import { connectClient } from './support/temporal.js';
import { dropDatabase, ensureDatabase } from '../infra/embedded-postgres.js';
import { createSecretBox } from '../services/secret-box.js';
import { DEMO_APP, DemoDataRefusedError, seedDemoData } from '../services/demo-data.js';
import { testConfig, testEnv, testSequelize, unique } from './support/env.js';

let sequelize: Sequelize;
let temporal: Client;
beforeAll(async () => { sequelize = testSequelize(); temporal = await connectClient(); });
afterAll(async () => { await temporal.connection.close(); await sequelize.close(); });

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
      FRANCECONNECT_ISSUER: 'https://fcp-low.integ01.dev-franceconnect.fr/api/v2', FRANCECONNECT_CLIENT_ID: 'ac', FRANCECONNECT_CLIENT_SECRET: 'f'.repeat(64),
      IDP_FC_CLIENT_ID: 'fc', IDP_FC_CLIENT_SECRET: 'e'.repeat(64),
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

  it('lets each demo aidant and référent log in at once with the code shown on /dev/codes', async () => {
    await seedDemoData(sequelize, createSecretBox(testEnv.secretsKey)); // or already seeded by another test file
    // No worker on this task queue: the link is read from the outbox, where the e-mail is stored.
    const app = createApp({
      config: testConfig(), sequelize, temporal, log: createLogger('test', 'error'),
      lifecycles: createLifecycles(temporal, { taskQueue: unique('tq-'), habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } }),
    });
    const codes = (await request(app).get('/dev/codes')).text;
    const people = [
      ['karim.benali@ccas-preguillac.demo', '/espace-aidant'],
      ['sophie.durand@ccas-preguillac.demo', '/espace-aidant'],
      ['julien.lefort@fs-saintes.demo', '/espace-aidant'],
      [DEMO_APP.email, '/espace-referent'], // the référente, with her application
    ];
    const pages = new Map<string, string>();
    for (const [email, landing] of people) {
      const code = new RegExp(`\\(${email.replace(/\./g, '\\.')}\\)</td>\\s*<td>validée</td>\\s*<td><strong>(\\d{6})</strong>`).exec(codes)?.[1];
      expect(code).toBeDefined();
      const agent = request.agent(app);
      const form = await agent.get('/connexion');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
      expect((await agent.post('/connexion').type('form').send({ email, otp: code, _csrf: csrf })).headers.location).toBe('/connexion/email-envoye');
      const row = await EmailOutbox.findOne({ where: { template: 'login_link', recipients: { [Op.contains]: [email] } }, order: [['createdAt', 'DESC']] });
      const path = /(\/connexion\/lien\/[A-Za-z0-9_-]{43})/.exec(row!.textBody)![1];
      const linkPage = await agent.get(path);
      const used = await agent.post(path).type('form').send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(linkPage.text)![1] });
      expect(used.headers.location).toBe(landing);
      pages.set(email, (await agent.get('/espace-aidant')).text);
      if (email === DEMO_APP.email) pages.set('espace-referent', (await agent.get('/espace-referent')).text);
    }
    // Sophie works for both structures; Julien is the référent of the second one.
    expect(pages.get('sophie.durand@ccas-preguillac.demo')).toContain('Passer sur France Services de Saintes');
    expect(pages.get('julien.lefort@fs-saintes.demo')).toContain('Accéder à l’espace référent de France Services de Saintes');
    // The training path: an aidant to train awaiting the ANCT, and sessions to register her to once eligible.
    expect(pages.get('espace-referent')).toMatch(/Inès Morel[\s\S]*En attente de la décision d’éligibilité de l’ANCT/);
    expect(await TrainingSession.count({ where: { isOpen: true, startsAt: { [Op.gt]: new Date() }, location: { [Op.like]: '%Saintes%' } } })).toBeGreaterThanOrEqual(1);
  });

  it('holds mandats of each state whose attestation hash is their own', async () => {
    await seedDemoData(sequelize, createSecretBox(testEnv.secretsKey)); // or already seeded by another test file
    const structure = (await Organisation.findOne({ where: { habilitationNumber: 'AC-17-DEMO0001' } }))!;
    const mandats = await Mandat.findAll({ where: { organisationId: structure.id }, include: [{ model: Autorisation, as: 'autorisations' }, { model: Usager, as: 'usager' }] }) as
      (Mandat & { autorisations: Autorisation[]; usager: Usager })[];
    const now = Date.now();
    expect(new Set(mandats.map((m) => m.status))).toEqual(new Set(['active', 'expired', 'revoked']));
    expect(mandats.some((m) => m.status === 'active' && m.expiresAt.getTime() - now < 8 * 86_400_000 && m.duration === 'SEMESTER')).toBe(true);
    for (const m of mandats) {
      expect(m.attestationHash).toBe(attestationHash({
        mandatId: m.id, organisationId: m.organisationId, aidantId: m.createdById, usagerSub: m.usager.sub, demarches: m.autorisations.map((a) => a.demarche),
        duration: m.duration, createdAt: m.createdAt, expiresAt: m.expiresAt, textVersion: m.textVersion,
      }));
    }
  });
});
