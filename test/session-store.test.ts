// The sessions' PostgreSQL store: a session is stored and read back, and a touch that would not move the stored
// expiry by a minute writes nothing (the espace's sessions are not rolling: it would rewrite the same value at
// every page), while one that moves it does.
import type session from 'express-session';
import { QueryTypes, type Sequelize } from 'sequelize';
import { pgSessionStore, TOUCH_GRANULARITY_MS } from '../server/web/session-store.js';
import { testSequelize, unique } from './support/env.js';

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
