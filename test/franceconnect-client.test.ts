// The usager's identification with FranceConnect, in-process over the real database and the REAL local
// FranceConnect stand-in of the test stack (its login page driven over HTTP): the authorization request holds
// only what FranceConnect accepts (no PKCE) with a long state and nonce stored hashed and bound to the aidant;
// a whole identification down to FranceConnect's logout and the return page; the usager under a keyed hash of
// FranceConnect's sub, born abroad, « présumé né », and an e-mail change journaled; then every callback error
// (cancelled, unknown, replayed, another aidant's or session's state, wrong nonce, expired, a missing claim,
// FranceConnect stopped), each ending on the French failure page and creating nothing.
import { createHash } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { Op, QueryTypes, type Sequelize } from 'sequelize';
import { Connection, JournalEntry, Usager } from '../db/models/index.js';
import { developmentFranceConnectClient } from '../infra/throwaway-stack.js';
import { startFranceConnectStandIn, TEST_IDENTITIES } from '../infra/franceconnect-stand-in.js';
import { createLogger } from '../infra/logger.js';
import { createApp } from '../server/app.js';
import { hashToken } from '../services/link-tokens.js';
import { createLifecycles } from '../services/lifecycles.js';
import { usagerSubOf } from '../services/franceconnect-client.js';
import { testConfig, testEnv, testSequelize } from './support/env.js';
import { createPerson, createStructure, espaceCookie } from './support/espace.js';
import { standInBrowser } from './support/franceconnect.js';
import { unreachableClient } from './support/temporal.js';

const FAILED = 'L’identification de l’usager n’a pas abouti';
let sequelize: Sequelize;
let app: Express;

function appWith(overrides: Record<string, string> = {}): Express {
  const temporal = unreachableClient();
  const config = testConfig(overrides);
  return createApp({
    config, sequelize, temporal, log: createLogger('test', 'error'),
    lifecycles: createLifecycles(temporal, { taskQueue: 'unused', habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } }),
  });
}

beforeAll(() => {
  sequelize = testSequelize();
  app = appWith();
});
afterAll(async () => {
  await sequelize.close();
});

/** A logged-in aidant of a new structure (or of `organisation`), and what their browser does. */
async function aidant(options: { organisation?: Awaited<ReturnType<typeof createStructure>>; role?: 'aidant' | 'referent'; server?: Express } = {}) {
  const organisation = options.organisation ?? await createStructure();
  const person = await createPerson(organisation, { role: options.role ?? 'aidant' });
  const cookie = await espaceCookie(sequelize, person.user, organisation.id);
  const server = options.server ?? app;
  const get = (path: string) => request(server).get(path).set('Cookie', cookie);
  /** Starts an identification from the development page: FranceConnect's authorization URL. */
  const start = async () => {
    const res = await get('/espace-aidant/franceconnect/essai');
    expect(res.status).toBe(303);
    return new URL(res.headers.location);
  };
  /** The callback FranceConnect sends the browser back to, as this aidant's browser follows it. */
  const callback = (url: URL) => {
    expect(url.origin + url.pathname).toBe(testConfig().franceconnect.callbackUrl);
    return get(url.pathname + url.search);
  };
  return { organisation, user: person.user, cookie, get, start, callback };
}

/** The stand-in's pairwise sub of an identity for the development client (its own rule, recomputed). */
function standInSubOf(identity: string): string {
  if (!TEST_IDENTITIES.some((candidate) => candidate.key === identity)) throw new Error(`no test identity ${identity}`);
  return `${createHash('sha256').update(`${identity}:${developmentFranceConnectClient().clientId}`).digest('hex')}v1`;
}

async function usagerOf(identity: string) {
  return Usager.findOne({ where: { sub: usagerSubOf(testEnv.secretsKey, standInSubOf(identity)) } });
}

async function journalOf(userId: string, action: string) {
  return JournalEntry.findAll({ where: { actorId: userId, action } });
}

/**
 * The failure page: its status, the French title, the reason, a way to start again (where this session started
 * its identification, else the espace aidant); and nothing created.
 */
async function expectFailure(res: request.Response, reason: RegExp, aidantId: string, options: { status?: number; restart?: string } = {}) {
  expect(res.status).toBe(options.status ?? 400);
  expect(res.text).toContain(FAILED);
  expect(res.text).toMatch(reason);
  expect(res.text).toContain(`<a class="fr-btn" href="${options.restart ?? '/espace-aidant/franceconnect/essai'}">Recommencer l’identification</a>`);
  expect(await journalOf(aidantId, 'franceconnect_usager')).toEqual([]);
  expect(await Connection.count({ where: { aidantId, identifiedAt: { [Op.ne]: null } } })).toBe(0);
}

