// Every card path of the espace référent, in-process over the real database and a real worker: a physical
// card linked by its serial number (with each error of the reference) then validated with a code read from
// it, unlinked with a reason (back to the stock, its old codes never replaying), an application added by QR
// code and saved only once confirmed, removed, the référent's own application; 404 for another structure;
// and the validation completing the aidant's onboarding, told again later when Temporal was unreachable.
import request from 'supertest';
import { generateSync } from 'otplib';
import type { Express } from 'express';
import { QueryTypes } from 'sequelize';
import { AidantOnboarding, Card, JournalEntry, OrganisationMembership, User } from '../db/models/index.js';
import { CARD_POLICY } from '../domain/cards.js';
import { workflowIdForOnboarding } from '../domain/habilitation.js';
import { createLogger } from '../infra/logger.js';
import { createApp } from '../server/app.js';
import { createCardCodes } from '../services/card-codes.js';
import { startCardValidationSweep, tellOnboardingsOfValidatedCards } from '../services/cards.js';
import { createLifecycles, type Lifecycles } from '../services/lifecycles.js';
import { currentCode } from '../services/totp.js';
import type { aidantOnboardingWorkflow } from '../workflows/aidant-onboarding.js';
import { cardShipmentUpdate, onboardingStatusQuery, recordTrainingUpdate } from '../workflows/messages.js';
import { testConfig } from './support/env.js';
import { createPerson, createStockCard, createStructure, csrfOf, espaceCookie, type TestPerson } from './support/espace.js';
import { createJuryMember, createStructureWithOnboarding, testSecrets } from './support/factories.js';
import { unreachableClient, useWorkerStack } from './support/temporal.js';
import { waitFor } from './support/wait.js';

const stack = useWorkerStack();
const policy = { trainingDelayMonths: 2, reminderOffsetsDays: [30, 7] };
let lifecycles: Lifecycles;
let app: Express;
beforeAll(() => {
  lifecycles = createLifecycles(stack.client, { taskQueue: stack.worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 }, onboardingPolicy: policy });
  app = appWith(lifecycles, stack.client);
});

function appWith(with_: Lifecycles, temporal: Parameters<typeof createApp>[0]['temporal']): Express {
  return createApp({ config: testConfig(), sequelize: stack.sequelize, temporal, lifecycles: with_, log: createLogger('test', 'error') });
}

const minutes = (n: number) => new Date(Date.now() + n * 60_000);
const notCode = (code: string) => (code === '000000' ? '000001' : '000000');

/** A logged-in référent of a new structure (no card of their own), and what they do through the pages. */
async function referentOf(structure?: Awaited<ReturnType<typeof createStructure>>, server: () => Express = () => app) {
  const organisation = structure ?? await createStructure();
  const referent = await createPerson(organisation, { role: 'referent', card: null });
  const cookie = await espaceCookie(stack.sequelize, referent.user, organisation.id);
  const get = (path: string) => request(server()).get(path).set('Cookie', cookie);
  /** Posts the form of `page` (its CSRF token) to `action`. */
  const post = async (page: string, action: string, fields: Record<string, string>) => {
    const shown = await get(page);
    const csrf = csrfOf(shown);
    return request(server()).post(action).set('Cookie', `${cookie}; ${csrf.cookie}`).type('form').send({ _csrf: csrf.token, ...fields });
  };
  /** Follows a redirect and returns the page (with its notice). */
  const follow = async (res: request.Response) => {
    expect(res.status).toBe(303);
    return get(res.headers.location);
  };
  return { organisation, referent, cookie, get, post, follow };
}

const base = (aidant: { user: User } | User) => `/espace-referent/aidants/${'user' in aidant ? aidant.user.id : aidant.id}/carte`;
const journal = (action: string, actorId: string) => JournalEntry.findAll({ where: { action, actorId }, order: [['id', 'ASC']] });
const fieldValue = (html: string, name: string) => new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1];
const secretIn = (html: string) => /<code>([A-Z2-7 ]+)<\/code>/.exec(html)![1].replace(/ /g, '');
const appCode = (secret: string, at = new Date()) => generateSync({ secret, period: 30, digits: 6, epoch: Math.floor(at.getTime() / 1000) });

