// The ANCT's periodic duties on Temporal's time-skipping server with a real worker, PostgreSQL and the mail
// sink: the weekly digest of aidants to train (by région, once per week, nothing when empty), the référents'
// monthly e-mail about aidants without a working card (exactly those, once a month, nothing when all have one),
// and the nightly statistics snapshot (exact figures on a fixture) that the dashboard reads. The clock is moved
// years ahead so that the weeks these duties read hold this file's fixtures only.
import { Client } from '@temporalio/client';
import { QueryTypes } from 'sequelize';
import { aidantsWithoutCardKey, weeklyDigestKey } from '../activities/anct-view.js';
import { AidantOnboarding, Card, EmailOutbox, Mandat, Organisation, OrganisationMembership, Usager, User } from '../db/models/index.js';
import { parisMidnight, parisMonth, previousParisWeek, type StatisticsFigures } from '../domain/anct-view.js';
import { DAY_MS } from '../domain/duration.js';
import { parisDay, type OnboardingStatus } from '../domain/habilitation.js';
import { countByWeek } from '../services/anct-view.js';
import { anctDashboard } from '../services/dashboard.js';
import { appendJournal } from '../services/journal.js';
import { unique } from './support/env.js';
import { createPerson } from './support/espace.js';
import { createSubmittedRequest, testSecrets } from './support/factories.js';
import { mailsTo } from './support/mail.js';
import { ANCT_TEST_EMAIL, useTimeSkippingStack } from './support/temporal.js';

const stack = useTimeSkippingStack({ ownDatabase: true });

// A plain client: the environment's own one lets the server skip time while it waits for a result.
const run = <R>(workflowType: string, args: unknown[] = []) => new Client({ connection: stack.env.connection }).workflow.execute(workflowType, {
  workflowId: unique(`${workflowType}-`), taskQueue: stack.worker.taskQueue, args,
}) as Promise<R>;

/** Moves the server's clock to the first Thursday, 12:00 in Paris, at least `days` ahead; returns that instant. */
async function skipToThursdayNoon(days: number): Promise<number> {
  const now = Number(await stack.env.currentTimeMs());
  const day = Date.parse(`${parisDay(now + days * DAY_MS)}T00:00:00Z`);
  const thursday = new Date(day + ((3 - ((new Date(day).getUTCDay() + 6) % 7) + 7) % 7) * DAY_MS).toISOString().slice(0, 10);
  const target = parisMidnight(thursday).getTime() + 12 * 3_600_000;
  await stack.env.sleep(target - now);
  return target;
}

const setCreatedAt = (table: string, id: string, at: number) =>
  stack.sequelize.query(`UPDATE ${table} SET created_at = $1 WHERE id = $2`, { bind: [new Date(at).toISOString(), id] });

const structure = (departmentCode: string, isActive = true) => Organisation.create({
  name: `Structure ${unique()}`, type: 'ccas', typeOther: null, siret: '26170021400016', address: '1 place', zipcode: '00000', city: `Ville ${departmentCode}`,
  departmentCode, franceServicesLabel: false, franceServicesNumber: null, habilitationNumber: null, isActive,
});

async function named(person: { user: User }, firstName: string, lastName = unique('Nom')) {
  await person.user.update({ firstName, lastName });
  return `${firstName} ${lastName}`;
}

async function onboarding(organisationId: string, options: { askedBy?: string | null; status?: OnboardingStatus; at?: number; name?: string } = {}) {
  const row = await AidantOnboarding.create({
    organisationId, habilitationRequestId: null, aidantRequestId: null, userId: null, email: `${unique('former-')}@exemple.fr`,
    firstName: options.name ?? 'Inès', lastName: unique('Morel'), profession: 'Médiatrice numérique', status: options.status ?? 'awaiting_eligibility',
    trainingDeadline: new Date(Date.now() + 60 * DAY_MS), trainingDate: options.status === 'trained' ? '2026-01-15' : null, lapsedAt: null,
    cancelledAt: options.status === 'cancelled' ? new Date() : null, cancelReason: options.status === 'cancelled' ? 'Retirée par le référent' : null, completedAt: null,
    requestedById: options.askedBy ?? null,
  });
  if (options.at !== undefined) await setCreatedAt('aidant_onboardings', row.id, options.at);
  return row;
}