describe('starting an identification', () => {
  it('sends the aidant to FranceConnect with only the parameters it accepts, a state and a nonce of 32+ characters stored bound to the aidant', async () => {
    const { user, organisation, start } = await aidant();
    const url = await start();
    expect(url.origin + url.pathname).toBe(`${testEnv.franceconnectIssuer}/authorize`);
    expect([...url.searchParams.keys()].sort()).toEqual(['acr_values', 'client_id', 'nonce', 'redirect_uri', 'response_type', 'scope', 'state']);
    const params = Object.fromEntries(url.searchParams);
    expect(params).toMatchObject({
      acr_values: 'eidas1', response_type: 'code', client_id: testConfig().franceconnect.clientId, redirect_uri: testConfig().franceconnect.callbackUrl,
      scope: 'openid given_name family_name birthdate gender birthplace birthcountry email preferred_username',
    });
    expect(params.state!.length).toBeGreaterThanOrEqual(32);
    expect(params.nonce!.length).toBeGreaterThanOrEqual(32);
    const [connection] = await Connection.findAll({ where: { aidantId: user.id } });
    expect(connection).toMatchObject({ kind: 'franceconnect_client', organisationId: organisation.id, nonce: params.nonce, usagerId: null, identifiedAt: null });
    // The state is stored only as a keyed hash.
    expect(connection!.state).not.toContain(params.state!);
    expect(connection!.state).toBe(hashToken(testEnv.secretsKey, 'aidants-connect/franceconnect-state/v1', params.state!));
    expect(connection!.expiresAt.getTime() - connection!.createdAt.getTime()).toBeGreaterThan(4.5 * 60_000);
    expect(connection!.expiresAt.getTime() - connection!.createdAt.getTime()).toBeLessThanOrEqual(5 * 60_000 + 1000);
  });

  it('is for aidants who can create mandats; the development page exists only with DEV_TOOLS', async () => {
    const referent = await aidant({ role: 'referent' });
    expect((await referent.get('/espace-aidant/franceconnect/retour?state=x&code=y')).status).toBe(403);
    const withoutDevTools = await aidant({ server: appWith({ DEV_TOOLS: 'false' }) });
    expect((await withoutDevTools.get('/espace-aidant/franceconnect/essai')).status).toBe(404);
    expect((await request(app).get('/espace-aidant/franceconnect/retour?state=x&code=y')).status).toBe(303); // to the login
  });
});

