// The mandat rules (pure) and their database side: durations in Paris calendar days (also across both
// daylight-saving changes), the active rule, supersession, the renewal window, the choice of démarches, the
// attestation hash; the creation in one transaction with its journal; the authorisation check, condition by
// condition.
import type { Sequelize } from 'sequelize';
import { Autorisation, JournalEntry, Mandat, Organisation, OrganisationMembership, User } from '../db/models/index.js';
import { attestationHash } from '../domain/attestation.js';
import { frenchDateTime } from '../domain/duration.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import {
  addParisDays, ARGENT_WARNING, attestationContent, expiresSoon, isMandatActive, MANDAT_CHOICE_ERRORS, MANDAT_DURATION_KEYS, MANDAT_TEXT_VERSION,
  mandatExpiry, mandatState, needsArgentWarning, parseMandatChoice, RENEWAL_REFUSALS, renewalDecision, supersededAutorisations,
  type AttestationFacts, type ExistingMandat,
} from '../domain/mandat.js';
import { findActingAutorisation, mayActFor } from '../services/autorisations.js';
import { createMandat } from '../services/mandats.js';
import { createPerson, createStructure } from './support/espace.js';
import { testSequelize } from './support/env.js';
import { createUsager, DAY, mandatOf, revokeAutorisations, signMandat } from './support/mandats.js';

const t = (iso: string) => new Date(iso);
const hours = (from: Date, to: Date) => (to.getTime() - from.getTime()) / 3_600_000;

describe('mandat durations: calendar days in Europe/Paris', () => {
  it('gives each duration its days from a winter day', () => {
    const signed = t('2027-01-10T09:00:00Z'); // 10 h in Paris
    expect(Object.fromEntries(MANDAT_DURATION_KEYS.map((d) => [d, mandatExpiry(signed, d).toISOString()]))).toEqual({
      SHORT: '2027-01-11T09:00:00.000Z',
      MONTH: '2027-02-10T09:00:00.000Z',
      // 182 days later it is summer time: still 10 h in Paris, so 8 h UTC (N × 24 h would print 11 h).
      SEMESTER: '2027-07-11T08:00:00.000Z',
      LONG: '2028-01-10T09:00:00.000Z',
    });
  });

  it('keeps the hour across the spring change (a 23-hour day) and the autumn change (a 25-hour day)', () => {
    const spring = t('2027-03-27T09:00:00Z'); // Saturday 10 h CET; the clocks go forward on Sunday 28 March
    const springEnd = mandatExpiry(spring, 'SHORT');
    expect(springEnd.toISOString()).toBe('2027-03-28T08:00:00.000Z');
    expect(hours(spring, springEnd)).toBe(23);
    expect(frenchDateTime(springEnd)).toBe('28/03/2027 à 10:00');
    const autumn = t('2027-10-30T08:00:00Z'); // Saturday 10 h CEST; the clocks go back on Sunday 31 October
    const autumnEnd = mandatExpiry(autumn, 'SHORT');
    expect(autumnEnd.toISOString()).toBe('2027-10-31T09:00:00.000Z');
    expect(hours(autumn, autumnEnd)).toBe(25);
    expect(frenchDateTime(autumnEnd)).toBe('31/10/2027 à 10:00');
    expect(mandatExpiry(t('2027-03-10T09:00:00Z'), 'MONTH').toISOString()).toBe('2027-04-10T08:00:00.000Z');
    expect(mandatExpiry(t('2027-10-20T08:00:00Z'), 'MONTH').toISOString()).toBe('2027-11-20T09:00:00.000Z');
  });

  it('moves a time that does not exist to after the gap, and takes the first of a time that occurs twice', () => {
    // 02:30 on 28 March 2027 does not exist in Paris: 03:30 CEST.
    expect(mandatExpiry(t('2027-03-27T01:30:00Z'), 'SHORT').toISOString()).toBe('2027-03-28T01:30:00.000Z');
    // 02:30 on 31 October 2027 happens twice: the first one (CEST).
    expect(mandatExpiry(t('2027-10-30T00:30:00Z'), 'SHORT').toISOString()).toBe('2027-10-31T00:30:00.000Z');
    expect(addParisDays(t('2027-10-31T01:30:00Z'), -1).toISOString()).toBe('2027-10-30T00:30:00.000Z');
  });
});

