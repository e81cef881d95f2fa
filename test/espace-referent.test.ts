// The espace référent through the real application (in process), PostgreSQL, a real worker and the mail sink:
// the structure's aidants and pending requests, every action with its journal entry and its refusals
// (never oneself, at least one démarche, duplicates, the four cases of an aidant already trained), the removal
// from a last structure or from one of two, the cancellation of an onboarding, and who may reach what.
import request from 'supertest';
import type express from 'express';
import { QueryTypes } from 'sequelize';
import { createMigrator } from '../db/migrate.js';
import {
  AidantOnboarding, JournalEntry, Organisation, OrganisationMembership, StructureChangeRequest, User,
} from '../db/models/index.js';
import type { JournalAction } from '../domain/journal.js';
import { parseDemarches, parseNewAidants, REFUSALS, REQUESTS_RECORDED } from '../domain/structure-members.js';
import { canCancelOnboarding, workflowIdForOnboarding, type OnboardingStatus } from '../domain/habilitation.js';
import { createLogger } from '../infra/logger.js';
import { createApp } from '../server/app.js';
import { createLifecycles, type Lifecycles } from '../services/lifecycles.js';
import { onboardingStatusQuery } from '../workflows/messages.js';
import { createPerson, createStructure, espaceCookie } from './support/espace.js';
import { testConfig, unique } from './support/env.js';
import { withScratchDatabase } from './support/scratch-database.js';
import { waitForSubject } from './support/mail.js';
import { useWorkerStack } from './support/temporal.js';
import { waitFor } from './support/wait.js';

const stack = useWorkerStack();
let app: express.Express;
let lifecycles: Lifecycles;
beforeAll(() => {
  lifecycles = createLifecycles(stack.client, {
    taskQueue: stack.worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 }, onboardingPolicy: { trainingDelayMonths: 2, reminderOffsetsDays: [30, 7] },
  });
  app = createApp({ config: testConfig(), sequelize: stack.sequelize, temporal: stack.client, lifecycles, log: createLogger('test', 'error') });
});

const CSRF = 'c'.repeat(43);
const get = (path: string, cookie: string) => request(app).get(path).set('Cookie', cookie);
/** Posts a form (repeated keys for arrays, as a browser does) with its CSRF token. */
function post(path: string, cookie: string, form: Record<string, string | string[]> = {}, csrf = CSRF) {
  const body = new URLSearchParams();
  body.append('_csrf', csrf);
  for (const [key, value] of Object.entries(form)) for (const item of [value].flat()) body.append(key, item);
  return request(app).post(path).set('Cookie', `${cookie}; ac_csrf=${CSRF}`).type('form').send(body.toString());
}

const journal = (action: JournalAction, organisationId: string) => JournalEntry.findAll({ where: { action, organisationId }, order: [['id', 'ASC']] });

/** A structure with its référent (not an aidant) logged in, and an active aidant with a validated card. */
async function structure() {
  const organisation = await createStructure();
  const referent = await createPerson(organisation, { role: 'referent', card: null });
  const aidant = await createPerson(organisation);
  const cookie = await espaceCookie(stack.sequelize, referent.user, organisation.id);
  return { organisation, referent: referent.user, aidant: aidant.user, card: aidant.card!, cookie };
}

/** An onboarding of the structure in a given state (awaiting the ANCT unless told). */
async function onboardingOf(organisationId: string, requestedById: string, status: OnboardingStatus = 'awaiting_eligibility') {
  return AidantOnboarding.create({
    organisationId, habilitationRequestId: null, aidantRequestId: null, userId: null, email: `${unique('futur-')}@exemple.fr`, firstName: 'Inès',
    lastName: 'Morel', profession: 'Médiatrice numérique', requestedById, status, trainingDeadline: new Date(Date.now() + 50 * 86_400_000),
    trainingDate: null, lapsedAt: null, cancelledAt: null, cancelReason: null, completedAt: null,
  });
}

