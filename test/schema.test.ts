// The database enforces the domain's invariants itself (real PostgreSQL, migrated by the global setup).
import { QueryTypes, type Sequelize } from 'sequelize';
import { Card, HabilitationRequest, JournalEntry, Organisation, Usager } from '../db/models/index.js';
import { createMigrator, migrate } from '../db/migrate.js';
import { createSecretBox } from '../services/secret-box.js';
import { appendJournal, journalSeals, sealJournal, verifyJournalChain } from '../services/journal.js';
import { createStaffMember, createSubmittedRequest, testSecrets } from './support/factories.js';
import { testSequelize, unique } from './support/env.js';
import { withScratchDatabase } from './support/scratch-database.js';

let sequelize: Sequelize;
beforeAll(() => { sequelize = testSequelize(); });
afterAll(() => sequelize.close());

const organisation = () => Organisation.create({
  name: 'CCAS de test', type: 'ccas', typeOther: null, siret: '26170021400016', address: '1 place', zipcode: '17460', city: 'Préguillac',
  departmentCode: '17', franceServicesLabel: false, franceServicesNumber: null, habilitationNumber: null,
});

describe('schema', () => {
  it('has applied every migration, and applying again changes nothing', async () => {
    expect(await migrate(sequelize)).toEqual([]);
  });

  describe('journal', () => {
    it('is append-only: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
      await appendJournal({ action: 'admin_login', details: { test: unique() } });
      await expect(sequelize.query("UPDATE journal SET action = 'connect_aidant'")).rejects.toThrow(/append-only/);
      await expect(sequelize.query('DELETE FROM journal')).rejects.toThrow(/append-only/);
      // TRUNCATE: refused by the seals' foreign key, and with CASCADE by the triggers (the journal's and its seals').
      await expect(sequelize.query('TRUNCATE journal')).rejects.toThrow(/append-only|referenced in a foreign key/);
      await expect(sequelize.query('TRUNCATE journal CASCADE')).rejects.toThrow(/append-only/);
    });

    it('chains each entry to the previous one once sealed, and verifies the chain', async () => {
      const marker = unique();
      await appendJournal({ action: 'admin_login', details: { marker, n: 1 } });
      await appendJournal({ action: 'admin_login', details: { marker, n: 2 } });
      const [first, second] = await JournalEntry.findAll({ where: { details: { marker } }, order: [['id', 'ASC']] });
      expect(await sealJournal(sequelize, { wait: true })).toBeGreaterThanOrEqual(2);
      const seals = await journalSeals(sequelize, [String(first.id), String(second.id)]);
      const [a, b] = [seals.get(String(first.id))!, seals.get(String(second.id))!];
      expect(Number(b.position)).toBeGreaterThan(Number(a.position));
      expect(b.hash).toMatch(/^[0-9a-f]{64}$/);
      // Linked to the seal just before it (another test file's entry may sit between the two).
      const [before] = await sequelize.query<{ hash: string }>('SELECT hash FROM journal_seals WHERE position = $1', { type: QueryTypes.SELECT, bind: [Number(b.position) - 1] });
      expect(b.previousHash).toBe(before.hash);
      expect(await verifyJournalChain()).toEqual({ checked: expect.any(Number), brokenAt: null });
    });

    it('detects an entry whose content no longer matches its hash', async () => {
      await appendJournal({ action: 'admin_login', details: { n: 3 } });
      await sealJournal(sequelize, { wait: true });
      const [row] = await JournalEntry.findAll({ order: [['id', 'DESC']], limit: 1 });
      // Tampering needs the trigger disabled, which only a superuser can do: this is what the chain is for.
      const transaction = await sequelize.transaction();
      try {
        // The sealer's lock first, as every sealer takes it before reading the journal: no deadlock with a sealer
        // of another test file.
        await sequelize.query("SELECT pg_advisory_xact_lock(hashtext('journal_seal'))", { transaction });
        await sequelize.query('ALTER TABLE journal DISABLE TRIGGER journal_append_only', { transaction });
        await sequelize.query(`UPDATE journal SET details = '{"n": 4}' WHERE id = ${row.id}`, { transaction });
        expect(await verifyJournalChain(transaction)).toMatchObject({ brokenAt: String(row.id) });
      } finally {
        await transaction.rollback();
      }
      expect(await verifyJournalChain()).toMatchObject({ brokenAt: null });
    });

    it('writes an entry once per idempotency key', async () => {
      const key = unique('journal-');
      await appendJournal({ action: 'admin_login', idempotencyKey: key });
      await appendJournal({ action: 'admin_login', idempotencyKey: key });
      expect(await JournalEntry.count({ where: { idempotencyKey: key } })).toBe(1);
    });
  });

  it('refuses two cards with the same serial number', async () => {
    const serial = unique('GADT').toUpperCase();
    await Card.create({ serialNumber: serial, sealedSeed: testSecrets.seal('a'.repeat(40)), aidantId: null, linkedAt: null, validatedAt: null, lastUsedStep: null });
    await expect(Card.create({ serialNumber: serial, sealedSeed: testSecrets.seal('b'.repeat(40)), aidantId: null, linkedAt: null, validatedAt: null, lastUsedStep: null }))
      .rejects.toThrow(/unique|Validation error/i);
  });

  describe('secrets at rest', () => {
    it('stores card seeds and authenticator secrets sealed, and refuses them in clear', async () => {
      const person = await createStaffMember('anct_staff');
      const [{ stored }] = await sequelize.query<{ stored: string }>(`SELECT sealed_admin_totp_secret AS stored FROM users WHERE id = '${person.id}'`, { type: QueryTypes.SELECT });
      expect(stored).toMatch(/^v1\./);
      expect(stored).not.toContain(person.totp);
      expect(testSecrets.open(stored)).toBe(person.totp);
      await expect(sequelize.query(`UPDATE users SET sealed_admin_totp_secret = '${person.totp}' WHERE id = '${person.id}'`)).rejects.toThrow(/users_sealed_admin_totp_secret/);
      await expect(sequelize.query(`INSERT INTO cards (serial_number, sealed_seed) VALUES ('${unique('GADT').toUpperCase()}', '${'a'.repeat(40)}')`)).rejects.toThrow(/cards_sealed_seed/);
    });

    it('detects a tampered sealed value and a wrong key', () => {
      const sealed = testSecrets.seal('JBSWY3DPEHPK3PXP');
      expect(sealed).not.toBe(testSecrets.seal('JBSWY3DPEHPK3PXP')); // a fresh IV each time
      const [version, iv, tag, data] = sealed.split('.');
      const flipped = Buffer.from(data, 'base64url');
      flipped[0] ^= 1;
      expect(() => testSecrets.open([version, iv, tag, flipped.toString('base64url')].join('.'))).toThrow(/another SECRETS_KEY/);
      expect(() => createSecretBox(Buffer.alloc(32, 7)).open(sealed)).toThrow(/another SECRETS_KEY/);
      expect(() => testSecrets.open('JBSWY3DPEHPK3PXP')).toThrow(/not a sealed secret/);
    });

    it('migration 0005 seals the secrets of an existing database, and its down migration restores them', async () => {
      await withScratchDatabase(sequelize, async (scratch) => {
        const migrator = createMigrator(scratch);
        await migrator.up({ to: '0004-housekeeping' });
        await scratch.query(`INSERT INTO cards (serial_number, seed_hex) VALUES ('GADT0000042', '${'ab'.repeat(20)}')`);
        await migrator.up({ to: '0005-sealed-secrets' });
        const [{ seed }] = await scratch.query<{ seed: string }>(`SELECT sealed_seed AS seed FROM cards`, { type: QueryTypes.SELECT });
        expect(testSecrets.open(seed)).toBe('ab'.repeat(20));
        await migrator.down({ to: '0005-sealed-secrets' });
        expect(await scratch.query(`SELECT seed_hex FROM cards`, { type: QueryTypes.SELECT })).toEqual([{ seed_hex: 'ab'.repeat(20) }]);
      });
    });
  });

  it('keeps only short-lived state unlogged (no wait for the WAL flush), and every record that must survive a crash logged', async () => {
    const rows = await sequelize.query<{ relname: string }>(
      "SELECT relname FROM pg_class WHERE relkind = 'r' AND relpersistence = 'u' AND relnamespace = 'public'::regnamespace ORDER BY relname", { type: QueryTypes.SELECT });
    expect(rows.map((r) => r.relname)).toEqual(['idp_connections', 'rate_limit_hits']);
    // What userinfo must not lose — the use journaled, the usager's notification — is written to logged tables.
    const logged = await sequelize.query<{ relname: string; relpersistence: string }>(
      "SELECT relname, relpersistence FROM pg_class WHERE relname IN ('journal', 'usager_notifications', 'http_sessions', 'mandats', 'autorisations') AND relnamespace = 'public'::regnamespace", { type: QueryTypes.SELECT });
    expect(logged).toHaveLength(5);
    expect(logged.every((r) => r.relpersistence === 'p')).toBe(true);
  });

  it('refuses two usagers with the same FranceConnect sub', async () => {
    const sub = unique('sub-');
    const usager = { sub, givenName: 'Marie', familyName: 'Curie', preferredUsername: null, gender: 'female' as const, birthdate: '1967-11-07', birthplace: '75056', email: null, phone: null, anonymisedAt: null };
    await Usager.create(usager);
    await expect(Usager.create(usager)).rejects.toThrow(/unique|Validation error/i);
  });

  it('allows one active onboarding per aidant and structure', async () => {
    const org = await organisation();
    const email = `${unique('aidant-')}@exemple.fr`;
    const onboarding = { organisationId: org.id, email, firstName: 'A', lastName: 'B', trainingDeadline: new Date(Date.now() + 86_400_000) };
    await sequelize.models.AidantOnboarding.create(onboarding);
    await expect(sequelize.models.AidantOnboarding.create(onboarding)).rejects.toThrow(/unique|Validation error/i);
    await sequelize.query(`UPDATE aidant_onboardings SET status = 'cancelled', cancelled_at = now() WHERE email = '${email}'`);
    await expect(sequelize.models.AidantOnboarding.create(onboarding)).resolves.toBeDefined();
  });

  it('checks state rules: a submitted request is complete, a sent shipment has a tracking number', async () => {
    const request = await createSubmittedRequest(sequelize);
    await expect(sequelize.query(`UPDATE habilitation_requests SET status = 'awaiting_comite', pledge_dpo = false WHERE id = '${request.id}'`))
      .rejects.toThrow(/request_submitted_is_complete/);
    await expect(sequelize.query(`UPDATE habilitation_requests SET status = 'validated', submitted_at = now() WHERE id = '${request.id}'`))
      .rejects.toThrow(/request_validated_has_structure/);
    expect((await HabilitationRequest.findByPk(request.id))!.status).toBe('draft');
    // A draft being filled in may lack its référent; once submitted (even before its workflow starts) it may not.
    await sequelize.query(`UPDATE habilitation_requests SET submitted_at = NULL, referent_phone = NULL WHERE id = '${request.id}'`);
    await expect(sequelize.query(`UPDATE habilitation_requests SET submitted_at = now() WHERE id = '${request.id}'`))
      .rejects.toThrow(/request_submitted_is_complete/);
    await expect(sequelize.query(`INSERT INTO card_shipments (onboarding_id, organisation_id, status) VALUES (gen_random_uuid(), gen_random_uuid(), 'sent')`))
      .rejects.toThrow(/shipment_sent_has_tracking|foreign key/);
  });

  it('refuses a structure with démarches outside the ten known ones', async () => {
    const org = await organisation();
    await expect(sequelize.query(`UPDATE organisations SET allowed_demarches = ARRAY['papiers','casino'] WHERE id = '${org.id}'`)).rejects.toThrow(/check/i);
    await expect(sequelize.query(`UPDATE organisations SET allowed_demarches = '{}' WHERE id = '${org.id}'`)).rejects.toThrow(/check/i);
  });
});

describe('journal under concurrent writers', () => {
  it('keeps one unbroken chain', async () => {
    // 200 writers over the file's pool of 5 connections: transactions interleave and commit out of order.
    await Promise.all(Array.from({ length: 200 }, (_, i) => appendJournal({ action: 'admin_login', details: { concurrent: i } })));
    expect(await verifyJournalChain()).toMatchObject({ brokenAt: null });
  });
});
