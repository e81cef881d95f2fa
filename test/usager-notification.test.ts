// The usager told of the démarches done on their behalf, with a real worker, PostgreSQL and the mail sink:
// the uses recorded close together go out in one e-mail (structure, démarche, date), exactly once — a late
// wake-up, a worker restarted meanwhile, a second signal send nothing again; a usager without an address
// gets none (and the uses are marked so); a wake-up that never happened is caught up by the sweep.
import { QueryTypes } from 'sequelize';
import { JournalEntry, type Organisation, type Usager } from '../db/models/index.js';
import { workflowIdForUsagerNotification } from '../domain/usager-notification.js';
import { createLifecycles, type Lifecycles } from '../services/lifecycles.js';
import { appendJournal } from '../services/journal.js';
import { recordUsagerNotification, wakePendingUsagerNotifications } from '../services/usager-notifications.js';
import type { usagerNotificationWorkflow } from '../workflows/usager-notification.js';
import { unique } from './support/env.js';
import { createStructure } from './support/espace.js';
import { mailsTo } from './support/mail.js';
import { createUsager } from './support/mandats.js';
import { startTestWorker, useWorkerStack } from './support/temporal.js';

const stack = useWorkerStack();
const SUBJECT = 'Aidants Connect - Une démarche a été réalisée en votre nom';
const policy = { settleMs: 1_000 };

const lifecyclesOn = (taskQueue: string): Lifecycles => createLifecycles(stack.client, {
  taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 }, usagerNotificationPolicy: policy,
});

async function usagerWithEmail(email: string | null = `${unique('usager-')}@exemple.test`): Promise<Usager> {
  const usager = await createUsager({ givenName: 'Odette' });
  await usager.update({ email });
  return usager;
}

/** What the identity provider's userinfo does: journal the use and record it for the usager, in one transaction. */
async function recordUse(usager: Usager, organisation: Organisation, demarche: string) {
  await stack.sequelize.transaction(async (transaction) => {
    await appendJournal({ action: 'use_autorisation', organisationId: organisation.id, usagerId: usager.id, demarches: [demarche] }, transaction);
    const entry = (await JournalEntry.findOne({ where: { action: 'use_autorisation', usagerId: usager.id }, order: [['id', 'DESC']], transaction }))!;
    await recordUsagerNotification(stack.sequelize, transaction, { journalId: entry.id, usagerId: usager.id });
  });
}

const notification = (usager: Usager) => stack.client.workflow.getHandle<typeof usagerNotificationWorkflow>(workflowIdForUsagerNotification(usager.id));
const told = async (usager: Usager) => (await mailsTo(usager.email!)).filter((m) => m.subject === SUBJECT);
const outcomes = (usager: Usager) => stack.sequelize.query<{ outcome: string | null }>(
  'SELECT outcome FROM usager_notifications WHERE usager_id = $1 ORDER BY journal_id', { bind: [usager.id], type: QueryTypes.SELECT },
).then((rows) => rows.map((r) => r.outcome));

describe('the usager told of each use of an autorisation', () => {
  it('groups the uses recorded close together in one e-mail, sent once even when woken again later', async () => {
    const lifecycles = lifecyclesOn(stack.worker.taskQueue);
    const structure = await createStructure('CCAS de Montguyon');
    const usager = await usagerWithEmail();
    await recordUse(usager, structure, 'papiers');
    await lifecycles.notifyUsager(usager.id);
    await recordUse(usager, structure, 'social');
    await lifecycles.notifyUsager(usager.id);
    expect(await notification(usager).result()).toBe(2);

    const mails = await told(usager);
    expect(mails).toHaveLength(1);
    expect(mails[0].text).toContain('Bonjour Odette');
    expect(mails[0].text).toContain('CCAS de Montguyon, démarche « Papiers - Citoyenneté - Élections »');
    expect(mails[0].text).toContain('démarche « Social - Santé »');
    expect(mails[0].text).toMatch(/le \d\d\/\d\d\/\d{4} à \d\d:\d\d/);
    expect(await outcomes(usager)).toEqual(['sent', 'sent']);

    // A wake-up that comes late (a retried request) starts a new run: nothing left to tell.
    await lifecycles.notifyUsager(usager.id);
    expect(await notification(usager).result()).toBe(0);
    // A new use later is told in an e-mail of its own.
    await recordUse(usager, structure, 'famille');
    await lifecycles.notifyUsager(usager.id);
    expect(await notification(usager).result()).toBe(1);
    expect(await told(usager)).toHaveLength(2);
  });

  it('sends once across a worker restarted before the send', async () => {
    const first = await startTestWorker({ sequelize: stack.sequelize, maxCachedWorkflows: 0 });
    const lifecycles = lifecyclesOn(first.taskQueue);
    const structure = await createStructure();
    const usager = await usagerWithEmail();
    await recordUse(usager, structure, 'logement');
    await lifecycles.notifyUsager(usager.id);
    await first.stop();
    const restarted = await startTestWorker({ sequelize: stack.sequelize, taskQueue: first.taskQueue, maxCachedWorkflows: 0 });
    try {
      expect(await notification(usager).result()).toBe(1);
      expect(await told(usager)).toHaveLength(1);
    } finally {
      await restarted.stop();
    }
  });

  it('a usager without an address gets no e-mail; the uses are marked so', async () => {
    const lifecycles = lifecyclesOn(stack.worker.taskQueue);
    const usager = await usagerWithEmail(null);
    await recordUse(usager, await createStructure(), 'travail');
    await lifecycles.notifyUsager(usager.id);
    expect(await notification(usager).result()).toBe(1);
    expect(await outcomes(usager)).toEqual(['no_email']);
  });

  it('the sweep wakes the notification of a use whose wake-up never happened (Temporal was unreachable)', async () => {
    const lifecycles = lifecyclesOn(stack.worker.taskQueue);
    const usager = await usagerWithEmail();
    await recordUse(usager, await createStructure(), 'transports');
    // Too recent for the default grace: left to the request that recorded it.
    expect(await wakePendingUsagerNotifications({ sequelize: stack.sequelize, lifecycles }, { usagerIds: [usager.id] })).toEqual({ woken: 0, failures: [] });
    expect(await wakePendingUsagerNotifications({ sequelize: stack.sequelize, lifecycles }, { usagerIds: [usager.id], graceMs: 0 })).toEqual({ woken: 1, failures: [] });
    expect(await notification(usager).result()).toBe(1);
    expect(await told(usager)).toHaveLength(1);
    expect(await wakePendingUsagerNotifications({ sequelize: stack.sequelize, lifecycles }, { usagerIds: [usager.id], graceMs: 0 })).toEqual({ woken: 0, failures: [] });
  });
});
