// The login of aidants and référents (supertest on the Express app, real PostgreSQL, a real Temporal worker and
// the real mail sink): e-mail + card code → a single-use link by e-mail → « Me connecter » → a new session.
// Every refusal is one generic answer with no e-mail; codes are accepted once; links expire, serve once and
// retire the person's other links; failures are throttled and widen a drifting card; the activity check asks
// a code again and returns only to a page of this site; logout ends the session.
import request from 'supertest';
import { Op, QueryTypes } from 'sequelize';
import type express from 'express';
import { Card, EmailOutbox, JournalEntry, LoginLink, OrganisationMembership, User } from '../db/models/index.js';
import { CARD_POLICY } from '../domain/cards.js';
import { CGU_VERSION } from '../domain/espace.js';
import { createLogger } from '../infra/logger.js';
import { createApp } from '../server/app.js';
import { ESPACE_COOKIE } from '../server/espace/session.js';
import { LINK_NOT_WORKING, LOGIN_REFUSED, LOGIN_THROTTLED } from '../services/aidant-login.js';
import { createLifecycles } from '../services/lifecycles.js';
import { LOGIN_POLICY } from '../services/login-guard.js';
import { currentCode } from '../services/totp.js';
import { testConfig } from './support/env.js';
import { codeOf, CookieBrowser, createPerson, createStockCard, createStructure, espaceCookie, type TestPerson } from './support/espace.js';
import { mailsTo, waitForSubject } from './support/mail.js';
import { useWorkerStack } from './support/temporal.js';

const stack = useWorkerStack();
const SUBJECT = 'Aidants Connect - Votre lien de connexion';
let app: express.Express;
beforeAll(() => {
  // Behind a trusted proxy, X-Forwarded-For plays the client's address: each test logs in from its own.
  app = createApp({
    config: testConfig({ TRUST_PROXY: '1' }), sequelize: stack.sequelize, temporal: stack.client, log: createLogger('test', 'error'),
    lifecycles: createLifecycles(stack.client, { taskQueue: stack.worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } }),
  });
});


/** A browser of this file's app (test/support/espace.ts). */
class Browser extends CookieBrowser {
  constructor(cookie?: string) {
    super(() => app, cookie);
  }
}

const minutes = (n: number) => new Date(Date.now() + n * 60_000);
const wrongCode = (person: TestPerson) => (codeOf(person) === '000000' ? '111111' : '000000');
const askLink = (browser: Browser, email: string, otp: string, next?: string) =>
  browser.submit(next ? `/connexion?next=${encodeURIComponent(next)}` : '/connexion', { email, otp, ...(next ? { next } : {}) }, '/connexion');

/** The login links stored in the outbox for `email`, oldest first (as paths). */
async function outboxLinks(email: string): Promise<string[]> {
  const rows = await EmailOutbox.findAll({ where: { template: 'login_link', recipients: { [Op.contains]: [email] } }, order: [['createdAt', 'ASC']] });
  return rows.map((row) => /http:\/\/localhost:3000(\/connexion\/lien\/[A-Za-z0-9_-]{43})/.exec(row.textBody)![1]);
}

/** Asks a link with the card's current code and returns its path. */
async function linkFor(browser: Browser, person: TestPerson, at = new Date()) {
  const asked = await askLink(browser, person.user.email, codeOf(person, at));
  expect(asked.headers.location).toBe('/connexion/email-envoye');
  return (await outboxLinks(person.user.email)).at(-1)!;
}

const journalOf = (userId: string, action: string) => JournalEntry.findAll({ where: { actorId: userId, action }, order: [['id', 'ASC']] });
const failuresOf = async (email: string, ip: string) => Number((await stack.sequelize.query<{ n: string }>(
  'SELECT count(*) AS n FROM login_failures WHERE key = :key AND ip = :ip', { replacements: { key: `aidant:${email}`, ip }, type: QueryTypes.SELECT, plain: true }))?.n);

