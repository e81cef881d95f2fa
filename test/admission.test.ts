// First come, first served on the identity provider's routes (server/web/admission.ts): at most `limit` requests
// in progress, the others admitted in arrival order as slots free up; a request that waited too long is refused,
// one whose client left is dropped, and a slot comes back whether its response finished or its client left.
// Then the same rule in the whole app: the round trip's routes wait their turn, the other pages do not.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { QueryTypes, type Sequelize } from 'sequelize';
import { admission, type Admission } from '../server/web/admission.js';
import { appWithoutTemporal } from './support/app.js';
import { testConfig, testSequelize } from './support/env.js';
import { waitFor } from './support/wait.js';

/** An app behind `admission` whose every request, once admitted, waits until the test opens its gate by name (`?name=`). */
async function gatedServer(limit: number, maxWaitMs = 60_000) {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const refused: string[] = [];
  const guard: Admission = admission({
    limit, maxWaitMs,
    refuse: (req, res) => { refused.push(String(req.query.name)); res.status(503).send('refused'); },
  });
  const app = express();
  app.use(guard);
  app.get('/', (req, res) => {
    const name = String(req.query.name);
    started.push(name);
    if (req.query.hang === '1') return; // never answers: only its client leaving frees the slot
    gates.set(name, () => res.send(`done ${name}`));
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const send = (name: string, options: { hang?: boolean; signal?: AbortSignal } = {}) =>
    fetch(`${base}/?name=${name}${options.hang ? '&hang=1' : ''}`, { signal: options.signal }).then((r) => r.text().then((text) => ({ status: r.status, text })));
  return { guard, started, gates, refused, send, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) };
}

/** Waits until `condition` holds (the test's own state: nothing to fetch). */
const until = (condition: () => boolean, what: string) => waitFor(what, async () => condition());

describe('admission, first come first served', () => {
  it('keeps at most `limit` requests in progress and admits the others in their arrival order', async () => {
    const s = await gatedServer(2);
    try {
      const answers: Promise<{ status: number; text: string }>[] = [];
      for (const [i, name] of ['a', 'b', 'c', 'd', 'e'].entries()) {
        answers.push(s.send(name));
        // The next one is sent once this one is in progress or queued: the arrival order is known.
        await until(() => s.guard.state().active + s.guard.state().waiting === i + 1, `${name} arrived`);
      }
      expect(s.guard.state()).toEqual({ active: 2, waiting: 3 });
      expect(s.started).toEqual(['a', 'b']);
      s.gates.get('b')!();
      await until(() => s.started.length === 3, 'a third request started');
      s.gates.get('a')!();
      await until(() => s.started.length === 4, 'a fourth request started');
      expect(s.started).toEqual(['a', 'b', 'c', 'd']);
      expect(s.guard.state()).toEqual({ active: 2, waiting: 1 });
      for (const name of ['c', 'd']) s.gates.get(name)!();
      await until(() => s.started.length === 5, 'the last request started');
      s.gates.get('e')!();
      expect((await Promise.all(answers)).map((a) => a.text)).toEqual(['done a', 'done b', 'done c', 'done d', 'done e']);
      await until(() => s.guard.state().active === 0, 'every slot back');
      expect(s.guard.state()).toEqual({ active: 0, waiting: 0 });
    } finally {
      await s.close();
    }
  });

  it('refuses a request that waited too long, without running it, and gives no slot away', async () => {
    const s = await gatedServer(1, 150);
    try {
      const first = s.send('first');
      await until(() => s.started.length === 1, 'the first request started');
      expect(await s.send('late')).toEqual({ status: 503, text: 'refused' });
      expect(s.refused).toEqual(['late']);
      expect(s.guard.state()).toEqual({ active: 1, waiting: 0 });
      s.gates.get('first')!();
      expect((await first).text).toBe('done first');
      // The refused one took no slot: the next request starts at once.
      const next = s.send('next');
      await until(() => s.started.length === 2, 'the next request started');
      expect(s.started).toEqual(['first', 'next']);
      s.gates.get('next')!();
      expect((await next).text).toBe('done next');
    } finally {
      await s.close();
    }
  });

  it('drops a waiting request whose client left, and frees the slot of one whose client left while it ran', async () => {
    const s = await gatedServer(1);
    try {
      const leaving = new AbortController();
      const hanging = s.send('hanging', { hang: true, signal: leaving.signal }).catch(() => 'aborted');
      await until(() => s.started.length === 1, 'the hanging request started');
      const gone = new AbortController();
      const waiting = s.send('gone', { signal: gone.signal }).catch(() => 'aborted');
      await until(() => s.guard.state().waiting === 1, 'the second request queued');
      gone.abort();
      await until(() => s.guard.state().waiting === 0, 'the second request dropped');
      expect(await waiting).toBe('aborted');
      // The only request in progress never answers: its client leaving gives its slot to the next one.
      const after = s.send('after');
      await until(() => s.guard.state().waiting === 1, 'the third request queued');
      leaving.abort();
      expect(await hanging).toBe('aborted');
      await until(() => s.started.length === 2, 'the third request started');
      expect(s.started).toEqual(['hanging', 'after']); // never « gone »
      s.gates.get('after')!();
      expect((await after).text).toBe('done after');
    } finally {
      await s.close();
    }
  });

  it('refuses a limit that is not a positive whole number', () => {
    expect(() => admission({ limit: 0, maxWaitMs: 1_000, refuse: () => undefined })).toThrow(/positive integer/);
  });
});

describe('the identity provider’s routes in the app', () => {
  let sequelize: Sequelize;
  beforeAll(() => { sequelize = testSequelize(); });
  afterAll(async () => { await sequelize.close(); });

  it('wait their turn (503 after IDP_QUEUE_TIMEOUT: an OAuth error for FranceConnect, the French page for a browser); other pages do not', async () => {
    const app = appWithoutTemporal(sequelize, testConfig({ IDP_CONCURRENT_REQUESTS: '1', IDP_QUEUE_TIMEOUT: '300 ms' }));
    const bearer = `Bearer ${'A'.repeat(43)}`;
    // The one slot is taken by a userinfo whose statement waits for a lock the test holds on the round trips' table.
    const lock = await sequelize.transaction();
    try {
      await sequelize.query('LOCK TABLE idp_connections IN ACCESS EXCLUSIVE MODE', { transaction: lock });
      const first = request(app).get('/userinfo/').set('Authorization', bearer).then((r) => r);
      await waitFor('the first userinfo to wait for the lock', async () => (await sequelize.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%idp_connections%'", { type: QueryTypes.SELECT }))[0]!.n > 0);
      const [userinfo, authorize, home] = await Promise.all([
        request(app).get('/userinfo/').set('Authorization', bearer),
        request(app).get('/authorize/'),
        request(app).get('/'),
      ]);
      expect(userinfo.status).toBe(503);
      expect(userinfo.headers['retry-after']).toBeDefined();
      expect(userinfo.headers['cache-control']).toContain('no-store');
      expect(userinfo.body).toEqual({ error: 'temporarily_unavailable', error_description: 'too many requests in progress' });
      expect(authorize.status).toBe(503);
      expect(authorize.text).toContain('indisponible');
      expect(home.status).toBe(200);
      await lock.commit();
      // The first one, once its statement ran: an unknown token.
      expect((await first).status).toBe(403);
    } finally {
      if (!(lock as unknown as { finished?: string }).finished) await lock.rollback();
    }
  });
});
