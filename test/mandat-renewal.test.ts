// A mandat's renewal over HTTP with a real worker and PostgreSQL: no FranceConnect, straight from the choice to
// the recap (card code and consent), journaled `init_renew_mandat`; the new mandat renews the old one and
// supersedes its overlapping autorisations; the old mandat's workflow learns it through its 'renewed' update
// (closing at once when nothing of it stays in force, going on otherwise); an expired mandat is renewable for
// a year, then refused with the reference's message; another structure's usager is a 404; the renewal's recap
// serves once and for its aidant only; the update's validator refuses a mandat that does not renew it.
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { Autorisation, Connection, JournalEntry, Mandat, type Organisation } from '../db/models/index.js';
import { workflowIdForMandat } from '../domain/mandat-lifecycle.js';
import { InvalidTransitionError } from '../domain/errors.js';
import { createLogger } from '../infra/logger.js';
import { createApp } from '../server/app.js';
import { createLifecycles, type Lifecycles } from '../services/lifecycles.js';
import type { mandatWorkflow } from '../workflows/mandat.js';
import { mandatStateQuery } from '../workflows/messages.js';
import { testConfig } from './support/env.js';
import { codeOf, createStructure, loggedInAidant } from './support/espace.js';
import { createUsager, DAY, signMandat } from './support/mandats.js';
import { useWorkerStack } from './support/temporal.js';
import { waitFor } from './support/wait.js';

const stack = useWorkerStack();
let app: Express;
let lifecycles: Lifecycles;

beforeAll(() => {
  lifecycles = createLifecycles(stack.client, { taskQueue: stack.worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } });
  app = createApp({ config: testConfig(), sequelize: stack.sequelize, temporal: stack.client, lifecycles, log: createLogger('test', 'error') });
});

const mandatHandle = (mandatId: string) => stack.client.workflow.getHandle<typeof mandatWorkflow>(workflowIdForMandat(mandatId));

/** A logged-in aidant of `organisation` and what their browser does. */
const aidant = (organisation: Organisation) => loggedInAidant(app, stack.sequelize, organisation, '/espace-aidant/usagers');
type Aidant = Awaited<ReturnType<typeof aidant>>;

const connectionOf = (recap: string) => new URL(recap, 'http://x').searchParams.get('connexion')!;
const sign = (who: Aidant, recap: string) =>
  who.post('/espace-aidant/mandats/recapitulatif', { connexion: connectionOf(recap), code: codeOf(who.person), consent: 'oui' });
const createdId = (location: string) => /^\/espace-aidant\/mandats\/([0-9a-f-]{36})\/confirmation$/.exec(location)![1]!;

/** A structure allowing these démarches, its aidant, and a usager with a mandat signed `daysAgo` days ago whose workflow runs. */
async function withMandat(options: { demarches: string[]; duration?: 'SHORT' | 'MONTH' | 'SEMESTER' | 'LONG'; daysAgo?: number; start?: boolean }) {
  const organisation = await createStructure();
  await organisation.update({ allowedDemarches: ['famille', 'papiers', 'social', 'travail'] });
  const who = await aidant(organisation);
  const usager = await createUsager();
  const at = new Date(Date.now() - (options.daysAgo ?? 0) * DAY);
  const { mandat } = await signMandat(stack.sequelize, { aidant: who.person.user, organisation, usager, demarches: options.demarches, duration: options.duration ?? 'LONG', at });
  if (options.start ?? true) await lifecycles.startMandat(mandat.id);
  return { who, usager, mandat };
}

