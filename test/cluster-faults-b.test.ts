// Faults of the production topology (issue 12), on one real cluster (infra/cluster.ts): PostgreSQL stopped for
// 30 seconds (it holds the service's database AND Temporal's persistence), and the Temporal history service
// killed (SIGKILL) while timers are pending and back-office decisions arrive. Each check waits on what it
// expects (a row, an e-mail, a workflow's history); the only time bound is « /health answers at once ».
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { generateSecret } from 'otplib';
import type { Sequelize } from 'sequelize';
import { LIFECYCLE_UNAVAILABLE } from '../admin/actions.js';
import { createSequelize } from '../db/sequelize.js';
import { ComiteDecisionRecord, HabilitationRequest, Issuer, JournalEntry, User } from '../db/models/index.js';
import { workflowIdForRequest } from '../domain/habilitation.js';
import { DEMO_PASSWORD } from '../services/demo-data.js';
import { createLifecycles, type Lifecycles } from '../services/lifecycles.js';
import { hashPassword } from '../services/passwords.js';
import { createSecretBox } from '../services/secret-box.js';
import { requestStatusQuery } from '../workflows/messages.js';
import { logIn } from './support/admin-session.js';
import { startTestCluster, type TestCluster } from './support/cluster.js';
import { unique } from './support/env.js';
import { createSubmittedRequest } from './support/factories.js';
import { waitFor } from './support/wait.js';

let cluster: TestCluster | undefined;
let sequelize: Sequelize;
let connection: Connection;
let client: Client;

// Short timers, set through the lifecycle's policy (what HABILITATION_COMITE_REMINDER_DELAY & co. set in the web).
const POLICY = { comiteReminderDelayMs: 30_000, changesCloseDelayMs: 40_000, changesReminderBeforeMs: 20_000 };
let lifecycles: Lifecycles;

beforeAll(async () => {
  cluster = await startTestCluster({ ui: false });
  sequelize = createSequelize(cluster.databaseUrl, { poolMax: 3 });
  connection = await Connection.connect({ address: cluster.temporalAddress });
  client = new Client({ connection });
  lifecycles = createLifecycles(client, { taskQueue: 'aidants-connect', habilitationPolicy: POLICY });
}, 900_000);

afterAll(async () => {
  await connection?.close().catch(() => undefined);
  await sequelize?.close().catch(() => undefined);
  const c = cluster;
  cluster = undefined;
  await c?.stop();
  if (c) expect(c.survivors()).toEqual([]);
}, 180_000);

const TEMPORAL = ['temporal-frontend', 'temporal-history', 'temporal-matching', 'temporal-worker'] as const;
const cookieOf = (response: Response, name: string) => response.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith(`${name}=`));
const mailsTo = (email: string, subject?: RegExp) => cluster!.mails().filter((m) => m.to.includes(email.toLowerCase()) && (!subject || subject.test(m.subject)));

/** Posts the first step of the public form through the front, as a browser does. */
async function postIssuerForm(email: string): Promise<Response> {
  const c = cluster!;
  const form = await fetch(`${c.publicUrl}/habilitation`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  return fetch(`${c.publicUrl}/habilitation`, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieOf(form, 'ac_csrf')! },
    body: new URLSearchParams({ firstName: 'Léa', lastName: 'Roux', email, profession: 'Directrice', phone: '05 59 12 34 56', _csrf: csrf }).toString(),
  });
}

/** /health must answer within a few seconds (a bounded wait, not a long TCP timeout). */
const health = (url: string) => fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });

describe('PostgreSQL stopped for 30 seconds', () => {
  it('answers 503 at once, in French, workers back off, and everything recovers with every acknowledged write', async () => {
    const c = cluster!;
    // Writes acknowledged before the outage: two forms posted through the front (each a row, a workflow, an e-mail).
    const before = [`${unique('avant-')}@exemple.fr`, `${unique('avant-')}@exemple.fr`];
    for (const email of before) expect((await postIssuerForm(email)).status).toBe(303);
    const workers = { 'worker-1': c.pid('worker-1'), 'worker-2': c.pid('worker-2') };
    const temporalBefore = Object.fromEntries(TEMPORAL.map((part) => [part, c.pid(part)]));

    await c.stopPart('postgres');
    const downSince = Date.now();
    try {
      // /health: 503 at once on each web process and through the front, the database said down without detail.
      for (const url of [...c.webUrls, c.publicUrl]) {
        const res = await health(url);
        const body = await res.json() as { database: { status: string; error?: string } };
        expect({ url, status: res.status, database: body.database }).toEqual({ url, status: 503, database: { status: 'down', error: 'indisponible' } });
      }
      // A page that needs the database: the French 503 page, no stack trace, no internal detail.
      const page = await fetch(`${c.publicUrl}/habilitation/lien/${'a'.repeat(43)}`);
      const html = await page.text();
      expect(page.status).toBe(503);
      expect(page.headers.get('retry-after')).toBeTruthy();
      expect(html).toContain('Service momentanément indisponible');
      expect(html).not.toMatch(/\bat .+\.(ts|js):\d+|Sequelize|ECONNREFUSED|Erreur inattendue/);
      // A form posted meanwhile: 503, and the page offers to send it again (nothing typed is lost).
      const posted = await postIssuerForm(`${unique('pendant-')}@exemple.fr`);
      expect(posted.status).toBe(503);
      expect(await posted.text()).toContain('Renvoyer le formulaire');

      // 30 seconds down: /health keeps answering 503 at once.
      while (Date.now() - downSince < 30_000) {
        expect((await health(c.publicUrl)).status).toBe(503);
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
      // The workers back off: the same processes, no crash loop.
      expect({ 'worker-1': c.pid('worker-1'), 'worker-2': c.pid('worker-2') }).toEqual(workers);
    } finally {
      await c.startPart('postgres');
    }

    // Recovery without intervention: both web processes healthy again (database and Temporal).
    for (const url of c.webUrls) await waitFor(`${url}/health to answer 200`, async () => (await health(url).catch(() => undefined))?.status, (s) => s === 200, 180_000);
    // Every write acknowledged before the outage is there, and its lifecycle ran (the confirmation e-mail).
    for (const email of before) {
      expect(await Issuer.count({ where: { email } })).toBe(1);
      await waitFor(`the confirmation e-mail to ${email}`, async () => mailsTo(email).length, (n) => n > 0, 120_000);
    }
    // A new submission works end to end (row, workflow on a worker, e-mail).
    const after = `${unique('apres-')}@exemple.fr`;
    expect((await postIssuerForm(after)).status).toBe(303);
    await waitFor('the confirmation e-mail after the outage', async () => mailsTo(after).length, (n) => n > 0, 120_000);
    expect(await Issuer.count({ where: { email: after } })).toBe(1);
    for (const email of [...before, after]) expect(mailsTo(email)).toHaveLength(1);
    // The workers were never restarted; Temporal's services: see the report printed below.
    expect({ 'worker-1': c.pid('worker-1'), 'worker-2': c.pid('worker-2') }).toEqual(workers);
    const temporalAfter = Object.fromEntries(TEMPORAL.map((part) => [part, c.pid(part)]));
    for (const part of TEMPORAL) expect(temporalAfter[part]).toBeDefined();
    process.stdout.write(`Temporal services across the PostgreSQL outage: ${TEMPORAL.map((part) => `${part} ${temporalBefore[part] === temporalAfter[part] ? 'kept its process' : 'was restarted by the supervisor'}`).join(', ')}\n`);
  }, 600_000);
});

describe('the Temporal history service killed while timers are pending and back-office decisions arrive', () => {
  it('fires every timer once, applies each decision once or refuses it in French, and loses nothing', async () => {
    const c = cluster!;
    // A jury member of the back-office (TOTP sealed with the cluster's own SECRETS_KEY).
    const secrets = JSON.parse(readFileSync(path.join(c.dataDir, 'cluster-secrets.json'), 'utf8')) as { SECRETS_KEY: string };
    const totp = generateSecret();
    const jury = await User.create({
      email: `${unique('jury-')}@anct.invalid`, firstName: 'Jeanne', lastName: 'Comité', profession: 'ANCT', phone: null, currentOrganisationId: null,
      staffRoles: ['anct_jury'], passwordHash: await hashPassword(DEMO_PASSWORD), sealedAdminTotpSecret: createSecretBox(Buffer.from(secrets.SECRETS_KEY, 'hex')).seal(totp),
      lastLoginAt: null, lastActivityAt: null,
    });
    const admin = await logIn(c.publicUrl, jury.email, totp);
    const decide = (id: string, action: string, motif: string) => admin.post(`/admin/api/resources/habilitation_requests/records/${id}/${action}`).field('motif', motif);

    // Three requests awaiting the comité, their lifecycles started with short timers.
    const requests = await Promise.all(['reminded', 'changes', 'decided', 'held'].map((name) => createSubmittedRequest(sequelize, { structure: { name: unique(`Structure ${name} `) } })));
    const [reminded, changes, decided, held] = requests as [HabilitationRequest, HabilitationRequest, HabilitationRequest, HabilitationRequest];
    for (const request of requests) await lifecycles.startHabilitationRequest(request.id);
    const statusOf = (request: HabilitationRequest) => client.workflow.getHandle(workflowIdForRequest(request.id)).query(requestStatusQuery);
    for (const request of requests) await waitFor('the request to await the comité', () => statusOf(request), (s) => s === 'awaiting_comite', 60_000);
    // `changes` is sent back to the demandeur: its reminder (in 20 s) and closure (in 40 s) timers start.
    expect((await decide(changes.id, 'requireChanges', 'Il manque le SIRET.')).body.notice).toMatchObject({ type: 'success' });

    // The history service dies; a decision arrives at once, while it is down (and comes back: the supervisor).
    const historyPid = c.pid('temporal-history')!;
    c.kill('temporal-history', 'SIGKILL');
    const sentAt = Date.now();
    const first = await decide(decided.id, 'validate', 'Dossier complet.');
    const notice = (first.body as { notice?: { type: string; message: string } }).notice;
    process.stdout.write(`Decision sent while the history service was down: answered after ${Date.now() - sentAt} ms with ${JSON.stringify(notice)}\n`);
    expect(first.status).toBe(200);
    if (notice?.type === 'error') expect(notice.message).toBe(LIFECYCLE_UNAVAILABLE);
    else expect(notice).toEqual({ type: 'success', message: 'La demande a été validée.' });
    await waitFor('the history service to be restarted', async () => c.pid('temporal-history'), (pid) => pid !== undefined && pid !== historyPid, 120_000);

    // Then it stays down for up to 40 seconds while another decision arrives: it waits for it or is refused in French.
    await c.stopPart('temporal-history');
    const heldAt = Date.now();
    let heldAnswer: Awaited<ReturnType<typeof decide>> | undefined;
    const heldDecision = decide(held.id, 'validate', 'Dossier complet.').then((res) => { heldAnswer = res; return res; });
    await waitFor('the decision to be answered, or 40 seconds', async () => heldAnswer !== undefined || Date.now() - heldAt > 40_000, Boolean, 60_000);
    await c.startPart('temporal-history');
    const heldNotice = ((await heldDecision).body as { notice?: { type: string; message: string } }).notice;
    process.stdout.write(`Decision sent while the history service was stopped: answered after ${Date.now() - heldAt} ms with ${JSON.stringify(heldNotice)}\n`);
    if (heldNotice?.type === 'error') expect(heldNotice.message).toBe(LIFECYCLE_UNAVAILABLE);
    else expect(heldNotice).toEqual({ type: 'success', message: 'La demande a été validée.' });

    // The same decisions again, as the person does after a refusal (or a double click): applied once in all.
    for (const request of [decided, held]) {
      await waitFor('the request to be decided', async () => {
        if ((await HabilitationRequest.findByPk(request.id))!.status === 'validated') return true;
        const again = await decide(request.id, 'validate', 'Dossier complet.');
        return (again.body as { notice?: { type: string } }).notice?.type === 'success';
      }, Boolean, 120_000);
    }

    // Every timer fires: the comité reminder, the changes reminder then the closure — each e-mail once.
    const anct = /Demande d’habilitation en attente depuis/;
    await waitFor('the comité reminder', async () => c.mails().filter((m) => anct.test(m.subject) && m.text.includes(reminded.name)).length, (n) => n >= 1, 120_000);
    expect((await decide(reminded.id, 'refuse', 'Hors périmètre.')).body.notice).toMatchObject({ type: 'success' });
    const changesIssuer = (await Issuer.findByPk(changes.issuerId))!.email;
    await waitFor('the closure of the request left unanswered', async () => (await HabilitationRequest.findByPk(changes.id))!.status, (s) => s === 'closed', 120_000);
    for (const request of requests) {
      const handle = client.workflow.getHandle(workflowIdForRequest(request.id));
      await waitFor(`lifecycle of ${request.id} to complete`, async () => (await handle.describe()).status.name, (s) => s === 'COMPLETED', 120_000);
      // Each timer started fired or was cancelled exactly once.
      const events = (await handle.fetchHistory()).events ?? [];
      const started = events.filter((e) => e.timerStartedEventAttributes).map((e) => e.timerStartedEventAttributes!.timerId);
      const ended = events.map((e) => e.timerFiredEventAttributes?.timerId ?? e.timerCanceledEventAttributes?.timerId).filter(Boolean);
      expect([...ended].sort()).toEqual([...started].sort());
    }
    expect(mailsTo(changesIssuer, /attend vos modifications/)).toHaveLength(1);
    expect(mailsTo(changesIssuer, /a été clôturée/)).toHaveLength(1);
    const reminders = c.mails().filter((m) => anct.test(m.subject) && m.text.includes(reminded.name));
    expect(new Set(reminders.map((m) => m.subject)).size).toBe(reminders.length); // reminder n sent once each

    // Each decision applied once: one decision row, one journal entry, one e-mail to the demandeur.
    for (const [request, status] of [[decided, 'validated'], [held, 'validated'], [reminded, 'refused'], [changes, 'closed']] as const) {
      expect((await HabilitationRequest.findByPk(request.id))!.status).toBe(status);
      expect(await ComiteDecisionRecord.count({ where: { habilitationRequestId: request.id } })).toBe(1);
    }
    const issuerOf = async (request: HabilitationRequest) => (await Issuer.findByPk(request.issuerId))!.email;
    for (const request of [decided, held]) {
      expect(mailsTo(await issuerOf(request), /a été acceptée/)).toHaveLength(1);
      expect(await JournalEntry.count({ where: { habilitationRequestId: request.id, action: 'habilitation_request_decided' } })).toBe(1);
    }
  }, 600_000);
});
