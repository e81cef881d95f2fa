// Faults of the production topology (issue 12), on one cluster for the whole file (infra/cluster.ts: the real
// Temporal server on PostgreSQL, two workers, two web processes, the mail sink):
//   1. a worker killed with SIGKILL inside an activity, twice in one habilitation lifecycle: while its
//      transaction waits on the request's row (journal entry not written yet), then while the SMTP server has
//      not answered the e-mail yet → the lifecycle completes on another worker, one journal entry per
//      transition, each e-mail received once;
//   2. SMTP down → e-mails wait in the outbox and are retried, the stuck-mail alert is stored during the outage
//      (the housekeeping completes without SMTP) and sent once it is back, like every e-mail: each once.
// The cluster's STUCK_EMAIL_ALERT_AFTER is 20 seconds (production: 1 hour by default) so that an outage of
// under a minute crosses it; the hourly housekeeping is triggered through its schedule instead of waited for.
import { Client, Connection, ScheduleOverlapPolicy, WorkflowExecutionAlreadyStartedError, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createSequelize } from '../db/sequelize.js';
import { workflowIdForRequest } from '../domain/habilitation.js';
import { startEmailDelivery } from '../services/lifecycles.js';
import { decideUpdate, type HabilitationRequestInput } from '../workflows/messages.js';
import { startTestCluster, type TestCluster } from './support/cluster.js';
import { unique } from './support/env.js';
import { createJuryMember, createSubmittedRequest } from './support/factories.js';
import { waitFor } from './support/wait.js';

const TASK_QUEUE = 'aidants-connect';
const ALERT_EMAIL = `${unique('tech-')}@exemple.fr`;

let cluster: TestCluster | undefined;
let connection: Connection | undefined;
let client: Client;
let sequelize: Sequelize;

beforeAll(async () => {
  cluster = await startTestCluster({ ui: false, env: { STUCK_EMAIL_ALERT_AFTER: '20 seconds', ALERT_EMAIL } });
  connection = await Connection.connect({ address: cluster.temporalAddress });
  client = new Client({ connection });
  sequelize = createSequelize(cluster.databaseUrl, { poolMax: 3 });
}, 900_000);

afterAll(async () => {
  await sequelize?.close();
  await connection?.close();
  const c = cluster;
  await c?.stop();
  if (c) expect(c.survivors()).toEqual([]);
}, 120_000);

const WORKERS = ['worker-1', 'worker-2'] as const;

/** The worker part whose process has this Temporal identity (« pid@host »). */
function workerOf(identity: string) {
  const part = WORKERS.find((name) => identity.startsWith(`${cluster!.pid(name)}@`));
  if (!part) throw new Error(`no running worker has the identity ${identity}`);
  return part;
}

/** The attempt of `activityType` a worker has started, once it has one. */
async function startedAttempt(handle: WorkflowHandle, activityType: string) {
  return (await waitFor(`a worker to start ${activityType}`, async () => {
    const { raw } = await handle.describe();
    return raw.pendingActivities?.find((activity) => activity.activityType?.name === activityType && activity.state === 2 && activity.lastWorkerIdentity);
  }, Boolean, 60_000))!;
}

interface HistoryEvent {
  eventId: string;
  eventType: string;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
  activityTaskStartedEventAttributes?: { attempt?: number };
  activityTaskCompletedEventAttributes?: { scheduledEventId?: string; startedEventId?: string; identity?: string };
}

/** The attempt that completed each activity of `activityType`: its number and the identity of its worker. */
async function completedAttempts(handle: WorkflowHandle, activityType: string) {
  const { events = [] } = JSON.parse(historyToJSON(await handle.fetchHistory())) as { events?: HistoryEvent[] };
  const scheduled = new Set(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType).map((e) => e.eventId));
  return events.flatMap((e) => {
    const completed = e.activityTaskCompletedEventAttributes;
    if (!completed || !scheduled.has(String(completed.scheduledEventId))) return [];
    const started = events.find((candidate) => candidate.eventId === String(completed.startedEventId));
    return [{ attempt: started?.activityTaskStartedEventAttributes?.attempt ?? 0, identity: completed.identity ?? '' }];
  });
}

const outboxRow = async (key: string) => (await sequelize.query<{ status: string; attempts: number; last_error: string | null; stuck_reported_at: Date | null }>(
  'SELECT status, attempts, last_error, stuck_reported_at FROM email_outbox WHERE idempotency_key = :key', { replacements: { key }, type: QueryTypes.SELECT },
))[0];

