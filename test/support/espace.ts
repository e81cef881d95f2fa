// People of the espace aidant and référent for tests: structures, aidants and référents with their cards, and
// a logged-in session without going through the e-mail login (test/espace-login.test.ts covers that path).
import { createHmac, randomBytes } from 'node:crypto';
import type { Express } from 'express';
import type { Sequelize } from 'sequelize';
import request from 'supertest';
import { Card, Organisation, OrganisationMembership, User } from '../../db/models/index.js';
import { CARD_POLICY, type CardKind } from '../../domain/cards.js';
import { ESPACE_COOKIE } from '../../server/espace/session.js';
import { appendJournal } from '../../services/journal.js';
import { currentCode } from '../../services/totp.js';
import { testConfig, unique } from './env.js';
import { testSecrets } from './factories.js';

export async function createStructure(name = `CCAS ${unique()}`): Promise<Organisation> {
  return Organisation.create({
    name, type: 'ccas', typeOther: null, siret: '26170021400016', address: '1 place de la Mairie', zipcode: '17460', city: 'Préguillac',
    departmentCode: '17', franceServicesLabel: false, franceServicesNumber: null, habilitationNumber: unique('AC-17-').toUpperCase(),
  });
}

export interface TestPerson {
  user: User;
  /** The validated card's seed (hex), when the person has one: `codeOf(person)` gives its current code. */
  seed: string | null;
  card: Card | null;
}

/**
 * A person of `organisation`: an aidant (default), a référent who is also aidant, or a référent only; with a
 * validated physical card (default), a digital one, or none.
 */
export async function createPerson(organisation: Organisation, options: { role?: 'aidant' | 'referent' | 'referent_aidant'; card?: CardKind | null; active?: boolean } = {}): Promise<TestPerson> {
  const role = options.role ?? 'aidant';
  const user = await User.create({
    email: `${unique(role === 'aidant' ? 'aidant-' : 'referent-')}@exemple.fr`, firstName: role === 'aidant' ? 'Karim' : 'Camille',
    lastName: role === 'aidant' ? 'Benali' : 'Martin', profession: 'Travailleur social', phone: null, isActive: options.active ?? true,
    currentOrganisationId: organisation.id, passwordHash: null, sealedAdminTotpSecret: null, lastLoginAt: null, lastActivityAt: null,
  });
  await OrganisationMembership.create({
    userId: user.id, organisationId: organisation.id, isReferent: role !== 'aidant', canCreateMandats: role !== 'referent',
  });
  const kind = options.card === undefined ? 'physical' : options.card;
  if (!kind) return { user, seed: null, card: null };
  const seed = randomBytes(20).toString('hex');
  const now = new Date();
  const card = await Card.create({
    kind, serialNumber: kind === 'physical' ? unique('GADT').toUpperCase() : null, sealedSeed: testSecrets.seal(seed),
    periodSeconds: CARD_POLICY.periodSeconds[kind], aidantId: user.id, linkedAt: now, validatedAt: now, lastUsedStep: null,
    tolerance: CARD_POLICY.confirmedTolerance,
  });
  return { user, seed, card };
}

/** The code the person's card shows at `at` (now by default). */
export function codeOf(person: TestPerson, at = new Date()): string {
  if (!person.seed || !person.card) throw new Error('this person has no card');
  return currentCode(person.seed, person.card.periodSeconds, at);
}

/** A stock card (serial and seed), not linked. */
export async function createStockCard(): Promise<{ card: Card; seed: string }> {
  const seed = randomBytes(20).toString('hex');
  const card = await Card.create({ serialNumber: unique('GADT').toUpperCase(), sealedSeed: testSecrets.seal(seed), aidantId: null, linkedAt: null, validatedAt: null, lastUsedStep: null });
  return { card, seed };
}

/**
 * The Cookie header of a logged-in espace session of `user` in `organisationId`, written straight into the
 * session store as express-session would (signed with the test SESSION_SECRET). With `fresh` (default), a
 * journaled login makes the activity check pass.
 */
