// A référent's first login (supertest on the Express app, real PostgreSQL, a real Temporal worker and the real
// mail sink): the référent of a validated habilitation has an account but no card nor application, so the
// validation e-mail carries a setup link (minted by the outbox, in no workflow's history); the page
// « Première connexion » sends one again to such a référent only, with the same answer for every address; the
// link's page shows the QR code of a new application and uses nothing; a first right code saves it, uses the
// link once and logs in; the login then works as for anyone. Setup and login tokens are never taken for each other.
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { Op } from 'sequelize';
import type express from 'express';
import { generateSync } from 'otplib';
import { Card, EmailOutbox, HabilitationRequest, JournalEntry, LoginLink, OrganisationMembership, SetupLink, User } from '../db/models/index.js';
import { DAY_MS } from '../domain/duration.js';
import { workflowIdForRequest } from '../domain/habilitation.js';
import { createLogger } from '../infra/logger.js';
import { createApp, withoutTokens } from '../server/app.js';
import { ESPACE_COOKIE } from '../server/espace/session.js';
import { LINK_NOT_WORKING, LOGIN_THROTTLED } from '../services/aidant-login.js';
import { createLifecycles, type Lifecycles } from '../services/lifecycles.js';
import { LOGIN_POLICY } from '../services/login-guard.js';
import { SETUP_EMAILS_PER_HOUR, SETUP_LINK_NOT_WORKING, SETUP_REQUEST_ANSWER } from '../services/referent-first-login.js';
import { requestStateQuery } from '../workflows/messages.js';
import { testConfig, unique } from './support/env.js';
import { codeOf, CookieBrowser, createPerson, createStructure, type TestPerson } from './support/espace.js';
import { createJuryMember, createSubmittedRequest, testSecrets } from './support/factories.js';
import { mailsTo, waitForSubject } from './support/mail.js';
import { useWorkerStack } from './support/temporal.js';
import { waitFor } from './support/wait.js';

const stack = useWorkerStack();
const FORM = '/connexion/premiere-connexion';
const ASKED_SUBJECT = 'Aidants Connect - Votre première connexion à l’espace référent';
const LOGIN_SUBJECT = 'Aidants Connect - Votre lien de connexion';
const SETUP_PATH = /https?:\/\/[^/\s]+(\/connexion\/premiere-connexion\/[A-Za-z0-9_-]{43})/;
let app: express.Express;
let lifecycles: Lifecycles;
beforeAll(() => {
  // Behind a trusted proxy, X-Forwarded-For plays the client's address: each browser has its own.
  lifecycles = createLifecycles(stack.client, { taskQueue: stack.worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } });
  app = createApp({ config: testConfig({ TRUST_PROXY: '1' }), sequelize: stack.sequelize, temporal: stack.client, log: createLogger('test', 'error'), lifecycles });
});

type Response = Awaited<ReturnType<ReturnType<typeof request>['get']>>;

/** A browser of this file's app (test/support/espace.ts). */
class Browser extends CookieBrowser {
  constructor(cookie?: string) {
    super(() => app, cookie);
  }
}

/** The base32 secret a setup page shows, and the code its application shows at `at`. */
const secretIn = (html: string) => /<code>([A-Z2-7 ]+)<\/code>/.exec(html)![1].replace(/ /g, '');
const appCode = (secret: string, at = new Date()) => generateSync({ secret, period: 30, digits: 6, epoch: Math.floor(at.getTime() / 1000) });
/** A code the application shows at no step around now. */
function wrongAppCode(secret: string): string {
  const near = [-30_000, 0, 30_000].map((offset) => appCode(secret, new Date(Date.now() + offset)));
  return ['000000', '111111', '222222', '333333'].find((code) => !near.includes(code))!;
}

const askSetupLink = (browser: Browser, email: string) => browser.submit(FORM, { email });
const setupPathIn = (text: string | undefined) => SETUP_PATH.exec(text ?? '')?.[1];
const journalOf = (userId: string, action: string) => JournalEntry.findAll({ where: { actorId: userId, action }, order: [['id', 'ASC']] });

/** The setup links stored in the outbox for `email` (e-mails asked from the page), oldest first, as paths. */
async function askedLinks(email: string): Promise<string[]> {
  const rows = await EmailOutbox.findAll({ where: { template: 'referent_setup_link', recipients: { [Op.contains]: [email] } }, order: [['createdAt', 'ASC']] });
  return rows.map((row) => setupPathIn(row.textBody)!);
}

