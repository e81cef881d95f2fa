// The public habilitation form, step by step (supertest on the Express app, real PostgreSQL, a real Temporal
// server and worker, the real SMTP sink): the demandeur confirms their e-mail, each step is saved as a
// draft, errors are shown next to their field, submission starts the request's lifecycle. The space opens
// only through a private link (a token of its own, stored hashed) traded for a session.
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import type { Client } from '@temporalio/client';
import { AidantOnboarding, AidantRequest, EmailOutbox, HabilitationRequest, Issuer, IssuerEmailConfirmation, JournalEntry, PrivateLink } from '../db/models/index.js';
import { createLogger } from '../infra/logger.js';
import { createLifecycles, resumeSubmittedDrafts } from '../services/lifecycles.js';
import { ISSUER_EMAILS_PER_HOUR, requestPath, SPACE_PATH } from '../services/issuers.js';
import { purgeExpiredRecords } from '../services/housekeeping.js';
import { mintIssuerLink, revokeIssuerLinks } from '../services/private-links.js';
import { DAY_MS } from '../domain/duration.js';
import { createApp } from '../server/app.js';
import { workflowIdForRequest } from '../domain/habilitation.js';
import { requestStatusQuery } from '../workflows/messages.js';
import { testConfig, testEnv, unique } from './support/env.js';
import { createJuryMember, createSubmittedRequest, validStepBodies } from './support/factories.js';
import { confirmationPath, mailsTo, mintedLinkPath, openDemandeurSpace, privateLinkIn, waitForMails, waitForSubject } from './support/mail.js';
import { waitFor, workflowSettled } from './support/wait.js';
import { unreachableClient, useWorkerStack } from './support/temporal.js';

const stack = useWorkerStack();
const log = createLogger('test', 'error');
const policy = { comiteReminderDelayMs: 3_600_000 };
const lifecyclesWith = (temporal: Client = stack.client) => createLifecycles(temporal, { taskQueue: stack.worker.taskQueue, habilitationPolicy: policy });

const appWith = (temporal: Client = stack.client) => createApp({
  config: testConfig(), sequelize: stack.sequelize, temporal, log, lifecycles: lifecyclesWith(temporal),
});

type Agent = ReturnType<typeof request.agent>;
const csrfFrom = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];
/** The demandeur's session cookie a response set, if any. */
const sessionCookie = (res: { headers: Record<string, unknown> }) =>
  ((res.headers['set-cookie'] ?? []) as string[]).find((c) => c.startsWith('ac_demandeur='));
const SUBMITTED = 'Aidants Connect - Votre demande d’habilitation a été soumise';

/** GETs the page (for its CSRF token), then posts the form to it. */
async function post(agent: Agent, path: string, body: Record<string, string>) {
  const token = csrfFrom((await agent.get(path)).text);
  return agent.post(path).type('form').send({ ...body, _csrf: token });
}

const REMINDER = 'Aidants Connect - Rappel de votre profil demandeur';
const CREATED = 'Aidants Connect - Votre demande d’habilitation a été créée';
const NEW_LINK_NEEDED = 'Recevoir un nouveau lien';

/** A demandeur who gave their identity and clicked the confirmation link: the agent is in their space. */
async function confirmedDemandeur(agent: Agent = request.agent(appWith())) {
  const bodies = validStepBodies();
  const res = await post(agent, '/habilitation', bodies.issuer);
  expect(res.status).toBe(303);
  const confirmed = await agent.get(await confirmationPath(bodies.issuer.email));
  expect(confirmed.status).toBe(303);
  return { agent, bodies, space: confirmed.headers.location as string };
}

/** Fills in the steps up to the pledges; returns the request's private link. */
async function filledDraft(demandeur: Awaited<ReturnType<typeof confirmedDemandeur>>) {
  const { agent, bodies, space } = demandeur;
  const created = await post(agent, `${space}/nouvelle-demande`, bodies.structure);
  expect(created.status).toBe(303);
  const link = /^(\/habilitation\/espace\/demandes\/[0-9a-f-]{36})\/referent$/.exec(created.headers.location)![1];
  expect((await post(agent, `${link}/referent`, bodies.referent)).headers.location).toBe(`${link}/aidants`);
  expect((await post(agent, `${link}/aidants`, bodies.aidants)).headers.location).toBe(`${link}/envoi`);
  return link;
}

const idOf = (link: string) => link.split('/').at(-1)!;