describe('the rules of the espace référent (pure)', () => {
  it('cancels a request still awaiting the ANCT but not a refused one; keeps démarches in order, at least one; reads the aidants typed', () => {
    expect(canCancelOnboarding('awaiting_eligibility')).toBe(true);
    expect(canCancelOnboarding('eligibility_refused')).toBe(false);
    expect(parseDemarches(['social', 'papiers', 'inconnue'])).toEqual({ value: ['papiers', 'social'], errors: {} });
    expect(parseDemarches(undefined)).toEqual({ errors: { demarches: REFUSALS.atLeastOneDemarche } });
    expect(parseNewAidants({ rows: '3', aidant3_firstName: ' Léa ', aidant3_lastName: 'Roux', aidant3_email: 'LEA@Exemple.fr', aidant3_profession: 'Agente' }))
      .toEqual({ value: [{ firstName: 'Léa', lastName: 'Roux', email: 'lea@exemple.fr', profession: 'Agente', conseillerNumerique: false }], errors: {}, rows: [3] });
    expect(parseNewAidants({}).errors).toEqual({ aidants: 'Indiquez au moins un aidant à former.' });
  });
});

describe('espace référent: who reaches what', () => {
  it('answers 403 to an aidant who is not référent, and sends a visitor to the login', async () => {
    const { organisation, aidant } = await structure();
    const asAidant = await espaceCookie(stack.sequelize, aidant, organisation.id);
    const refused = await get('/espace-referent', asAidant);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Cet espace est réservé aux référents de la structure.');
    expect((await post('/espace-referent/structure/demarches', asAidant, { demarches: 'social' })).status).toBe(403);
    const visitor = await request(app).get('/espace-referent');
    expect(visitor.status).toBe(303);
    expect(visitor.headers.location).toBe('/connexion?next=%2Fespace-referent');
  });

  it('answers 404 for an aidant of another structure, an unknown or malformed id, and changes nothing', async () => {
    const mine = await structure();
    const other = await structure();
    for (const path of [`/espace-referent/aidants/${other.aidant.id}`, '/espace-referent/aidants/not-an-id', `/espace-referent/aidants/${crypto.randomUUID()}`]) {
      expect((await get(path, mine.cookie)).status).toBe(404);
    }
    const page = await get(`/espace-referent/aidants/${other.aidant.id}`, mine.cookie);
    expect(page.text).toContain('n’existe pas ou n’est pas membre de votre structure active');
    for (const action of ['desactiver', 'retirer']) expect((await post(`/espace-referent/aidants/${other.aidant.id}/${action}`, mine.cookie)).status).toBe(404);
    expect((await OrganisationMembership.findOne({ where: { userId: other.aidant.id, organisationId: other.organisation.id } }))!.isActive).toBe(true);
    // Nor another structure's onboarding
    const foreign = await onboardingOf(other.organisation.id, other.referent.id);
    expect((await get(`/espace-referent/habilitations/${foreign.id}/annuler`, mine.cookie)).status).toBe(404);
    expect((await get(`/espace-referent/habilitations/${'-'.repeat(36)}/annuler`, mine.cookie)).status).toBe(404);
    expect((await post(`/espace-referent/habilitations/${foreign.id}/annuler`, mine.cookie, { reason: 'Pas chez nous' })).status).toBe(404);
  });

  it('refuses a form posted without its CSRF token', async () => {
    const { cookie, aidant } = await structure();
    const res = await post(`/espace-referent/aidants/${aidant.id}/desactiver`, cookie, {}, 'forged'.repeat(8));
    expect(res.status).toBe(403);
    expect(res.text).toContain('Votre session a expiré.');
  });
});