describe('physical card: link by serial number, validate with a code', () => {
  it('links a stock card, refusing an empty, malformed, unknown or already linked serial with the field kept', async () => {
    const r = await referentOf();
    const aidant = await createPerson(r.organisation, { card: null });
    const choice = await r.get(base(aidant));
    expect(choice.status).toBe(200);
    expect(choice.text).toContain('Les cartes de Karim Benali');
    expect(choice.text).toContain(`href="${base(aidant)}/physique"`);

    const page = `${base(aidant)}/physique`;
    const linkedElsewhere = await createPerson(await createStructure());
    const cases: [string, string][] = [
      ['', 'Saisissez le numéro de série inscrit au dos de la carte.'],
      ['GA D', 'Le numéro de série ne contient que des lettres, des chiffres et des tirets'],
      ['GADT-INCONNUE-42', 'Erreur : aucune carte n&#39;a été trouvée avec ce numéro de série.'],
      [linkedElsewhere.card!.serialNumber!, 'Erreur : cette carte est déjà associée à un aidant.'],
    ];
    for (const [serialNumber, message] of cases) {
      const res = await r.post(page, page, { serialNumber });
      expect(res.status).toBe(400);
      expect(res.text).toContain(message);
      expect(res.text).toContain('aria-invalid="true"');
      expect(fieldValue(res.text, 'serialNumber')).toBe(serialNumber);
    }
    expect(await Card.count({ where: { aidantId: aidant.user.id } })).toBe(0);

    const { card } = await createStockCard();
    const linked = await r.post(page, page, { serialNumber: ` ${card.serialNumber!.toLowerCase()} ` });
    expect(linked.headers.location).toBe(`${base(aidant)}/valider`);
    const validation = await r.follow(linked);
    expect(validation.text).toContain(`La carte n° ${card.serialNumber} est associée à Karim Benali.`);
    const stored = (await Card.findByPk(card.id))!;
    expect(stored).toMatchObject({ aidantId: aidant.user.id, validatedAt: null, tolerance: CARD_POLICY.unconfirmedTolerance, status: 'linked' });
    const [association] = await journal('card_association', r.referent.user.id);
    expect(association).toMatchObject({ organisationId: r.organisation.id, details: { aidantId: aidant.user.id, serialNumber: card.serialNumber, kind: 'physical' } });

    // Already carded: the link page sends back with the error, and a second card is refused.
    const again = await r.follow(await r.get(page));
    expect(again.text).toContain('Erreur : ce profil a déjà une carte physique.');
    const other = await createStockCard();
    const refused = await r.post(`${base(aidant)}/valider`, page, { serialNumber: other.card.serialNumber! });
    expect((await r.follow(refused)).text).toContain('Erreur : ce profil a déjà une carte physique.');
    expect((await Card.findByPk(other.card.id))!.aidantId).toBeNull();
  });

  it('validates the linked card with a code from up to 10 periods ago, once, then narrows its tolerance', async () => {
    const r = await referentOf();
    const aidant = await createPerson(r.organisation, { card: null });
    const { card, seed } = await createStockCard();
    await r.post(`${base(aidant)}/physique`, `${base(aidant)}/physique`, { serialNumber: card.serialNumber! });
    const page = `${base(aidant)}/valider`;
    expect((await r.get(page)).text).toContain(`Valider la carte n° ${card.serialNumber}`);

    const drifted = currentCode(seed, 60, minutes(-9.5));
    for (const code of ['', '12345', notCode(drifted), currentCode(seed, 60, minutes(-12))]) {
      const res = await r.post(page, page, { code });
      expect(res.status).toBe(400);
      expect(res.text).toContain(code === '' ? 'Saisissez le code à 6 chiffres' : 'Ce code n’est pas valide.');
      expect(fieldValue(res.text, 'code')).toBe(code);
    }
    const validated = await r.post(page, page, { code: drifted.replace(/^(\d{3})/, '$1 ') });
    expect(validated.headers.location).toBe(base(aidant));
    expect((await r.follow(validated)).text).toContain('Le compte de Karim Benali a été préparé avec succès.');
    expect(await Card.findByPk(card.id)).toMatchObject({
      status: 'validated', tolerance: CARD_POLICY.confirmedTolerance, validatedById: r.referent.user.id, failedCodes: 0,
    });
    expect(await journal('card_validation', r.referent.user.id)).toEqual([
      expect.objectContaining({ organisationId: r.organisation.id, details: { aidantId: aidant.user.id, serialNumber: card.serialNumber, kind: 'physical' } }),
    ]);
    // The code used to validate never logs in; the card now answers the aidant's login codes.
    const codes = createCardCodes({ sequelize: stack.sequelize, secrets: testSecrets });
    expect(await codes.checkPersonCode(aidant.user.id, drifted)).toBeNull();
    expect((await codes.checkPersonCode(aidant.user.id, currentCode(seed, 60)))?.id).toBe(card.id);
    // Validated already: the page says so.
    expect((await r.follow(await r.get(page))).text).toContain(`La carte n° ${card.serialNumber} est déjà validée.`);
  });

  it('offers nothing to add for a deactivated aidant, and refuses a link or a validation posted anyway', async () => {
    const r = await referentOf();
    const aidant = await createPerson(r.organisation, { card: null });
    const { card, seed } = await createStockCard();
    await r.post(`${base(aidant)}/physique`, `${base(aidant)}/physique`, { serialNumber: card.serialNumber! });
    await OrganisationMembership.update({ isActive: false }, { where: { userId: aidant.user.id, organisationId: r.organisation.id } });

    const choice = await r.get(base(aidant));
    expect(choice.text).toContain('Ce profil est désactivé dans votre structure');
    expect(choice.text).not.toContain(`href="${base(aidant)}/application"`);
    const deactivated = 'Erreur : ce profil est désactivé dans votre structure.';
    expect((await r.follow(await r.get(`${base(aidant)}/valider`))).text).toContain(deactivated);
    expect((await r.follow(await r.post(base(aidant), `${base(aidant)}/valider`, { code: currentCode(seed, 60) }))).text).toContain(deactivated);
    expect((await r.follow(await r.get(`${base(aidant)}/application`))).text).toContain(deactivated);
    expect((await Card.findByPk(card.id))!.validatedAt).toBeNull();

    const other = await createPerson(r.organisation, { card: null, active: false });
    const stock = await createStockCard();
    expect((await r.follow(await r.get(`${base(other)}/physique`))).text).toContain(deactivated);
    expect((await r.follow(await r.post(base(other), `${base(other)}/physique`, { serialNumber: stock.card.serialNumber! }))).text).toContain(deactivated);
    expect((await Card.findByPk(stock.card.id))!.aidantId).toBeNull();
  });
});