describe('renewing a mandat', () => {
  it('goes straight to the recap without FranceConnect, renews every démarche, and closes the old lifecycle at once', async () => {
    const { who, usager, mandat } = await withMandat({ demarches: ['papiers', 'social'], duration: 'SEMESTER' });

    const usagerPage = await who.get(`/espace-aidant/usagers/${usager.id}`);
    expect(usagerPage.text).toContain(`href="/espace-aidant/usagers/${usager.id}/renouveler"`);
    // The form starts from the renewed mandat's démarches and duration.
    const form = await who.get(`/espace-aidant/usagers/${usager.id}/renouveler`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('Renouveler le mandat de');
    expect(form.text).toMatch(/id="demarche-papiers" name="demarches" value="papiers" checked/);
    expect(form.text).toMatch(/id="demarche-social" name="demarches" value="social" checked/);
    expect(form.text).not.toMatch(/id="demarche-famille" name="demarches" value="famille" checked/);
    expect(form.text).toMatch(/id="duration-SEMESTER" name="duration" value="SEMESTER" checked/);

    // A bad choice: French errors, nothing opened.
    const empty = await who.post(`/espace-aidant/usagers/${usager.id}/renouveler`, {});
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Vous devez sélectionner au moins une démarche.');
    expect(await JournalEntry.count({ where: { action: 'init_renew_mandat', usagerId: usager.id } })).toBe(0);

    const opened = await who.post(`/espace-aidant/usagers/${usager.id}/renouveler`, { demarches: ['papiers', 'social'], duration: 'LONG' });
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toMatch(/^\/espace-aidant\/mandats\/recapitulatif\?connexion=[0-9a-f-]{36}$/);
    const init = await JournalEntry.findAll({ where: { action: 'init_renew_mandat', usagerId: usager.id } });
    expect(init).toHaveLength(1);
    expect(init[0]).toMatchObject({ actorId: who.person.user.id, organisationId: who.organisation.id, mandatId: mandat.id, durationDays: 365 });

    const recap = await who.get(opened.headers.location);
    expect(recap.status).toBe(200);
    expect(recap.text).toContain('Récapitulatif du renouvellement');
    expect(recap.text).toContain(usager.familyName);

    // Another aidant of the same structure cannot use this renewal.
    const colleague = await aidant(who.organisation);
    expect((await colleague.get(opened.headers.location)).status).toBe(404);

    const signed = await sign(who, opened.headers.location);
    expect(signed.status).toBe(303);
    const renewal = (await Mandat.findByPk(createdId(signed.headers.location)))!;
    expect(renewal).toMatchObject({ renewedFromId: mandat.id, duration: 'LONG', status: 'active', usagerId: usager.id });
    expect((await Autorisation.findAll({ where: { mandatId: mandat.id } })).every((a) => a.revokedAt !== null)).toBe(true);
    expect(await JournalEntry.count({ where: { action: 'cancel_autorisation', mandatId: mandat.id } })).toBe(2);
    const attestation = (await JournalEntry.findOne({ where: { action: 'create_attestation', mandatId: renewal.id } }))!;
    expect(attestation.details).toMatchObject({ renewedFromId: mandat.id, signingCardId: who.person.card!.id, signingCardKind: 'physical' });
    expect((await Connection.findByPk(connectionOf(opened.headers.location)))!.usedAt).not.toBeNull();

    // The old lifecycle was told: nothing of it stays in force, so it closes instead of waiting a year.
    expect(await mandatHandle(mandat.id).result()).toBe('closed');
    expect((await mandatHandle(renewal.id).query(mandatStateQuery)).phase).toBe('active');

    // The renewal served once.
    const again = await who.post('/espace-aidant/mandats/recapitulatif', { connexion: connectionOf(opened.headers.location), code: codeOf(who.person, new Date(Date.now() + 60_000)), consent: 'oui' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('a déjà servi');
    expect(await Mandat.count({ where: { usagerId: usager.id } })).toBe(2);
  });

  it('renewing part of the démarches leaves the others in force: the old lifecycle knows it was renewed and goes on', async () => {
    const { who, usager, mandat } = await withMandat({ demarches: ['papiers', 'social'] });
    const opened = await who.post(`/espace-aidant/usagers/${usager.id}/renouveler`, { demarches: ['papiers', 'travail'], duration: 'MONTH' });
    const signed = await sign(who, opened.headers.location);
    expect(signed.status).toBe(303);
    const renewalId = createdId(signed.headers.location);
    const old = await Autorisation.findAll({ where: { mandatId: mandat.id }, order: [['demarche', 'ASC']] });
    expect(old.map((a) => [a.demarche, a.revokedAt !== null])).toEqual([['papiers', true], ['social', false]]);
    const state = await waitFor('the renewal to reach the old lifecycle', () => mandatHandle(mandat.id).query(mandatStateQuery), (s) => s.renewedBy !== null);
    expect(state).toMatchObject({ phase: 'active', renewedBy: renewalId, revocations: 1 });
  });

  it('renews a mandat expired less than a year ago (its lifecycle closes), refuses one expired more than a year ago', async () => {
    const recent = await withMandat({ demarches: ['famille'], duration: 'MONTH', daysAgo: 60 });
    await waitFor('the expiry', () => mandatHandle(recent.mandat.id).query(mandatStateQuery), (s) => s.phase === 'expired');
    const opened = await recent.who.post(`/espace-aidant/usagers/${recent.usager.id}/renouveler`, { demarches: ['famille'], duration: 'SHORT' });
    expect(opened.status).toBe(303);
    const signed = await sign(recent.who, opened.headers.location);
    expect(signed.status).toBe(303);
    expect((await Mandat.findByPk(createdId(signed.headers.location)))!.renewedFromId).toBe(recent.mandat.id);
    expect(await mandatHandle(recent.mandat.id).result()).toBe('closed');

    const old = await withMandat({ demarches: ['famille'], duration: 'MONTH', daysAgo: 31 + 366, start: false });
    const refused = await old.who.get(`/espace-aidant/usagers/${old.usager.id}/renouveler`);
    expect(refused.status).toBe(303);
    expect(refused.headers.location).toBe('/espace-aidant/usagers');
    expect((await old.who.get('/espace-aidant/usagers')).text).toContain('Erreur : cet usager n’a aucun mandat renouvelable.');
    const posted = await old.who.post(`/espace-aidant/usagers/${old.usager.id}/renouveler`, { demarches: ['famille'], duration: 'SHORT' });
    expect(posted.status).toBe(303);
    expect(await JournalEntry.count({ where: { action: 'init_renew_mandat', usagerId: old.usager.id } })).toBe(0);
  });

  it('another structure’s usager, an unknown or malformed id answer 404', async () => {
    const { usager } = await withMandat({ demarches: ['famille'], start: false });
    const other = await aidant(await createStructure());
    for (const id of [usager.id, randomUUID(), 'pas-un-id']) {
      expect((await other.get(`/espace-aidant/usagers/${id}/renouveler`)).status).toBe(404);
      expect((await other.post(`/espace-aidant/usagers/${id}/renouveler`, { demarches: ['famille'], duration: 'SHORT' })).status).toBe(404);
    }
    expect(await JournalEntry.count({ where: { action: 'init_renew_mandat', usagerId: usager.id } })).toBe(0);
  });

  it('the renewed update refuses, in French, a mandat that does not renew this one', async () => {
    const { who, mandat } = await withMandat({ demarches: ['famille'] });
    const unrelated = await withMandat({ demarches: ['famille'], start: false });
    for (const renewedById of [randomUUID(), unrelated.mandat.id, mandat.id]) {
      await expect(lifecycles.renewMandat(mandat.id, renewedById, who.person.user.id)).rejects.toThrow(InvalidTransitionError);
    }
    await expect(lifecycles.renewMandat(mandat.id, unrelated.mandat.id, who.person.user.id)).rejects.toThrow('Le mandat de renouvellement est inconnu ou ne renouvelle pas ce mandat.');
    expect(await mandatHandle(mandat.id).query(mandatStateQuery)).toMatchObject({ phase: 'active', renewedBy: null });
  });
});