describe('aidant login', () => {
  it('e-mails a single-use link for a right e-mail and code; its page uses nothing; « Me connecter » opens a new session', async () => {
    const structure = await createStructure();
    const aidant = await createPerson(structure);
    // The browser holds a session from before (someone else's): the login must not reuse its id.
    const someone = await createPerson(structure);
    const held = await espaceCookie(stack.sequelize, someone.user, structure.id);
    const browser = new Browser(held);
    const before = browser.session;
    expect((await browser.get('/connexion')).headers.location).toBe('/espace-aidant'); // logged in: sent on

    // The link is asked from another tab (or device), then opened in this browser.
    const asker = new Browser();
    const page = await asker.get('/connexion?next=%2Fespace-aidant%3Fdepuis%3Dlien');
    expect(page.text).toContain('Code à 6 chiffres');
    expect(page.text).toContain('Appuyez sur le bouton de votre carte ou ouvrez votre application d’authentification');
    expect(page.text).toContain('name="next" value="/espace-aidant?depuis=lien"');
    const asked = await askLink(asker, `  ${aidant.user.email.toUpperCase()} `, codeOf(aidant), '/espace-aidant?depuis=lien');
    expect(asked.status).toBe(303);
    expect(asked.headers.location).toBe('/connexion/email-envoye');
    expect((await asker.get('/connexion/email-envoye')).text).toContain('Un e-mail vous a été envoyé pour vous connecter.');

    const mail = await waitForSubject(aidant.user.email, SUBJECT);
    expect(mail?.text).toContain('Pour accéder à Aidants Connect');
    expect(mail?.text).toContain('Ce lien n’est valable que 5 minutes. Il est à usage unique.');
    const path = /https?:\/\/[^/\s]+(\/connexion\/lien\/[A-Za-z0-9_-]{43})/.exec(mail!.text)![1];
    const token = path.split('/').at(-1)!;

    // Opening the link (as a mail scanner would) only shows a button.
    const linkPage = await browser.get(path);
    expect(linkPage.status).toBe(200);
    expect(linkPage.text).toContain('Me connecter');
    const link = (await LoginLink.findOne({ where: { userId: aidant.user.id } }))!;
    expect(link.usedAt).toBeNull();
    expect(link.tokenHash).not.toContain(token);
    expect(link.expiresAt.getTime() - link.createdAt.getTime()).toBeLessThanOrEqual(5 * 60_000 + 1000);

    const loggedIn = await browser.submit(path, {});
    expect(loggedIn.status).toBe(303);
    expect(loggedIn.headers.location).toBe('/espace-aidant?depuis=lien');
    expect(browser.session).toBeDefined();
    expect(browser.session).not.toBe(before);
    const home = await browser.get('/espace-aidant');
    expect(home.status).toBe(200);
    expect(home.text).toContain(`Bonjour ${aidant.user.firstName} ${aidant.user.lastName}`);
    // The session held before is gone.
    expect((await new Browser(held).get('/espace-aidant')).headers.location).toBe('/connexion?next=%2Fespace-aidant');

    const [login] = await journalOf(aidant.user.id, 'connect_aidant');
    expect(login.organisationId).toBe(structure.id);
    expect((await journalOf(aidant.user.id, 'login_link_sent'))).toHaveLength(1);
    expect((await User.findByPk(aidant.user.id))!.lastLoginAt).not.toBeNull();
    expect((await LoginLink.findByPk(link.id))!.usedAt).not.toBeNull();

    // Used once: the same link, again, opens nothing.
    const again = await new Browser().submit('/connexion', {}, path); // the page of a used link has no button
    expect(again.status).toBe(404);
    expect(again.text).toContain(LINK_NOT_WORKING);
    expect((await browser.get(path)).text).toContain(LINK_NOT_WORKING);

    // The token went nowhere but the e-mail: not the journal, not the delivery workflow's input.
    const entries = await JournalEntry.findAll({ where: { actorId: aidant.user.id } });
    expect(JSON.stringify(entries.map((e) => e.details))).not.toContain(token);
    const history = await stack.client.workflow.getHandle(`email/login-link/${link.id}`).fetchHistory();
    const input = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads!.map((p) => Buffer.from(p.data!).toString()).join();
    expect(input).toContain(`login-link/${link.id}`);
    expect(input).not.toContain(token);
  });

  it('answers every refusal with the same generic message, keeps the e-mail typed, counts it and sends nothing', async () => {
    const structure = await createStructure();
    const closed = await createStructure();
    await closed.update({ isActive: false });
    const wrong = await createPerson(structure);
    const inactive = await createPerson(structure, { active: false });
    const noCard = await createPerson(structure, { card: null });
    const leftStructure = await createPerson(structure);
    await OrganisationMembership.update({ isActive: false }, { where: { userId: leftStructure.user.id } });
    const closedStructure = await createPerson(closed);
    const unvalidated = await createPerson(structure, { card: null });
    const { card, seed } = await createStockCard();
    await card.update({ aidantId: unvalidated.user.id, linkedAt: new Date() });
    const cases: [string, string][] = [
      ['inconnu.jamais.vu@exemple.fr', '123456'],
      [wrong.user.email, wrongCode(wrong)],
      [inactive.user.email, codeOf(inactive)],
      [noCard.user.email, '123456'],
      [leftStructure.user.email, codeOf(leftStructure)],
      [closedStructure.user.email, codeOf(closedStructure)],
      [unvalidated.user.email, currentCode(seed, 60)],
    ];
    for (const [email, otp] of cases) {
      const browser = new Browser();
      const res = await askLink(browser, email, otp);
      expect(res.status).toBe(401);
      expect(res.text).toContain(LOGIN_REFUSED);
      expect(res.text).toContain(`value="${email}"`);
      expect(res.text).not.toContain(`value="${otp}"`);
      expect(await failuresOf(email, browser.ip)).toBe(1);
      expect(await EmailOutbox.count({ where: { recipients: { [Op.contains]: [email] } } })).toBe(0);
      expect(await LoginLink.count({ where: { userId: { [Op.in]: [wrong, inactive, noCard, leftStructure, closedStructure, unvalidated].map((p) => p.user.id) } } })).toBe(0);
    }
    // A right login afterwards is delivered: by then the refused ones would have arrived too.
    const control = await createPerson(structure);
    await linkFor(new Browser(), control);
    expect(await waitForSubject(control.user.email, SUBJECT)).toBeDefined();
    for (const [email] of cases) expect(await mailsTo(email)).toHaveLength(0);
  });

  it('shows each malformed field next to it, without checking anything', async () => {
    const browser = new Browser();
    const empty = await askLink(browser, '', '12 34 5');
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('<p id="field-email-error" class="fr-error-text">Saisissez votre adresse e-mail.</p>');
    expect(empty.text).toContain('<p id="field-otp-error" class="fr-error-text">Saisissez les 6 chiffres du code');
    const malformed = await askLink(browser, 'pas-une-adresse', '123456');
    expect(malformed.text).toContain('value="pas-une-adresse"');
    expect(malformed.text).toContain('Veuillez saisir une adresse e-mail valide');
    expect(await failuresOf('pas-une-adresse', browser.ip)).toBe(0);
  });

  it('accepts a code once: the same code again is refused', async () => {
    const aidant = await createPerson(await createStructure());
    const code = codeOf(aidant);
    const browser = new Browser();
    expect((await askLink(browser, aidant.user.email, code)).headers.location).toBe('/connexion/email-envoye');
    const replay = await askLink(browser, aidant.user.email, code);
    expect(replay.status).toBe(401);
    expect(replay.text).toContain(LOGIN_REFUSED);
    expect(await outboxLinks(aidant.user.email)).toHaveLength(1);
  });

  it('refuses an expired link', async () => {
    const aidant = await createPerson(await createStructure());
    const browser = new Browser();
    const path = await linkFor(browser, aidant);
    await LoginLink.update({ expiresAt: new Date(Date.now() - 1000) }, { where: { userId: aidant.user.id } });
    const page = await browser.get(path);
    expect(page.status).toBe(404);
    expect(page.text).toContain(LINK_NOT_WORKING);
    const used = await browser.submit('/connexion', {}, path);
    expect(used.status).toBe(404);
    expect(browser.session).toBeUndefined();
    expect(await journalOf(aidant.user.id, 'connect_aidant')).toHaveLength(0);
  });

  it('opens nothing for a person deactivated after the link was sent', async () => {
    const aidant = await createPerson(await createStructure());
    const browser = new Browser();
    const path = await linkFor(browser, aidant);
    await User.update({ isActive: false }, { where: { id: aidant.user.id } });
    const used = await browser.submit(path, {});
    expect(used.status).toBe(404);
    expect(used.text).toContain(LINK_NOT_WORKING);
    expect(browser.session).toBeUndefined();
    expect(await journalOf(aidant.user.id, 'connect_aidant')).toHaveLength(0);
  });

  it('retires the person’s other links when one is used', async () => {
    const aidant = await createPerson(await createStructure());
    const browser = new Browser();
    const first = await linkFor(browser, aidant, minutes(-1)); // the previous code, then the current one
    const second = await linkFor(browser, aidant);
    expect((await browser.submit(second, {})).headers.location).toBe('/espace-aidant');
    expect((await new Browser().submit('/connexion', {}, first)).text).toContain(LINK_NOT_WORKING);
    expect(await LoginLink.count({ where: { userId: aidant.user.id, usedAt: null } })).toBe(0);
  });

  it('sends a référent who creates no mandats to the espace référent, logged in with an application', async () => {
    const referent = await createPerson(await createStructure(), { role: 'referent', card: 'digital' });
    const browser = new Browser();
    expect((await browser.submit(await linkFor(browser, referent), {})).headers.location).toBe('/espace-referent');
  });

  it('refuses a right code after too many failures from that address, not from another one', async () => {
    const aidant = await createPerson(await createStructure());
    const attacker = new Browser();
    for (let i = 0; i < LOGIN_POLICY.maxFailures; i += 1) expect((await askLink(attacker, aidant.user.email, wrongCode(aidant))).status).toBe(401);
    const locked = await askLink(attacker, aidant.user.email, codeOf(aidant));
    expect(locked.status).toBe(429);
    expect(locked.text).toContain(LOGIN_THROTTLED);
    expect(await outboxLinks(aidant.user.email)).toHaveLength(0);
    // The aidant, from their own office, is not locked out by someone else's attempts.
    await linkFor(new Browser(), aidant);
  });

  it('widens a drifting card after three failed codes on the form, and narrows it again at the login', async () => {
    const aidant = await createPerson(await createStructure());
    const browser = new Browser();
    const drifted = codeOf(aidant, minutes(-20));
    for (let i = 0; i < CARD_POLICY.failuresBeforeDrift; i += 1) expect((await askLink(browser, aidant.user.email, i === 0 ? drifted : wrongCode(aidant))).status).toBe(401);
    expect((await Card.findByPk(aidant.card!.id))!.tolerance).toBe(CARD_POLICY.driftedTolerance);
    const path = await linkFor(browser, aidant, minutes(-19));
    expect((await Card.findByPk(aidant.card!.id))!.tolerance).toBe(CARD_POLICY.driftedTolerance); // until the login
    expect((await browser.submit(path, {})).status).toBe(303);
    const card = (await Card.findByPk(aidant.card!.id))!;
    expect([card.tolerance, card.failedCodes]).toEqual([CARD_POLICY.confirmedTolerance, 0]);
  });

  it('drops a `next` of another origin from the login form', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const page = await new Browser().get(`/connexion?next=${encodeURIComponent(next)}`);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('name="next"');
    }
  });
});