describe('unlinking a physical card', () => {
  it('needs a reason (« autre » with a text), sends the card back to the stock, and its old codes never replay', async () => {
    const r = await referentOf();
    const aidant = await createPerson(r.organisation);
    const card = aidant.card!;
    const page = `${base(aidant)}/supprimer`;
    // A code the aidant used to log in before the card left them.
    const codes = createCardCodes({ sequelize: stack.sequelize, secrets: testSecrets });
    const used = currentCode(aidant.seed!, 60);
    expect(await codes.checkPersonCode(aidant.user.id, used)).not.toBeNull();

    const noReason = await r.post(page, page, {});
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('Choisissez la raison de la dissociation.');
    const noText = await r.post(page, page, { reason: 'autre', other: ' ' });
    expect(noText.status).toBe(400);
    expect(noText.text).toContain('Précisez la raison : ce champ est obligatoire quand la raison indiquée est « Autre ».');
    expect(noText.text).toMatch(/id="field-reason-autre" name="reason" value="autre"\s+checked/);
    expect(await Card.findByPk(card.id)).toMatchObject({ aidantId: aidant.user.id });

    const done = await r.post(page, page, { reason: 'autre', other: 'Carte restée dans l’ancien local' });
    expect((await r.follow(done)).text).toContain(`La carte n° ${card.serialNumber} ne permet plus à Karim Benali de se connecter : elle retourne dans le stock.`);
    const back = (await Card.findByPk(card.id))!;
    expect(back).toMatchObject({
      aidantId: null, linkedAt: null, validatedAt: null, tolerance: CARD_POLICY.unconfirmedTolerance, status: 'unlinked',
      unlinkReason: 'Autre : Carte restée dans l’ancien local',
    });
    expect(back.lastUsedStep).not.toBeNull();
    expect(await journal('card_dissociation', r.referent.user.id)).toEqual([expect.objectContaining({
      organisationId: r.organisation.id,
      details: { aidantId: aidant.user.id, serialNumber: card.serialNumber, kind: 'physical', reason: 'autre', reasonText: 'Autre : Carte restée dans l’ancien local' },
    })]);
    expect(await codes.checkPersonCode(aidant.user.id, currentCode(aidant.seed!, 60, minutes(1)))).toBeNull();

    // Linked again to another aidant: the code used before does not validate it; a later one does.
    const next = await createPerson(r.organisation, { card: null });
    await r.post(`${base(next)}/physique`, `${base(next)}/physique`, { serialNumber: card.serialNumber! });
    expect((await Card.findByPk(card.id))).toMatchObject({ aidantId: next.user.id, unlinkedAt: null, unlinkReason: null, status: 'linked' });
    const replay = await r.post(`${base(next)}/valider`, `${base(next)}/valider`, { code: used });
    expect(replay.text).toContain('Ce code n’est pas valide.');
    const later = await r.post(`${base(next)}/valider`, `${base(next)}/valider`, { code: currentCode(aidant.seed!, 60, minutes(1)) });
    expect(later.headers.location).toBe(base(next));
    expect((await Card.findByPk(card.id))!.status).toBe('validated');
  });
});