describe('a worker killed with SIGKILL inside an activity', () => {
  it('leaves the lifecycle to complete on another worker, with one journal entry per transition and each e-mail once', async () => {
    const c = cluster!;
    const request = await createSubmittedRequest(sequelize);
    const issuerEmail = (await sequelize.query<{ email: string }>('SELECT email FROM issuers WHERE id = :id', { replacements: { id: request.issuerId }, type: QueryTypes.SELECT }))[0]!.email;
    const workflowId = workflowIdForRequest(request.id);
    const submittedKey = `${workflowId}/round-1/submitted`;

    // The test holds the request's row: the worker's submitToComite waits for it inside its transaction,
    // before writing the status and the journal entry.
    const lock = await sequelize.transaction();
    const handle = await (async () => {
      try {
        const [row] = await sequelize.query<{ status: string; holder: number }>('SELECT status, pg_backend_pid() AS holder FROM habilitation_requests WHERE id = :id FOR UPDATE', { replacements: { id: request.id }, type: QueryTypes.SELECT, transaction: lock });
        expect(row!.status).toBe('draft');
        // The demandeur's e-mail will be held by the SMTP server, unanswered, until the test says so.
        const input: HabilitationRequestInput = { requestId: request.id, policy: { comiteReminderDelayMs: 30 * 86_400_000 } };
        // (A web process's sweep of submitted drafts may have started it first: the same lifecycle.)
        const started = await client.workflow.start('habilitationRequestWorkflow', { workflowId, taskQueue: TASK_QUEUE, args: [input] })
          .catch((error: unknown) => {
            if (error instanceof WorkflowExecutionAlreadyStartedError) return client.workflow.getHandle(workflowId);
            throw error;
          });

        const submitting = await startedAttempt(started, 'submitToComite');
        await waitFor('the worker’s transaction to wait on the row', async () => Number((await sequelize.query<{ n: string }>(
          'SELECT count(*) AS n FROM pg_stat_activity WHERE :holder = ANY(pg_blocking_pids(pid))', { replacements: { holder: row!.holder }, type: QueryTypes.SELECT },
        ))[0]!.n), (n) => n === 1);
        const victim = workerOf(submitting.lastWorkerIdentity!);
        c.kill(victim, 'SIGKILL');
        return { started, killed: submitting.lastWorkerIdentity! };
      } finally {
        await lock.commit();
      }
    })();
    const killedIdentities = [handle.killed];

    // The retry (after the 15-second start-to-close timeout) submits; then the e-mail: the SMTP server holds
    // its answer, and the worker sending it is killed mid-conversation.
    const held = c.mailSink!.hold((mail) => mail.to.includes(issuerEmail));
    try {
      const sending = await startedAttempt(handle.started, 'sendEmail');
      await waitFor('the e-mail to reach the SMTP server', async () => held.waiting().length, (n) => n === 1, 60_000);
      expect((await outboxRow(submittedKey))!.status).toBe('sending');
      killedIdentities.push(sending.lastWorkerIdentity!);
      c.kill(workerOf(sending.lastWorkerIdentity!), 'SIGKILL');
      // The client hung up before the answer: the server never accepted the message.
      await waitFor('the SMTP server to see the client hang up', async () => held.dropped().length, (n) => n === 1, 30_000);
    } finally {
      await held.release();
    }
    // The killed attempt's claim on the e-mail (services/outbox.ts CLAIM_LEASE_MS, 5 minutes) is moved to its
    // end rather than waited for: the retry may then claim and send it.
    const expired = await sequelize.query(
      `UPDATE email_outbox SET claimed_until = now() - interval '1 second' WHERE idempotency_key = :key AND status = 'sending' RETURNING id`,
      { replacements: { key: submittedKey }, type: QueryTypes.SELECT },
    );
    expect(expired).toHaveLength(1);
    await waitFor('the e-mail to be sent by the retry', async () => (await outboxRow(submittedKey))!.status, (status) => status === 'sent', 180_000);

    // The lifecycle goes on to its end: a refusal, its e-mail, completed.
    const jury = await createJuryMember();
    expect(await handle.started.executeUpdate(decideUpdate, { args: [{ decision: 'refuse', motif: 'Le dossier est incomplet.', juryMemberId: jury.id }] })).toEqual({ status: 'refused' });
    expect(await handle.started.result()).toBe('refused');

    // Each transition journaled once, each e-mail received once.
    const journal = await sequelize.query<{ action: string; n: string }>(
      'SELECT action, count(*) AS n FROM journal WHERE habilitation_request_id = :id GROUP BY action ORDER BY action', { replacements: { id: request.id }, type: QueryTypes.SELECT },
    );
    expect(journal.map((entry) => [entry.action, Number(entry.n)])).toEqual([['habilitation_request_decided', 1], ['habilitation_request_submitted', 1]]);
    const received = c.mails().filter((mail) => mail.to.includes(issuerEmail)).map((mail) => mail.subject).sort();
    expect(received).toEqual(['Aidants Connect - Votre demande d’habilitation a été refusée', 'Aidants Connect - Votre demande d’habilitation a été soumise']);
    expect(await outboxRow(submittedKey)).toMatchObject({ status: 'sent', attempts: 2 });

    // Each killed activity was completed by a later attempt, on another worker process than the one killed in it.
    for (const [index, activityType] of ['submitToComite', 'sendEmail'].entries()) {
      const [first] = await completedAttempts(handle.started, activityType);
      expect({ activityType, attempt: first!.attempt > 1, other: first!.identity !== killedIdentities[index] }).toEqual({ activityType, attempt: true, other: true });
    }
  }, 420_000);
});