/** A request filled in and submitted through the form, now awaiting the comité. */
async function awaitingThroughForm() {
  const demandeur = await confirmedDemandeur();
  const link = await filledDraft(demandeur);
  await post(demandeur.agent, `${link}/envoi`, demandeur.bodies.pledges);
  const id = idOf(link);
  await waitForStatus(id, 'awaiting_comite');
  return { ...demandeur, link, id };
}
/** Waits until the request's workflow (which takes the decisions) and its row both reached `status`. */
const waitForStatus = async (id: string, status: string) => {
  const handle = stack.client.workflow.getHandle(workflowIdForRequest(id));
  await waitFor(`request ${id} to reach ${status}`,
    async () => (await HabilitationRequest.findByPk(id))!.status === status && (await handle.query(requestStatusQuery).catch(() => null)) === status);
  return HabilitationRequest.findByPk(id);
};
const requestWorkflow = (id: string) => stack.client.workflow.getHandle(workflowIdForRequest(id));

describe('the demandeur’s identity and e-mail', () => {
  it('shows an error next to each field and keeps what was typed', async () => {
    const agent = request.agent(appWith());
    const res = await post(agent, '/habilitation', { firstName: 'Léa <b>', lastName: '', email: 'lea.roux@', profession: 'Directrice' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<title>Erreur dans le formulaire - Demande d’habilitation');
    expect(res.text).toMatch(/id="field-email"[^>]*aria-invalid="true"/);
    expect(res.text).toContain('<p id="field-email-error" class="fr-error-text">Veuillez saisir une adresse e-mail valide, par exemple nom@exemple.fr.</p>');
    expect(res.text).toContain('<p id="field-lastName-error" class="fr-error-text">Veuillez renseigner votre nom.</p>');
    expect(res.text).toContain('value="Léa &lt;b&gt;"');
    expect(res.text).toContain('value="lea.roux@"');
  });

  it('confirms the e-mail with a link that opens the demandeur’s private space; clicking it again is harmless', async () => {
    const agent = request.agent(appWith());
    const { issuer } = validStepBodies();
    const res = await post(agent, '/habilitation', issuer);
    expect(res.headers.location).toMatch(/^\/habilitation\/verification\/[0-9a-f-]{36}$/);
    expect((await agent.get(res.headers.location)).text).toContain('Consultez votre messagerie');
    const [mail] = await waitForMails(issuer.email, 1);
    expect(mail.subject).toBe('Aidants Connect - Confirmez votre adresse e-mail pour votre demande d’habilitation');
    expect(mail.text).toContain('valable 3 jours');

    const closed = await agent.get(SPACE_PATH);
    expect(closed.status).toBe(403);
    expect(closed.text).toContain(NEW_LINK_NEEDED);
    const link = await confirmationPath(issuer.email);
    const confirmed = await agent.get(link);
    expect(confirmed.headers.location).toBe(SPACE_PATH);
    const cookie = sessionCookie(confirmed);
    expect(cookie).toMatch(/; Path=\/habilitation; /);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    const page = await agent.get(confirmed.headers.location);
    expect(page.text).toContain('Mon espace demandeur');
    expect(page.headers['cache-control']).toBe('no-store'); // a private link: not kept by a shared computer
    expect(page.headers['x-robots-tag']).toBe('noindex, nofollow');
    expect(page.text).toContain('Vous n’avez pas encore de demande.');
    expect((await agent.get(link)).headers.location).toBe(confirmed.headers.location);
  });

  it('keeps the space closed until the e-mail is confirmed', async () => {
    const agent = request.agent(appWith());
    const { issuer } = validStepBodies();
    await post(agent, '/habilitation', issuer);
    const closed = await agent.get(SPACE_PATH);
    expect(closed.status).toBe(403);
    expect(closed.text).toContain('Ouvrez votre espace avec le lien reçu par e-mail');
    expect((await agent.get(`${SPACE_PATH}/nouvelle-demande`)).status).toBe(403);
    const refused = await agent.post(`${SPACE_PATH}/nouvelle-demande`).type('form').send({ ...validStepBodies().structure, _csrf: csrfFrom((await agent.get('/habilitation')).text) });
    expect(refused.status).toBe(403);
    expect(await HabilitationRequest.count({ where: { issuerId: (await Issuer.findOne({ where: { email: issuer.email } }))!.id } })).toBe(0);
  });

  it('answers a known e-mail with the same page and e-mails a reminder with a private link to the space instead', async () => {
    const { agent, bodies, space } = await confirmedDemandeur();
    const again = await post(request.agent(appWith()), '/habilitation', { ...bodies.issuer, firstName: 'Usurpatrice' });
    expect(again.status).toBe(303);
    expect(again.headers.location).toMatch(/^\/habilitation\/verification\/[0-9a-f-]{36}$/); // the same kind of page as a new address
    const reminder = await waitForSubject(bodies.issuer.email, REMINDER);
    const elsewhere = request.agent(appWith());
    expect((await elsewhere.get(privateLinkIn(reminder))).headers.location).toBe(space);
    expect((await elsewhere.get(space)).text).toContain('Léa Roux'); // a confirmed profile is not changed from the public form
    expect((await agent.get(space)).status).toBe(200);
  });

  it('refuses an expired or unknown link, and sends a new one on request', async () => {
    const agent = request.agent(appWith());
    const { issuer } = validStepBodies();
    await post(agent, '/habilitation', issuer);
    const link = await confirmationPath(issuer.email);
    await stack.sequelize.query(`UPDATE issuer_email_confirmations SET expires_at = now() - interval '1 minute' WHERE issuer_id = (SELECT id FROM issuers WHERE email = '${issuer.email}')`);
    const expired = await agent.get(link);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('Ce lien de confirmation a expiré');
    expect((await agent.get('/habilitation/confirmer/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG')).status).toBe(404);

    const resendAction = /action="([^"]+\/renvoyer)"/.exec(expired.text)![1];
    const resent = await agent.post(resendAction).type('form').send({ _csrf: csrfFrom(expired.text) });
    expect(resent.status).toBe(303);
    const fresh = await confirmationPath(issuer.email, 2);
    expect(fresh).not.toBe(link);
    expect((await agent.get(fresh)).headers.location).toBe(SPACE_PATH);
  });

  it(`sends at most ${ISSUER_EMAILS_PER_HOUR} e-mails an hour to one address, whatever is posted`, async () => {
    const agent = request.agent(appWith());
    const { issuer } = validStepBodies();
    for (let i = 0; i <= ISSUER_EMAILS_PER_HOUR; i += 1) expect((await post(agent, '/habilitation', issuer)).status).toBe(303);
    // Each e-mail is its own workflow (email/<key>): those started have all finished, and no other was started.
    const { id } = (await Issuer.findOne({ where: { email: issuer.email } }))!;
    const confirmations = await IssuerEmailConfirmation.findAll({ where: { issuerId: id } });
    expect(confirmations).toHaveLength(ISSUER_EMAILS_PER_HOUR + 1);
    const handles = confirmations.map((c) => stack.client.workflow.getHandle(`email/issuer/${id}/access/${c.id}`));
    const started = (await Promise.all(handles.map((h) => h.describe().then(() => h, () => null)))).filter((h) => h !== null);
    expect(started).toHaveLength(ISSUER_EMAILS_PER_HOUR);
    for (const handle of started) await handle.result();
    expect(await mailsTo(issuer.email)).toHaveLength(ISSUER_EMAILS_PER_HOUR);
  });

  it('sends a fresh private link from each « Suivre ma demande », and nothing to an unknown address', async () => {
    const { bodies, space } = await confirmedDemandeur();
    const agent = request.agent(appWith());
    const known = await post(agent, '/habilitation/suivre', { email: bodies.issuer.email.toUpperCase() });
    const unknownAddress = `${unique('inconnu-')}@exemple.fr`;
    const unknown = await post(agent, '/habilitation/suivre', { email: unknownAddress });
    expect(known.status).toBe(200);
    expect(unknown.text).toBe(known.text); // the same page either way
    await post(agent, '/habilitation/suivre', { email: bodies.issuer.email });
    const reminders = await waitFor('two reminders', async () => (await mailsTo(bodies.issuer.email)).filter((m) => m.subject === REMINDER), (m) => m.length >= 2);
    const [first, second] = reminders.map(privateLinkIn);
    expect(first).not.toBe(second);
    for (const link of [first, second]) expect((await request.agent(appWith()).get(link)).headers.location).toBe(space);
    expect(await mailsTo(unknownAddress)).toHaveLength(0);
    expect((await post(agent, '/habilitation/suivre', { email: 'pas-une-adresse' })).status).toBe(400);
  });
});