describe('mandat states (pure)', () => {
  const now = t('2027-06-01T10:00:00Z');
  const mandat = (overrides: Partial<ExistingMandat> = {}): ExistingMandat => ({
    id: 'm1', organisationId: 'A', usagerId: 'U', expiresAt: addParisDays(now, 100), revokedAt: null, status: 'active',
    autorisations: [{ id: 'a1', demarche: 'social', revokedAt: null }, { id: 'a2', demarche: 'papiers', revokedAt: null }], ...overrides,
  });

  it('stays active while one of its autorisations is; revoked when none is; expired at its date', () => {
    expect(isMandatActive(mandat(), now)).toBe(true);
    const oneRevoked = mandat({ autorisations: [{ id: 'a1', demarche: 'social', revokedAt: now }, { id: 'a2', demarche: 'papiers', revokedAt: null }] });
    expect(isMandatActive(oneRevoked, now)).toBe(true);
    const bothRevoked = mandat({ autorisations: [{ id: 'a1', demarche: 'social', revokedAt: now }, { id: 'a2', demarche: 'papiers', revokedAt: now }] });
    expect(mandatState(bothRevoked, now)).toBe('revoked');
    expect(mandatState(mandat({ expiresAt: now }), now)).toBe('expired');
    expect(mandatState(mandat({ expiresAt: new Date(now.getTime() + 1) }), now)).toBe('active');
    expect(mandatState(mandat({ status: 'superseded' }), now)).toBe('revoked');
    expect(mandatState(mandat({ revokedAt: now, status: 'revoked' }), now)).toBe('revoked');
    // Revoked, then past its date: still shown as revoked.
    expect(mandatState({ ...bothRevoked, expiresAt: addParisDays(now, -1) }, now)).toBe('revoked');
  });

  it('« expire bientôt » within 30 days, for an active mandat only', () => {
    expect(expiresSoon(mandat({ expiresAt: addParisDays(now, 30) }), now)).toBe(true);
    expect(expiresSoon(mandat({ expiresAt: new Date(addParisDays(now, 30).getTime() + 1000) }), now)).toBe(false);
    expect(expiresSoon(mandat({ expiresAt: addParisDays(now, 2), status: 'superseded' }), now)).toBe(false);
  });

  it('supersedes the same structure’s active autorisations for the same usager and démarches only', () => {
    const existing: ExistingMandat[] = [
      mandat({ id: 'same' }),
      mandat({ id: 'other-structure', organisationId: 'B' }),
      mandat({ id: 'other-usager', usagerId: 'V' }),
      mandat({ id: 'expired', expiresAt: addParisDays(now, -1) }),
      mandat({ id: 'revoked-one', autorisations: [{ id: 'r1', demarche: 'social', revokedAt: addParisDays(now, -3) }, { id: 'r2', demarche: 'logement', revokedAt: null }] }),
    ];
    expect(supersededAutorisations(existing, { organisationId: 'A', usagerId: 'U', demarches: ['social', 'logement'] }, now)).toEqual([
      { mandatId: 'same', autorisationId: 'a1', demarche: 'social' },
      { mandatId: 'revoked-one', autorisationId: 'r2', demarche: 'logement' },
    ]);
  });

  it('renews within a year of the expiry or the revocation, and refuses with the reference’s message after', () => {
    const expired = (daysAgo: number) => ({ ...mandat({ expiresAt: addParisDays(now, -daysAgo) }), createdAt: addParisDays(now, -daysAgo - 31) });
    const revoked = (daysAgo: number) => ({
      ...mandat({ autorisations: [{ id: 'a', demarche: 'social', revokedAt: addParisDays(now, -daysAgo) }], expiresAt: addParisDays(now, 300 - daysAgo) }),
      createdAt: addParisDays(now, -daysAgo - 65),
    });
    expect(renewalDecision([{ ...mandat(), createdAt: now }], now).renewable).toBe(true);
    expect(renewalDecision([expired(364)], now).renewable).toBe(true);
    expect(renewalDecision([revoked(364)], now).renewable).toBe(true);
    expect(renewalDecision([expired(366)], now)).toEqual({ renewable: false, message: 'Erreur : cet usager n’a aucun mandat renouvelable.' });
    expect(renewalDecision([revoked(366)], now)).toEqual({ renewable: false, message: RENEWAL_REFUSALS.notRenewable });
    expect(renewalDecision([], now).renewable).toBe(false);
    // The most recent renewable mandat is the one renewed.
    const recent = expired(10);
    const decision = renewalDecision([expired(200), recent], now);
    expect(decision.renewable && decision.from).toBe(recent);
  });

  it('offers only the structure’s démarches, asks for one and a duration, and warns about « argent »', () => {
    const allowed = ['social', 'papiers', 'argent'];
    expect(parseMandatChoice({ demarches: ['social', 'argent', 'social'], duration: 'MONTH' }, allowed)).toEqual({ value: { demarches: ['argent', 'social'], duration: 'MONTH' }, errors: {} });
    expect(parseMandatChoice({ demarches: 'papiers', duration: 'SHORT' }, allowed).value?.demarches).toEqual(['papiers']);
    expect(parseMandatChoice({}, allowed).errors).toEqual({ demarches: MANDAT_CHOICE_ERRORS.noDemarche, duration: 'Veuillez sélectionner la durée du mandat.' });
    expect(parseMandatChoice({ demarches: ['logement'], duration: 'LONG' }, allowed).errors).toEqual({ demarches: 'La démarche « Logement » n’est pas autorisée pour votre structure.' });
    expect(parseMandatChoice({ demarches: ['social', 'inconnue'], duration: 'LONG' }, allowed).errors.demarches).toBe(MANDAT_CHOICE_ERRORS.unknownDemarche);
    expect(parseMandatChoice({ demarches: ['social'], duration: 'EUS_03_20' }, allowed).errors.duration).toBe(MANDAT_CHOICE_ERRORS.noDuration);
    expect(needsArgentWarning(['argent'])).toBe(true);
    expect(needsArgentWarning(['social'])).toBe(false);
    expect(ARGENT_WARNING).toContain('La déclaration de surendettement doit être signée par le demandeur, sous peine d’irrecevabilité (art. R. 721-2 et R. 761-1 du code de la consommation)');
  });

  it('hashes the attestation stably, and any change to the mandat or the text version shows', () => {
    const facts: AttestationFacts = {
      mandatId: '6f1c1b36-3a51-4b0f-9d59-0f7f0c8a6c11', organisationId: '0b8b0a61-9f43-4a8e-8a8c-2f1b1d3c4e5f', aidantId: 'a4c9e2f0-1b2c-4d3e-8f9a-0b1c2d3e4f50',
      usagerSub: 'f'.repeat(64), demarches: ['social', 'papiers'], duration: 'LONG', createdAt: t('2027-01-10T09:00:00Z'),
      expiresAt: t('2028-01-10T09:00:00Z'), textVersion: MANDAT_TEXT_VERSION,
    };
    const hash = attestationHash(facts);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(attestationHash({ ...facts, demarches: ['papiers', 'social'] })).toBe(hash);
    expect(attestationHash({ ...facts, createdAt: new Date(facts.createdAt.getTime()), expiresAt: new Date(facts.expiresAt.getTime()) })).toBe(hash);
    const changes: Partial<AttestationFacts>[] = [
      { mandatId: '6f1c1b36-3a51-4b0f-9d59-0f7f0c8a6c12' }, { organisationId: '0b8b0a61-9f43-4a8e-8a8c-2f1b1d3c4e50' },
      { aidantId: 'a4c9e2f0-1b2c-4d3e-8f9a-0b1c2d3e4f51' }, { usagerSub: 'e'.repeat(64) }, { demarches: ['social'] },
      { demarches: ['social', 'papiers', 'argent'] }, { duration: 'SEMESTER' }, { createdAt: t('2027-01-10T09:00:01Z') },
      { expiresAt: t('2028-01-10T09:00:01Z') }, { textVersion: '2027-01-01' },
    ];
    const hashes = changes.map((change) => attestationHash({ ...facts, ...change }));
    expect(new Set([hash, ...hashes]).size).toBe(changes.length + 1);
    // Pinned: a change to the serialisation would silently invalidate every attestation already printed.
    expect(attestationContent(facts)).toBe(
      '{"aidantId":"a4c9e2f0-1b2c-4d3e-8f9a-0b1c2d3e4f50","createdAt":"2027-01-10T09:00:00.000Z","demarches":["papiers","social"],"duration":"LONG",'
      + '"expiresAt":"2028-01-10T09:00:00.000Z","mandatId":"6f1c1b36-3a51-4b0f-9d59-0f7f0c8a6c11","organisationId":"0b8b0a61-9f43-4a8e-8a8c-2f1b1d3c4e5f",'
      + `"textVersion":"${MANDAT_TEXT_VERSION}","usagerSub":"${'f'.repeat(64)}"}`);
  });
});