describe('activity check', () => {
  it('asks a code again after inactivity, then returns to the page asked, journaled', async () => {
    const structure = await createStructure();
    const referent = await createPerson(structure, { role: 'referent_aidant' });
    const browser = new Browser(await espaceCookie(stack.sequelize, referent.user, structure.id, { fresh: false }));
    const stale = await browser.get('/espace-referent/aidants');
    expect(stale.status).toBe(303);
    expect(stale.headers.location).toBe('/reprise-activite?next=%2Fespace-referent%2Faidants');
    const page = await browser.get(stale.headers.location);
    expect(page.text).toContain('Votre session a expiré par inactivité');
    expect(page.text).toContain('name="next" value="/espace-referent/aidants"');

    await Card.update({ tolerance: CARD_POLICY.driftedTolerance, failedCodes: 3 }, { where: { id: referent.card!.id } }); // a drifting card
    const refused = await browser.submit(stale.headers.location, { otp: wrongCode(referent), next: '/espace-referent/aidants' }, '/reprise-activite');
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('<p id="field-otp-error" class="fr-error-text">Ce code n’est pas valide.');
    expect(await failuresOf(referent.user.email, browser.ip)).toBe(1);

    const checked = await browser.submit(stale.headers.location, { otp: codeOf(referent), next: '/espace-referent/aidants' }, '/reprise-activite');
    expect(checked.status).toBe(303);
    expect(checked.headers.location).toBe('/espace-referent/aidants');
    const [entry] = await journalOf(referent.user.id, 'activity_check_aidant');
    expect(entry.organisationId).toBe(structure.id);
    expect((await browser.get('/espace-referent/aidants')).headers.location ?? '').not.toContain('/reprise-activite');
    const card = (await Card.findByPk(referent.card!.id))!; // a right code narrows it again, as a login does
    expect([card.tolerance, card.failedCodes]).toEqual([CARD_POLICY.confirmedTolerance, 0]);
  });

  it('refuses a `next` pointing anywhere but a page of this site, with a French message', async () => {
    const structure = await createStructure();
    const aidant = await createPerson(structure);
    const browser = new Browser(await espaceCookie(stack.sequelize, aidant.user, structure.id, { fresh: false }));
    for (const next of ['https://evil.example/', '//evil.example/espace', '/\\evil.example', 'javascript:alert(1)']) {
      const page = await browser.get(`/reprise-activite?next=${encodeURIComponent(next)}`);
      expect(page.status).toBe(400);
      expect(page.text).toContain('n’est pas une page d’Aidants Connect');
      expect(page.headers.location).toBeUndefined();
      const posted = await browser.submit('/reprise-activite', { otp: codeOf(aidant), next });
      expect(posted.status).toBe(400);
    }
    expect(await journalOf(aidant.user.id, 'activity_check_aidant')).toHaveLength(0);
  });
});