describe('SMTP down', () => {
  it('keeps every e-mail in the outbox, retried, and sends each once when SMTP is back, with the stuck-mail alert once', async () => {
    const c = cluster!;
    const run = unique('smtp-down-');
    const recipient = `${unique('usager-')}@exemple.fr`;
    const keys = [1, 2, 3].map((n) => `faults-a/${run}/${n}`);
    const housekeeping = client.schedule.getHandle('housekeeping');
    const runIds = async () => {
      const { info } = await housekeeping.describe();
      return [...info.recentActions.map((a) => a.action.workflow.workflowId), ...info.runningActions.map((a) => a.workflow.workflowId)];
    };
    const runHousekeeping = async () => {
      const before = new Set(await runIds());
      await housekeeping.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
      const ids = await waitFor('the housekeeping to start', runIds, (list) => list.some((id) => !before.has(id)), 60_000);
      return client.workflow.getHandle(ids.find((id) => !before.has(id))!).result() as Promise<{ stuckEmails: number }>;
    };
    const reportsListing = async (key: string) => (await sequelize.query<{ status: string }>(
      `SELECT status FROM email_outbox WHERE template = 'ops_stuck_emails' AND text_body LIKE :pattern`, { replacements: { pattern: `%${key}%` }, type: QueryTypes.SELECT },
    ));

    await c.stopPart('mail-sink');
    try {
      // Three e-mails asked while SMTP is down: stored, attempted, retried.
      for (const [index, idempotencyKey] of keys.entries()) {
        await startEmailDelivery(client, TASK_QUEUE, {
          idempotencyKey, template: 'habilitation_request_refused', to: [recipient],
          data: { recipientName: 'Léa Roux', structureName: `Structure ${index + 1} ${run}`, motif: 'Le dossier est incomplet.' },
        });
      }
      for (const key of keys) {
        await waitFor(`${key} to be retried`, () => outboxRow(key), (row) => row?.status === 'pending' && row.attempts >= 2 && Boolean(row.last_error), 60_000);
      }
      // Twenty seconds (STUCK_EMAIL_ALERT_AFTER here) after they were stored, they are stuck: the housekeeping
      // reports them. The report cannot be sent either: it is stored, and the housekeeping completes anyway.
      await waitFor('the e-mails to be stuck', async () => Number((await sequelize.query<{ n: string }>(
        `SELECT count(*) AS n FROM email_outbox WHERE idempotency_key IN (:keys) AND created_at < now() - interval '21 seconds'`, { replacements: { keys }, type: QueryTypes.SELECT },
      ))[0]!.n), (n) => n === keys.length, 60_000);
      expect((await runHousekeeping()).stuckEmails).toBeGreaterThanOrEqual(keys.length);
      for (const key of keys) {
        expect((await reportsListing(key)).map((row) => row.status === 'pending' || row.status === 'sending')).toEqual([true]); // stored, unsent
        expect((await outboxRow(key))!.stuck_reported_at).not.toBeNull();
      }
      // Still down at the next housekeeping: nothing is reported twice. (That run is started directly: the
      // schedule may still count the first one as running and not report a second trigger back at once.)
      await client.workflow.execute('housekeepingWorkflow', { workflowId: `${run}/housekeeping`, taskQueue: TASK_QUEUE, args: [] });
      for (const key of keys) expect(await reportsListing(key)).toHaveLength(1);
      expect(c.mails().filter((mail) => mail.to.includes(recipient) || mail.to.includes(ALERT_EMAIL.toLowerCase()))).toEqual([]);
    } finally {
      await c.startPart('mail-sink');
    }

    // SMTP is back: the outbox drains at the next retries (5 s, then doubling: in production, a ten-minute
    // outage is drained within about five minutes, the retries being at most ten minutes apart).
    for (const key of keys) await waitFor(`${key} to be sent`, async () => (await outboxRow(key))!.status, (status) => status === 'sent', 240_000);
    await waitFor('the alert to be sent', async () => (await reportsListing(keys[0]!)).map((row) => row.status), (statuses) => statuses.join() === 'sent', 240_000);
    const received = c.mails().filter((mail) => mail.to.includes(recipient)).map((mail) => /Structure (\d)/.exec(mail.text)?.[1]).sort();
    expect(received).toEqual(['1', '2', '3']);
    const alerts = c.mails().filter((mail) => mail.to.includes(ALERT_EMAIL.toLowerCase()) && keys.every((key) => mail.text.includes(key)));
    expect(alerts).toHaveLength(1);
    expect(c.mails().filter((mail) => mail.to.includes(ALERT_EMAIL.toLowerCase()) && keys.some((key) => mail.text.includes(key)))).toHaveLength(1);
  }, 600_000);
});
