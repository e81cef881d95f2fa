// The mandat's creation over HTTP with a real worker, PostgreSQL and the local FranceConnect stand-in: the
// choice form and its French errors, the identification with FranceConnect, the recap's errors (no consent,
// a wrong card code), the mandat created with its autorisations, its journal and its workflow `mandat/<id>`;
// the identification serves once, for its aidant only, and not after it expired; a supersession reaches the
// older mandat's workflow; with Temporal unreachable the mandat is created and its workflow started later by
// the sweep; the revocation from the usager's page reaches the workflow; another structure's
// mandat is a 404.
import type { Express } from 'express';
import { Autorisation, Connection, JournalEntry, Mandat, type Organisation } from '../db/models/index.js';
import { workflowIdForMandat } from '../domain/mandat-lifecycle.js';
import { createLogger } from '../infra/logger.js';
import { createApp } from '../server/app.js';
import { createLifecycles, type Lifecycles } from '../services/lifecycles.js';
import { IDENTIFICATION_REFUSALS, startPendingMandatWorkflows } from '../services/mandat-creation.js';
import type { mandatWorkflow } from '../workflows/mandat.js';
import { mandatStateQuery } from '../workflows/messages.js';
import { testConfig } from './support/env.js';
import { codeOf, createPerson, createStructure, loggedInAidant, type TestPerson } from './support/espace.js';
import { standInBrowser } from './support/franceconnect.js';
import { signMandat } from './support/mandats.js';
import { unreachableClient, useWorkerStack } from './support/temporal.js';

const stack = useWorkerStack();
let app: Express;
let lifecycles: Lifecycles;

beforeAll(() => {
  lifecycles = createLifecycles(stack.client, { taskQueue: stack.worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } });
  app = createApp({ config: testConfig(), sequelize: stack.sequelize, temporal: stack.client, lifecycles, log: createLogger('test', 'error') });
});

const mandatHandle = (mandatId: string) => stack.client.workflow.getHandle<typeof mandatWorkflow>(workflowIdForMandat(mandatId));

/** A logged-in aidant of `organisation` and what their browser does. */
const aidant = (organisation: Organisation, server: Express = app) => loggedInAidant(server, stack.sequelize, organisation);
type Aidant = Awaited<ReturnType<typeof aidant>>;

/** Chooses, identifies `identity` with the stand-in, and answers the recap's address. */
async function identify(who: Aidant, choice: { demarches: string[]; duration: string }, identity = 'marie'): Promise<string> {
  const chosen = await who.post('/espace-aidant/mandats/nouveau', choice);
  expect(chosen.status).toBe(303);
  expect(chosen.headers.location).toBe('/espace-aidant/mandats/nouveau/franceconnect');
  const hop = await who.get(chosen.headers.location);
  expect(hop.status).toBe(200);
  expect(hop.headers.refresh).toBe('0;url=/espace-aidant/mandats/nouveau/franceconnect/depart');
  const toFc = await who.get('/espace-aidant/mandats/nouveau/franceconnect/depart');
  expect(toFc.status).toBe(303);
  const fc = standInBrowser();
  const callback = await fc.login(toFc.headers.location, identity);
  const afterCallback = await who.get(callback.pathname + callback.search);
  expect(afterCallback.status).toBe(303);
  const back = await fc.logout(afterCallback.headers.location);
  const landing = await who.get(back.pathname + back.search);
  expect(landing.status).toBe(303);
  expect(landing.headers.location).toMatch(/^\/espace-aidant\/mandats\/recapitulatif\?connexion=[0-9a-f-]{36}$/);
  return landing.headers.location;
}

const connectionOf = (recap: string) => new URL(recap, 'http://x').searchParams.get('connexion')!;

/** Signs the recap: answers the response. */
const sign = (who: Aidant, recap: string, code: string, consent = true) =>
  who.post('/espace-aidant/mandats/recapitulatif', { connexion: connectionOf(recap), code, ...(consent ? { consent: 'oui' } : {}) });