describe('a whole identification', () => {
  it('identifies the usager, logs them out of FranceConnect, and lands on the return page with the usager', async () => {
    const { user, organisation, get, start, callback } = await aidant();
    const fc = standInBrowser();
    const res = await callback(await fc.login((await start()).href, 'marie'));
    // Straight to FranceConnect's logout, with the id_token, a new state and the registered post-logout URL.
    expect(res.status).toBe(303);
    const endSession = new URL(res.headers.location);
    expect(endSession.origin + endSession.pathname).toBe(`${testEnv.franceconnectIssuer}/session/end`);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(testConfig().franceconnect.postLogoutUrl);
    expect(endSession.searchParams.get('id_token_hint')).toMatch(/^ey/);
    expect(endSession.searchParams.get('state')!.length).toBeGreaterThanOrEqual(32);

    const back = await fc.logout(endSession.href);
    expect(back.origin + back.pathname).toBe(testConfig().franceconnect.postLogoutUrl);
    const landing = await get(back.pathname + back.search);
    expect(landing.status).toBe(303);
    const [connection] = await Connection.findAll({ where: { aidantId: user.id } });
    expect(landing.headers.location).toBe(`/espace-aidant/franceconnect/essai/usager?connexion=${connection!.id}`);
    const page = await get(landing.headers.location);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Marie Thérèse');
    expect(page.text).toContain('MARTIN');
    expect(page.text).toContain('17415');

    // The usager under a keyed hash of FranceConnect's sub (never the sub itself, nor a plain hash of it).
    const usager = await usagerOf('marie');
    expect(usager).toMatchObject({
      givenName: 'Marie Thérèse', familyName: 'MARTIN', preferredUsername: 'DURAND', birthdate: '1952-03-14', gender: 'female',
      birthplace: '17415', birthcountry: '99100', email: 'marie.martin@usager.demo',
    });
    expect(usager!.sub).not.toContain(standInSubOf('marie'));
    expect(usager!.sub).toMatch(/^[0-9a-f]{64}$/);
    expect(usagerSubOf(Buffer.alloc(32, 1), standInSubOf('marie'))).not.toBe(usager!.sub);
    expect(connection).toMatchObject({ usagerId: usager!.id, complete: true });
    expect(connection!.stateUsedAt).not.toBeNull();
    const journal = await journalOf(user.id, 'franceconnect_usager');
    expect(journal.map((e) => [e.organisationId, e.usagerId])).toEqual([[organisation.id, usager!.id]]);

    // The same person identified again by another aidant: the same usager.
    const other = await aidant();
    const again = await other.callback(await standInBrowser().login((await other.start()).href, 'marie'));
    expect(again.status).toBe(303);
    expect((await journalOf(other.user.id, 'franceconnect_usager')).map((e) => e.usagerId)).toContain(usager!.id);
    expect(await Usager.count({ where: { sub: usager!.sub } })).toBe(1);
  });

  it('keeps a usager born abroad without birthplace, and a « présumé né » with a 00 birth date', async () => {
    for (const identity of ['karim', 'fatou']) {
      const { start, callback } = await aidant();
      expect((await callback(await standInBrowser().login((await start()).href, identity))).status).toBe(303);
    }
    expect(await usagerOf('karim')).toMatchObject({ familyName: 'BENALI', birthplace: null, birthcountry: '99350' });
    expect(await usagerOf('fatou')).toMatchObject({ familyName: 'DIALLO', birthdate: '1990-00-00', birthplace: null });
  });

  it('while it waits for the journal, lets rows naming the usager be written: no deadlock with a userinfo', async () => {
    // The callback locks the usager's row, then journals. Whatever holds up its journal entry (the journal's chain
    // lock did until migration 0033; here a lock on the table), it must not hold the row against KEY SHARE — the
    // foreign-key check of any row naming the usager, a userinfo's notification record: a FOR UPDATE would (a
    // deadlock the soak found with the chain lock).
    const who = await aidant();
    expect((await who.callback(await standInBrowser().login((await who.start()).href, 'karim'))).status).toBe(303);
    const usager = (await usagerOf('karim'))!;
    const url = await standInBrowser().login((await who.start()).href, 'karim');
    const chain = await sequelize.transaction();
    let answered: request.Response | undefined;
    try {
      await sequelize.query('LOCK TABLE journal IN SHARE MODE', { transaction: chain });
      const callback = who.callback(url).then((res) => { answered = res; return res; });
      // The callback's transaction has locked the usager and now waits to insert into the journal.
      const waiting = async () => (await sequelize.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'relation' AND query ILIKE '%INSERT INTO%journal%'",
        { type: QueryTypes.SELECT },
      ))[0]!.n;
      for (let tries = 0; (await waiting()) === 0; tries += 1) {
        if (tries > 200 || answered) throw new Error('the callback never waited for the journal');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const keyShare = await sequelize.transaction(async (transaction) => {
        await sequelize.query("SET LOCAL lock_timeout = '2s'", { transaction });
        return sequelize.query('SELECT id FROM usagers WHERE id = :id FOR KEY SHARE', { replacements: { id: usager.id }, type: QueryTypes.SELECT, transaction });
      });
      expect(keyShare).toHaveLength(1);
      await chain.commit();
      expect((await callback).status).toBe(303);
    } finally {
      if (!(chain as unknown as { finished?: string }).finished) await chain.rollback();
    }
  });

  it('updates the e-mail of a usager whose address changed at FranceConnect, journaled', async () => {
    const identify = async () => {
      const { user, start, callback } = await aidant();
      expect((await callback(await standInBrowser().login((await start()).href, 'jean'))).status).toBe(303);
      return user;
    };
    await identify();
    const first = (await usagerOf('jean'))!;
    const changesBefore = await JournalEntry.count({ where: { action: 'update_email_usager', usagerId: first.id } });
    const second = await identify();
    const updated = (await usagerOf('jean'))!;
    expect(updated.id).toBe(first.id);
    expect(updated.email).not.toBe(first.email);
    expect(updated.email).toMatch(/^jean\.petit/);
    const changes = await JournalEntry.findAll({ where: { action: 'update_email_usager', usagerId: first.id } });
    expect(changes).toHaveLength(changesBefore + 1);
    expect(changes.at(-1)).toMatchObject({ actorId: second.id });
  });
});

