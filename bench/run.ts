// `npm run bench`: measures the foundation on a throwaway stack (embedded PostgreSQL, Temporal dev server,
// mail sink) and prints figures. Benchmarks print; tests never assert wall-clock times.
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { Client, Connection } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '../config/index.js';
import { createSequelize } from '../db/sequelize.js';
import { HabilitationRequest } from '../db/models/index.js';
import { createLogger } from '../infra/logger.js';
import { startThrowawayStack, type ThrowawayStack } from '../infra/throwaway-stack.js';
import { createApp } from '../server/app.js';
import { parseStructure } from '../domain/habilitation-form.js';
import { createRequestDraft } from '../services/habilitation.js';
import { registerIssuer, requestPath } from '../services/issuers.js';
import { mintIssuerLink } from '../services/private-links.js';
import { createSubmittedRequest, validStepBodies } from '../test/support/factories.js';
import { appendJournal, verifyJournalChain } from '../services/journal.js';
import { createLifecycles } from '../services/lifecycles.js';
import { createMailer } from '../services/mailer.js';
import { sendEmailOnce } from '../services/outbox.js';
import { renderContext, renderEmail, renderEmailWithMjml } from '../emails/render.js';
import { createWorker } from '../worker/create-worker.js';
import { benchLogin } from './login.js';
import { benchCardImport } from './card-import.js';
import { benchJournalExport } from './journal-export.js';
import { benchJournalWriters } from './journal-writers.js';
import { benchMandatSuite } from './mandat-suite.js';
import { benchIdentityProvider } from './identity-provider.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];
const ms = (n: number) => `${n.toFixed(1)} ms`;
const line = (name: string, figures: string) => process.stdout.write(`${name.padEnd(52)} ${figures}\n`);

async function timed<T>(count: number, concurrency: number, task: (i: number) => Promise<T>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++;
      const t = performance.now();
      await task(i);
      latencies.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: count / seconds, p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95) };
}