let sequelize: Sequelize;
beforeAll(() => { sequelize = testSequelize(); });
afterAll(() => sequelize.close());

const journalOf = (usagerId: string) => JournalEntry.findAll({ where: { usagerId }, order: [['id', 'ASC']] });

describe('creating a mandat (one transaction)', () => {
  it('creates the mandat, one autorisation per démarche, and journals the attestation and each autorisation', async () => {
    const structure = await createStructure();
    const { user: aidant } = await createPerson(structure);
    const usager = await createUsager();
    const created = await createMandat(sequelize, {
      aidant, organisation: structure, usagerId: usager.id, demarches: ['social', 'argent'], duration: 'SEMESTER', textVersion: MANDAT_TEXT_VERSION,
    });
    const mandat = await mandatOf(created.mandat.id);
    expect(mandat).toMatchObject({ organisationId: structure.id, usagerId: usager.id, createdById: aidant.id, duration: 'SEMESTER', status: 'active', textVersion: MANDAT_TEXT_VERSION });
    expect(mandat.expiresAt.toISOString()).toBe(mandatExpiry(mandat.createdAt, 'SEMESTER').toISOString());
    expect(mandat.autorisations.map((a) => a.demarche).sort()).toEqual(['argent', 'social']);
    // The stored hash is the hash of the stored content: anyone can recompute it.
    expect(mandat.attestationHash).toBe(attestationHash({
      mandatId: mandat.id, organisationId: structure.id, aidantId: aidant.id, usagerSub: usager.sub, demarches: ['argent', 'social'],
      duration: 'SEMESTER', createdAt: mandat.createdAt, expiresAt: mandat.expiresAt, textVersion: MANDAT_TEXT_VERSION,
    }));
    const journal = await journalOf(usager.id);
    expect(journal.map((e) => e.action)).toEqual(['create_attestation', 'create_autorisation', 'create_autorisation']);
    expect(journal[0]).toMatchObject({ actorId: aidant.id, organisationId: structure.id, mandatId: mandat.id, demarches: ['argent', 'social'], durationDays: 182 });
    expect(journal[0].details).toMatchObject({ attestationHash: mandat.attestationHash, textVersion: MANDAT_TEXT_VERSION });
    expect(journal.slice(1).map((e) => [e.autorisationId, e.demarches])).toEqual(
      [...mandat.autorisations].sort((a, b) => a.demarche.localeCompare(b.demarche)).map((a) => [a.id, [a.demarche]]));
  });

  it('supersedes the same structure’s active autorisations only: other structures, expired and revoked ones are untouched', async () => {
    const [a, b] = [await createStructure(), await createStructure()];
    const { user: aidantA } = await createPerson(a);
    const { user: aidantB } = await createPerson(b);
    const usager = await createUsager();
    const expired = await signMandat(sequelize, { aidant: aidantA, organisation: a, usager, demarches: ['social'], duration: 'MONTH', at: new Date(Date.now() - 40 * DAY) });
    const partlyRevoked = await signMandat(sequelize, { aidant: aidantA, organisation: a, usager, demarches: ['logement', 'famille'], at: new Date(Date.now() - 5 * DAY) });
    const revokedAt = new Date(Date.now() - 2 * DAY);
    await revokeAutorisations(partlyRevoked.mandat.id, ['logement'], revokedAt);
    const first = await signMandat(sequelize, { aidant: aidantA, organisation: a, usager, demarches: ['social', 'papiers'] });
    const elsewhere = await signMandat(sequelize, { aidant: aidantB, organisation: b, usager, demarches: ['social'] });

    const second = await signMandat(sequelize, { aidant: aidantA, organisation: a, usager, demarches: ['social', 'logement'] });
    const social = first.autorisations.find((x) => x.demarche === 'social')!;
    expect(second.superseded).toEqual([{ mandatId: first.mandat.id, autorisationId: social.id, demarche: 'social' }]);
    const firstNow = await mandatOf(first.mandat.id);
    expect(firstNow.autorisations.find((x) => x.demarche === 'social')!.revokedAt?.getTime()).toBe(second.mandat.createdAt.getTime());
    expect(firstNow.autorisations.find((x) => x.demarche === 'papiers')!.revokedAt).toBeNull();
    expect(firstNow.status).toBe('active'); // papiers is still in force
    expect((await mandatOf(elsewhere.mandat.id)).autorisations[0].revokedAt).toBeNull();
    expect((await mandatOf(expired.mandat.id)).autorisations[0].revokedAt).toBeNull();
    expect((await mandatOf(partlyRevoked.mandat.id)).autorisations.find((x) => x.demarche === 'logement')!.revokedAt?.getTime()).toBe(revokedAt.getTime());
    const cancels = await JournalEntry.findAll({ where: { usagerId: usager.id, action: 'cancel_autorisation' } });
    expect(cancels.map((e) => [e.autorisationId, e.organisationId, e.actorId, e.details])).toEqual([
      [social.id, a.id, aidantA.id, { reason: 'superseded', supersededBy: second.mandat.id }],
    ]);

    // The last démarche of the first mandat superseded: the whole mandat is superseded (and no longer active).
    const third = await signMandat(sequelize, { aidant: aidantA, organisation: a, usager, demarches: ['papiers'] });
    expect(third.superseded.map((s) => s.mandatId)).toEqual([first.mandat.id]);
    expect((await Mandat.findByPk(first.mandat.id))!.status).toBe('superseded');
  });

  it('leaves nothing when it fails midway: no mandat, no autorisation, no journal entry, nothing superseded', async () => {
    const structure = await createStructure();
    const { user: aidant } = await createPerson(structure);
    const usager = await createUsager();
    const before = await signMandat(sequelize, { aidant, organisation: structure, usager, demarches: ['social'] });
    const journalBefore = (await journalOf(usager.id)).length;
    // The second autorisation's insert fails, after the supersession, the mandat, the first autorisation and
    // their journal entries were written.
    const trigger = `fail_${usager.id.replace(/-/g, '')}`;
    await sequelize.query(`
      CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.demarche = 'transports' AND EXISTS (SELECT 1 FROM mandats WHERE id = NEW.mandat_id AND usager_id = '${usager.id}') THEN
          RAISE EXCEPTION 'simulated failure';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER ${trigger} BEFORE INSERT ON autorisations FOR EACH ROW EXECUTE FUNCTION ${trigger}();`);
    try {
      await expect(signMandat(sequelize, { aidant, organisation: structure, usager, demarches: ['social', 'papiers', 'transports'] })).rejects.toThrow(/simulated failure/);
    } finally {
      await sequelize.query(`DROP TRIGGER ${trigger} ON autorisations; DROP FUNCTION ${trigger}();`);
    }
    expect(await Mandat.count({ where: { usagerId: usager.id } })).toBe(1);
    expect((await mandatOf(before.mandat.id)).autorisations[0].revokedAt).toBeNull();
    expect((await journalOf(usager.id)).length).toBe(journalBefore);
  });

  it('refuses an aidant who cannot create mandats, a démarche the structure does not allow, an unknown usager or text version', async () => {
    const structure = await createStructure();
    await structure.update({ allowedDemarches: ['social', 'papiers'] });
    const { user: aidant } = await createPerson(structure);
    const { user: referent } = await createPerson(structure, { role: 'referent' });
    const { user: outsider } = await createPerson(await createStructure());
    const usager = await createUsager();
    const attempt = (overrides: Partial<Parameters<typeof createMandat>[1]>) => createMandat(sequelize, {
      aidant, organisation: structure, usagerId: usager.id, demarches: ['social'], duration: 'LONG', textVersion: MANDAT_TEXT_VERSION, ...overrides,
    });
    await expect(attempt({ aidant: referent })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(attempt({ aidant: outsider })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(attempt({ demarches: ['logement'] })).rejects.toMatchObject({ fieldErrors: { demarches: 'La démarche « Logement » n’est pas autorisée pour votre structure.' } });
    await expect(attempt({ demarches: [] })).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt({ usagerId: '00000000-0000-4000-8000-000000000000' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(attempt({ usagerId: 'pas-un-id' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(attempt({ textVersion: '1999-01-01' })).rejects.toBeInstanceOf(ValidationError);
    expect(await Mandat.count({ where: { usagerId: usager.id } })).toBe(0);
  });
});

describe('the authorisation check', () => {
  it('allows an active autorisation of an active mandat of that structure, and each condition flips it', async () => {
    const [structure, other] = [await createStructure(), await createStructure()];
    const { user: aidant } = await createPerson(structure);
    const { user: colleague } = await createPerson(structure);
    const { user: otherAidant } = await createPerson(other);
    const usager = await createUsager();
    const created = await signMandat(sequelize, { aidant: colleague, organisation: structure, usager, demarches: ['social', 'papiers'], duration: 'MONTH' });
    const base = { aidantId: aidant.id, organisationId: structure.id, usagerId: usager.id, demarche: 'social' };
    const may = (overrides: Partial<typeof base> & { at?: Date } = {}) => mayActFor(sequelize, { ...base, ...overrides });
    const social = created.autorisations.find((a) => a.demarche === 'social')!;

    // Any aidant of the structure acts under the structure's mandat, not only the one who signed it.
    expect(await findActingAutorisation(sequelize, base)).toEqual({ autorisationId: social.id, mandatId: created.mandat.id, expiresAt: created.mandat.expiresAt });
    expect(await may({ demarche: 'logement' })).toBe(false); // not in the mandat
    expect(await may({ demarche: 'inconnue' })).toBe(false);
    expect(await may({ usagerId: 'pas-un-id' })).toBe(false);
    expect(await may({ usagerId: (await createUsager()).id })).toBe(false);
    expect(await may({ aidantId: otherAidant.id })).toBe(false); // an aidant of another structure
    expect(await may({ aidantId: otherAidant.id, organisationId: other.id })).toBe(false); // another structure's view
    expect(await may({ at: new Date(created.mandat.expiresAt.getTime() - 1000) })).toBe(true);
    expect(await may({ at: created.mandat.expiresAt })).toBe(false); // expired

    const flip = async (change: () => Promise<unknown>, undo: () => Promise<unknown>) => {
      await change();
      const allowed = await may();
      await undo();
      expect(await may()).toBe(true);
      return allowed;
    };
    expect(await flip(() => structure.update({ allowedDemarches: ['papiers'] }), () => structure.update({ allowedDemarches: ['social', 'papiers'] }))).toBe(false);
    expect(await flip(() => structure.update({ isActive: false }), () => structure.update({ isActive: true }))).toBe(false);
    const membership = { where: { userId: aidant.id, organisationId: structure.id } };
    expect(await flip(() => OrganisationMembership.update({ isActive: false }, membership), () => OrganisationMembership.update({ isActive: true }, membership))).toBe(false);
    // A référent who does not create mandats (a membership always has one of the two roles).
    expect(await flip(() => OrganisationMembership.update({ isReferent: true, canCreateMandats: false }, membership),
      () => OrganisationMembership.update({ isReferent: false, canCreateMandats: true }, membership))).toBe(false);
    expect(await flip(() => User.update({ isActive: false }, { where: { id: aidant.id } }), () => User.update({ isActive: true }, { where: { id: aidant.id } }))).toBe(false);
    expect(await flip(() => Autorisation.update({ revokedAt: new Date() }, { where: { id: social.id } }), () => Autorisation.update({ revokedAt: null }, { where: { id: social.id } }))).toBe(false);
    const mandatWhere = { where: { id: created.mandat.id } };
    expect(await flip(() => Mandat.update({ status: 'revoked', revokedAt: new Date() }, mandatWhere), () => Mandat.update({ status: 'active', revokedAt: null }, mandatWhere))).toBe(false);
    expect(await flip(() => Mandat.update({ status: 'expired' }, mandatWhere), () => Mandat.update({ status: 'active' }, mandatWhere))).toBe(false);
    // Revoking the other démarche keeps this one.
    await revokeAutorisations(created.mandat.id, ['papiers']);
    expect(await may()).toBe(true);
    expect(await may({ demarche: 'papiers' })).toBe(false);

    // A new mandat supersedes: the check answers with the new autorisation.
    const renewed = await signMandat(sequelize, { aidant, organisation: structure, usager, demarches: ['social'] });
    expect((await findActingAutorisation(sequelize, base))?.mandatId).toBe(renewed.mandat.id);
    expect(await Organisation.count({ where: { id: structure.id, isActive: true } })).toBe(1);
  });
});
