// The hourly housekeeping on a real Temporal server and worker: expired technical records are deleted (and
// nothing else), e-mails stuck in the outbox are reported to the technical team once, and the schedule that
// runs it is created idempotently.
import { Op } from 'sequelize';
import { EmailOutbox, IdpConnection, Issuer, IssuerEmailConfirmation, LoginFailure, RequestMessage } from '../db/models/index.js';
import { DAY_MS } from '../domain/duration.js';
import { postRequestMessage } from '../services/habilitation.js';
import { DELIVERY_START_GRACE_MS } from '../services/housekeeping.js';
import { createLifecycles } from '../services/lifecycles.js';
import { PERIODIC_DUTIES } from '../services/periodic-duties.js';
import * as workflows from '../workflows/index.js';
import { testEnv, unique } from './support/env.js';
import { createSubmittedRequest } from './support/factories.js';
import { mailsTo, waitForMails } from './support/mail.js';
import { ALERT_TEST_EMAIL, useWorkerStack } from './support/temporal.js';
import { waitFor, workflowSettled } from './support/wait.js';
import type { housekeepingWorkflow } from '../workflows/housekeeping.js';

const stack = useWorkerStack();

const runHousekeeping = () => stack.client.workflow.execute<typeof housekeepingWorkflow>('housekeepingWorkflow', {
  workflowId: unique('housekeeping-'), taskQueue: stack.worker.taskQueue, args: [],
});

// Pending rows here have been attempted once (their delivery runs), so the housekeeping does not start them.
const outboxRow = (key: string, status: 'pending' | 'sent' | 'failed', ageMs: number) => EmailOutbox.create({
  idempotencyKey: key, template: 'habilitation_request_submitted', recipients: ['x@exemple.fr'], subject: 's', html: 'h', textBody: 't',
  status, messageId: null, sentAt: status === 'sent' ? new Date() : null, failedAt: status === 'failed' ? new Date() : null,
  attempts: status === 'sent' ? 1 : status === 'pending' ? 1 : 0,
  lastError: status === 'pending' ? 'connect ECONNREFUSED 127.0.0.1:25' : status === 'failed' ? 'no recipient' : null,
  createdAt: new Date(Date.now() - ageMs),
});

/** The housekeeping report that lists this e-mail key, once it arrived. */
const reportsListing = async (key: string) => (await mailsTo(ALERT_TEST_EMAIL)).filter((m) => m.text.includes(key));
/** The reports stored in the outbox (each then delivered by its own e-mail workflow) that list this key. */
const reportsStored = (key: string) => EmailOutbox.count({ where: { template: 'ops_stuck_emails', textBody: { [Op.like]: `%${key}%` } } });

