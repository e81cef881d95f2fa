// Replays recorded histories of running-in-production shapes against today's workflow code: a change that
// would break workflows already running (non-determinism) fails here. Record new fixtures with
// RECORD_HISTORIES=1 npm test -- test/workflow-replay.test.ts (keep the old ones: they are the point).
// v1: recorded before the closure of requests left in changes_required and the référent's own validation
// e-mail (habilitation-request-resubmitted-validate-v1 went through « Demander des modifications » and a
// resubmission); v2: recorded with them.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TEMPORAL_CLI_PATH } from '../infra/provision.js';
import type { Client } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { workflowIdForOnboarding, workflowIdForRequest, type ComiteDecision } from '../domain/habilitation.js';
import { DEFAULT_MANDAT_POLICY, workflowIdForMandat, workflowIdForReminderDigest } from '../domain/mandat-lifecycle.js';
import type { mandatWorkflow } from '../workflows/mandat.js';
import { createPerson, createStructure } from './support/espace.js';
import { createTestMandat } from './support/mandats.js';
import { createLifecycles } from '../services/lifecycles.js';
import type { aidantOnboardingWorkflow } from '../workflows/aidant-onboarding.js';
import {
  cancelOnboardingUpdate, mandatStateQuery, onboardingStatusQuery, requestStateQuery, requestStatusQuery, revokeAutorisationUpdate, revokeMandatUpdate,
} from '../workflows/messages.js';
import { parsePledges } from '../domain/habilitation-form.js';
import { submitRequest } from '../services/habilitation.js';
import { waitFor } from './support/wait.js';
import { createSubmittedRequest, createJuryMember, createStructureWithOnboarding, validStepBodies } from './support/factories.js';
import { testEnv, testSequelize } from './support/env.js';
import { connectClient, startTestWorker, startTimeSkippingWorker, workflowBundle } from './support/temporal.js';
import { workflowHistorySettled } from './support/wait.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'histories');
/** An onboarding reminded 30 days before its deadline, then cancelled while waiting for the 7-day reminder. */
const ONBOARDING_FIXTURE = 'aidant-onboarding-reminded-cancelled-v2.json';
/** The same, recorded with the code before the 'onboarding-v2' patch (commit 9fa9a8c): it must replay through the legacy path. */
const LEGACY_ONBOARDING_FIXTURE = 'aidant-onboarding-reminded-cancelled-v1.json';
/** A LONG mandat reminded 30 days before its expiry, one démarche revoked, then the whole mandat, then closed a year later. */
const MANDAT_FIXTURE = 'mandat-reminded-revoked-closed-v1.json';
/** The digest that sent that reminder (signal-with-start, settling delay, one e-mail). */
const DIGEST_FIXTURE = 'mandat-reminder-digest-v1.json';

describe('recorded workflow histories', () => {
  it('replay without non-determinism against the current workflow code', async () => {
    const files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(expect.arrayContaining(['habilitation-request-validate-v1.json', LEGACY_ONBOARDING_FIXTURE, ONBOARDING_FIXTURE, MANDAT_FIXTURE, DIGEST_FIXTURE]));
    const bundle = await workflowBundle();
    for (const file of files) {
      const history = JSON.parse(await readFile(path.join(FIXTURES, file), 'utf8'));
      await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, file)).resolves.toBeUndefined();
    }
  });
});