describe('espace référent: the structure', () => {
  it('lists the aidants, active and deactivated, with their step, deadline, card and last login, and the pending requests', async () => {
    const { organisation, referent, aidant, card, cookie } = await structure();
    await aidant.update({ lastLoginAt: new Date('2026-03-02T09:15:00Z') });
    const deactivated = (await createPerson(organisation, { card: 'digital' })).user;
    await OrganisationMembership.update({ isActive: false }, { where: { userId: deactivated.id, organisationId: organisation.id } });
    const training = await onboardingOf(organisation.id, referent.id, 'awaiting_training');
    const asked = await onboardingOf(organisation.id, referent.id);
    const elsewhere = await structure();
    await StructureChangeRequest.create({ aidantId: elsewhere.aidant.id, organisationId: organisation.id, requestedById: referent.id });

    const page = await get('/espace-referent', cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain(aidant.email);
    expect(page.text).toContain(`Carte ${card.serialNumber}`);
    expect(page.text).toContain('02/03/2026');
    expect(page.text).toContain(`href="/espace-referent/aidants/${aidant.id}/carte"`);
    expect(page.text).toContain(deactivated.email);
    expect(page.text).toContain('Désactivé dans la structure');
    expect(page.text).toMatch(/Application <span class="fr-badge[^"]*">validée/);
    expect(page.text).toContain('Jamais');
    // Pending requests: the step labels of the back-office, the deadline while in training
    expect(page.text).toContain('En attente de la décision d’éligibilité de l’ANCT');
    expect(page.text).toContain(`Formation à suivre avant le ${training.trainingDeadline.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' })}`);
    expect(page.text).toContain(`href="/espace-referent/habilitations/${asked.id}/annuler"`);
    expect(page.text).toContain(elsewhere.aidant.email);
  });

  it('restricts the démarches, at least one, journaled with the démarches before and after', async () => {
    const { organisation, cookie } = await structure();
    const none = await post('/espace-referent/structure/demarches', cookie, {});
    expect(none.status).toBe(400);
    expect(none.text).toContain(REFUSALS.atLeastOneDemarche);
    expect(none.text).toContain('id="demarches-error"');
    const junk = await post('/espace-referent/structure/demarches', cookie, { demarches: 'pas-une-demarche' });
    expect(junk.text).toContain(REFUSALS.atLeastOneDemarche);
    expect((await Organisation.findByPk(organisation.id))!.allowedDemarches).toHaveLength(10);

    const saved = await post('/espace-referent/structure/demarches', cookie, { demarches: ['social', 'famille'] });
    expect(saved.status).toBe(303);
    expect((await Organisation.findByPk(organisation.id))!.allowedDemarches).toEqual(['famille', 'social']);
    const [entry] = await journal('perimeter_changed', organisation.id);
    expect(entry.details).toEqual({ before: expect.arrayContaining(['papiers', 'loisirs']), after: ['famille', 'social'] });
    expect((entry.details as { before: string[] }).before).toHaveLength(10);
    const page = await get('/espace-referent/structure', cookie);
    expect(page.text).toContain('Les démarches de la structure ont été enregistrées.');
    expect(page.text).toMatch(/value="social" checked/);
    expect(page.text).not.toMatch(/value="papiers" checked/);
  });

  it('designates a co-référent among the active aidants, and refuses anyone else next to the field', async () => {
    const { organisation, referent, aidant, cookie } = await structure();
    const refused = await post('/espace-referent/referents', cookie, { candidate: referent.id });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain(REFUSALS.notACandidate);
    expect(refused.text).toContain('id="field-candidate-error"');
    for (const candidate of ['nimporte', '-'.repeat(36)]) expect((await post('/espace-referent/referents', cookie, { candidate })).status).toBe(400);

    expect((await post('/espace-referent/referents', cookie, { candidate: aidant.id })).status).toBe(303);
    expect((await OrganisationMembership.findOne({ where: { userId: aidant.id, organisationId: organisation.id } }))!.isReferent).toBe(true);
    const [entry] = await journal('referent_designated', organisation.id);
    expect(entry).toMatchObject({ actorId: referent.id, details: { aidantId: aidant.id } });
  });
});

describe('espace référent: deactivate, reactivate, remove', () => {
  it('deactivates and reactivates an aidant, journaled, but never oneself', async () => {
    const { organisation, referent, aidant, cookie } = await structure();
    const self = await post(`/espace-referent/aidants/${referent.id}/desactiver`, cookie);
    expect(self.status).toBe(409);
    expect(self.text).toContain(REFUSALS.notOneself);
    expect((await post(`/espace-referent/aidants/${referent.id}/retirer`, cookie)).text).toContain(REFUSALS.notOneself);
    expect((await User.findByPk(referent.id))!.isActive).toBe(true);

    expect((await post(`/espace-referent/aidants/${aidant.id}/desactiver`, cookie)).status).toBe(303);
    const membership = () => OrganisationMembership.findOne({ where: { userId: aidant.id, organisationId: organisation.id } });
    expect((await membership())!.isActive).toBe(false);
    const again = await post(`/espace-referent/aidants/${aidant.id}/desactiver`, cookie);
    expect(again.status).toBe(409);
    expect(again.text).toContain(REFUSALS.alreadyDeactivated);
    // The deactivated aidant can no longer reach the espace in this structure.
    expect((await get('/espace-aidant', await espaceCookie(stack.sequelize, aidant, organisation.id))).status).toBe(303);

    expect((await post(`/espace-referent/aidants/${aidant.id}/reactiver`, cookie)).status).toBe(303);
    expect((await membership())!.isActive).toBe(true);
    expect((await journal('aidant_deactivated', organisation.id)).map((e) => [e.actorId, e.details])).toEqual([[referent.id, { aidantId: aidant.id }]]);
    expect(await journal('aidant_reactivated', organisation.id)).toHaveLength(1);
    const detail = await get(`/espace-referent/aidants/${aidant.id}`, cookie);
    expect(detail.text).toContain('Le profil de l’aidant a été réactivé.');
  });

  it('removing an aidant from its last structure deactivates the account, e-mailed, and a reactivation restores it', async () => {
    const { organisation, aidant, cookie } = await structure();
    const res = await post(`/espace-referent/aidants/${aidant.id}/retirer`, cookie);
    expect(res.status).toBe(303);
    expect((await get('/espace-referent', cookie)).text).toContain('Le profil de Karim Benali a été désactivé avec succès');
    expect((await User.findByPk(aidant.id))!.isActive).toBe(false);
    expect((await OrganisationMembership.findOne({ where: { userId: aidant.id, organisationId: organisation.id } }))!.isActive).toBe(false);
    const [entry] = await journal('aidant_removed_from_organisation', organisation.id);
    expect(entry.details).toEqual({ aidantId: aidant.id, accountDeactivated: true, remainingOrganisationIds: [] });
    const mail = await waitForSubject(aidant.email, 'Aidants Connect - Votre compte aidant a été désactivé');
    expect(mail?.text).toMatch(/^Bonjour Karim Benali,/);
    expect(mail?.text).toContain('C’était votre seule structure');
    // Still listed, as a deactivated account; a second removal is refused.
    expect((await post(`/espace-referent/aidants/${aidant.id}/retirer`, cookie)).text).toContain(REFUSALS.alreadyDeactivated);
    expect((await post(`/espace-referent/aidants/${aidant.id}/reactiver`, cookie)).status).toBe(303);
    expect((await User.findByPk(aidant.id))!.isActive).toBe(true);
  });

  it('removing an aidant from one of two structures keeps it active in the other, switched to it and e-mailed', async () => {
    const { organisation, aidant, cookie } = await structure();
    const second = await createStructure(`Mairie ${unique()}`);
    await OrganisationMembership.create({ userId: aidant.id, organisationId: second.id });
    expect((await post(`/espace-referent/aidants/${aidant.id}/retirer`, cookie)).status).toBe(303);
    const user = (await User.findByPk(aidant.id))!;
    expect(user.isActive).toBe(true);
    expect(user.currentOrganisationId).toBe(second.id);
    expect(await OrganisationMembership.findOne({ where: { userId: aidant.id, organisationId: organisation.id } })).toBeNull();
    expect((await get(`/espace-referent/aidants/${aidant.id}`, cookie)).status).toBe(404);
    const [entry] = await journal('aidant_removed_from_organisation', organisation.id);
    expect(entry.details).toEqual({ aidantId: aidant.id, accountDeactivated: false, remainingOrganisationIds: [second.id] });
    const mail = await waitForSubject(aidant.email, `Aidants Connect - Vous ne faites plus partie de la structure ${organisation.name}`);
    expect(mail?.text).toMatch(/^Bonjour Karim Benali,/);
    expect(mail?.text).toContain(`Vous restez aidant(e) de : ${second.name}.`);
  });
});

describe('espace référent: add aidants to train', () => {
  it('walks the three steps, refuses duplicates next to their field keeping what was typed, and records requests awaiting the ANCT', async () => {
    const { organisation, referent, aidant, cookie } = await structure();
    const open = await onboardingOf(organisation.id, referent.id);

    const noProfile = await post('/espace-referent/ajouter-aidants/profil', cookie, {});
    expect(noProfile.status).toBe(400);
    expect(noProfile.text).toContain('Choisissez qui vous voulez ajouter.');
    const profile = await post('/espace-referent/ajouter-aidants/profil', cookie, { profile: 'untrained' });
    expect(profile.headers.location).toBe('/espace-referent/ajouter-aidants/aidants-a-former');

    const row = (n: number, values: Record<string, string>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [`aidant${n}_${k}`, v]));
    const newcomer = `${unique('nouvelle-')}@exemple.fr`;
    const duplicates = await post('/espace-referent/ajouter-aidants/aidants-a-former', cookie, {
      rows: '4',
      ...row(1, { firstName: 'Karim', lastName: 'Benali', email: aidant.email, profession: 'Travailleur social' }),
      ...row(2, { firstName: 'Inès', lastName: 'Morel', email: open.email, profession: 'Médiatrice' }),
      ...row(3, { firstName: 'Léa', lastName: 'Roux', email: newcomer, profession: 'Agente d’accueil', conseillerNumerique: 'on' }),
    });
    expect(duplicates.status).toBe(400);
    expect(duplicates.text).toContain('id="field-aidant1_email-error"');
    expect(duplicates.text).toContain(REFUSALS.alreadyMember);
    expect(duplicates.text).toContain(REFUSALS.alreadyAsked);
    expect(duplicates.text).toContain(`value="${newcomer}"`);
    const twice = await post('/espace-referent/ajouter-aidants/aidants-a-former', cookie, {
      ...row(1, { firstName: 'Léa', lastName: 'Roux', email: newcomer, profession: 'Agente' }),
      ...row(2, { firstName: 'Léa', lastName: 'Roux', email: newcomer, profession: 'Agente' }),
    });
    expect(twice.text).toContain('Chaque aidant doit avoir une adresse e-mail différente.');
    const incomplete = await post('/espace-referent/ajouter-aidants/aidants-a-former', cookie, row(1, { email: newcomer }));
    expect(incomplete.text).toContain('Veuillez renseigner le prénom de l’aidant.');

    const second = `${unique('second-')}@exemple.fr`;
    const valid = await post('/espace-referent/ajouter-aidants/aidants-a-former', cookie, {
      ...row(1, { firstName: 'Léa', lastName: 'Roux', email: newcomer.toUpperCase(), profession: 'Agente d’accueil', conseillerNumerique: 'on' }),
      ...row(2, { firstName: 'Hugo', lastName: 'Petit', email: second, profession: 'Secrétaire de mairie' }),
    });
    expect(valid.headers.location).toBe('/espace-referent/ajouter-aidants/confirmation');
    // Kept in the session: the step shows it again, the confirmation lists it.
    expect((await get('/espace-referent/ajouter-aidants/aidants-a-former', cookie)).text).toContain(`value="${second}"`);
    const recap = await get('/espace-referent/ajouter-aidants/confirmation', cookie);
    expect(recap.text).toContain(`Léa Roux (${newcomer}), Agente d’accueil, conseiller numérique`);
    expect(await AidantOnboarding.count({ where: { email: [newcomer, second] } })).toBe(0);

    const confirmed = await post('/espace-referent/ajouter-aidants/confirmation', cookie);
    expect(confirmed.headers.location).toBe('/espace-referent');
    expect((await get('/espace-referent', cookie)).text).toContain(REQUESTS_RECORDED);
    const created = await AidantOnboarding.findAll({ where: { email: [newcomer, second] }, order: [['email', 'ASC']] });
    expect(created.map((o) => [o.status, o.requestedById, o.organisationId])).toEqual([
      ['awaiting_eligibility', referent.id, organisation.id], ['awaiting_eligibility', referent.id, organisation.id],
    ]);
    expect(created.find((o) => o.email === newcomer)!.conseillerNumerique).toBe(true);
    const entries = await journal('aidant_to_train_requested', organisation.id);
    expect(entries.map((e) => e.onboardingId).sort()).toEqual(created.map((o) => o.id).sort());
    expect(entries.every((e) => e.actorId === referent.id)).toBe(true);
    // The draft is gone: the confirmation starts over.
    expect((await get('/espace-referent/ajouter-aidants/confirmation', cookie)).headers.location).toBe('/espace-referent/ajouter-aidants/profil');
    // The same address again is refused now that a request is open.
    await post('/espace-referent/ajouter-aidants/profil', cookie, { profile: 'untrained' });
    const repeated = await post('/espace-referent/ajouter-aidants/aidants-a-former', cookie, row(1, { firstName: 'Léa', lastName: 'Roux', email: newcomer, profession: 'Agente' }));
    expect(repeated.text).toContain(REFUSALS.alreadyAsked);
  });

  it('adds an aidant already trained: refusals of the four cases, direct add or structure-change request', async () => {
    const { organisation, referent, aidant, cookie } = await structure();
    const lookup = (email: string) => post('/espace-referent/ajouter-aidants/aidant-forme', cookie, { email });
    await post('/espace-referent/ajouter-aidants/profil', cookie, { profile: 'trained' });

    expect((await lookup(aidant.email)).text).toContain(REFUSALS.alreadyMember);
    const unknown = await lookup('personne@exemple.fr');
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('L’adresse e-mail est erronée ou l’aidant n’est pas habilité');
    expect(unknown.text).toContain('value="personne@exemple.fr"');
    const elsewhere = await createStructure();
    const referentOnly = await createPerson(elsewhere, { role: 'referent', card: null });
    expect((await lookup(referentOnly.user.email)).text).toContain(REFUSALS.referentOnly);
    const deactivatedAccount = await createPerson(elsewhere, { active: false });
    expect((await lookup(deactivatedAccount.user.email)).text).toContain('L’adresse e-mail est erronée ou l’aidant n’est pas habilité');

    // The référent also manages the aidant's other structure: added at once, journaled, the aidant e-mailed.
    const managed = await createStructure();
    await OrganisationMembership.create({ userId: referent.id, organisationId: managed.id, isReferent: true, canCreateMandats: false });
    const colleague = (await createPerson(managed)).user;
    expect((await lookup(colleague.email)).headers.location).toBe('/espace-referent/ajouter-aidants/confirmation');
    expect((await get('/espace-referent/ajouter-aidants/confirmation', cookie)).text).toContain('sera ajouté(e) dès maintenant');
    expect((await post('/espace-referent/ajouter-aidants/confirmation', cookie)).status).toBe(303);
    expect(await OrganisationMembership.findOne({ where: { userId: colleague.id, organisationId: organisation.id, isActive: true, canCreateMandats: true } })).not.toBeNull();
    const [added] = await journal('aidant_added', organisation.id);
    expect(added).toMatchObject({ actorId: referent.id, details: { aidantId: colleague.id, via: 'referent' } });
    const mail = await waitForSubject(colleague.email, `Aidants Connect - Vous avez été ajouté(e) à la structure ${organisation.name}`);
    expect(mail?.text).toMatch(/^Bonjour Karim Benali,/);

    // Another structure's aidant: a structure-change request for the ANCT, once.
    const stranger = (await createPerson(elsewhere)).user;
    await post('/espace-referent/ajouter-aidants/profil', cookie, { profile: 'trained' });
    await lookup(stranger.email);
    expect((await get('/espace-referent/ajouter-aidants/confirmation', cookie)).text).toContain('une demande de changement de structure sera transmise');
    expect((await post('/espace-referent/ajouter-aidants/confirmation', cookie)).status).toBe(303);
    expect(await OrganisationMembership.findOne({ where: { userId: stranger.id, organisationId: organisation.id } })).toBeNull();
    const change = (await StructureChangeRequest.findOne({ where: { aidantId: stranger.id, organisationId: organisation.id } }))!;
    expect(change).toMatchObject({ status: 'pending', requestedById: referent.id });
    const [requested] = await journal('structure_change_requested', organisation.id);
    expect(requested).toMatchObject({ actorId: referent.id, details: { aidantId: stranger.id, structureChangeRequestId: change.id } });
    await post('/espace-referent/ajouter-aidants/profil', cookie, { profile: 'trained' });
    expect((await lookup(stranger.email)).text).toContain(REFUSALS.changeAlreadyAsked);
  });
});