// `npm run bench -- <name>…` runs only the named benchmarks, each on the same throwaway stack; no name: all.
const SELECTABLE: Record<string, (stack: ThrowawayStack, sequelize: Sequelize) => Promise<void>> = {
  idp: (stack, sequelize) => benchIdentityProvider({ stack, sequelize, line }),
  mandats: (stack, sequelize) => benchMandatSuite({ stack, sequelize, line }),
  journal: (_stack, sequelize) => benchJournalWriters(sequelize, line),
};
const selected = process.argv.slice(2);
if (selected.length > 0) {
  const unknown = selected.filter((name) => !(name in SELECTABLE));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s): ${unknown.join(', ')} (known: ${Object.keys(SELECTABLE).join(', ')})`);
  const stack = await startThrowawayStack();
  const sequelize = createSequelize(stack.databaseUrl, { poolMax: 10 });
  try {
    process.stdout.write(`\nAidants Connect benchmarks: ${selected.join(', ')} (${new Date().toISOString()}, Node ${process.version})\n\n`);
    for (const name of selected) await SELECTABLE[name]!(stack, sequelize);
  } finally {
    await sequelize.close();
    await stack.stop();
  }
  process.exit(0);
}

process.stdout.write('Starting a throwaway stack…\n');
const stack = await startThrowawayStack();
const sequelize = createSequelize(stack.databaseUrl, { poolMax: 10 });
const mailer = createMailer(stack.mailSink.smtpUrl);
try {
  process.stdout.write(`\nAidants Connect benchmarks (${new Date().toISOString()}, Node ${process.version})\n\n`);

  const journal = await timed(2000, 8, (i) => appendJournal({ action: 'admin_login', details: { bench: i } }));
  line('journal append (8 writers, chained after commit)', `${journal.perSecond.toFixed(0)} entries/s  p50 ${ms(journal.p50)}  p95 ${ms(journal.p95)}`);
  const verifyStart = performance.now();
  const chain = await verifyJournalChain();
  line('journal chain verification', `${chain.checked} entries in ${ms(performance.now() - verifyStart)} (${chain.brokenAt ? 'BROKEN' : 'intact'})`);
  await benchJournalWriters(sequelize, line);

  await benchCardImport(sequelize, line);
  await benchJournalExport(sequelize, line);

  const render = renderContext('http://localhost:3000');
  const renderData = (i: number) => ({ issuerName: `Léa Roux ${i}`, structureName: 'CCAS d’Anglet', requestUrl: `http://localhost/x/${i}` });
  await renderEmail('habilitation_request_submitted', renderData(0), render); // compiles the template's shape once
  const rendered = await timed(5000, 1, (i) => renderEmail('habilitation_request_submitted', renderData(i), render));
  line('e-mail render only (compiled template, filled)', `${rendered.perSecond.toFixed(0)} e-mails/s  p50 ${ms(rendered.p50)}  p95 ${ms(rendered.p95)}`);
  const fullMjml = await timed(50, 1, (i) => renderEmailWithMjml('habilitation_request_submitted', renderData(i), render));
  line('e-mail render only (full MJML, for reference)', `${fullMjml.perSecond.toFixed(0)} e-mails/s  p50 ${ms(fullMjml.p50)}  p95 ${ms(fullMjml.p95)}`);

  const emails = await timed(300, 4, (i) => sendEmailOnce({ sequelize, mailer, from: 'bench@aidantsconnect.invalid', render }, {
    idempotencyKey: `bench-${i}`, template: 'habilitation_request_submitted', to: [`bench${i}@exemple.fr`],
    data: { issuerName: 'Léa Roux', structureName: 'CCAS', requestUrl: 'http://localhost/x' },
  }));
  line('e-mail render + outbox + SMTP (4 senders)', `${emails.perSecond.toFixed(0)} e-mails/s  p50 ${ms(emails.p50)}  p95 ${ms(emails.p95)}`);
  const resend = await timed(300, 4, (i) => sendEmailOnce({ sequelize, mailer, from: 'x@y.fr', render }, {
    idempotencyKey: `bench-${i}`, template: 'habilitation_request_submitted', to: [`bench${i}@exemple.fr`],
    data: { issuerName: 'Léa Roux', structureName: 'CCAS', requestUrl: 'http://localhost/x' },
  }));
  line('retried e-mail activity (already sent)', `${resend.perSecond.toFixed(0)} calls/s  p50 ${ms(resend.p50)}`);

  const connection = await NativeConnection.connect({ address: stack.temporalAddress });
  const worker = await createWorker({
    connection, namespace: 'default', taskQueue: 'bench',
    deps: { sequelize, mailer, mailFrom: 'bench@aidantsconnect.invalid', publicUrl: 'http://localhost:3000', secretsKey: Buffer.alloc(32, 7), anctEmail: 'anct@aidantsconnect.invalid', operations: { alertEmail: 'tech@aidantsconnect.invalid', stuckEmailAfterMs: 3_600_000 } },
  });
  const running = worker.run();
  const client = new Client({ connection: await Connection.connect({ address: stack.temporalAddress }) });
  const lifecycles = createLifecycles(client, { taskQueue: 'bench', habilitationPolicy: { comiteReminderDelayMs: 86_400_000 } });
  const submissions = await timed(60, 6, async () => {
    const request = await createSubmittedRequest(sequelize);
    await lifecycles.startHabilitationRequest(request.id);
    for (;;) {
      const row = await HabilitationRequest.findByPk(request.id, { attributes: ['status'] });
      if (row?.status === 'awaiting_comite') return;
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  line('form steps + submission → awaiting comité (6 in flight)', `${submissions.perSecond.toFixed(1)} requests/s  p50 ${ms(submissions.p50)}  p95 ${ms(submissions.p95)}`);

  const appConfig = loadConfig({ NODE_ENV: 'test', DATABASE_URL: stack.databaseUrl, TEMPORAL_ADDRESS: stack.temporalAddress, SMTP_URL: stack.mailSink.smtpUrl });
  const app = createApp({
    config: appConfig,
    sequelize, temporal: client, lifecycles, log: createLogger('bench', 'error'),
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  for (const path of ['/', '/habilitation', '/health']) {
    const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, connections: 20, duration: 5 });
    line(`HTTP GET ${path} (20 connections, 5 s)`, `${result.requests.average.toFixed(0)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  errors ${result.errors + result.non2xx}`);
  }

  // The public form: a demandeur reads and saves the structure step of their draft (valid form, one row updated).
  const issuer = await registerIssuer(sequelize, { firstName: 'Léa', lastName: 'Roux', email: 'bench-demandeur@exemple.fr', profession: 'Directrice', phone: null });
  await issuer.update({ emailVerifiedAt: new Date() });
  const structure = validStepBodies().structure;
  const draft = await createRequestDraft(issuer.id, parseStructure(structure).value!);
  const token = 'b'.repeat(32);
  // The demandeur's session, opened with a private link as from their e-mail.
  const link = await mintIssuerLink({ publicUrl: `http://127.0.0.1:${port}`, secretsKey: appConfig.secrets.key }, issuer.id);
  const opened = await fetch(link.url, { redirect: 'manual' });
  const session = opened.headers.getSetCookie().find((c) => c.startsWith('ac_demandeur='))!.split(';')[0];
  const stepUrl = `http://127.0.0.1:${port}${requestPath(draft.id)}/structure`;
  const read = await autocannon({ url: stepUrl, connections: 20, duration: 5, headers: { cookie: session } });
  line('HTTP GET a form step (20 connections, 5 s)', `${read.requests.average.toFixed(0)} req/s  p50 ${read.latency.p50} ms  p99 ${read.latency.p99} ms  errors ${read.errors + read.non2xx}`);
  const save = await autocannon({
    url: stepUrl, connections: 20, duration: 5, method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `ac_csrf=${token}; ${session}` },
    body: new URLSearchParams({ ...structure, _csrf: token }).toString(),
  });
  // A save answers 303 (to the next step): autocannon counts it as non-2xx, so only transport errors are shown.
  line('HTTP POST a form step, saved (20 connections, 5 s)', `${save.requests.average.toFixed(0)} req/s  p50 ${save.latency.p50} ms  p99 ${save.latency.p99} ms  errors ${save.errors}  3xx ${save['3xx']}`);
  await benchLogin({ baseUrl: `http://127.0.0.1:${port}`, sequelize, line });
  await benchIdentityProvider({ stack, sequelize, line });
  server.close();
  worker.shutdown();
  await running;
  await client.connection.close();
  await connection.close();
  await benchMandatSuite({ stack, sequelize, line });
} finally {
  mailer.close();
  await sequelize.close();
  await stack.stop();
}