describe('digital card (authenticator application)', () => {
  it('shows a QR code and its secret, saves the application only once a first code confirms it, at most one, removable', async () => {
    const r = await referentOf();
    const aidant = await createPerson(r.organisation, { card: null });
    const page = `${base(aidant)}/application`;
    const shown = await r.get(page);
    expect(shown.status).toBe(200);
    expect(shown.text).toMatch(/<svg width="232" height="232" role="img"[^>]*viewBox/);
    const secret = secretIn(shown.text);
    expect(secretIn((await r.get(page)).text)).toBe(secret); // a reload keeps the QR code scanned
    // Another aidant's application offered meanwhile has its own secret, and this one stays.
    const colleague = await createPerson(r.organisation, { card: null });
    expect(secretIn((await r.get(`${base(colleague)}/application`)).text)).not.toBe(secret);
    expect(await Card.count({ where: { aidantId: aidant.user.id } })).toBe(0);
    // The pending secret waits in the session, sealed.
    const [{ sess }] = await stack.sequelize.query<{ sess: { pendingApplications: Record<string, string> } }>(
      `SELECT sess FROM http_sessions WHERE sess::text LIKE '%${aidant.user.id}%'`, { type: QueryTypes.SELECT },
    );
    expect(sess.pendingApplications[aidant.user.id]).toMatch(/^v1\./);
    expect(JSON.stringify(sess)).not.toContain(secret);

    const wrong = await r.post(page, page, { code: notCode(appCode(secret)) });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Ce code n’est pas valide.');
    expect(secretIn(wrong.text)).toBe(secret);
    expect(await Card.count({ where: { aidantId: aidant.user.id } })).toBe(0);

    const code = appCode(secret);
    const saved = await r.post(page, page, { code });
    expect((await r.follow(saved)).text).toContain('L’application de Karim Benali est enregistrée : son compte a été préparé avec succès.');
    const card = (await Card.findOne({ where: { aidantId: aidant.user.id, kind: 'digital' } }))!;
    expect(card).toMatchObject({ periodSeconds: 30, tolerance: 1, status: 'validated', serialNumber: null, validatedById: r.referent.user.id });
    expect(card.sealedSeed).toMatch(/^v1\./);
    expect((await journal('card_association', r.referent.user.id)).map((e) => e.details)).toEqual([{ aidantId: aidant.user.id, serialNumber: null, kind: 'digital' }]);
    const codes = createCardCodes({ sequelize: stack.sequelize, secrets: testSecrets });
    expect(await codes.checkPersonCode(aidant.user.id, code)).toBeNull(); // the confirming code is used up
    expect((await codes.checkPersonCode(aidant.user.id, appCode(secret, new Date(Date.now() + 30_000))))?.id).toBe(card.id);

    // At most one.
    expect((await r.follow(await r.get(page))).text).toContain('Attention : il existe déjà une carte numérique');
    const another = await r.post(base(aidant), page, { code: appCode(secret, new Date(Date.now() + 60_000)) });
    expect((await r.follow(another)).text).toContain('Attention : il existe déjà une carte numérique');
    expect(await Card.count({ where: { aidantId: aidant.user.id, kind: 'digital' } })).toBe(1);

    // Removable.
    expect((await r.get(base(aidant))).text).toContain(`href="${page}/supprimer"`);
    const removed = await r.post(`${page}/supprimer`, `${page}/supprimer`, {});
    expect((await r.follow(removed)).text).toContain('L’application de Karim Benali a été supprimée.');
    expect(await Card.findByPk(card.id)).toBeNull();
    expect((await journal('card_dissociation', r.referent.user.id)).map((e) => e.details)).toEqual([
      { aidantId: aidant.user.id, serialNumber: null, kind: 'digital', reason: 'suppression_application', reasonText: 'Suppression de l’application' },
    ]);
    expect((await r.follow(await r.get(`${page}/supprimer`))).text).toContain('Erreur : ce profil n’a pas d’application d’authentification.');
  });

  it('lets the référent add their own application, log in with it and remove it', async () => {
    const r = await referentOf();
    const page = '/espace-referent/mon-application';
    const shown = await r.get(page);
    expect(shown.text).toContain('Ajouter mon application d’authentification');
    const secret = secretIn(shown.text);
    const saved = await r.post(page, page, { code: appCode(secret) });
    expect(saved.headers.location).toBe(page);
    const mine = await r.get(page);
    expect(mine.text).toContain('Votre application est enregistrée.');
    expect(mine.text).toContain('Supprimer mon application');
    const codes = createCardCodes({ sequelize: stack.sequelize, secrets: testSecrets });
    expect((await codes.checkPersonCode(r.referent.user.id, appCode(secret, new Date(Date.now() + 30_000))))?.kind).toBe('digital');
    expect((await journal('card_association', r.referent.user.id))[0]).toMatchObject({ details: { aidantId: r.referent.user.id, kind: 'digital' } });

    const removed = await r.post(`${page}/supprimer`, `${page}/supprimer`, {});
    expect((await r.follow(removed)).text).toContain('Votre application a été supprimée.');
    expect(await Card.count({ where: { aidantId: r.referent.user.id } })).toBe(0);
  });
});

