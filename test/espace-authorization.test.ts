// Who reaches what, over two structures and every role: a référent reaches the aidants, cards, trainings and
// onboardings of their CURRENT structure only (another structure's answers 404, whatever the method, and
// nothing changes); an aidant never reaches the espace référent (403); nobody logged out reaches either space;
// a person référent in one structure and aidant in another is référent only while that structure is current.
// The back-office side (who may decide, import cards, publish sessions…) is checked below on the capabilities
// every AdminJS action asks for; each action's own test proves it asks (admin-actions, admin-cards, training-admin).
import request from 'supertest';
import type { Sequelize } from 'sequelize';
import { AidantOnboarding, Card, OrganisationMembership, User, type Organisation } from '../db/models/index.js';
import { can, STAFF_ROLE_KEYS, type BackOfficeCapability } from '../domain/roles.js';
import { createApp } from '../server/app.js';
import { testSequelize, unique } from './support/env.js';
import { createPerson, createStructure, csrfOf, espaceCookie, type TestPerson } from './support/espace.js';
import { appWithoutTemporal } from './support/app.js';

let sequelize: Sequelize;
let app: ReturnType<typeof createApp>;

interface Side { structure: Organisation; referent: TestPerson; aidant: TestPerson; onboarding: AidantOnboarding }
let a: Side;
let b: Side;

async function side(name: string): Promise<Side> {
  const structure = await createStructure(`${name} ${unique()}`);
  const referent = await createPerson(structure, { role: 'referent', card: 'digital' });
  const aidant = await createPerson(structure, { role: 'aidant' });
  const onboarding = await AidantOnboarding.create({
    organisationId: structure.id, habilitationRequestId: null, aidantRequestId: null, userId: null, email: `${unique('a-former-')}@exemple.fr`,
    firstName: 'Inès', lastName: 'Morel', profession: 'Médiatrice', trainingDeadline: new Date(Date.now() + 50 * 86_400_000),
    trainingDate: null, lapsedAt: null, cancelledAt: null, cancelReason: null, completedAt: null,
  });
  return { structure, referent, aidant, onboarding };
}

beforeAll(async () => {
  sequelize = testSequelize();
  app = appWithoutTemporal(sequelize);
  [a, b] = [await side('CCAS A'), await side('CCAS B')];
});
afterAll(async () => { await sequelize.close(); });

/** Every page of the espace référent about one aidant or one onboarding. */
const aidantPages = (aidantId: string) => [
  `/espace-referent/aidants/${aidantId}`, `/espace-referent/aidants/${aidantId}/carte`, `/espace-referent/aidants/${aidantId}/carte/physique`,
  `/espace-referent/aidants/${aidantId}/carte/valider`, `/espace-referent/aidants/${aidantId}/carte/supprimer`,
  `/espace-referent/aidants/${aidantId}/carte/application`, `/espace-referent/aidants/${aidantId}/carte/application/supprimer`,
];
const onboardingPages = (onboardingId: string) => [`/espace-referent/formations/${onboardingId}`, `/espace-referent/habilitations/${onboardingId}/annuler`];
/** Every form of the espace référent about one aidant or one onboarding, with a body that would be valid. */
const aidantForms = (aidantId: string, serial: string): [string, Record<string, string>][] => [
  [`/espace-referent/aidants/${aidantId}/desactiver`, {}], [`/espace-referent/aidants/${aidantId}/reactiver`, {}],
  [`/espace-referent/aidants/${aidantId}/retirer`, {}], [`/espace-referent/aidants/${aidantId}/carte/physique`, { serialNumber: serial }],
  [`/espace-referent/aidants/${aidantId}/carte/valider`, { code: '123456' }], [`/espace-referent/aidants/${aidantId}/carte/supprimer`, { reason: 'perte' }],
  [`/espace-referent/aidants/${aidantId}/carte/application`, { code: '123456' }], [`/espace-referent/aidants/${aidantId}/carte/application/supprimer`, {}],
];
const onboardingForms = (onboardingId: string): [string, Record<string, string>][] => [
  [`/espace-referent/formations/${onboardingId}`, { sessionId: '00000000-0000-4000-8000-000000000000' }],
  [`/espace-referent/formations/${onboardingId}/annulation`, {}], [`/espace-referent/habilitations/${onboardingId}/annuler`, { reason: 'Départ' }],
];

async function formSender(cookie: string) {
  const page = await request(app).get('/espace-aidant').set('Cookie', cookie);
  const csrf = csrfOf(page);
  return (path: string, body: Record<string, string>) =>
    request(app).post(path).set('Cookie', [cookie, csrf.cookie].filter(Boolean).join('; ')).type('form').send({ _csrf: csrf.token, ...body });
}