const digests = async () => (await mailsTo(ANCT_TEST_EMAIL)).filter((m) => /^\[Aidants Connect\] \d+ nouve(aux|l) aidants? à former$/.test(m.subject));

describe('the ANCT’s weekly digest of aidants to train', () => {
  it('is skipped when no référent asked for any, then lists the week’s ones by région, once', async () => {
    const t1 = await skipToThursdayNoon(800);
    const before = (await digests()).length;
    const empty = await run<{ week: string; aidants: number; outcome: string }>('anctWeeklyDigestWorkflow');
    expect(empty).toEqual({ week: previousParisWeek(t1).week, aidants: 0, outcome: 'skipped' });
    expect(await EmailOutbox.count({ where: { idempotencyKey: weeklyDigestKey(empty.week) } })).toBe(0);
    expect(await digests()).toHaveLength(before);

    // This week (t1's), to be told next Monday.
    const corse = await structure('2A');
    const corse2 = await structure('2B');
    const guadeloupe = await structure('971');
    const referent = (await createPerson(corse, { role: 'referent' })).user;
    const listed = [
      await onboarding(corse.id, { askedBy: referent.id, at: t1 - DAY_MS, name: 'Ajaccienne' }),
      await onboarding(corse2.id, { askedBy: referent.id, at: t1 + DAY_MS, name: 'Bastiaise' }),
      await onboarding(guadeloupe.id, { askedBy: referent.id, at: t1 - 3 * DAY_MS, status: 'awaiting_training', name: 'Pointoise' }),
    ];
    const notListed = [
      await onboarding(corse.id, { askedBy: referent.id, at: t1 - 2 * DAY_MS, status: 'cancelled', name: 'Retirée' }), // withdrawn
      await onboarding(corse.id, { askedBy: null, at: t1 - DAY_MS, status: 'awaiting_training', name: 'Demandeuse' }), // from a habilitation request
      await onboarding(corse.id, { askedBy: referent.id, at: t1 - 7 * DAY_MS, name: 'Ancienne' }), // the week before
    ];

    await stack.env.sleep(7 * DAY_MS);
    const first = await run<{ week: string; aidants: number; outcome: string }>('anctWeeklyDigestWorkflow');
    const second = await run<{ week: string; aidants: number; outcome: string }>('anctWeeklyDigestWorkflow');
    expect(first).toEqual({ week: previousParisWeek(t1 + 7 * DAY_MS).week, aidants: 3, outcome: 'sent' });
    expect(second).toEqual({ ...first, outcome: 'already_sent' });

    const mails = (await digests()).filter((m) => m.text.includes(listed[0].lastName));
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('[Aidants Connect] 3 nouveaux aidants à former');
    const text = mails[0].text;
    for (const o of listed) expect(text).toContain(`${o.firstName} ${o.lastName} — ${o.email}`);
    for (const o of notListed) expect(text).not.toContain(o.lastName);
    // By région, in reading order, each with its count and its aidants under it.
    const corseAt = text.indexOf('Corse (2)');
    const guadeloupeAt = text.indexOf('Guadeloupe (1)');
    expect(corseAt).toBeGreaterThan(-1);
    expect(guadeloupeAt).toBeGreaterThan(corseAt);
    expect(text.indexOf(listed[0].lastName)).toBeGreaterThan(corseAt);
    expect(text.indexOf(listed[1].lastName)).toBeLessThan(guadeloupeAt);
    expect(text.indexOf(listed[2].lastName)).toBeGreaterThan(guadeloupeAt);
    expect(text).toContain('/admin/resources/aidant_onboardings?filters.status=awaiting_eligibility');
  });
});