describe('espace aidant', () => {
  it('shows the tiles, the structures and the card, and switches to another active structure only, journaled', async () => {
    const first = await createStructure('CCAS de Première');
    const second = await createStructure('France Services de Seconde');
    const former = await createStructure('Mairie d’Avant');
    const aidant = await createPerson(first);
    await OrganisationMembership.create({ userId: aidant.user.id, organisationId: second.id, isReferent: false, canCreateMandats: true });
    await OrganisationMembership.create({ userId: aidant.user.id, organisationId: former.id, isReferent: false, canCreateMandats: true, isActive: false });
    const browser = new Browser(await espaceCookie(stack.sequelize, aidant.user, first.id));

    const home = await browser.get('/espace-aidant');
    for (const text of ['href="/espace-aidant/mandats/nouveau">Créer un mandat', 'href="/espace-aidant/usagers">Accéder aux mandats', 'href="mailto:contact@aidantsconnect.beta.gouv.fr"', `Carte physique n° ${aidant.card!.serialNumber}`, 'validée le', 'Passer sur France Services de Seconde']) {
      expect(home.text).toContain(text);
    }
    expect(home.text).not.toContain('Mairie d’Avant');
    expect(home.text).not.toContain('href="/espace-referent"');

    const refused = await browser.submit('/espace-aidant', { organisationId: former.id }, '/espace-aidant/structure');
    expect(refused.status).toBe(404);
    expect((await browser.submit('/espace-aidant', { organisationId: 'pas-un-id' }, '/espace-aidant/structure')).status).toBe(404);
    expect(await journalOf(aidant.user.id, 'switch_organisation')).toHaveLength(0);

    const switched = await browser.submit('/espace-aidant', { organisationId: second.id }, '/espace-aidant/structure');
    expect(switched.headers.location).toBe('/espace-aidant');
    const after = await browser.get('/espace-aidant');
    expect(after.text).toContain('Vous travaillez maintenant pour France Services de Seconde.');
    expect(after.text).toContain('Vous êtes sur l’espace de la structure <strong>France Services de Seconde</strong>');
    const [entry] = await journalOf(aidant.user.id, 'switch_organisation');
    expect(entry.organisationId).toBe(second.id);
    expect(entry.details).toMatchObject({ from: first.id });
    expect((await User.findByPk(aidant.user.id))!.currentOrganisationId).toBe(second.id);
  });

  it('shows the link to the espace référent to a référent of the current structure', async () => {
    const structure = await createStructure();
    const referent = await createPerson(structure, { role: 'referent_aidant' });
    const home = await new Browser(await espaceCookie(stack.sequelize, referent.user, structure.id)).get('/espace-aidant');
    expect(home.text).toContain('href="/espace-referent"');
  });

  it('asks to accept the new CGU until accepted, not blocking, journaled', async () => {
    const structure = await createStructure();
    const aidant = await createPerson(structure);
    const browser = new Browser(await espaceCookie(stack.sequelize, aidant.user, structure.id));
    expect((await browser.get('/espace-aidant')).text).toContain('Nouvelles conditions générales d’utilisation');
    const unticked = await browser.submit('/espace-aidant', {}, '/espace-aidant/cgu');
    expect(unticked.status).toBe(400);
    expect(unticked.text).toContain('<p id="field-acceptCgu-error" class="fr-error-text">Cochez la case pour accepter les conditions générales d’utilisation.</p>');
    const accepted = await browser.submit('/espace-aidant', { acceptCgu: 'on' }, '/espace-aidant/cgu');
    expect(accepted.headers.location).toBe('/espace-aidant');
    const home = await browser.get('/espace-aidant');
    expect(home.text).toContain('vous avez accepté les conditions générales d’utilisation');
    expect(home.text).not.toContain('Nouvelles conditions générales d’utilisation');
    expect((await User.findByPk(aidant.user.id))!.acceptedCguVersion).toBe(CGU_VERSION);
    const [entry] = await journalOf(aidant.user.id, 'accept_cgu');
    expect([entry.organisationId, entry.details]).toEqual([structure.id, { version: CGU_VERSION }]);
  });

  it('logs out: the session ends, the login page says so; logout needs the CSRF token', async () => {
    const structure = await createStructure();
    const aidant = await createPerson(structure);
    const cookie = await espaceCookie(stack.sequelize, aidant.user, structure.id);
    const browser = new Browser(cookie);
    const forged = await request(app).post('/deconnexion').set('Cookie', cookie).type('form').send({});
    expect(forged.status).toBe(403);
    const out = await browser.submit('/espace-aidant', {}, '/deconnexion');
    expect(out.headers.location).toBe('/connexion?deconnexion=1');
    expect(browser.session).toBeUndefined();
    expect((await browser.get(out.headers.location)).text).toContain('Vous avez été déconnecté.');
    expect((await new Browser(cookie).get('/espace-aidant')).headers.location).toBe('/connexion?next=%2Fespace-aidant');
  });
});
