// The production topology for real (infra/cluster.ts, `npm run start:cluster`): the real Temporal server on
// PostgreSQL with its four services as separate processes, two workers, two web processes in production mode
// behind the round-robin front. A habilitation form posted through the front starts a workflow that a worker
// runs (the confirmation e-mail arrives), the demandeur's session is shared by both web processes and survives
// the death of one of them, and stopping leaves no process behind. Slow (the whole topology): one start.
import { readFileSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { startTestCluster, type TestCluster } from './support/cluster.js';
import { waitFor } from './support/wait.js';
import { unique } from './support/env.js';

let cluster: TestCluster | undefined;

beforeAll(async () => {
  cluster = await startTestCluster();
}, 900_000);

afterAll(async () => {
  await cluster?.stop();
}, 120_000);

const cookieOf = (response: Response, name: string) => response.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith(`${name}=`));

describe('the production topology', () => {
  it('runs the four Temporal services as separate processes that answer', async () => {
    const c = cluster!;
    const pids = (['temporal-frontend', 'temporal-history', 'temporal-matching', 'temporal-worker'] as const).map((part) => {
      const pid = c.pid(part)!;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '').split('\0');
      expect(cmdline.slice(-3)).toEqual(['start', '--service', part.replace('temporal-', '')]);
      return pid;
    });
    expect(new Set(pids).size).toBe(4);

    const connection = await Connection.connect({ address: c.temporalAddress });
    try {
      const health = await connection.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' });
      expect(health.status).toBe(1); // SERVING
      const described = await connection.workflowService.describeNamespace({ namespace: 'default' });
      expect(described.namespaceInfo?.name).toBe('default');
      // Both workers poll the service's task queue (through matching).
      const pollers = await waitFor('both workers to poll', async () => (await connection.workflowService.describeTaskQueue({
        namespace: 'default', taskQueue: { name: 'aidants-connect' }, taskQueueType: 1, // workflow tasks
      })).pollers ?? [], (list) => new Set(list.map((p) => p.identity)).size >= 2, 60_000);
      expect(new Set(pollers.map((p) => p.identity)).size).toBe(2);
    } finally {
      await connection.close();
    }
  });

  it('serves both web processes in production mode behind the front', async () => {
    const c = cluster!;
    for (const url of [...c.webUrls, c.publicUrl]) {
      const health = await fetch(`${url}/health`);
      expect({ url, status: health.status, body: await health.json() }).toMatchObject({ url, status: 200, body: { status: 'ok' } });
    }
    for (let i = 0; i < 4; i += 1) expect((await fetch(`${c.publicUrl}/`)).status).toBe(200);
    expect(Object.values(c.proxy.served()).every((n) => n >= 2)).toBe(true);
    // Production mode: no development helpers.
    expect((await fetch(`${c.publicUrl}/dev/codes`)).status).toBe(404);
  });

  it('runs a lifecycle started through the front on a worker, with a session both web processes share, even when one dies', async () => {
    const c = cluster!;
    const form = await fetch(`${c.publicUrl}/habilitation`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const csrfCookie = cookieOf(form, 'ac_csrf')!;
    const issuer = { firstName: 'Léa', lastName: 'Roux', email: `${unique('demandeur-')}@exemple.fr`, profession: 'Directrice', phone: '05 59 12 34 56' };
    const posted = await fetch(`${c.publicUrl}/habilitation`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
      body: new URLSearchParams({ ...issuer, _csrf: csrf }).toString(),
    });
    expect(posted.status).toBe(303);

    // The e-mail is sent by a workflow that a worker ran (the web process only starts it).
    const mail = await waitFor('the confirmation e-mail', async () => c.mails().find((m) => m.to.includes(issuer.email.toLowerCase())), Boolean, 60_000);
    const confirm = /https?:\/\/[^/\s]+(\/habilitation\/confirmer\/[A-Za-z0-9_-]+)/.exec(mail!.text)![1]!;
    expect(mail!.text).toContain(c.publicUrl);
    const confirmed = await fetch(`${c.publicUrl}${confirm}`, { redirect: 'manual' });
    expect(confirmed.status).toBe(303);
    const session = confirmed.headers.getSetCookie().map((cookie) => cookie.split(';')[0]).join('; ');
    const space = (url: string) => fetch(`${url}/habilitation/espace`, { redirect: 'manual', headers: { cookie: session } });
    // The session lives in PostgreSQL: either web process knows the demandeur.
    for (const url of c.webUrls) {
      const page = await space(url);
      expect({ url, status: page.status }).toEqual({ url, status: 200 });
      expect(await page.text()).toContain(issuer.email);
    }

    // Web process 1 dies: the front sends the person to web process 2, still logged in; web process 1 comes back.
    const firstPid = c.pid('web-1')!;
    c.kill('web-1', 'SIGKILL');
    for (let i = 0; i < 4; i += 1) expect((await space(c.publicUrl)).status).toBe(200);
    await waitFor('web process 1 to be restarted', async () => c.pid('web-1'), (pid) => pid !== undefined && pid !== firstPid, 180_000);
    expect((await fetch(`${c.webUrls[0]}/health`)).status).toBe(200);
  });

  it('stops every process it started', async () => {
    const c = cluster!;
    const pids = c.everyPid();
    expect(pids.length).toBeGreaterThanOrEqual(10); // postgres, 4 Temporal services, UI, 2 workers, 2 web processes (+ a restart)
    await c.stop();
    cluster = undefined;
    expect(c.survivors()).toEqual([]);
    expect(await fetch(`${c.publicUrl}/health`).then(() => 'answered', () => 'closed')).toBe('closed');
  }, 120_000);
});