describe('another structure', () => {
  it('answers 404 for another structure’s aidant and cards, on every page and form, and changes nothing', async () => {
    const r = await referentOf();
    const elsewhere = await createStructure();
    const aidant: TestPerson = await createPerson(elsewhere);
    const { card: stock } = await createStockCard();
    const paths = ['', '/physique', '/valider', '/supprimer', '/application', '/application/supprimer'];
    const csrf = csrfOf(await r.get('/espace-referent/mon-application'));
    for (const id of [aidant.user.id, 'pas-un-uuid', '00000000-0000-4000-8000-000000000000']) {
      for (const rest of paths) {
        const path = `/espace-referent/aidants/${id}/carte${rest}`;
        expect([path, (await r.get(path)).status]).toEqual([path, 404]);
        if (rest === '') continue;
        const posted = await request(app).post(path).set('Cookie', `${r.cookie}; ${csrf.cookie}`).type('form')
          .send({ _csrf: csrf.token, serialNumber: stock.serialNumber!, code: '123456', reason: 'perte' });
        expect([path, posted.status]).toEqual([path, 404]);
      }
    }
    expect(await Card.findByPk(aidant.card!.id)).toMatchObject({ aidantId: aidant.user.id, status: 'validated' });
    expect((await Card.findByPk(stock.id))!.aidantId).toBeNull();
  });
});