if (process.env.RECORD_HISTORIES === '1') {
  describe('recording', () => {
    let sequelize: Sequelize;
    let client: Client;
    beforeAll(async () => { sequelize = testSequelize(); client = await connectClient(); });
    afterAll(async () => { await client.connection.close(); await sequelize.close(); });

    it('records a habilitation request taken to each decision, through a resubmission, and to its closure', async () => {
      const worker = await startTestWorker({ sequelize });
      const show = async (workflowId: string, name: string) => {
        // The CLI writes the history in Temporal's standard JSON, which every SDK can replay.
        const { stdout } = await promisify(execFile)(TEMPORAL_CLI_PATH, ['workflow', 'show', '--workflow-id', workflowId, '--address', testEnv.temporalAddress, '--output', 'json'], { maxBuffer: 10_000_000 });
        await writeFile(path.join(FIXTURES, `habilitation-request-${name}.json`), `${JSON.stringify(JSON.parse(stdout), null, 1)}\n`);
      };
      try {
        // Short delays: the closure happens within seconds on the dev server.
        const lifecycles = createLifecycles(client, {
          taskQueue: worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000, changesCloseDelayMs: 3_000, changesReminderBeforeMs: 1_500 },
        });
        const jury = await createJuryMember();
        const awaiting = async () => {
          const request = await createSubmittedRequest(sequelize);
          await lifecycles.startHabilitationRequest(request.id);
          const handle = client.workflow.getHandle(workflowIdForRequest(request.id));
          await waitFor('awaiting the comité', () => handle.query(requestStatusQuery), (status) => status === 'awaiting_comite');
          return { request, handle };
        };
        const decide = (requestId: string, decision: ComiteDecision) => lifecycles.decideHabilitationRequest(requestId, { decision, motif: 'Enregistrement de référence', juryMemberId: jury.id });

        for (const decision of ['validate', 'refuse'] as const) {
          const { request, handle } = await awaiting();
          await decide(request.id, decision);
          await handle.result();
          await show(handle.workflowId, `${decision}-v2`);
        }

        const changed = await awaiting();
        await decide(changed.request.id, 'require_changes');
        await submitRequest(sequelize, changed.request.id, parsePledges(validStepBodies().pledges).value!);
        await lifecycles.resubmitHabilitationRequest(changed.request.id);
        await waitFor('the second round', () => changed.handle.query(requestStateQuery), (state) => state.round === 2 && state.status === 'awaiting_comite');
        await decide(changed.request.id, 'validate');
        await changed.handle.result();
        await show(changed.handle.workflowId, 'resubmitted-validate-v2');

        const abandoned = await awaiting();
        await decide(abandoned.request.id, 'require_changes');
        await abandoned.handle.result();
        await show(abandoned.handle.workflowId, 'closed-v2');
      } finally {
        await worker.stop();
      }
    });

    it('records an aidant onboarding reminded then cancelled (time skipping)', async () => {
      const timeSkipping = await startTimeSkippingWorker(sequelize);
      try {
        const { onboarding, referent } = await createStructureWithOnboarding();
        const handle = await timeSkipping.env.client.workflow.start<typeof aidantOnboardingWorkflow>('aidantOnboardingWorkflow', {
          workflowId: workflowIdForOnboarding(onboarding.id), taskQueue: timeSkipping.worker.taskQueue,
          args: [{ onboardingId: onboarding.id, policy: { trainingDelayMonths: 2, reminderOffsetsDays: [30, 7] } }],
        });
        await workflowHistorySettled(handle);
        const deadline = Date.parse((await handle.query(onboardingStatusQuery)).trainingDeadline);
        await timeSkipping.env.sleep(deadline - 29 * 86_400_000 - (await timeSkipping.env.currentTimeMs())); // past the 30-day reminder
        await workflowHistorySettled(handle);
        await handle.executeUpdate(cancelOnboardingUpdate, { args: [{ reason: 'Enregistrement de référence', actorId: referent.id, requestedBy: 'referent' }] });
        expect(await handle.result()).toBe('cancelled');
        const history = JSON.parse(historyToJSON(await handle.fetchHistory()));
        expect(JSON.stringify(history)).toContain('TIMER_FIRED');
        await writeFile(path.join(FIXTURES, ONBOARDING_FIXTURE), `${JSON.stringify(history, null, 1)}\n`);
      } finally {
        await timeSkipping.stop();
      }
    });

    it('records a mandat reminded, revoked démarche by démarche and closed, and its reminder digest (time skipping)', async () => {
      const timeSkipping = await startTimeSkippingWorker(sequelize);
      try {
        const structure = await createStructure();
        const aidant = await createPerson(structure, { card: null });
        const { mandat } = await createTestMandat(structure, aidant.user, { duration: 'LONG', demarches: ['papiers', 'social', 'logement'], createdAt: new Date(await timeSkipping.env.currentTimeMs()) });
        const handle = await timeSkipping.env.client.workflow.start<typeof mandatWorkflow>('mandatWorkflow', {
          workflowId: workflowIdForMandat(mandat.id), taskQueue: timeSkipping.worker.taskQueue, args: [{ mandatId: mandat.id, policy: DEFAULT_MANDAT_POLICY }],
        });
        await workflowHistorySettled(handle);
        const due = (await handle.query(mandatStateQuery)).reminders[0];
        await timeSkipping.env.sleep(Date.parse(due.at) + 60_000 - (await timeSkipping.env.currentTimeMs()));
        await workflowHistorySettled(handle);
        const digest = timeSkipping.env.client.workflow.getHandle(workflowIdForReminderDigest(structure.id, due.day));
        expect(await digest.result()).toBe(1);
        await handle.executeUpdate(revokeAutorisationUpdate, { args: [{ demarche: 'papiers', actorId: aidant.user.id }] });
        await handle.executeUpdate(revokeMandatUpdate, { args: [{ actorId: aidant.user.id }] });
        expect(await handle.result()).toBe('closed');
        for (const [recorded, file] of [[handle, MANDAT_FIXTURE], [digest, DIGEST_FIXTURE]] as const) {
          const history = JSON.parse(historyToJSON(await recorded.fetchHistory()));
          await writeFile(path.join(FIXTURES, file), `${JSON.stringify(history, null, 1)}\n`);
        }
      } finally {
        await timeSkipping.stop();
      }
    });
  });
}
