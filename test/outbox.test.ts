// The outbox: e-mails are stored under an idempotency key and delivered once, claiming the row rather than
// holding a transaction across SMTP; e-mails that can never be sent are marked failed and not retried.
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { EmailOutbox, Issuer, PrivateLink } from '../db/models/index.js';
import { renderContext } from '../emails/render.js';
import { createMailer, SMTP_TIMEOUTS, type Mailer } from '../services/mailer.js';
import {
  CLAIM_LEASE_MS, deliverEmail, EmailBeingSentError, EmailNotDeliverableError, enqueueEmail, sendEmailOnce, type EmailRequest, type OutboxDeps,
} from '../services/outbox.js';
import { lookupIssuerLink } from '../services/private-links.js';
import { createLifecycles } from '../services/lifecycles.js';
import { workflowIdForRequest } from '../domain/habilitation.js';
import { requestStatusQuery } from '../workflows/messages.js';
import { createSubmittedRequest } from './support/factories.js';
import { workflowSettled } from './support/wait.js';
import { testEnv, unique } from './support/env.js';
import { mailsTo, waitForMails } from './support/mail.js';
import { useWorkerStack } from './support/temporal.js';
import { waitFor } from './support/wait.js';
import type { transactionalEmailWorkflow } from '../workflows/transactional-email.js';

const stack = useWorkerStack();
const render = renderContext('http://localhost:3000');
let mailer: Mailer;
beforeAll(() => { mailer = createMailer(testEnv.smtpUrl); });
afterAll(() => { mailer.close(); });

const deps = (over: Partial<OutboxDeps> = {}): OutboxDeps => ({ sequelize: stack.sequelize, mailer, from: 'test@aidantsconnect.invalid', render, ...over });

const request = (to: string, key = unique('mail-')): EmailRequest<'habilitation_request_submitted'> => ({
  idempotencyKey: key,
  template: 'habilitation_request_submitted',
  to: [to],
  data: { issuerName: 'Léa <Roux>', structureName: 'CCAS d’Anglet', requestUrl: 'http://localhost:3000/habilitation/demandes/x' },
});

const rowOf = (key: string) => EmailOutbox.findOne({ where: { idempotencyKey: key } });