describe('the référents’ monthly e-mail about aidants without a working card', () => {
  const subject = 'Aidants Connect - Des aidants de votre structure n’ont pas de carte';
  const about = async (email: string) => (await mailsTo(email)).filter((m) => m.subject === subject);

  it('lists exactly the aidants without a validated, working card or application, once a month; nothing when all have one', async () => {
    await skipToThursdayNoon(30);
    const withMissing = await structure('17');
    const referent = await createPerson(withMissing, { role: 'referent_aidant', card: null });
    const referentName = await named(referent, 'Camille');
    const coReferent = await createPerson(withMissing, { role: 'referent' });
    const withoutCard = await named(await createPerson(withMissing, { card: null }), 'Sanscarte');
    const linkedOnly = await createPerson(withMissing, { card: null });
    const linkedOnlyName = await named(linkedOnly, 'Nonvalidee');
    await Card.create({ serialNumber: unique('GADT').toUpperCase(), sealedSeed: testSecrets.seal('ab'.repeat(20)), aidantId: linkedOnly.user.id, linkedAt: new Date(), validatedAt: null, lastUsedStep: null });
    const broken = await createPerson(withMissing, { card: 'physical' });
    const brokenName = await named(broken, 'Horsservice');
    await broken.card!.update({ isFunctional: false });
    const hasCard = await named(await createPerson(withMissing, { card: 'physical' }), 'Aveccarte');
    const hasApp = await named(await createPerson(withMissing, { card: 'digital' }), 'Avecappli');
    const inactive = await named(await createPerson(withMissing, { card: null, active: false }), 'Desactive');
    const left = await createPerson(withMissing, { card: null });
    const leftName = await named(left, 'Partie');
    await OrganisationMembership.update({ isActive: false }, { where: { userId: left.user.id, organisationId: withMissing.id } });

    const allEquipped = await structure('17');
    const equippedReferent = await createPerson(allEquipped, { role: 'referent_aidant', card: 'physical' });
    await createPerson(allEquipped, { card: 'digital' });

    const month = parisMonth(Number(await stack.env.currentTimeMs()));
    await run('referentAidantsWithoutCardWorkflow');
    await run('referentAidantsWithoutCardWorkflow');

    const mails = await about(referent.user.email);
    expect(mails).toHaveLength(1);
    const listedNames = mails[0].text.split('\n').filter((line) => line.startsWith('- ')).map((line) => line.slice(2));
    expect(listedNames.sort()).toEqual([`${referentName} (vous-même)`, withoutCard, linkedOnlyName, brokenName].sort());
    for (const name of [hasCard, hasApp, inactive, leftName]) expect(mails[0].text).not.toContain(name);
    expect(mails[0].text).toContain(withMissing.name);
    expect(await about(coReferent.user.email)).toHaveLength(1);
    expect(await about(equippedReferent.user.email)).toHaveLength(0);
    expect(await EmailOutbox.count({ where: { idempotencyKey: aidantsWithoutCardKey(month, withMissing.id, referent.user.id) } })).toBe(1);

    // Next month, the référent is told again (the aidants still have no card).
    await stack.env.sleep(31 * DAY_MS);
    await run('referentAidantsWithoutCardWorkflow');
    expect(await about(referent.user.email)).toHaveLength(2);
    expect(await about(equippedReferent.user.email)).toHaveLength(0);
  });
});

