// The sessions' PostgreSQL store: a session is stored and read back, and a touch that would not move the stored
// expiry by a minute writes nothing (the espace's sessions are not rolling: it would rewrite the same value at
// every page), while one that moves it does. The espace's store reads the person of the session in the
// session's own statement: each page reads both in one round trip, and those rows never enter the session.
import type { Request } from 'express';
import express from 'express';
import session from 'express-session';
import request from 'supertest';
import { QueryTypes, type Sequelize } from 'sequelize';
import { OrganisationMembership } from '../db/models/index.js';
import { ESPACE_PERSON_PREFETCH } from '../server/espace/session.js';
import { pgSessionStore, prefetchedRows, redirectAfterSave, TOUCH_GRANULARITY_MS } from '../server/web/session-store.js';
import { appWithoutTemporal } from './support/app.js';
import { testSequelize, unique } from './support/env.js';
import { createPerson, createStructure, espaceCookie } from './support/espace.js';

let sequelize: Sequelize;
beforeAll(() => { sequelize = testSequelize(); });
afterAll(() => sequelize.close());

const call = (fn: (done: (error?: unknown, value?: unknown) => void) => void) =>
  new Promise<unknown>((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value))));
const sessionExpiring = (at: number) => ({ cookie: { expires: new Date(at), originalMaxAge: 86_400_000 }, marker: 'x' }) as unknown as session.SessionData;
const storedExpiry = async (sid: string) => {
  const [row] = await sequelize.query<{ expire: Date }>('SELECT expire FROM http_sessions WHERE sid = $1', { bind: [sid], type: QueryTypes.SELECT });
  return row?.expire.getTime();
};
const SENTINEL = Date.parse('2030-01-01T00:00:00Z');

describe('the session store', () => {
  it('skips a touch that would not move the stored expiry by a minute, writes one that does', async () => {
    const store = pgSessionStore(sequelize);
    const sid = unique('sid-');
    const expiry = Math.ceil(Date.now() / 1000) * 1000 + 86_400_000; // whole seconds: the store keeps seconds
    await call((done) => store.set(sid, sessionExpiring(expiry), done));
    expect(await call((done) => store.get(sid, done))).toMatchObject({ marker: 'x' });
    expect(await storedExpiry(sid)).toBe(expiry);

    // Moved behind the store's back: a touch within the granularity leaves it as it is (no statement)…
    await sequelize.query('UPDATE http_sessions SET expire = $1 WHERE sid = $2', { bind: [new Date(SENTINEL), sid] });
    await call((done) => store.touch!(sid, sessionExpiring(expiry + TOUCH_GRANULARITY_MS / 2), done));
    expect(await storedExpiry(sid)).toBe(SENTINEL);
    // … one that moves it by more is written.
    await call((done) => store.touch!(sid, sessionExpiring(expiry + 2 * TOUCH_GRANULARITY_MS), done));
    expect(await storedExpiry(sid)).toBe(expiry + 2 * TOUCH_GRANULARITY_MS);

    // Another process's store (nothing remembered) writes its first touch.
    await sequelize.query('UPDATE http_sessions SET expire = $1 WHERE sid = $2', { bind: [new Date(SENTINEL), sid] });
    await call((done) => pgSessionStore(sequelize).touch!(sid, sessionExpiring(expiry + 2 * TOUCH_GRANULARITY_MS), done));
    expect(await storedExpiry(sid)).toBe(expiry + 2 * TOUCH_GRANULARITY_MS);

    await call((done) => store.destroy(sid, done));
    expect(await storedExpiry(sid)).toBeUndefined();
  });
});

/** The SQL of every statement sent on the pool's connections from now on. */
function recordStatements(sequelize: Sequelize): string[] {
  type Connection = { query: (sql: unknown, ...rest: unknown[]) => unknown; recorded?: string[] };
  const manager = (sequelize as unknown as { connectionManager: { getConnection: (...args: unknown[]) => Promise<Connection> } }).connectionManager;
  const seen: string[] = [];
  const original = manager.getConnection.bind(manager);
  manager.getConnection = async (...args) => {
    const connection = await original(...args);
    if (!connection.recorded) {
      const query = connection.query.bind(connection);
      connection.query = (sql, ...rest) => {
        connection.recorded!.push(typeof sql === 'string' ? sql : String((sql as { text?: string } | null)?.text ?? ''));
        return query(sql, ...rest);
      };
    }
    connection.recorded = seen;
    return connection;
  };
  return seen;
}