describe('every callback error ends on the French page and creates nothing', () => {
  it('the usager cancelled on FranceConnect (error=access_denied)', async () => {
    const { user, start, callback } = await aidant();
    const back = await standInBrowser().login((await start()).href, 'abort');
    expect(back.searchParams.get('error')).toBe('access_denied');
    await expectFailure(await callback(back), /annulé sa connexion à FranceConnect/, user.id);
  });

  it('an unknown state, or none', async () => {
    const { user, get } = await aidant();
    const restart = { restart: '/espace-aidant' }; // this session started nothing
    await expectFailure(await get(`/espace-aidant/franceconnect/retour?code=abc&state=${'A'.repeat(43)}`), /ne correspond à aucune identification en cours/, user.id, restart);
    await expectFailure(await get('/espace-aidant/franceconnect/retour?code=abc'), /ne correspond à aucune identification en cours/, user.id, restart);
  });

  it('a replayed state: the callback serves once', async () => {
    const { user, start, callback } = await aidant();
    const back = await standInBrowser().login((await start()).href, 'karim');
    expect((await callback(back)).status).toBe(303);
    const replay = await callback(back);
    expect(replay.status).toBe(400);
    expect(replay.text).toContain(FAILED);
    expect(replay.text).toMatch(/déjà été utilisé/);
    expect(await journalOf(user.id, 'franceconnect_usager')).toHaveLength(1);
  });

  it('another aidant’s state (or this aidant in another session): refused, and left to its owner', async () => {
    const owner = await aidant();
    const back = await standInBrowser().login((await owner.start()).href, 'karim');
    const intruder = await aidant({ organisation: owner.organisation });
    await expectFailure(await intruder.callback(back), /autre session ou pour une autre structure/, intruder.user.id, { restart: '/espace-aidant' });
    const otherSession = await espaceCookie(sequelize, owner.user, owner.organisation.id);
    const inOtherSession = await request(app).get(back.pathname + back.search).set('Cookie', otherSession);
    await expectFailure(inOtherSession, /autre session ou pour une autre structure/, owner.user.id, { restart: '/espace-aidant' });
    expect((await owner.callback(back)).status).toBe(303);
  });

  it('a wrong nonce in the id_token', async () => {
    const { user, start, callback } = await aidant();
    const url = await start();
    url.searchParams.set('nonce', 'N'.repeat(43)); // what FranceConnect signs is not what this service sent
    await expectFailure(await callback(await standInBrowser().login(url.href, 'karim')), /n’a pas pu être vérifiée/, user.id);
  });

  it('an expired connection', async () => {
    const { user, start, callback } = await aidant();
    const back = await standInBrowser().login((await start()).href, 'karim');
    await Connection.update({ expiresAt: new Date(Date.now() - 1000) }, { where: { aidantId: user.id } });
    await expectFailure(await callback(back), /a pris trop de temps/, user.id);
  });

  it('a missing claim (FranceConnect gave no birth date)', async () => {
    const { user, start, callback } = await aidant();
    const url = await start();
    url.searchParams.set('scope', url.searchParams.get('scope')!.replace(' birthdate', ''));
    await expectFailure(await callback(await standInBrowser().login(url.href, 'karim')), /toutes les informations nécessaires.*date de naissance/s, user.id);
  });

  it('FranceConnect stopped, at the callback or at the start', async () => {
    const standIn = await startFranceConnectStandIn({ port: 0, client: developmentFranceConnectClient() });
    const server = appWith({ FRANCECONNECT_ISSUER: standIn.issuer });
    const { user, start, callback } = await aidant({ server });
    const back = await standInBrowser().login((await start()).href, 'karim');
    await standIn.stop();
    await expectFailure(await callback(back), /FranceConnect ne répond pas/, user.id, { status: 502 });
    // A web process started while FranceConnect is down: no connection is even stored.
    const later = await aidant({ server: appWith({ FRANCECONNECT_ISSUER: standIn.issuer }) });
    await expectFailure(await later.get('/espace-aidant/franceconnect/essai'), /FranceConnect ne répond pas/, later.user.id, { status: 502 });
    expect(await Connection.count({ where: { aidantId: later.user.id } })).toBe(0);
  });
});