describe('espace référent: cancel an onboarding', () => {
  it('closes a request awaiting the ANCT, with a motif next to its field', async () => {
    const { organisation, referent, cookie } = await structure();
    const asked = await onboardingOf(organisation.id, referent.id);
    const form = await get(`/espace-referent/habilitations/${asked.id}/annuler`, cookie);
    expect(form.text).toContain('Annuler l’habilitation de Inès Morel');
    const short = await post(`/espace-referent/habilitations/${asked.id}/annuler`, cookie, { reason: 'x' });
    expect(short.status).toBe(400);
    expect(short.text).toContain('id="field-reason-error"');
    expect(short.text).toContain('Indiquez le motif de l’annulation (entre 3 et 500 caractères).');
    expect(short.text).toContain('>x</textarea>');

    expect((await post(`/espace-referent/habilitations/${asked.id}/annuler`, cookie, { reason: 'Elle a quitté la structure' })).status).toBe(303);
    expect(await AidantOnboarding.findByPk(asked.id)).toMatchObject({ status: 'cancelled', cancelReason: 'Elle a quitté la structure' });
    const [entry] = await journal('onboarding_cancelled', organisation.id);
    expect(entry).toMatchObject({ actorId: referent.id, onboardingId: asked.id, details: { requestedBy: 'referent', reason: 'Elle a quitté la structure' } });
    const again = await post(`/espace-referent/habilitations/${asked.id}/annuler`, cookie, { reason: 'Deux fois' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('Cette habilitation est déjà terminée ou annulée.');
  });

  it('cancels a running onboarding through its lifecycle, for the référent', async () => {
    const { organisation, referent, cookie } = await structure();
    const running = await onboardingOf(organisation.id, referent.id, 'awaiting_training');
    await lifecycles.startOnboarding(running.id);
    const handle = stack.client.workflow.getHandle(workflowIdForOnboarding(running.id));
    await waitFor('the lifecycle', async () => (await handle.query(onboardingStatusQuery)).status, (status) => status === 'awaiting_training');

    expect((await post(`/espace-referent/habilitations/${running.id}/annuler`, cookie, { reason: 'Départ de la structure' })).status).toBe(303);
    expect((await handle.query(onboardingStatusQuery)).status).toBe('cancelled');
    const [entry] = await journal('onboarding_cancelled', organisation.id);
    expect(entry).toMatchObject({ actorId: referent.id, details: { requestedBy: 'referent', reason: 'Départ de la structure' } });
  });
});

describe('migration 0015', () => {
  it('accepts the new onboarding statuses with their rules, and its down migration keeps journaled onboardings as cancelled', async () => {
    await withScratchDatabase(stack.sequelize, async (scratch) => {
      const migrator = createMigrator(scratch);
      await migrator.up({ to: '0015-referent' });
      const one = async (sql: string) => (await scratch.query<{ id: string }>(sql, { type: QueryTypes.SELECT }))[0];
      const org = await one(`INSERT INTO organisations (name, type, siret, address, zipcode, city, department_code) VALUES ('CCAS', 'ccas', '26170021400016', '1 place', '17460', 'Préguillac', '17') RETURNING id`);
      const user = await one(`INSERT INTO users (email, first_name, last_name) VALUES ('ref@exemple.fr', 'Camille', 'Martin') RETURNING id`);
      const onboarding = (status: string, extra = '') => `INSERT INTO aidant_onboardings (organisation_id, email, first_name, last_name, training_deadline, status, requested_by_id${extra ? ', eligibility_decided_at, eligibility_refusal_reason' : ''})
        VALUES ('${org.id}', 'a${unique()}@exemple.fr', 'Inès', 'Morel', now(), '${status}', ${status === 'awaiting_eligibility' ? `'${user.id}'` : 'NULL'}${extra}) RETURNING id`;
      // Awaiting the ANCT: asked by a référent; refused: with its motif.
      await expect(scratch.query(onboarding('awaiting_eligibility').replace(`'${user.id}')`, 'NULL)'))).rejects.toThrow(/onboarding_eligibility_asked_by_referent/);
      await expect(scratch.query(onboarding('eligibility_refused'))).rejects.toThrow(/onboarding_eligibility_refused_has_reason/);
      const asked = await one(onboarding('awaiting_eligibility'));
      await one(onboarding('eligibility_refused', `, now(), 'Hors périmètre'`));
      await scratch.query(`INSERT INTO journal (action, onboarding_id) VALUES ('aidant_to_train_requested', '${asked.id}')`);
      await scratch.query(`INSERT INTO structure_change_requests (aidant_id, organisation_id, requested_by_id) VALUES ('${user.id}', '${org.id}', '${user.id}')`);
      await expect(scratch.query(`INSERT INTO structure_change_requests (aidant_id, organisation_id, requested_by_id) VALUES ('${user.id}', '${org.id}', '${user.id}')`)).rejects.toThrow(/Validation error/);

      await migrator.down({ to: '0015-referent' });
      expect(await scratch.query(`SELECT status, cancel_reason FROM aidant_onboardings ORDER BY cancel_reason`, { type: QueryTypes.SELECT }))
        .toEqual([{ status: 'cancelled', cancel_reason: 'Demande retirée' }, { status: 'cancelled', cancel_reason: 'Hors périmètre' }]);
      expect(await scratch.query(`SELECT to_regclass('structure_change_requests') AS t`, { type: QueryTypes.SELECT })).toEqual([{ t: null }]);
      await migrator.up({ to: '0015-referent' });
    });
  });
});