describe('the request, step by step', () => {
  it('saves each step as a draft that the demandeur finds again from the private link', async () => {
    const demandeur = await confirmedDemandeur();
    const { agent, bodies, space } = demandeur;
    const created = await post(agent, `${space}/nouvelle-demande`, bodies.structure);
    const link = created.headers.location.replace(/\/referent$/, '');
    const mailed = privateLinkIn(await waitForSubject(bodies.issuer.email, CREATED));
    const draft = (await HabilitationRequest.findByPk(idOf(link)))!;
    expect(draft).toMatchObject({ status: 'draft', submittedAt: null, name: 'CCAS d’Anglet', departmentCode: '64', referentEmail: null });

    // Later, from another browser, with the e-mailed link: the draft is there, and the form resumes where it stopped.
    const later = request.agent(appWith());
    expect((await later.get(link)).status).toBe(403); // not without the link
    expect((await later.get(mailed)).headers.location).toBe(link);
    const status = await later.get(link);
    expect(status.text).toContain('Votre demande n’est pas encore transmise');
    expect(status.text).toContain(`href="${link}/referent"`);
    expect((await later.get(`${link}/structure`)).text).toContain('value="78234567800018"');
    expect((await later.get(`${link}/aidants`)).headers.location).toBe(`${link}/referent`); // no skipping ahead
    expect((await later.get(space)).text).toContain('CCAS d’Anglet');

    const referent = await post(later, `${link}/referent`, { referentIsIssuer: '', firstName: 'Camille', lastName: 'Martin', email: 'camille@exemple.fr', profession: 'Directrice', phone: '07 12 34 56 78', isAidant: 'on' });
    expect(referent.headers.location).toBe(`${link}/aidants`);
    const referentPage = (await later.get(`${link}/referent`)).text;
    expect(referentPage).toContain('value="camille@exemple.fr"');
    expect(referentPage).toMatch(/id="field-isAidant" name="isAidant" checked/);
    expect((await HabilitationRequest.findByPk(idOf(link)))!).toMatchObject({ referentEmail: 'camille@exemple.fr', referentIsAidant: true });
    const withReferent = (await later.get(link)).text;
    expect(withReferent).toContain('<tr><td>Camille Martin (référent)</td><td>Demande pas encore transmise</td>'); // the référent who trains is listed
    expect(withReferent).not.toContain('En attente de la décision du comité'); // nothing is before the comité yet

    // Going back saves what was typed on the way.
    const back = await post(later, `${link}/referent`, { referentIsIssuer: 'on', phone: '06 99 99 99 99', direction: 'previous' });
    expect(back.headers.location).toBe(`${link}/structure`);
    expect((await HabilitationRequest.findByPk(idOf(link)))!).toMatchObject({ referentEmail: bodies.issuer.email, referentPhone: '06 99 99 99 99' });
  });

  it('shows a step’s errors next to their fields, keeps what was typed, and saves nothing of it', async () => {
    const demandeur = await confirmedDemandeur();
    const link = await filledDraft(demandeur);
    const { agent, bodies } = demandeur;
    const invalid = await post(agent, `${link}/structure`, { ...bodies.structure, name: 'Mairie <de> Rioux', siret: '78234567800019', franceServicesLabel: 'on' });
    expect(invalid.status).toBe(400);
    expect(invalid.text).toContain('<title>Erreur dans le formulaire - La structure - Demande d’habilitation');
    expect(invalid.text).toContain('<p id="field-siret-error" class="fr-error-text">Ce numéro SIRET n’est pas valide : vérifiez les 14 chiffres.</p>');
    expect(invalid.text).toContain('<p id="field-franceServicesNumber-error" class="fr-error-text">Veuillez renseigner le numéro de labellisation France Services.</p>');
    expect(invalid.text).toContain('value="Mairie &lt;de&gt; Rioux"');
    expect(invalid.text).toContain('<li><a href="#field-siret">Ce numéro SIRET n’est pas valide : vérifiez les 14 chiffres.</a></li>'); // the summary leads to the field
    expect((await HabilitationRequest.findByPk(idOf(link)))!.name).toBe('CCAS d’Anglet');

    const aidants = await post(agent, `${link}/aidants`, { ...bodies.aidants, aidant2_firstName: 'Nadia', aidant2_email: bodies.aidants.aidant1_email });
    expect(aidants.status).toBe(400);
    expect(aidants.text).toContain('<p id="field-aidant2_email-error" class="fr-error-text">Chaque aidant doit avoir une adresse e-mail différente.</p>');
    expect(aidants.text).toContain('value="Nadia"');

    const pledges = await post(agent, `${link}/envoi`, { ...bodies.pledges, pledge_dpo: '' });
    expect(pledges.status).toBe(400);
    expect(pledges.text).toContain('<p id="field-pledge_dpo-error" class="fr-error-text">Cet engagement est obligatoire pour soumettre la demande.</p>');
    expect(pledges.text).toMatch(/id="field-pledge_cgu" name="pledge_cgu" checked/);
    expect((await HabilitationRequest.findByPk(idOf(link)))!.submittedAt).toBeNull();
  });

  it('adds aidant rows without losing what was typed, and replaces the saved list', async () => {
    const demandeur = await confirmedDemandeur();
    const link = await filledDraft(demandeur);
    const { agent, bodies } = demandeur;
    const more = await post(agent, `${link}/aidants`, { rows: '3', ...bodies.aidants, aidant3_firstName: 'Nadia', addRow: '1' });
    expect(more.status).toBe(200);
    expect(more.text).toContain('id="field-aidant4_email"');
    expect(more.text).toContain('value="Nadia"');
    const token = csrfFrom(more.text);
    const saved = await agent.post(`${link}/aidants`).type('form').send({
      _csrf: token, rows: '4', aidant4_firstName: 'Nadia', aidant4_lastName: 'Diallo', aidant4_email: 'Nadia.Diallo@exemple.fr', aidant4_profession: 'Conseillère numérique',
    });
    expect(saved.headers.location).toBe(`${link}/envoi`);
    expect((await AidantRequest.findAll({ where: { habilitationRequestId: idOf(link) } })).map((a) => a.email)).toEqual(['nadia.diallo@exemple.fr']);
  });

  it('submits the request to the comité once, then shows it read-only with its status and aidants', async () => {
    const demandeur = await confirmedDemandeur();
    const link = await filledDraft(demandeur);
    const { agent, bodies } = demandeur;
    expect((await agent.get(link)).text).toContain('<tr><td>Karim Benali</td><td>Demande pas encore transmise</td>'); // a draft is not before the comité
    const recap = await agent.get(`${link}/envoi`);
    expect(recap.text).toContain('Récapitulatif');
    expect(recap.text).toContain('Karim Benali');
    const submitted = await post(agent, `${link}/envoi`, bodies.pledges);
    expect(submitted.headers.location).toBe(link);
    expect((await waitForStatus(idOf(link), 'awaiting_comite'))!.status).toBe('awaiting_comite');
    expect(await waitForSubject(bodies.issuer.email, SUBMITTED)).toBeDefined();

    const page = await agent.get(link);
    expect(page.text).toContain('En attente de la décision du comité');
    expect(page.text).toContain('Karim Benali');
    expect(page.text).toContain('Échanges avec l’équipe Aidants Connect');
    for (const step of ['structure', 'referent', 'aidants', 'envoi']) expect((await agent.get(`${link}/${step}`)).headers.location).toBe(link);
    const late = await agent.post(`${link}/structure`).type('form').send({ ...bodies.structure, name: 'Autre nom', _csrf: csrfFrom(page.text) });
    expect(late.headers.location).toBe(link);
    expect((await HabilitationRequest.findByPk(idOf(link)))!.name).toBe('CCAS d’Anglet');
    await workflowSettled(requestWorkflow(idOf(link))); // waiting for the comité: everything it sent is delivered
    expect((await mailsTo(bodies.issuer.email)).filter((m) => m.subject === SUBMITTED)).toHaveLength(1);
  });

  it('lets the demandeur correct the steps and resubmit after the comité asks for changes', async () => {
    const { agent, bodies, link, id } = await awaitingThroughForm();
    const lifecycles = lifecyclesWith();
    const jury = await createJuryMember();
    await lifecycles.decideHabilitationRequest(id, { decision: 'require_changes', motif: 'Merci de préciser le nom exact de la structure.', juryMemberId: jury.id });

    const status = await agent.get(link);
    expect(status.text).toContain('Merci de préciser le nom exact de la structure.');
    expect(status.text).toContain(`href="${link}/structure"`);
    expect((await agent.get(`${link}/structure`)).text).toContain('L’équipe Aidants Connect a demandé des modifications');
    expect((await post(agent, `${link}/structure`, { ...bodies.structure, siret: '123' })).status).toBe(400);
    expect((await post(agent, `${link}/structure`, { ...bodies.structure, name: 'CCAS d’Anglet (Pyrénées-Atlantiques)' })).headers.location).toBe(`${link}/referent`);
    const last = await agent.get(`${link}/envoi`);
    expect(last.text).toContain('Renvoyer ma demande modifiée');
    const resubmitted = await agent.post(`${link}/envoi`).type('form').send({ ...bodies.pledges, _csrf: csrfFrom(last.text) });
    expect(resubmitted.headers.location).toBe(link);
    expect((await waitForStatus(id, 'awaiting_comite'))!).toMatchObject({ status: 'awaiting_comite', name: 'CCAS d’Anglet (Pyrénées-Atlantiques)' });
    expect((await agent.get(`${link}/structure`)).headers.location).toBe(link);
    expect(await lifecycles.decideHabilitationRequest(id, { decision: 'validate', motif: 'Merci, dossier complet.', juryMemberId: jury.id })).toEqual({ status: 'validated' });
  });

  it('keeps a submitted request when Temporal is unreachable, then transmits it once', async () => {
    const down = request.agent(appWith(unreachableClient()));
    const demandeur = await confirmedDemandeur(request.agent(appWith()));
    const link = await filledDraft(demandeur);
    await openDemandeurSpace(down, (await HabilitationRequest.findByPk(idOf(link)))!.issuerId);
    const res = await post(down, `${link}/envoi`, demandeur.bodies.pledges);
    expect(res.status).toBe(503);
    expect(res.text).toContain('Votre demande est bien enregistrée');
    const stored = (await HabilitationRequest.findByPk(idOf(link)))!;
    expect(stored).toMatchObject({ status: 'draft' });
    expect(stored.submittedAt).not.toBeNull();
    expect((await down.get(`${link}/envoi`)).headers.location).toBe(link); // no second submission from the form

    await resumeSubmittedDrafts(lifecyclesWith());
    await resumeSubmittedDrafts(lifecyclesWith());
    expect((await waitForStatus(stored.id, 'awaiting_comite'))!.status).toBe('awaiting_comite');
    await waitForSubject(demandeur.bodies.issuer.email, SUBMITTED);
    await workflowSettled(requestWorkflow(stored.id));
    expect((await mailsTo(demandeur.bodies.issuer.email)).filter((m) => m.subject === SUBMITTED)).toHaveLength(1);
  });

  it('lets the structure cancel an aidant’s onboarding from the request page, with a motif', async () => {
    const { agent, bodies, link, id } = await awaitingThroughForm();
    const lifecycles = lifecyclesWith();
    await lifecycles.decideHabilitationRequest(id, { decision: 'validate', motif: 'Dossier complet.', juryMemberId: (await createJuryMember()).id });
    const aidantEmail = bodies.aidants.aidant1_email;
    const onboarding: AidantOnboarding | null = await waitFor('the aidant’s onboarding', () => AidantOnboarding.findOne({ where: { habilitationRequestId: id, email: aidantEmail } }));
    await waitForSubject(aidantEmail, 'Aidants Connect - Suivez la formation des aidants');
    const action = `${link}/aidants/${onboarding!.id}/annuler`;
    const page = (await agent.get(link)).text;
    expect(page).toContain(`action="${action}"`);

    const tooShort = await agent.post(action).type('form').send({ _csrf: csrfFrom(page), reason: 'x' });
    expect(tooShort.status).toBe(400);
    expect(tooShort.text).toContain(`<p id="field-reason-${onboarding!.id}-error" class="fr-error-text">Indiquez le motif de l’annulation (entre 3 et 500 caractères).</p>`);
    const otherRequest = await agent.post(`${link}/aidants/00000000-0000-4000-8000-000000000000/annuler`).type('form').send({ _csrf: csrfFrom(tooShort.text), reason: 'Départ' });
    expect(otherRequest.status).toBe(404);

    const cancelled = await agent.post(action).type('form').send({ _csrf: csrfFrom(tooShort.text), reason: 'Karim quitte la structure.' });
    expect(cancelled.status).toBe(303);
    expect((await onboarding!.reload()).status).toBe('cancelled');
    const entry = await JournalEntry.findOne({ where: { action: 'onboarding_cancelled', onboardingId: onboarding!.id } });
    expect(entry?.details).toMatchObject({ reason: 'Karim quitte la structure.', requestedBy: 'demandeur' });
    expect((await waitForSubject(aidantEmail, 'Aidants Connect - Habilitation de Karim Benali annulée'))?.text).toContain('Karim quitte la structure.');
    expect((await agent.get(link)).text).toContain('Motif : Karim quitte la structure.');

    const again = await agent.post(action).type('form').send({ _csrf: csrfFrom(tooShort.text), reason: 'Encore une fois.' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('Cette habilitation est déjà terminée ou annulée.');
  });
});

describe('the last step without a référent', () => {
  it('sends the demandeur back to the référent step and says why', async () => {
    const demandeur = await confirmedDemandeur();
    const { agent, bodies, space } = demandeur;
    const link = (await post(agent, `${space}/nouvelle-demande`, bodies.structure)).headers.location.replace(/\/referent$/, '');
    const opened = await agent.get(`${link}/envoi`);
    expect(opened.headers.location).toBe(`${link}/referent?manquant=referent`);
    const page = await agent.get(opened.headers.location);
    expect(page.text).toContain('<div class="fr-alert fr-alert--error fr-mb-4w" role="alert"><p>Veuillez ajouter le ou la référente de la structure avant validation.</p></div>');
    const posted = await agent.post(`${link}/envoi`).type('form').send({ ...bodies.pledges, _csrf: csrfFrom(page.text) });
    expect(posted.headers.location).toBe(`${link}/referent?manquant=referent`);
    expect((await HabilitationRequest.findByPk(idOf(link)))!.submittedAt).toBeNull();
    expect((await agent.get(`${link}/referent`)).text).not.toContain('avant validation'); // only when sent back
  });
});

describe('private links', () => {
  const NOT_VALID = 'Ce lien n’est pas ou plus valide';

  it('no longer opens anything at the old addresses made of record ids', async () => {
    const { agent, bodies, space } = await confirmedDemandeur();
    const link = (await post(agent, `${space}/nouvelle-demande`, bodies.structure)).headers.location.replace(/\/referent$/, '');
    const { issuerId, id } = (await HabilitationRequest.findByPk(idOf(link)))!;
    for (const old of [`/habilitation/demandeur/${issuerId}`, `/habilitation/demandeur/${issuerId}/nouvelle-demande`, `/habilitation/demandes/${id}`, `/habilitation/demandes/${id}/structure`]) {
      expect([old, (await agent.get(old)).status]).toEqual([old, 404]); // even with the demandeur's session
    }
    expect((await request.agent(appWith()).get(link)).status).toBe(403);
  });

  it('refuses a forged, unknown, expired or revoked token with the same page, and opens no session', async () => {
    const demandeur = await createSubmittedRequest(stack.sequelize);
    const expired = await mintedLinkPath(demandeur.issuerId);
    await PrivateLink.update({ expiresAt: new Date(Date.now() - 60_000) }, { where: { issuerId: demandeur.issuerId } });
    const revoked = await mintedLinkPath(demandeur.issuerId);
    await revokeIssuerLinks(demandeur.issuerId);
    const answers = [];
    for (const path of ['/habilitation/lien/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', '/habilitation/lien/court', `/habilitation/lien/${demandeur.issuerId}`, expired, revoked]) {
      const agent = request.agent(appWith());
      const res = await agent.get(path);
      expect(sessionCookie(res)).toBeUndefined();
      expect((await agent.get(SPACE_PATH)).status).toBe(403);
      expect((await agent.get(requestPath(demandeur.id))).status).toBe(403);
      answers.push({ status: res.status, text: res.text });
    }
    expect(answers[0].status).toBe(404);
    expect(answers[0].text).toContain(NOT_VALID);
    expect(answers[0].text).toContain(`href="/habilitation/suivre">${NEW_LINK_NEEDED}`);
    for (const answer of answers) expect(answer).toEqual(answers[0]); // nothing tells why
  });

  it('opens a session under a new id at each link, landing on the request it names, and ends it when the link expires', async () => {
    const demandeur = await createSubmittedRequest(stack.sequelize);
    const agent = request.agent(appWith());
    const first = await agent.get(await mintedLinkPath(demandeur.issuerId, { requestId: demandeur.id }));
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe(requestPath(demandeur.id)); // the token leaves the address bar
    const sid = (res: { headers: Record<string, unknown> }) => sessionCookie(res)!.split(';')[0];
    const second = await agent.get(await mintedLinkPath(demandeur.issuerId));
    expect(second.headers.location).toBe(SPACE_PATH);
    expect(sid(second)).not.toBe(sid(first));
    expect((await agent.get(requestPath(demandeur.id))).text).toContain('CCAS d’Anglet');
    expect((await PrivateLink.findAll({ where: { issuerId: demandeur.issuerId } })).every((l) => l.lastUsedAt !== null)).toBe(true);

    await PrivateLink.update({ expiresAt: new Date(Date.now() - 1000) }, { where: { issuerId: demandeur.issuerId } });
    const ended = await agent.get(requestPath(demandeur.id));
    expect(ended.status).toBe(403);
    expect(ended.text).toContain(NEW_LINK_NEEDED);
  });

  it('marks the session cookie Secure when the service is served over https', async () => {
    const demandeur = await createSubmittedRequest(stack.sequelize);
    const https = createApp({ config: testConfig({ PUBLIC_URL: 'https://aidantsconnect.exemple.fr', TRUST_PROXY: '1' }), sequelize: stack.sequelize, temporal: stack.client, log, lifecycles: lifecyclesWith() });
    const res = await request(https).get(await mintedLinkPath(demandeur.issuerId)).set('X-Forwarded-Proto', 'https');
    expect(res.status).toBe(303);
    expect(sessionCookie(res)).toMatch(/; Secure/);
    expect(sessionCookie(await request(appWith()).get(await mintedLinkPath(demandeur.issuerId)))).not.toMatch(/; Secure/);
  });

  it('never lets a session open another demandeur’s request', async () => {
    const mine = await createSubmittedRequest(stack.sequelize);
    const theirs = await createSubmittedRequest(stack.sequelize);
    const agent = request.agent(appWith());
    await openDemandeurSpace(agent, mine.issuerId);
    const page = await agent.get(requestPath(mine.id));
    expect(page.status).toBe(200);
    const csrf = csrfFrom(page.text);
    for (const path of [requestPath(theirs.id), `${requestPath(theirs.id)}/structure`, `${requestPath(theirs.id)}/envoi`]) {
      const res = await agent.get(path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.text).not.toContain(theirs.id);
    }
    const message = await agent.post(`${requestPath(theirs.id)}/messages`).type('form').send({ _csrf: csrf, content: 'Bonjour, je ne suis pas le demandeur.' });
    expect(message.status).toBe(404);
    const structure = await agent.post(`${requestPath(theirs.id)}/structure`).type('form').send({ ...validStepBodies().structure, name: 'Détournée', _csrf: csrf });
    expect(structure.status).toBe(404);
    expect((await theirs.reload()).name).toBe('CCAS d’Anglet');
    expect((await agent.get(SPACE_PATH)).text).not.toContain(theirs.id);
  });

  it('ends every session with « Révoquer tous mes liens », and only this one with « Se déconnecter »', async () => {
    const { agent, bodies, space } = await confirmedDemandeur();
    const { id: issuerId } = (await Issuer.findOne({ where: { email: bodies.issuer.email } }))!;
    await post(request.agent(appWith()), '/habilitation/suivre', { email: bodies.issuer.email });
    const mailed = privateLinkIn(await waitForSubject(bodies.issuer.email, REMINDER));
    const [phone, library] = [request.agent(appWith()), request.agent(appWith())];
    for (const other of [phone, library]) await openDemandeurSpace(other, issuerId);

    const spacePage = await library.get(space);
    expect(spacePage.text).toContain('Se déconnecter');
    const signedOut = await library.post(`${space}/deconnexion`).type('form').send({ _csrf: csrfFrom(spacePage.text) });
    expect(signedOut.text).toContain('Vous êtes déconnecté(e)');
    expect((await library.get(space)).status).toBe(403);
    expect((await phone.get(space)).status).toBe(200); // the others stay open

    const before = await agent.get(space);
    const revoked = await agent.post(`${space}/revoquer`).type('form').send({ _csrf: csrfFrom(before.text) });
    expect(revoked.status).toBe(200);
    expect(revoked.text).toContain('Tous vos liens sont révoqués');
    for (const other of [agent, phone]) expect((await other.get(space)).status).toBe(403);
    expect((await request.agent(appWith()).get(mailed)).status).toBe(404); // the e-mailed link too
    expect((await request.agent(appWith()).get(await confirmationPath(bodies.issuer.email))).status).toBe(410); // and the confirmation link
    expect(await PrivateLink.count({ where: { issuerId, revokedAt: null } })).toBe(0);
    const entry = await JournalEntry.findOne({ where: { action: 'issuer_links_revoked' }, order: [['id', 'DESC']] });
    expect(entry?.details).toMatchObject({ issuerId });

    // Renewal is a new e-mail.
    await post(request.agent(appWith()), '/habilitation/suivre', { email: bodies.issuer.email });
    const reminders = await waitFor('a second reminder', async () => (await mailsTo(bodies.issuer.email)).filter((m) => m.subject === REMINDER), (m) => m.length >= 2);
    expect((await request.agent(appWith()).get(privateLinkIn(reminders.at(-1)))).headers.location).toBe(space);
  });

  it('stores a token only as its keyed hash: no table but the outbox holds it', async () => {
    const { agent, bodies, space } = await confirmedDemandeur();
    const requestId = idOf((await post(agent, `${space}/nouvelle-demande`, bodies.structure)).headers.location.replace(/\/referent$/, ''));
    const token = privateLinkIn(await waitForSubject(bodies.issuer.email, CREATED)).split('/').at(-1)!;
    await request.agent(appWith()).get(`/habilitation/lien/${token}`); // opened: a session and lastUsedAt are written
    const tables = await stack.sequelize.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`, { type: QueryTypes.SELECT });
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['private_links', 'http_sessions', 'journal', 'email_outbox']));
    const holding: string[] = [];
    for (const { name: table } of tables) {
      const [{ count }] = await stack.sequelize.query<{ count: number }>(`SELECT count(*)::int AS count FROM "${table}" t WHERE t::text LIKE $1`, { bind: [`%${token}%`], type: QueryTypes.SELECT });
      if (count > 0) holding.push(table);
    }
    expect(holding).toEqual(['email_outbox']); // the e-mail body, which is where the token lives
    expect((await EmailOutbox.findOne({ where: { idempotencyKey: `habilitation-request/${requestId}/created` } }))!.textBody).toContain(token);
  });

  it('deletes links expired for more than 30 days, and keeps the others', async () => {
    const { issuerId } = await createSubmittedRequest(stack.sequelize);
    const aged = async (expiredDaysAgo: number) => {
      const { id } = await mintIssuerLink({ publicUrl: 'http://localhost', secretsKey: testEnv.secretsKey }, issuerId);
      await PrivateLink.update({ expiresAt: new Date(Date.now() - expiredDaysAgo * DAY_MS) }, { where: { id } });
      return { id };
    };
    const old = await aged(31);
    const recent = await aged(1);
    const valid = await aged(-29);
    expect((await purgeExpiredRecords()).privateLinks).toBeGreaterThanOrEqual(1);
    expect(await PrivateLink.findByPk(old.id)).toBeNull();
    expect(await PrivateLink.findByPk(recent.id)).not.toBeNull();
    expect(await PrivateLink.findByPk(valid.id)).not.toBeNull();
  });
});