/** A référent without card nor application, and the path of a setup link asked for them from the page. */
async function referentWithLink(structure?: Awaited<ReturnType<typeof createStructure>>) {
  const referent = await createPerson(structure ?? await createStructure(), { role: 'referent', card: null });
  expect((await askSetupLink(new Browser(), referent.user.email)).headers.location).toBe(FORM);
  const [path] = await askedLinks(referent.user.email);
  return { referent, path };
}

/** Every string a workflow's history holds (payloads decoded), to look for a token in it. */
function historyText(value: unknown, into: string[] = []): string[] {
  if (value instanceof Uint8Array) into.push(Buffer.from(value).toString('utf8'));
  else if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) value.forEach((item) => historyText(item, into));
  else if (value && typeof value === 'object') Object.values(value).forEach((item) => historyText(item, into));
  return into;
}

/** Confirms the application of a setup link's page in `browser` and returns the answer. */
async function confirm(browser: Browser, path: string): Promise<Response> {
  const page = await browser.get(path);
  expect(page.status).toBe(200);
  return browser.submit(path, { otp: appCode(secretIn(page.text)) });
}

describe('the setup link of the habilitation’s validation', () => {
  it('carries a working setup link, minted by the outbox: in no workflow history nor input; the first code saves the application and logs in', async () => {
    const referentEmail = `${unique('referent-')}@exemple.fr`;
    const submitted = await createSubmittedRequest(stack.sequelize, {
      referent: { referentIsIssuer: '', firstName: 'Camille', lastName: 'Martin', email: referentEmail, phone: '07 12 34 56 78', profession: 'Directrice' },
    });
    await lifecycles.startHabilitationRequest(submitted.id);
    const handle = stack.client.workflow.getHandle(workflowIdForRequest(submitted.id));
    await waitFor('awaiting the comité', () => handle.query(requestStateQuery), (state) => state.status === 'awaiting_comite');
    const jury = await createJuryMember();
    expect(await lifecycles.decideHabilitationRequest(submitted.id, { decision: 'validate', motif: 'Dossier complet', juryMemberId: jury.id })).toEqual({ status: 'validated' });
    expect(await handle.result()).toBe('validated');
    const validated = (await HabilitationRequest.findByPk(submitted.id))!;

    const mail = await waitForSubject(referentEmail, `Aidants Connect - Vous êtes référent(e) de la structure ${validated.name}`);
    expect(mail?.text).toMatch(/^Bonjour Camille Martin,/);
    expect(mail?.html).toContain('Découvrir l’espace référent');
    expect(mail?.text).toContain('ne sert qu’une fois');
    const path = setupPathIn(mail?.text)!;
    expect(path).toBeDefined();
    expect(mail?.html).toContain(`href="http://localhost:3000${path}"`); // the button leads to it
    const token = path.split('/').at(-1)!;

    // The token is in the e-mail only: not in the lifecycle's history (its input, the activities' inputs and results).
    const history = await handle.fetchHistory();
    const text = historyText(history).join('\n');
    expect(text).toContain(referentEmail); // the e-mail's request is there…
    expect(text).not.toContain(token); // …without its link
    expect(JSON.stringify(await JournalEntry.findAll({ where: { action: 'login_link_sent' } }))).not.toContain(token);

    const referent = (await User.findOne({ where: { email: referentEmail } }))!;
    const link = (await SetupLink.findOne({ where: { userId: referent.id } }))!;
    expect(link.tokenHash).not.toContain(token);
    expect(link.expiresAt.getTime() - link.createdAt.getTime()).toBeGreaterThan(7 * DAY_MS - 60_000);
    expect(link.expiresAt.getTime() - link.createdAt.getTime()).toBeLessThanOrEqual(7 * DAY_MS + 1000);
    const [sent] = await journalOf(referent.id, 'login_link_sent');
    expect(sent.organisationId).toBe(validated.organisationId);
    expect(sent.details).toMatchObject({ link: 'setup', cause: 'habilitation_validated' });

    // The page (as a mail scanner opens it) uses nothing: a QR code and its secret, the same on a reload.
    const browser = new Browser();
    const page = await browser.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<svg');
    expect(page.text).toContain(validated.name);
    const secret = secretIn(page.text);
    expect(secretIn((await browser.get(path)).text)).toBe(secret);
    expect((await SetupLink.findByPk(link.id))!.usedAt).toBeNull();
    expect(await Card.count({ where: { aidantId: referent.id } })).toBe(0);

    // A wrong code: the message next to the field, the link still usable.
    const wrong = await browser.submit(path, { otp: wrongAppCode(secret) });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('<p id="field-otp-error" class="fr-error-text">Ce code n’est pas valide.</p>');
    expect(secretIn(wrong.text)).toBe(secret);
    expect((await SetupLink.findByPk(link.id))!.usedAt).toBeNull();
    expect(await Card.count({ where: { aidantId: referent.id } })).toBe(0);

    const before = browser.session;
    const loggedIn = await browser.submit(path, { otp: appCode(secret) });
    expect(loggedIn.status).toBe(303);
    expect(loggedIn.headers.location).toBe('/espace-referent');
    expect(browser.session).toBeDefined();
    expect(browser.session).not.toBe(before); // a new session id
    const home = await browser.get('/espace-referent');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Votre application d’authentification est enregistrée et vous êtes connecté(e).');

    const card = (await Card.findOne({ where: { aidantId: referent.id } }))!;
    expect([card.kind, card.validatedAt !== null, card.validatedById]).toEqual(['digital', true, referent.id]);
    const [association] = await journalOf(referent.id, 'card_association');
    expect([association.organisationId, association.details]).toEqual([validated.organisationId, expect.objectContaining({ aidantId: referent.id, kind: 'digital' })]);
    const [login] = await journalOf(referent.id, 'connect_aidant');
    expect(login.organisationId).toBe(validated.organisationId);
    expect(JSON.stringify([association.details, login.details])).not.toContain(token);
    expect((await SetupLink.findByPk(link.id))!.usedAt).not.toBeNull();
    expect((await User.findByPk(referent.id))!.lastLoginAt).not.toBeNull();

    // Used once: the link no longer works, and says where to ask for a new one.
    const again = await new Browser().get(path);
    expect(again.status).toBe(404);
    expect(again.text).toContain(SETUP_LINK_NOT_WORKING);
    expect(again.text).toContain(`href="${FORM}"`);

    // From now on, the usual login with the application's next code.
    const asker = new Browser();
    const asked = await asker.submit('/connexion', { email: referentEmail, otp: appCode(secret, new Date(Date.now() + 30_000)) });
    expect(asked.headers.location).toBe('/connexion/email-envoye');
    const loginMail = await waitForSubject(referentEmail, LOGIN_SUBJECT);
    const loginPath = /https?:\/\/[^/\s]+(\/connexion\/lien\/[A-Za-z0-9_-]{43})/.exec(loginMail!.text)![1];
    expect((await asker.submit(loginPath, {})).headers.location).toBe('/espace-referent');
  });
});