describe('the espace\'s session store', () => {
  it('reads the person of the session with it, rows that the session never stores', async () => {
    const structure = await createStructure();
    const other = await createStructure();
    const person = await createPerson(structure, { role: 'referent_aidant' });
    await OrganisationMembership.create({ userId: person.user.id, organisationId: other.id, isReferent: false, canCreateMandats: true });
    const store = pgSessionStore(sequelize, ESPACE_PERSON_PREFETCH);
    const sid = unique('sid-');
    const data = { ...sessionExpiring(Date.now() + 86_400_000), espace: { userId: person.user.id, organisationId: structure.id, loggedInAt: new Date().toISOString() } };
    await call((done) => store.set(sid, data as session.SessionData, done));

    const read = (await call((done) => store.get(sid, done))) as session.SessionData;
    const req = {} as Request;
    const created = store.createSession(req, read);
    const rows = prefetchedRows(req)!;
    expect(rows.map((row) => [row['u.id'], row['m.organisationId']])).toEqual([[person.user.id, structure.id], [person.user.id, other.id]]);
    expect(created.espace).toEqual(data.espace);
    expect(JSON.stringify(created)).not.toContain('u.id');
    // Saved again (a notice, a structure switch): only the session's own data.
    await call((done) => store.set(sid, created, done));
    const [stored] = await sequelize.query<{ sess: Record<string, unknown> }>('SELECT sess FROM http_sessions WHERE sid = $1', { bind: [sid], type: QueryTypes.SELECT });
    expect(Object.keys(stored!.sess).sort()).toEqual(['cookie', 'espace', 'marker']);

    // An expired session reads as none, person included.
    await sequelize.query("UPDATE http_sessions SET expire = now() - interval '1 second' WHERE sid = $1", { bind: [sid] });
    expect(await call((done) => store.get(sid, done))).toBeNull();
  });

  it('serves an espace page with one statement for the session and its person', async () => {
    const structure = await createStructure();
    const person = await createPerson(structure);
    const app = appWithoutTemporal(sequelize);
    const cookie = await espaceCookie(sequelize, person.user, structure.id);
    const seen = recordStatements(sequelize);
    const page = await request(app).get('/espace-aidant').set('Cookie', cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Karim');
    const sessionReads = seen.filter((sql) => /FROM http_sessions/.test(sql) && /^\s*SELECT/.test(sql));
    expect(sessionReads).toHaveLength(1);
    expect(sessionReads[0]).toMatch(/FROM users u/);
    expect(seen.filter((sql) => /FROM users u\s+LEFT JOIN \(organisation_memberships m/.test(sql) && !/http_sessions/.test(sql))).toEqual([]);
  });
});

describe('a redirect after a change of the session', () => {
  it('is sent once the changed session is stored, and at once when nothing changed', async () => {
    const events: string[] = [];
    // A store whose writes take a moment (as PostgreSQL's may): each records when it is done.
    class SlowStore extends session.MemoryStore {
      override set(sid: string, sess: session.SessionData, callback?: (error?: unknown) => void): void {
        setTimeout(() => super.set(sid, sess, (error?: unknown) => { events.push(`stored ${(sess as { step?: string }).step}`); callback?.(error); }), 300);
      }
    }
    const app = express();
    app.use(redirectAfterSave(session({ store: new SlowStore(), secret: 'x'.repeat(32), resave: false, saveUninitialized: false })));
    app.get('/choose/:step', (req, res) => { (req.session as { step?: string }).step = req.params.step; res.redirect(303, '/next'); });
    app.get('/same', (_req, res) => res.redirect(303, '/next'));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      // fetch resolves on the response's headers: what a browser follows a redirect on.
      const first = await fetch(`${base}/choose/a`, { redirect: 'manual' });
      events.push(`redirected ${first.status}`);
      await first.text();
      const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
      const changed = await fetch(`${base}/choose/b`, { redirect: 'manual', headers: { cookie } });
      events.push(`redirected ${changed.status}`);
      await changed.text();
      const unchanged = await fetch(`${base}/same`, { redirect: 'manual', headers: { cookie } });
      events.push(`redirected ${unchanged.status}`);
      await unchanged.text();
      expect(events).toEqual(['stored a', 'redirected 303', 'stored b', 'redirected 303', 'redirected 303']);
    } finally {
      server.close();
    }
  });
});