describe('the nightly statistics snapshot', () => {
  it('counts the démarches of the week from the journal’s `use_autorisation` entries', async () => {
    // The journal dates its entries itself (clock_timestamp): counted up to the real now, other files may add some too.
    const current = async () => (await countByWeek(stack.sequelize, new Date(Date.now() + 60_000).toISOString())).at(-1)!;
    const before = await current();
    for (let i = 0; i < 3; i += 1) await appendJournal({ action: 'use_autorisation', details: { test: 'anct-view' } });
    const after = await current();
    expect(after.week).toBe(before.week);
    expect(after.demarches - before.demarches).toBeGreaterThanOrEqual(3);
  });

  it('counts structures and aidants by région, mandats and démarches per week, waiting requests and onboardings by step; the dashboard reads it', async () => {
    const at = await skipToThursdayNoon(30);
    // Mayotte: two active structures and an inactive one; Martinique: one.
    const [mayotteA, mayotteB, mayotteClosed, martinique] = [await structure('976'), await structure('976'), await structure('976', false), await structure('972')];
    const both = await createPerson(mayotteA, { card: 'physical' });
    await OrganisationMembership.create({ userId: both.user.id, organisationId: mayotteB.id, isReferent: false, canCreateMandats: true }); // counted once
    await createPerson(mayotteA, { card: null });
    await createPerson(mayotteA, { role: 'referent' }); // a référent only is no aidant
    await createPerson(mayotteA, { active: false });
    await createPerson(mayotteB, { role: 'referent_aidant' });
    await createPerson(mayotteClosed);
    await createPerson(martinique);

    const request = async (status: 'awaiting_comite' | 'draft') => {
      const submitted = await createSubmittedRequest(stack.sequelize, { structure: { zipcode: '97600', city: 'Mamoudzou' } });
      await stack.sequelize.query('UPDATE habilitation_requests SET status = $1 WHERE id = $2', { bind: [status, submitted.id] });
    };
    await request('awaiting_comite');
    await request('awaiting_comite');
    await request('draft');
    for (const status of ['awaiting_training', 'awaiting_training', 'trained', 'cancelled'] as const) await onboarding(mayotteA.id, { status });
    await onboarding(martinique.id, { status: 'trained' });

    // Mandats and démarches around the snapshot's instant (nothing else lives in these future weeks).
    const usager = await Usager.create({
      sub: unique('sub-'), givenName: 'Josiane', familyName: 'Moreau', preferredUsername: null, gender: 'female', birthdate: '1939-07-25', birthplace: null,
      birthcountry: '99100', email: null, phone: null, anonymisedAt: null,
    });
    const mandatAt = async (ms: number) => {
      const mandat = await Mandat.create({
        organisationId: mayotteA.id, usagerId: usager.id, createdById: both.user.id, duration: 'SHORT', expiresAt: new Date(ms + DAY_MS), revokedAt: null,
        renewedFromId: null, templateHash: 'a'.repeat(64), attestationHash: 'b'.repeat(64), workflowStartedAt: new Date(),
      });
      await setCreatedAt('mandats', mandat.id, ms);
    };
    await mandatAt(at - DAY_MS); await mandatAt(at - 2 * DAY_MS); // this week (Thursday's)
    await mandatAt(at - 7 * DAY_MS); // last week
    await mandatAt(at + 3_600_000); // after the snapshot: not yet
    await mandatAt(at - 60 * 7 * DAY_MS); // more than 12 months earlier
    // The journal dates its entries itself (now, in the real world): these future weeks have no démarche.

    const result = await run<{ day: string }>('statisticsSnapshotWorkflow');
    expect(result.day).toBe(parisDay(at));
    const [row] = await stack.sequelize.query<{ figures: StatisticsFigures }>('SELECT figures FROM statistics_snapshots WHERE taken_on = $1', { bind: [result.day], type: QueryTypes.SELECT });
    const { regions, totals, weeks } = row.figures;

    expect(regions.find((r) => r.region === 'Mayotte')).toEqual({
      region: 'Mayotte', structures: 2, aidants: 3, awaitingComite: 2, onboardings: { awaiting_training: 2, trained: 1, cancelled: 1 },
    });
    expect(regions.find((r) => r.region === 'Martinique')).toEqual({ region: 'Martinique', structures: 1, aidants: 1, awaitingComite: 0, onboardings: { trained: 1 } });
    expect(regions.map((r) => r.region).slice(0, 3)).toEqual(['Auvergne-Rhône-Alpes', 'Bourgogne-Franche-Comté', 'Bretagne']);
    expect(totals.structures).toBe(regions.reduce((sum, r) => sum + r.structures, 0));
    expect(totals.awaitingComite).toBeGreaterThanOrEqual(2);

    const thisMonday = previousParisWeek(at + 7 * DAY_MS).firstDay;
    const lastMonday = previousParisWeek(at).firstDay;
    expect(weeks).toHaveLength(52);
    expect(weeks.at(-1)).toEqual({ week: thisMonday, mandats: 2, demarches: 0 });
    expect(weeks.at(-2)).toEqual({ week: lastMonday, mandats: 1, demarches: 0 });
    expect(weeks.slice(0, -2).every((w) => w.mandats === 0 && w.demarches === 0)).toBe(true);

    // A second run the same day replaces the day's snapshot.
    await run('statisticsSnapshotWorkflow');
    const [{ n }] = await stack.sequelize.query<{ n: string }>('SELECT count(*) AS n FROM statistics_snapshots WHERE taken_on = $1', { bind: [result.day], type: QueryTypes.SELECT });
    expect(Number(n)).toBe(1);

    // The dashboard reads the latest snapshot, never counts.
    const dashboard = await anctDashboard(14 * DAY_MS);
    expect(dashboard.statistics?.day).toBe(parisDay(at));
    expect(dashboard.statistics?.figures.weeks).toEqual(weeks);
    expect(dashboard.statistics?.figures.regions.find((r) => r.region === 'Mayotte')?.aidants).toBe(3);
    expect(dashboard.onboardingStepLabels.awaiting_training).toBe('Formation à suivre');
  });
});