describe('housekeeping', () => {
  it('deletes expired links and old login failures, and keeps what still serves', async () => {
    const issuer = await Issuer.create({ email: `${unique('demandeur-')}@exemple.fr`, firstName: 'Léa', lastName: 'Roux', profession: 'Directrice', phone: null, emailVerifiedAt: null });
    const link = (expiresInMs: number) => IssuerEmailConfirmation.create({ issuerId: issuer.id, keyHash: unique('hash-'), expiresAt: new Date(Date.now() + expiresInMs), confirmedAt: null });
    const longExpired = await link(-31 * DAY_MS);
    const recentlyExpired = await link(-DAY_MS);
    const valid = await link(3 * DAY_MS);
    const key = `${unique('login-')}@exemple.fr`;
    await LoginFailure.create({ key, createdAt: new Date(Date.now() - 16 * 60_000) });
    await LoginFailure.create({ key });

    const { purged } = await runHousekeeping();
    expect(purged.emailConfirmations).toBeGreaterThanOrEqual(1);
    expect(await IssuerEmailConfirmation.findByPk(longExpired.id)).toBeNull();
    expect(await IssuerEmailConfirmation.findByPk(recentlyExpired.id)).not.toBeNull(); // kept a while for support
    expect(await IssuerEmailConfirmation.findByPk(valid.id)).not.toBeNull();
    expect(await LoginFailure.count({ where: { key } })).toBe(1);
  });

  it('forgets the identity provider’s connections once the interaction and its access token expired two days ago', async () => {
    const connection = (expiredMs: number, tokenExpiredMs: number | null) => IdpConnection.create({
      clientId: 'fc', redirectUri: 'https://fc.exemple/callback', fcVersion: 2, state: unique('state'), nonce: unique('nonce'), acr: 'eidas1', repScope: null,
      expiresAt: new Date(Date.now() - expiredMs), accessTokenExpiresAt: tokenExpiredMs === null ? null : new Date(Date.now() - tokenExpiredMs),
    });
    const old = await connection(3 * DAY_MS, null);
    const oldWithToken = await connection(3 * DAY_MS, 3 * DAY_MS);
    const tokenRecent = await connection(3 * DAY_MS, DAY_MS);
    const recent = await connection(DAY_MS, null);
    const { purged } = await runHousekeeping();
    expect(purged.idpConnections).toBeGreaterThanOrEqual(2);
    expect(await IdpConnection.findByPk(old.id)).toBeNull();
    expect(await IdpConnection.findByPk(oldWithToken.id)).toBeNull();
    expect(await IdpConnection.findByPk(tokenRecent.id)).not.toBeNull();
    expect(await IdpConnection.findByPk(recent.id)).not.toBeNull();
  });

  it('reports each e-mail stuck in the outbox to the technical team once', async () => {
    const stuck = unique('stuck-');
    const recent = unique('recent-');
    const sentLongAgo = unique('sent-');
    await outboxRow(stuck, 'pending', 2 * 3_600_000);
    await outboxRow(recent, 'pending', 60_000);
    await outboxRow(sentLongAgo, 'sent', 2 * 3_600_000);

    expect((await runHousekeeping()).stuckEmails).toBeGreaterThanOrEqual(1);
    // Waited for by its content: another run's report to the same address may arrive first.
    const reports = await waitFor('the report', () => reportsListing(stuck), (listing) => listing.length > 0);
    expect(reports).toHaveLength(1);
    expect(reports[0].subject).toMatch(/^\[Aidants Connect\] \d+ e-mail\(s\) non envoyé\(s\)$/);
    expect(reports[0].text).toContain('connect ECONNREFUSED 127.0.0.1:25');
    expect(reports[0].text).not.toContain(recent);
    expect(reports[0].text).not.toContain(sentLongAgo);
    expect((await EmailOutbox.findOne({ where: { idempotencyKey: stuck } }))!.stuckReportedAt).not.toBeNull();

    // The second run stores no second report (a report is stored before its run returns, then delivered).
    await runHousekeeping();
    expect(await reportsStored(stuck)).toBe(1);
    expect(await reportsListing(stuck)).toHaveLength(1);
  });

  it('reports an e-mail that failed for good at once, with its cause, and only once', async () => {
    const failed = unique('failed-');
    await outboxRow(failed, 'failed', 0);
    await runHousekeeping();
    const reports = await waitFor('the report', () => reportsListing(failed), (listing) => listing.length > 0);
    expect(reports).toHaveLength(1);
    expect(reports[0].text).toMatch(new RegExp(`ÉCHEC DÉFINITIF ${failed} .*: no recipient`));
    await runHousekeeping();
    expect(await reportsStored(failed)).toBe(1);
    expect(await reportsListing(failed)).toHaveLength(1);
  });

  it('delivers the e-mail of a message stored while Temporal was unreachable', async () => {
    const request = await createSubmittedRequest(stack.sequelize);
    const anctEmail = `${unique('anct-')}@aidantsconnect.invalid`;
    const message = await postRequestMessage(
      { publicUrl: 'http://localhost:3000', anctEmail, links: { publicUrl: 'http://localhost:3000', secretsKey: testEnv.secretsKey }, sendEmail: async () => { throw new Error('14 UNAVAILABLE: No connection established'); } },
      { requestId: request.id, sender: 'demandeur', content: 'Bonjour, où en est notre demande ?' },
    );
    // The message and its e-mail were stored together; the e-mail waits for its delivery.
    expect(await RequestMessage.findByPk(message.id)).not.toBeNull();
    const key = `habilitation-request/${request.id}/message/${message.id}`;
    expect(await EmailOutbox.findOne({ where: { idempotencyKey: key } })).toMatchObject({ status: 'pending', attempts: 0, recipients: [anctEmail] });

    await EmailOutbox.update({ createdAt: new Date(Date.now() - DELIVERY_START_GRACE_MS - 60_000) }, { where: { idempotencyKey: key } });
    expect((await runHousekeeping()).deliveriesStarted).toBeGreaterThanOrEqual(1);
    await workflowSettled(stack.client.workflow.getHandle(`email/${key}`));
    const mails = await waitForMails(anctEmail, 1);
    expect(mails).toHaveLength(1);
    expect(mails[0].text).toContain('où en est notre demande');
    expect(await EmailOutbox.findOne({ where: { idempotencyKey: key } })).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('creates the schedule of every periodic duty once, however often the web server starts, each starting a registered workflow', async () => {
    const lifecycles = createLifecycles(stack.client, { taskQueue: stack.worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } });
    try {
      await lifecycles.ensureSchedules();
      await lifecycles.ensureSchedules();
      for (const duty of PERIODIC_DUTIES) {
        expect(Object.keys(workflows)).toContain(duty.workflowType);
        const schedule = await stack.client.schedule.getHandle(duty.id).describe();
        expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: duty.workflowType, taskQueue: stack.worker.taskQueue });
      }
      const housekeeping = await stack.client.schedule.getHandle('housekeeping').describe();
      expect(housekeeping.spec.intervals).toEqual([expect.objectContaining({ every: 3_600_000 })]);
    } finally {
      for (const duty of PERIODIC_DUTIES) await stack.client.schedule.getHandle(duty.id).delete().catch(() => undefined);
    }
  });
});