/** An SMTP server of the test's own: counts the messages it accepts, can hold them, and rejects some recipients. */
async function startTestSmtp(options: { hold?: Promise<void>; rejectPrefix?: string } = {}) {
  const state = { receiving: 0, accepted: 0 };
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onRcptTo(address, _session, callback) {
      if (options.rejectPrefix && address.address.startsWith(options.rejectPrefix)) {
        callback(Object.assign(new Error('5.1.1 Mailbox does not exist'), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, _session, callback) {
      state.receiving += 1;
      stream.resume();
      stream.on('end', () => {
        void (options.hold ?? Promise.resolve()).then(() => { state.accepted += 1; callback(); });
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = (server as unknown as { server: Server }).server.address() as AddressInfo;
  const smtpMailer = createMailer(`smtp://127.0.0.1:${port}`);
  return {
    state, mailer: smtpMailer,
    async stop() { smtpMailer.close(); await new Promise<void>((resolve) => server.close(() => resolve())); },
  };
}

describe('e-mail outbox', () => {
  it('sends once, however many times the activity is retried', async () => {
    const to = `${unique('dest-')}@exemple.fr`;
    const req = request(to);
    expect(await sendEmailOnce(deps(), req)).toBe('sent');
    expect(await sendEmailOnce(deps(), req)).toBe('already_sent');
    expect(await waitForMails(to, 1)).toHaveLength(1);
    expect(await rowOf(req.idempotencyKey)).toMatchObject({ status: 'sent', attempts: 1, recipients: [to], claimedUntil: null });
  });

  it('sends once when attempts start together on an unsent e-mail, and none holds a transaction while sending', async () => {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => { release = resolve; });
    const smtp = await startTestSmtp({ hold });
    try {
      const req = request(`${unique('dest-')}@exemple.fr`);
      const attempts = 6;
      let settled = 0;
      const outcomes = Array.from({ length: attempts }, () => sendEmailOnce(deps({ mailer: smtp.mailer }), req)
        .then((value) => ({ value }), (error: unknown) => ({ error }))
        .finally(() => { settled += 1; }));
      // The first message is held by the server until every other attempt has given up (or a second message
      // arrives): they all ran while it was being sent.
      await waitFor('the other attempts to give up while one is sending', async () => ({ settled, receiving: smtp.state.receiving }),
        (s) => s.settled >= attempts - 1 || s.receiving >= 2);
      // While the message is in the SMTP conversation its row is claimed, and no lock is held on it (this
      // update would wait for the end of a transaction holding one).
      expect(await rowOf(req.idempotencyKey)).toMatchObject({ status: 'sending' });
      await EmailOutbox.update({ lastError: null }, { where: { idempotencyKey: req.idempotencyKey, status: 'sending' } });
      release();
      const results = await Promise.all(outcomes);
      expect(smtp.state.accepted).toBe(1);
      expect(results.filter((r) => 'value' in r && r.value === 'sent')).toHaveLength(1);
      for (const r of results.filter((r) => 'error' in r)) expect((r as { error: unknown }).error).toBeInstanceOf(EmailBeingSentError);
      expect(await rowOf(req.idempotencyKey)).toMatchObject({ status: 'sent', attempts: 1 });
    } finally {
      release();
      await smtp.stop();
    }
  });

  it('takes over the claim of a crashed attempt once it expired, and not before', async () => {
    const to = `${unique('dest-')}@exemple.fr`;
    const req = request(to);
    await stack.sequelize.transaction((transaction) => enqueueEmail({ render }, req, transaction));
    const live = new Date(Date.now() + CLAIM_LEASE_MS);
    await EmailOutbox.update({ status: 'sending', claimedUntil: live, attempts: 1 }, { where: { idempotencyKey: req.idempotencyKey } });
    await expect(deliverEmail(deps(), req.idempotencyKey)).rejects.toBeInstanceOf(EmailBeingSentError);

    await EmailOutbox.update({ claimedUntil: new Date(Date.now() - 1000) }, { where: { idempotencyKey: req.idempotencyKey } });
    expect(await deliverEmail(deps(), req.idempotencyKey)).toBe('sent');
    expect(await waitForMails(to, 1)).toHaveLength(1);
    expect(await rowOf(req.idempotencyKey)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('keeps the message and the error when SMTP fails, then sends it on the next attempt', async () => {
    const to = `${unique('dest-')}@exemple.fr`;
    const req = request(to);
    const broken: Mailer = { send: async () => { throw new Error('connection refused'); }, close: () => undefined };
    await expect(sendEmailOnce(deps({ mailer: broken }), req)).rejects.toThrow('connection refused');
    expect(await rowOf(req.idempotencyKey)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'connection refused', claimedUntil: null });
    expect(await sendEmailOnce(deps(), req)).toBe('sent');
    expect(await waitForMails(to, 1)).toHaveLength(1);
  });

  it('gives up an SMTP server that never answers within its timeouts, all shorter than the activity', async () => {
    for (const ms of Object.values(SMTP_TIMEOUTS)) expect(ms).toBeLessThan(60_000); // the e-mail activity's startToClose
    const silent = createServer(() => undefined); // accepts connections, never greets
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const slowMailer = createMailer(`smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`, { connectionMs: 2000, greetingMs: 300, socketMs: 2000 });
    try {
      const req = request(`${unique('dest-')}@exemple.fr`);
      await expect(sendEmailOnce(deps({ mailer: slowMailer }), req)).rejects.toThrow(/Greeting never received/);
      expect(await rowOf(req.idempotencyKey)).toMatchObject({ status: 'pending', attempts: 1 });
    } finally {
      slowMailer.close();
      silent.close();
    }
  });

  it('marks failed, with the cause, an e-mail without recipient, one that cannot be rendered, and one the server rejects', async () => {
    const noRecipient = { ...request('x@exemple.fr'), to: ['  '] };
    await expect(sendEmailOnce(deps(), noRecipient)).rejects.toBeInstanceOf(EmailNotDeliverableError);
    expect(await rowOf(noRecipient.idempotencyKey)).toMatchObject({ status: 'failed', lastError: 'no recipient', attempts: 0 });

    const unrenderable = { idempotencyKey: unique('mail-'), template: 'habilitation_issuer_reminder', to: ['x@exemple.fr'], data: { issuerName: 'Léa', spaceUrl: 'http://x' } } as unknown as EmailRequest;
    await expect(sendEmailOnce(deps(), unrenderable)).rejects.toBeInstanceOf(EmailNotDeliverableError);
    expect((await rowOf(unrenderable.idempotencyKey))!.lastError).toMatch(/^render error: /);

    const smtp = await startTestSmtp({ rejectPrefix: 'nobody' });
    try {
      const rejected = request(`nobody-${unique()}@exemple.fr`);
      await expect(sendEmailOnce(deps({ mailer: smtp.mailer }), rejected)).rejects.toBeInstanceOf(EmailNotDeliverableError);
      const row = await rowOf(rejected.idempotencyKey);
      expect(row).toMatchObject({ status: 'failed', attempts: 1, claimedUntil: null });
      expect(row!.failedAt).not.toBeNull();
      expect(row!.lastError).toMatch(/^SMTP rejection: .*550/);
      // A later attempt does not send it again.
      await expect(deliverEmail(deps({ mailer: smtp.mailer }), rejected.idempotencyKey)).rejects.toBeInstanceOf(EmailNotDeliverableError);
      expect(smtp.state.accepted).toBe(0);
    } finally {
      await smtp.stop();
    }
  });

  it('fails the e-mail workflow for good (non-retryable) when the e-mail can never be sent', async () => {
    const key = unique('mail-');
    const run = stack.client.workflow.execute<typeof transactionalEmailWorkflow>('transactionalEmailWorkflow', {
      workflowId: `email/${key}`, taskQueue: stack.worker.taskQueue, args: [{ ...request('x@exemple.fr', key), to: [] }],
      // Retried for ever, it would end on this timeout instead (a bound, not a timing).
      workflowExecutionTimeout: '30 seconds',
    });
    const failure = await run.then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause?.cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: 'EmailNotDeliverableError', nonRetryable: true });
    expect(await rowOf(key)).toMatchObject({ status: 'failed', lastError: 'no recipient' });
  });

  it('lets a lifecycle go on when one of its e-mails can never be sent', async () => {
    const request = await createSubmittedRequest(stack.sequelize);
    const workflowId = workflowIdForRequest(request.id);
    // The demandeur's e-mail of this round is already known to be impossible (e.g. rejected by their server).
    await EmailOutbox.create({
      idempotencyKey: `${workflowId}/round-1/submitted`, template: 'habilitation_request_submitted', recipients: ['x@exemple.fr'],
      subject: 's', html: 'h', textBody: 't', status: 'failed', failedAt: new Date(), lastError: 'SMTP rejection: 550', messageId: null, sentAt: null,
    });
    await createLifecycles(stack.client, { taskQueue: stack.worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } })
      .startHabilitationRequest(request.id);
    const handle = stack.client.workflow.getHandle(workflowId);
    await workflowSettled(handle);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(await handle.query(requestStatusQuery)).toBe('awaiting_comite');
    await handle.terminate('test done');
  });

  it('stores an e-mail with the write that causes it: rolled back together, private link included', async () => {
    const issuer = await Issuer.create({ email: `${unique('demandeur-')}@exemple.fr`, firstName: 'Amélie', lastName: 'Roux', profession: 'Directrice', phone: null, emailVerifiedAt: new Date() });
    const links = { publicUrl: 'http://localhost:3000', secretsKey: testEnv.secretsKey };
    const withLink = (key: string): EmailRequest => ({ ...request(issuer.email, key), privateLink: { issuerId: issuer.id, field: 'requestUrl' } });

    const rolledBack = unique('mail-');
    await expect(stack.sequelize.transaction(async (transaction) => {
      await enqueueEmail({ render, links }, withLink(rolledBack), transaction);
      throw new Error('the business write fails');
    })).rejects.toThrow('the business write fails');
    expect(await rowOf(rolledBack)).toBeNull();
    expect(await PrivateLink.count({ where: { issuerId: issuer.id } })).toBe(0);

    const committed = unique('mail-');
    await stack.sequelize.transaction((transaction) => enqueueEmail({ render, links }, withLink(committed), transaction));
    expect(await rowOf(committed)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await PrivateLink.count({ where: { issuerId: issuer.id } })).toBe(1);
    expect(await deliverEmail(deps(), committed)).toBe('sent');
    const [mail] = await waitForMails(issuer.email, 1);
    const url = /http:\/\/localhost:3000\/habilitation\/lien\/([A-Za-z0-9_-]{43})/.exec(mail.text);
    expect(url).not.toBeNull();
    expect(await lookupIssuerLink(testEnv.secretsKey, url![1])).toMatchObject({ outcome: 'valid' });
    expect(await mailsTo(issuer.email)).toHaveLength(1);
  });
});