describe('the espace référent across two structures', () => {
  it('shows the référent every page about the aidants and onboardings of their structure (the control of the 404s below)', async () => {
    const cookie = await espaceCookie(sequelize, a.referent.user, a.structure.id);
    for (const path of ['/espace-referent', ...aidantPages(a.aidant.user.id).slice(0, 2), `/espace-referent/aidants/${a.aidant.user.id}/carte/application`, onboardingPages(a.onboarding.id)[0]]) {
      const res = await request(app).get(path).set('Cookie', cookie);
      expect([path, res.status]).toEqual([path, 200]);
    }
  });

  it('answers 404 to a référent on every page and form about another structure’s aidant or onboarding, and changes nothing', async () => {
    const cookie = await espaceCookie(sequelize, a.referent.user, a.structure.id);
    for (const path of [...aidantPages(b.aidant.user.id), ...onboardingPages(b.onboarding.id)]) {
      const res = await request(app).get(path).set('Cookie', cookie);
      expect([path, res.status]).toEqual([path, 404]);
    }
    const send = await formSender(cookie);
    for (const [path, body] of [...aidantForms(b.aidant.user.id, b.aidant.card!.serialNumber!), ...onboardingForms(b.onboarding.id)]) {
      const res = await send(path, body);
      expect([path, res.status]).toEqual([path, 404]);
    }
    const designated = await send('/espace-referent/referents', { candidate: b.aidant.user.id });
    expect(designated.status).toBe(400);

    const membership = (await OrganisationMembership.findOne({ where: { userId: b.aidant.user.id, organisationId: b.structure.id } }))!;
    expect([membership.isActive, membership.isReferent]).toEqual([true, false]);
    expect((await User.findByPk(b.aidant.user.id))!.isActive).toBe(true);
    expect((await Card.findByPk(b.aidant.card!.id))!.aidantId).toBe(b.aidant.user.id);
    expect((await AidantOnboarding.findByPk(b.onboarding.id))!.status).toBe('awaiting_training');
  });

  it('answers 403 to an aidant on every page and form of the espace référent, even of their own structure', async () => {
    const cookie = await espaceCookie(sequelize, a.aidant.user, a.structure.id);
    for (const path of ['/espace-referent', '/espace-referent/formations', '/espace-referent/structure', '/espace-referent/ajouter-aidants/profil', '/espace-referent/mon-application', ...aidantPages(a.aidant.user.id), ...onboardingPages(a.onboarding.id)]) {
      const res = await request(app).get(path).set('Cookie', cookie);
      expect([path, res.status]).toEqual([path, 403]);
    }
    const send = await formSender(cookie);
    for (const [path, body] of [...aidantForms(a.referent.user.id, 'GADT0000001'), ...onboardingForms(a.onboarding.id), ['/espace-referent/structure/demarches', { demarches: 'social' }] as [string, Record<string, string>]]) {
      const res = await send(path, body);
      expect([path, res.status]).toEqual([path, 403]);
    }
    expect((await OrganisationMembership.findOne({ where: { userId: a.referent.user.id, organisationId: a.structure.id } }))!.isActive).toBe(true);
  });

  it('sends a logged-out visitor to the login from every page and form of both spaces', async () => {
    for (const path of ['/espace-aidant', '/espace-referent', ...aidantPages(a.aidant.user.id), ...onboardingPages(a.onboarding.id)]) {
      const res = await request(app).get(path);
      expect([path, res.status, res.headers.location?.startsWith('/connexion')]).toEqual([path, 303, true]);
    }
    for (const [path] of [...aidantForms(a.aidant.user.id, 'x'), ['/espace-aidant/structure'], ['/espace-aidant/cgu']]) {
      const res = await request(app).post(path).type('form').send({});
      expect([path, res.status]).toEqual([path, 303]);
    }
  });

  it('makes a person référent of one structure and aidant of another référent only while the first is current', async () => {
    const both = await createPerson(b.structure, { role: 'aidant' });
    await OrganisationMembership.create({ userId: both.user.id, organisationId: a.structure.id, isReferent: true, canCreateMandats: false });
    const asAidantOfB = await espaceCookie(sequelize, both.user, b.structure.id);
    expect((await request(app).get('/espace-referent').set('Cookie', asAidantOfB)).status).toBe(403);
    expect((await request(app).get(`/espace-referent/aidants/${b.aidant.user.id}`).set('Cookie', asAidantOfB)).status).toBe(403);

    const send = await formSender(asAidantOfB);
    const switched = await send('/espace-aidant/structure', { organisationId: a.structure.id });
    expect(switched.status).toBe(303);
    const asReferentOfA = asAidantOfB; // the same session, now in structure A
    expect((await request(app).get(`/espace-referent/aidants/${a.aidant.user.id}`).set('Cookie', asReferentOfA)).status).toBe(200);
    expect((await request(app).get(`/espace-referent/aidants/${b.aidant.user.id}`).set('Cookie', asReferentOfA)).status).toBe(404);
  });
});

describe('the back-office across every ANCT role', () => {
  it('gives each role exactly its capabilities: only the comité and the technical team decide habilitations', () => {
    const expected: Record<string, BackOfficeCapability[]> = {
      anct_jury: ['decide_habilitation', 'follow_onboarding'],
      anct_staff: ['follow_onboarding', 'manage_cards', 'read_mandats', 'read_journal', 'manage_training', 'manage_mandat_translations'],
      tech_admin: ['decide_habilitation', 'follow_onboarding', 'manage_cards', 'read_mandats', 'read_journal', 'manage_usagers', 'manage_staff', 'manage_training', 'manage_mandat_translations'],
    };
    const all: BackOfficeCapability[] = ['decide_habilitation', 'follow_onboarding', 'manage_cards', 'read_mandats', 'read_journal', 'manage_usagers', 'manage_staff', 'manage_training', 'manage_mandat_translations'];
    for (const role of STAFF_ROLE_KEYS) {
      expect([role, all.filter((capability) => can([role], capability))]).toEqual([role, all.filter((c) => expected[role].includes(c))]);
    }
    expect(all.filter((capability) => can([], capability))).toEqual([]);
    expect(all.filter((capability) => can(['aidant', 'referent'], capability))).toEqual([]);
  });
});