describe('the onboarding told of the validated card', () => {
  async function onboardingAt(status: 'card_shipping' | 'card_linking') {
    const { organisation, onboarding } = await createStructureWithOnboarding();
    const staff = await createJuryMember();
    const handle = await stack.client.workflow.start<typeof aidantOnboardingWorkflow>('aidantOnboardingWorkflow', {
      workflowId: workflowIdForOnboarding(onboarding.id), taskQueue: stack.worker.taskQueue, args: [{ onboardingId: onboarding.id, policy }],
    });
    await waitFor('awaiting training', async () => (await handle.query(onboardingStatusQuery)).status, (s) => s === 'awaiting_training');
    await lifecycles.updateOnboarding(onboarding.id, recordTrainingUpdate, { trainingDate: new Date().toISOString().slice(0, 10), actorId: staff.id });
    await waitFor('card shipping', async () => (await handle.query(onboardingStatusQuery)).status, (s) => s === 'card_shipping');
    if (status === 'card_linking') {
      await lifecycles.updateOnboarding(onboarding.id, cardShipmentUpdate, { status: 'sent', trackingNumber: '6A00000000042', actorId: staff.id });
      await lifecycles.updateOnboarding(onboarding.id, cardShipmentUpdate, { status: 'delivered', actorId: staff.id });
    }
    const aidant = (await User.findOne({ where: { email: onboarding.email } }))!;
    return { organisation, onboarding, aidant, handle };
  }

  it('completes the onboarding once the delivered card is validated (on the real worker)', async () => {
    const { organisation, onboarding, aidant, handle } = await onboardingAt('card_linking');
    const r = await referentOf(organisation);
    const { card, seed } = await createStockCard();
    await r.post(`${base(aidant)}/physique`, `${base(aidant)}/physique`, { serialNumber: card.serialNumber! });
    const done = await r.post(`${base(aidant)}/valider`, `${base(aidant)}/valider`, { code: currentCode(seed, 60) });
    expect((await r.follow(done)).text).toContain('Le compte de Karim Benali a été préparé avec succès.</p>');
    expect(await handle.result()).toBe('completed');
    expect(await AidantOnboarding.findByPk(onboarding.id)).toMatchObject({ status: 'completed' });
    expect(await JournalEntry.findOne({ where: { action: 'card_validation', onboardingId: onboarding.id } })).toMatchObject({
      actorId: r.referent.user.id, details: { to: 'completed', cardId: card.id },
    });
  });

  it('completes it from an application validated before the kit arrived: the kit is moot', async () => {
    const { organisation, onboarding, aidant, handle } = await onboardingAt('card_shipping');
    const r = await referentOf(organisation);
    const page = `${base(aidant)}/application`;
    const secret = secretIn((await r.get(page)).text);
    await r.post(page, page, { code: appCode(secret) });
    expect(await handle.result()).toBe('completed');
    expect(await AidantOnboarding.findByPk(onboarding.id)).toMatchObject({ status: 'completed' });
  });

  it('does not end an onboarding before the training; the activation then finds the card and completes it', async () => {
    const { organisation, onboarding } = await createStructureWithOnboarding();
    // A person already in the structure (a référent who also trains as an aidant) gets a card before the training.
    const person = await User.create({
      email: onboarding.email, firstName: 'Karim', lastName: 'Benali', profession: null, phone: null, currentOrganisationId: organisation.id,
      passwordHash: null, sealedAdminTotpSecret: null, lastLoginAt: null, lastActivityAt: null,
    });
    await OrganisationMembership.create({ userId: person.id, organisationId: organisation.id, isReferent: true, canCreateMandats: false });
    const handle = await stack.client.workflow.start<typeof aidantOnboardingWorkflow>('aidantOnboardingWorkflow', {
      workflowId: workflowIdForOnboarding(onboarding.id), taskQueue: stack.worker.taskQueue, args: [{ onboardingId: onboarding.id, policy }],
    });
    await waitFor('awaiting training', async () => (await handle.query(onboardingStatusQuery)).status, (s) => s === 'awaiting_training');
    const r = await referentOf(organisation);
    const { card, seed } = await createStockCard();
    await r.post(`${base(person)}/physique`, `${base(person)}/physique`, { serialNumber: card.serialNumber! });
    const done = await r.post(`${base(person)}/valider`, `${base(person)}/valider`, { code: currentCode(seed, 60) });
    expect((await r.follow(done)).text).toContain('Le compte de Karim Benali a été préparé avec succès.</p>');
    expect((await handle.query(onboardingStatusQuery)).status).toBe('awaiting_training');

    const staff = await createJuryMember();
    await lifecycles.updateOnboarding(onboarding.id, recordTrainingUpdate, { trainingDate: new Date().toISOString().slice(0, 10), actorId: staff.id });
    // The web process's sweep: the activated onboarding of a person with a validated card is told.
    const stop = startCardValidationSweep({ sequelize: stack.sequelize, lifecycles }, { intervalMs: 200 });
    try {
      expect(await handle.result()).toBe('completed');
    } finally {
      stop();
    }
    expect(await AidantOnboarding.findByPk(onboarding.id)).toMatchObject({ status: 'completed' });
  });

  it('keeps the card validated when Temporal is unreachable, says the onboarding will follow, and the sweep tells it', async () => {
    const { organisation, onboarding, aidant, handle } = await onboardingAt('card_linking');
    const temporal = unreachableClient();
    const down = appWith(createLifecycles(temporal, { taskQueue: 'unused', habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } }), temporal);
    const r = await referentOf(organisation, () => down);
    const { card, seed } = await createStockCard();
    await r.post(`${base(aidant)}/physique`, `${base(aidant)}/physique`, { serialNumber: card.serialNumber! });
    const done = await r.post(`${base(aidant)}/valider`, `${base(aidant)}/valider`, { code: currentCode(seed, 60) });
    expect((await r.follow(done)).text).toContain('Le compte de Karim Benali a été préparé avec succès. Son habilitation sera mise à jour dans quelques minutes.');
    expect((await Card.findByPk(card.id))!.status).toBe('validated');
    expect((await AidantOnboarding.findByPk(onboarding.id))!.status).toBe('card_linking');

    expect(await tellOnboardingsOfValidatedCards({ sequelize: stack.sequelize, lifecycles }, aidant.id)).toEqual({ told: 1, failures: [] });
    expect(await handle.result()).toBe('completed');
    expect(await JournalEntry.findOne({ where: { action: 'card_validation', onboardingId: onboarding.id } })).toMatchObject({ actorId: r.referent.user.id });
    await temporal.connection.close();
  });
});