const wrongCode = (person: TestPerson) => (codeOf(person) === '000000' ? '111111' : '000000');

describe('creating a mandat', () => {
  it('form errors, FranceConnect, recap errors, then the mandat with its autorisations, journal and workflow', async () => {
    const organisation = await createStructure();
    await organisation.update({ allowedDemarches: ['papiers', 'argent', 'social'] });
    const who = await aidant(organisation);

    // The home tile leads here; only the structure's démarches are offered, the durations in the form's order.
    expect((await who.get('/espace-aidant')).text).toContain('<a href="/espace-aidant/mandats/nouveau">Créer un mandat</a>');
    const form = await who.get('/espace-aidant/mandats/nouveau');
    expect(form.text).toContain('value="papiers"');
    expect(form.text).not.toContain('value="logement"');
    expect([...form.text.matchAll(/name="duration" value="(\w+)"/g)].map((m) => m[1])).toEqual(['SHORT', 'MONTH', 'LONG', 'SEMESTER']);

    // Nothing chosen: both errors next to their fields.
    const empty = await who.post('/espace-aidant/mandats/nouveau', {});
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('id="field-demarches-error"');
    expect(empty.text).toContain('Vous devez sélectionner au moins une démarche.');
    expect(empty.text).toContain('Veuillez sélectionner la durée du mandat.');
    // A démarche the structure does not allow, the choice kept; « argent » shows its warning.
    const refused = await who.post('/espace-aidant/mandats/nouveau', { demarches: ['argent', 'logement'], duration: 'MONTH' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('La démarche « Logement » n’est pas autorisée pour votre structure.');
    expect(refused.text).toMatch(/id="demarche-argent" name="demarches" value="argent" checked/);
    expect(refused.text).toMatch(/id="duration-MONTH" name="duration" value="MONTH" checked/);
    expect(refused.text).toContain('id="argent-warning"');

    const recap = await identify(who, { demarches: ['argent', 'papiers'], duration: 'MONTH' }, 'fatou');
    const page = await who.get(recap);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Fatou DIALLO');
    expect(page.text).toContain('1990 (date présumée)');
    expect(page.text).toContain('Argent - Impôts - Consommation');
    expect(page.text).toContain('id="argent-warning"');
    expect(page.text).toMatch(/le mandat expirera le \d\d\/\d\d\/\d{4} à \d\d:\d\d \(heure de Paris\)/);

    // No consent (the code is not spent), then a wrong code: the consent kept, French errors next to the fields.
    const noConsent = await sign(who, recap, codeOf(who.person), false);
    expect(noConsent.status).toBe(400);
    expect(noConsent.text).toContain('id="field-consent-error"');
    const wrong = await sign(who, recap, wrongCode(who.person));
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Ce code est incorrect ou a déjà servi');
    expect(wrong.text).toMatch(/id="field-consent" name="consent" value="oui" checked/);
    expect(await Mandat.count({ where: { organisationId: organisation.id } })).toBe(0);

    const signed = await sign(who, recap, codeOf(who.person));
    expect(signed.status).toBe(303);
    const mandatId = /^\/espace-aidant\/mandats\/([0-9a-f-]{36})\/confirmation$/.exec(signed.headers.location)![1]!;
    const mandat = (await Mandat.findByPk(mandatId))!;
    expect(mandat).toMatchObject({ organisationId: organisation.id, createdById: who.person.user.id, duration: 'MONTH', status: 'active' });
    expect((await Autorisation.findAll({ where: { mandatId } })).map((a) => a.demarche).sort()).toEqual(['argent', 'papiers']);
    const journal = await JournalEntry.findAll({ where: { mandatId } });
    expect(journal.map((e) => e.action).sort()).toEqual(['create_attestation', 'create_autorisation', 'create_autorisation']);
    expect(journal.every((e) => e.actorId === who.person.user.id && e.organisationId === organisation.id)).toBe(true);
    expect((await Connection.findByPk(connectionOf(recap)))!.usedAt).not.toBeNull();
    expect((await mandatHandle(mandatId).describe()).status.name).toBe('RUNNING');
    expect((await mandatHandle(mandatId).query(mandatStateQuery)).phase).toBe('active');
    expect((await Mandat.findByPk(mandatId))!.workflowStartedAt).not.toBeNull();

    const success = await who.get(signed.headers.location);
    expect(success.status).toBe(200);
    expect(success.text).toContain('Le mandat a été créé');
    expect(success.text).toContain(`href="/espace-aidant/mandats/${mandatId}/attestation"`);
    expect(success.text).toContain(`href="/espace-aidant/usagers/${mandat.usagerId}"`);
  });
});

describe('Temporal unreachable at the creation', () => {
  it('the mandat is created all the same, the aidant told, and the sweep starts its workflow later', async () => {
    const temporal = unreachableClient();
    const down = createApp({
      config: testConfig(), sequelize: stack.sequelize, temporal, log: createLogger('test', 'error'),
      lifecycles: createLifecycles(temporal, { taskQueue: 'unused', habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } }),
    });
    const organisation = await createStructure();
    const who = await aidant(organisation, down);
    const recap = await identify(who, { demarches: ['papiers'], duration: 'LONG' });
    const signed = await sign(who, recap, codeOf(who.person));
    expect(signed.status).toBe(303);
    const success = await who.get(signed.headers.location);
    expect(success.text).toContain('Ses rappels d’échéance seront programmés dès que le service de suivi répondra à nouveau.');
    const mandatId = /mandats\/([0-9a-f-]{36})\//.exec(signed.headers.location)![1]!;
    expect((await Mandat.findByPk(mandatId))!.workflowStartedAt).toBeNull();

    // Not within the grace period left to the creation; then started, once.
    expect(await startPendingMandatWorkflows({ lifecycles }, { organisationIds: [organisation.id] })).toEqual({ started: 0, failures: [] });
    expect(await startPendingMandatWorkflows({ lifecycles }, { organisationIds: [organisation.id], graceMs: 0 })).toEqual({ started: 1, failures: [] });
    expect((await mandatHandle(mandatId).describe()).status.name).toBe('RUNNING');
    expect((await Mandat.findByPk(mandatId))!.workflowStartedAt).not.toBeNull();
    expect(await startPendingMandatWorkflows({ lifecycles }, { organisationIds: [organisation.id], graceMs: 0 })).toEqual({ started: 0, failures: [] });
  });
});

describe('the identification serves once', () => {
  it('a second post is refused and makes no second mandat', async () => {
    const organisation = await createStructure();
    const who = await aidant(organisation);
    const recap = await identify(who, { demarches: ['papiers'], duration: 'SHORT' });
    expect((await sign(who, recap, codeOf(who.person))).status).toBe(303);
    const again = await sign(who, recap, codeOf(who.person, new Date(Date.now() + 60_000)));
    expect(again.status).toBe(409);
    expect(again.text).toContain(IDENTIFICATION_REFUSALS.used);
    expect((await who.get(recap)).status).toBe(409);
    expect(await Mandat.count({ where: { organisationId: organisation.id } })).toBe(1);
  });

  it('another aidant, even of the same structure, cannot use it', async () => {
    const organisation = await createStructure();
    const who = await aidant(organisation);
    const other = await aidant(organisation);
    const recap = await identify(who, { demarches: ['papiers'], duration: 'SHORT' });
    expect((await other.get(recap)).status).toBe(404);
    expect((await sign(other, recap, codeOf(other.person))).status).toBe(404);
    expect(await Mandat.count({ where: { organisationId: organisation.id } })).toBe(0);
  });

  it('not after it expired', async () => {
    const organisation = await createStructure();
    const who = await aidant(organisation);
    const recap = await identify(who, { demarches: ['papiers'], duration: 'SHORT' });
    await Connection.update({ expiresAt: new Date(Date.now() - 1000) }, { where: { id: connectionOf(recap) } });
    const page = await who.get(recap);
    expect(page.status).toBe(409);
    expect(page.text).toContain('a expiré');
    const signed = await sign(who, recap, codeOf(who.person));
    expect(signed.status).toBe(409);
    expect(await Mandat.count({ where: { organisationId: organisation.id } })).toBe(0);
  });
});

describe('supersession and revocation reach the workflows', () => {
  it('a new mandat on the same démarche supersedes the older one, whose workflow learns it', async () => {
    const organisation = await createStructure();
    const who = await aidant(organisation);
    // The older mandat, for the same usager (identified once to know them), signed by a colleague.
    const colleague = await createPerson(organisation);
    const firstRecap = await identify(who, { demarches: ['papiers'], duration: 'SHORT' });
    const usagerId = (await Connection.findByPk(connectionOf(firstRecap)))!.usagerId!;
    const older = await signMandat(stack.sequelize, { aidant: colleague.user, organisation, usager: { id: usagerId } as never, demarches: ['papiers', 'social'] });
    await lifecycles.startMandat(older.mandat.id);

    const recap = await identify(who, { demarches: ['papiers'], duration: 'MONTH' });
    expect((await sign(who, recap, codeOf(who.person))).status).toBe(303);
    const state = await mandatHandle(older.mandat.id).query(mandatStateQuery);
    expect(state.demarches).toEqual([{ demarche: 'papiers', revoked: true }, { demarche: 'social', revoked: false }]);
    expect(state.phase).toBe('active');
  });

  it('revoking a démarche, then the mandat, from the usager page; another structure’s mandat is a 404', async () => {
    const organisation = await createStructure();
    const who = await aidant(organisation);
    const recap = await identify(who, { demarches: ['papiers', 'social'], duration: 'LONG' });
    const signed = await sign(who, recap, codeOf(who.person));
    const mandatId = /mandats\/([0-9a-f-]{36})\//.exec(signed.headers.location)![1]!;
    const usagerId = (await Mandat.findByPk(mandatId))!.usagerId;

    const usagerPage = await who.get(`/espace-aidant/usagers/${usagerId}`);
    expect(usagerPage.text).toContain(`href="/espace-aidant/mandats/${mandatId}/revoquer?demarche=papiers"`);
    expect(usagerPage.text).toContain(`href="/espace-aidant/mandats/${mandatId}/revoquer">Révoquer le mandat</a>`);
    const confirm = await who.get(`/espace-aidant/mandats/${mandatId}/revoquer?demarche=papiers`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Confirmer la révocation de la démarche');

    const revoked = await who.post(`/espace-aidant/mandats/${mandatId}/revoquer`, { demarche: 'papiers' });
    expect(revoked.status).toBe(303);
    expect(revoked.headers.location).toBe(`/espace-aidant/usagers/${usagerId}`);
    expect((await mandatHandle(mandatId).query(mandatStateQuery)).demarches).toEqual([{ demarche: 'papiers', revoked: true }, { demarche: 'social', revoked: false }]);
    // Again: the workflow's French refusal, on the page.
    const again = await who.post(`/espace-aidant/mandats/${mandatId}/revoquer`, { demarche: 'papiers' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('Cette démarche est déjà révoquée pour ce mandat.');

    const whole = await who.post(`/espace-aidant/mandats/${mandatId}/revoquer`, {});
    expect(whole.status).toBe(303);
    expect((await mandatHandle(mandatId).query(mandatStateQuery)).phase).toBe('revoked');
    expect((await Mandat.findByPk(mandatId))!.status).toBe('revoked');

    const stranger = await aidant(await createStructure());
    expect((await stranger.get(`/espace-aidant/mandats/${mandatId}/revoquer`)).status).toBe(404);
    expect((await stranger.post(`/espace-aidant/mandats/${mandatId}/revoquer`, {})).status).toBe(404);
    expect((await stranger.get(`/espace-aidant/mandats/${mandatId}/confirmation`)).status).toBe(404);
    expect((await who.get('/espace-aidant/mandats/not-a-uuid/revocation')).status).toBe(404);
  });
});