export async function espaceCookie(sequelize: Sequelize, user: User, organisationId: string, options: { fresh?: boolean } = {}): Promise<string> {
  const sid = randomBytes(24).toString('base64url');
  const maxAge = 24 * 3600_000;
  const sess = {
    cookie: { originalMaxAge: maxAge, expires: new Date(Date.now() + maxAge).toISOString(), httpOnly: true, path: '/', sameSite: 'lax', secure: false },
    espace: { userId: user.id, organisationId, loggedInAt: new Date().toISOString() },
  };
  await sequelize.query('INSERT INTO http_sessions (sid, sess, expire) VALUES (:sid, :sess, :expire)', {
    replacements: { sid, sess: JSON.stringify(sess), expire: new Date(Date.now() + maxAge) },
  });
  if (options.fresh ?? true) await appendJournal({ action: 'connect_aidant', actorId: user.id, organisationId, details: { test: true } });
  const signature = createHmac('sha256', testConfig().http.sessionSecret).update(sid).digest('base64').replace(/=+$/, '');
  return `${ESPACE_COOKIE}=${encodeURIComponent(`s:${sid}.${signature}`)}`;
}

/** The CSRF token of a page and the cookie that goes with it, for posting its form. */
export function csrfOf(page: { text: string; headers: Record<string, unknown> }): { token: string; cookie: string } {
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
  if (!token) throw new Error(`no CSRF field in the page:\n${page.text.slice(0, 500)}`);
  const setCookie = ([] as string[]).concat((page.headers['set-cookie'] as string[] | undefined) ?? []);
  const csrfCookie = setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('ac_csrf='));
  return { token, cookie: csrfCookie ?? '' };
}

type Answer = Awaited<ReturnType<ReturnType<typeof request>['get']>>;

/**
 * A browser over supertest: its cookies (set and cleared by the answers) and an address of its own (the app
 * must trust X-Forwarded-For: TRUST_PROXY). `app` is read at each request (test files build theirs in beforeAll).
 */
export class CookieBrowser {
  readonly ip = `10.${[1, 2, 3].map(() => randomBytes(1)[0]).join('.')}`;
  readonly cookies = new Map<string, string>();

  constructor(private readonly app: () => Express, cookie?: string) {
    if (cookie) this.keepPair(cookie);
  }

  private keepPair(pair: string, cleared = false) {
    const at = pair.indexOf('=');
    const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
    if (cleared || value === '') this.cookies.delete(name);
    else this.cookies.set(name, value);
  }

  private keep(res: Answer): Answer {
    for (const cookie of ([] as string[]).concat((res.headers['set-cookie'] as unknown as string[] | undefined) ?? [])) {
      this.keepPair(cookie.split(';')[0], /expires=Thu, 01 Jan 1970/i.test(cookie));
    }
    return res;
  }

  get session(): string | undefined { return this.cookies.get(ESPACE_COOKIE); }
  private get header() { return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '); }

  async get(path: string): Promise<Answer> {
    return this.keep(await request(this.app()).get(path).set('Cookie', this.header).set('X-Forwarded-For', this.ip));
  }

  /** Posts a form of `page` (GET for its CSRF token) to `action` (the page itself by default). */
  async submit(page: string, body: Record<string, string>, action = page): Promise<Answer> {
    const token = /name="_csrf" value="([^"]+)"/.exec((await this.get(page)).text)?.[1] ?? '';
    return this.keep(await request(this.app()).post(action).type('form').set('Cookie', this.header).set('X-Forwarded-For', this.ip).send({ ...body, _csrf: token }));
  }
}

/**
 * A logged-in aidant of `organisation` and what their browser does over supertest: one espace session and the
 * CSRF cookie and token of `firstPath` (a page with a form, read first; answered as `first`).
 */
export async function loggedInAidant(app: Express, sequelize: Sequelize, organisation: Organisation, firstPath = '/espace-aidant/mandats/nouveau') {
  const person = await createPerson(organisation);
  const session = await espaceCookie(sequelize, person.user, organisation.id);
  const first = await request(app).get(firstPath).set('Cookie', session);
  if (first.status !== 200) throw new Error(`${firstPath} answered ${first.status}`);
  const csrf = csrfOf(first);
  const cookie = `${session}; ${csrf.cookie}`;
  const get = (path: string) => request(app).get(path).set('Cookie', cookie);
  const post = (path: string, form: Record<string, string | string[]>) =>
    request(app).post(path).set('Cookie', cookie).type('form').send(new URLSearchParams(Object.entries({ _csrf: csrf.token, ...form })
      .flatMap(([k, v]) => [v].flat().map((one): [string, string] => [k, one]))).toString());
  return { person, organisation, first, get, post };
}