describe('the page « Première connexion d’un référent »', () => {
  it('is linked from the login page, and shows a malformed address next to its field', async () => {
    expect((await new Browser().get('/connexion')).text).toContain(`<a href="${FORM}">Première connexion d’un référent ?</a>`);
    const browser = new Browser();
    const page = await browser.get(FORM);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Première connexion d’un référent');
    const empty = await askSetupLink(browser, '');
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('<p id="field-email-error" class="fr-error-text">Saisissez votre adresse e-mail.</p>');
    const malformed = await askSetupLink(browser, 'pas-une-adresse');
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain('value="pas-une-adresse"');
  });

  it('e-mails a référent without card nor application, and nobody else, with the same answer each time', async () => {
    const structure = await createStructure();
    const closed = await createStructure();
    await closed.update({ isActive: false });
    const waiting = await createPerson(structure, { role: 'referent', card: null });
    const others: Record<string, TestPerson | string> = {
      aidant: await createPerson(structure),
      aidantWithoutCard: await createPerson(structure, { card: null }),
      referentWithApplication: await createPerson(structure, { role: 'referent', card: 'digital' }),
      referentWithCard: await createPerson(structure, { role: 'referent_aidant' }),
      inactiveReferent: await createPerson(structure, { role: 'referent', card: null, active: false }),
      referentOfClosedStructure: await createPerson(closed, { role: 'referent', card: null }),
      formerReferent: await createPerson(structure, { role: 'referent', card: null }),
      unknown: `${unique('inconnu-')}@exemple.fr`,
    };
    await OrganisationMembership.update({ isActive: false }, { where: { userId: (others.formerReferent as TestPerson).user.id } });
    const emailOf = (who: TestPerson | string) => (typeof who === 'string' ? who : who.user.email);

    const answers: string[] = [];
    for (const who of [...Object.values(others), waiting]) {
      const browser = new Browser();
      const posted = await askSetupLink(browser, ` ${emailOf(who).toUpperCase()} `);
      expect(posted.status).toBe(303);
      expect(posted.headers.location).toBe(FORM);
      const answer = await browser.get(FORM);
      expect(answer.text).toContain(SETUP_REQUEST_ANSWER);
      answers.push(answer.text.replace(/name="_csrf" value="[^"]+"/, ''));
    }
    expect(new Set(answers).size).toBe(1);

    const mail = await waitForSubject(waiting.user.email, ASKED_SUBJECT);
    expect(mail?.text).toMatch(/^Bonjour Camille Martin,/);
    expect(mail?.text).toContain(structure.name);
    const path = setupPathIn(mail?.text)!;
    expect((await new Browser().get(path)).status).toBe(200);
    const [sent] = await journalOf(waiting.user.id, 'login_link_sent');
    expect([sent.organisationId, sent.details]).toEqual([structure.id, { link: 'setup', cause: 'requested' }]);

    // By the time the référent's e-mail arrived, the others' would have too.
    for (const who of Object.values(others)) {
      expect(await mailsTo(emailOf(who))).toHaveLength(0);
      expect(await EmailOutbox.count({ where: { recipients: { [Op.contains]: [emailOf(who)] } } })).toBe(0);
      if (typeof who !== 'string') expect(await SetupLink.count({ where: { userId: who.user.id } })).toBe(0);
    }
  });

  it('throttles one client’s requests for an address (the login’s answer); whoever asks, a référent gets at most SETUP_EMAILS_PER_HOUR links an hour', async () => {
    const referent = await createPerson(await createStructure(), { role: 'referent', card: null });
    const attacker = new Browser();
    for (let i = 0; i < LOGIN_POLICY.maxFailures; i += 1) expect((await askSetupLink(attacker, referent.user.email)).status).toBe(303);
    const throttled = await askSetupLink(attacker, referent.user.email);
    expect(throttled.status).toBe(429);
    expect(throttled.text).toContain(LOGIN_THROTTLED);
    expect(throttled.text).toContain(`value="${referent.user.email}"`);
    expect(await askedLinks(referent.user.email)).toHaveLength(LOGIN_POLICY.maxFailures);
    // Whoever asks, from however many addresses, the référent gets at most SETUP_EMAILS_PER_HOUR links an hour.
    expect((await askSetupLink(new Browser(), referent.user.email)).status).toBe(303);
    expect(await askedLinks(referent.user.email)).toHaveLength(SETUP_EMAILS_PER_HOUR);
  });
});

describe('a setup link', () => {
  it('expires', async () => {
    const { referent, path } = await referentWithLink();
    await SetupLink.update({ expiresAt: new Date(Date.now() - 1000) }, { where: { userId: referent.user.id } });
    const browser = new Browser();
    const page = await browser.get(path);
    expect(page.status).toBe(404);
    expect(page.text).toContain(SETUP_LINK_NOT_WORKING);
    const posted = await browser.submit(FORM, { otp: '123456' }, path);
    expect(posted.status).toBe(404);
    expect(browser.session).toBeUndefined();
    expect(await Card.count({ where: { aidantId: referent.user.id } })).toBe(0);
  });

  it('no longer works for a person who got a card or an application meanwhile, nor for a deactivated one', async () => {
    const { referent, path } = await referentWithLink();
    const page = await new Browser().get(path);
    expect(page.status).toBe(200);
    await User.update({ isActive: false }, { where: { id: referent.user.id } });
    expect((await new Browser().get(path)).status).toBe(404);
    await User.update({ isActive: true }, { where: { id: referent.user.id } });
    const other = await referentWithLink();
    const now = new Date();
    await Card.create({
      kind: 'digital', serialNumber: null, sealedSeed: testSecrets.seal(randomBytes(20).toString('hex')), periodSeconds: 30, aidantId: other.referent.user.id,
      linkedAt: now, validatedAt: now, lastUsedStep: null,
    }); // an application added meanwhile (by a co-référent, the ANCT…)
    const gone = await new Browser().get(other.path);
    expect(gone.status).toBe(404);
    expect(gone.text).toContain(SETUP_LINK_NOT_WORKING);
  });

  it('serves once: of two browsers confirming at once, one logs in; the person’s other links are revoked', async () => {
    const { referent, path } = await referentWithLink();
    expect((await askSetupLink(new Browser(), referent.user.email)).headers.location).toBe(FORM);
    const [, second] = await askedLinks(referent.user.email);
    const [one, two] = [new Browser(), new Browser()];
    const [pageOne, pageTwo] = [await one.get(path), await two.get(path)];
    expect(secretIn(pageOne.text)).not.toBe(secretIn(pageTwo.text)); // each browser its own secret
    const answers = await Promise.all([
      one.submit(path, { otp: appCode(secretIn(pageOne.text)) }),
      two.submit(path, { otp: appCode(secretIn(pageTwo.text)) }),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([303, 404]);
    expect(await Card.count({ where: { aidantId: referent.user.id } })).toBe(1);
    expect(await journalOf(referent.user.id, 'connect_aidant')).toHaveLength(1);
    const links = await SetupLink.findAll({ where: { userId: referent.user.id } });
    expect(links.filter((link) => link.usedAt)).toHaveLength(1);
    expect(links.filter((link) => link.revokedAt)).toHaveLength(1);
    expect((await new Browser().get(second)).status).toBe(404);
  });

  it('is bound to the browser that showed its QR code: another one gets a new QR code, the link still usable', async () => {
    const { referent, path } = await referentWithLink();
    const browser = new Browser();
    const elsewhere = await browser.submit(FORM, { otp: '123456' }, path); // a CSRF token from another page, no QR code shown
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.text).toContain('Le QR code a changé');
    expect(await Card.count({ where: { aidantId: referent.user.id } })).toBe(0);
    expect((await confirm(browser, path)).headers.location).toBe('/espace-referent');
  });

  it('is refused on the login path, and a login link on the setup path', async () => {
    const { referent, path } = await referentWithLink();
    const setupToken = path.split('/').at(-1)!;
    const asLogin = `/connexion/lien/${setupToken}`;
    const browser = new Browser();
    expect((await browser.get(asLogin)).text).toContain(LINK_NOT_WORKING);
    const refused = await browser.submit('/connexion', {}, asLogin);
    expect(refused.status).toBe(404);
    expect(refused.text).toContain(LINK_NOT_WORKING);
    expect(browser.session).toBeUndefined();

    const aidant = await createPerson(await createStructure());
    expect((await new Browser().submit('/connexion', { email: aidant.user.email, otp: codeOf(aidant) })).headers.location).toBe('/connexion/email-envoye');
    const loginMail = await waitForSubject(aidant.user.email, LOGIN_SUBJECT);
    const loginToken = /\/connexion\/lien\/([A-Za-z0-9_-]{43})/.exec(loginMail!.text)![1];
    const asSetup = `${FORM}/${loginToken}`;
    const page = await browser.get(asSetup);
    expect(page.status).toBe(404);
    expect(page.text).toContain(SETUP_LINK_NOT_WORKING);
    expect((await browser.submit(FORM, { otp: '123456' }, asSetup)).status).toBe(404);
    expect(await LoginLink.count({ where: { userId: aidant.user.id, usedAt: { [Op.ne]: null } } })).toBe(0);
    expect(await Card.count({ where: { aidantId: referent.user.id } })).toBe(0);

    // Both links still work where they belong.
    expect((await confirm(new Browser(), path)).headers.location).toBe('/espace-referent');
    const login = new Browser();
    expect((await login.submit(`/connexion/lien/${loginToken}`, {})).headers.location).toBe('/espace-aidant');
  });

  it('never reaches a log line', () => {
    expect(withoutTokens(`${FORM}/${'a'.repeat(43)}`)).toBe(`${FORM}/…`);
    expect(withoutTokens(FORM)).toBe(FORM);
    expect(withoutTokens(`/connexion/lien/${'b'.repeat(43)}`)).toBe('/connexion/lien/…');
  });
});
