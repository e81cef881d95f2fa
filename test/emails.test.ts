// E-mail templates: the compiled render (MJML once per body shape, filled per message) gives what a full MJML
// render gives, for every template; values are escaped; every e-mail greets its reader by name, says what to
// do next with the link to do it, speaks French (« d’Amélie ») and shows dates in Paris time.
import { renderContext, renderEmail, renderEmailWithMjml } from '../emails/render.js';
import { de, dateFr } from '../emails/french.js';
import { TEMPLATES, type TemplateData, type TemplateName } from '../emails/templates.js';
import { frenchDate, frenchDateTime } from '../domain/duration.js';

const context = renderContext('https://aidantsconnect.exemple.fr/', { trainingRegistrationUrl: 'https://formation.exemple.fr/inscription?x=1&y=2' });
const HOSTILE = 'Zoé <script>alert("x")</script> & l’équipe';
// 23:30 UTC on 30 November is already 1 December in Paris.
const NEAR_MIDNIGHT = '2026-11-30T23:30:00.000Z';

const SAMPLES: { [K in TemplateName]: TemplateData<K> } = {
  habilitation_email_confirmation: { recipientName: HOSTILE, issuerName: 'Léa Roux', confirmUrl: 'https://x.fr/c?a=1&b=2', days: 3 },
  habilitation_issuer_reminder: { recipientName: HOSTILE, issuerName: 'Léa Roux', spaceUrl: 'https://x.fr/s', requests: [{ name: HOSTILE, status: 'Brouillon', url: 'https://x.fr/r?a=1&b=2' }] },
  habilitation_request_created: { recipientName: HOSTILE, issuerName: 'Léa Roux', structureName: HOSTILE, requestUrl: 'https://x.fr/r' },
  habilitation_request_submitted: { recipientName: HOSTILE, issuerName: 'Léa Roux', structureName: HOSTILE, requestUrl: 'https://x.fr/r' },
  habilitation_new_message: { recipientName: HOSTILE, issuerName: 'Léa Roux', structureName: 'CCAS', message: HOSTILE, requestUrl: 'https://x.fr/r' },
  habilitation_demandeur_message: { recipientName: HOSTILE, structureName: 'CCAS', message: HOSTILE, adminUrl: 'https://x.fr/admin' },
  habilitation_comite_reminder: { recipientName: HOSTILE, structureName: HOSTILE, waitingDays: 14, adminUrl: 'https://x.fr/admin' },
  habilitation_request_validated: { recipientName: HOSTILE, structureName: 'CCAS', habilitationNumber: '2026-001', motif: HOSTILE, requestUrl: 'https://x.fr/r' },
  habilitation_request_refused: { recipientName: HOSTILE, structureName: 'CCAS', motif: HOSTILE },
  habilitation_referent_validated: { recipientName: HOSTILE, structureName: HOSTILE, habilitationNumber: '2026-001' },
  habilitation_changes_close_reminder: { recipientName: HOSTILE, issuerName: 'Léa Roux', structureName: HOSTILE, closeDate: NEAR_MIDNIGHT, requestUrl: 'https://x.fr/r' },
  habilitation_request_closed: { recipientName: HOSTILE, issuerName: 'Léa Roux', structureName: HOSTILE, spaceUrl: 'https://x.fr/s' },
  habilitation_changes_required: { recipientName: HOSTILE, issuerName: 'Léa Roux', structureName: 'CCAS', motif: HOSTILE, requestUrl: 'https://x.fr/r' },
  onboarding_training_invitation: { recipientName: HOSTILE, aidantName: 'Amélie Petit', structureName: HOSTILE, deadline: NEAR_MIDNIGHT, isAidant: true },
  onboarding_training_reminder: { recipientName: HOSTILE, aidantName: 'Amélie Petit', deadline: NEAR_MIDNIGHT, daysLeft: 7 },
  onboarding_lapsed_closing: { recipientName: HOSTILE, aidantName: 'Amélie Petit', structureName: HOSTILE, closeDate: NEAR_MIDNIGHT },
  onboarding_lapsed: { recipientName: HOSTILE, aidantName: 'Amélie Petit', structureName: HOSTILE, deadline: NEAR_MIDNIGHT },
  aidant_account_activated: { recipientName: HOSTILE, aidantName: 'Amélie Petit', structureName: HOSTILE },
  referent_aidant_activated: { recipientName: HOSTILE, aidantName: 'Amélie Petit' },
  card_shipment_update: { recipientName: HOSTILE, aidantName: 'Amélie Petit', status: 'delivered', trackingNumber: null },
  card_validated: { recipientName: HOSTILE, aidantName: 'Amélie Petit' },
  onboarding_cancelled: { recipientName: HOSTILE, aidantName: 'Amélie Petit', reason: HOSTILE },
  login_link: { recipientName: HOSTILE, token: 'T0ken_-'.padEnd(43, 'x'), minutes: 5 },
  referent_setup_link: { recipientName: HOSTILE, structureName: HOSTILE, setupLink: { url: 'https://x.fr/connexion/premiere-connexion/t?a=1&b=2', expiresAt: NEAR_MIDNIGHT } },
  aidant_added_to_structure: { recipientName: HOSTILE, aidantName: 'Amélie Petit', structureName: HOSTILE },
  aidant_removed_from_structure: { recipientName: HOSTILE, aidantName: 'Amélie Petit', structureName: HOSTILE, remainingStructures: [HOSTILE] },
  aidant_eligibility_refused: { recipientName: HOSTILE, aidantName: 'Amélie Petit', structureName: HOSTILE, motif: HOSTILE },
  ops_stuck_emails: { recipientName: HOSTILE, emails: [{ key: 'k<1>', template: 't', since: NEAR_MIDNIGHT, attempts: 2, lastError: HOSTILE, failed: true }] },
  training_registered: {
    recipientName: HOSTILE, aidantName: 'Amélie Petit', structureName: HOSTILE, isAidant: true, startsAt: NEAR_MIDNIGHT, endsAt: '2026-12-01T08:00:00.000Z',
    mode: 'in_person', location: HOSTILE, previous: null,
  },
  training_registration_cancelled: {
    recipientName: HOSTILE, aidantName: 'Amélie Petit', structureName: HOSTILE, isAidant: false, startsAt: NEAR_MIDNIGHT, endsAt: '2026-12-01T08:00:00.000Z', deadline: NEAR_MIDNIGHT,
  },
  usager_autorisation_used: { recipientName: HOSTILE, uses: [{ structureName: HOSTILE, demarche: 'Papiers - Citoyenneté - Étranger', at: NEAR_MIDNIGHT }, { structureName: 'CCAS de Préguillac', demarche: HOSTILE, at: NEAR_MIDNIGHT }] },
  anct_weekly_aidants_to_train: { recipientName: HOSTILE, firstDay: '2026-11-23', lastDay: '2026-11-29', total: 2, regions: [
    { region: 'Corse', aidants: [{ name: HOSTILE, email: 'a@exemple.fr', profession: HOSTILE, structureName: HOSTILE, city: 'Ajaccio', departmentCode: '2A' }] },
    { region: 'Nouvelle-Aquitaine', aidants: [{ name: 'Amélie Petit', email: 'b@exemple.fr', profession: null, structureName: 'CCAS de Préguillac', city: 'Préguillac', departmentCode: '17' }] },
  ] },
  referent_aidants_without_card: { recipientName: HOSTILE, structureName: HOSTILE, aidants: [{ name: HOSTILE, isRecipient: false }, { name: 'Camille Martin', isRecipient: true }] },
  mandat_expiry_reminder: { recipientName: HOSTILE, structureName: HOSTILE, mandats: [{ usagerName: HOSTILE, expiresAt: NEAR_MIDNIGHT, autorisations: 2 }, { usagerName: 'Élise Moreau', expiresAt: NEAR_MIDNIGHT, autorisations: 1 }] },
  // inactivity (emails/inactivity-templates.ts)
  inactive_aidant_warning: { recipientName: HOSTILE, lastLoginAt: NEAR_MIDNIGHT, deadline: NEAR_MIDNIGHT, days: 30 },
  inactive_aidant_deactivated: { recipientName: HOSTILE, lastLoginAt: NEAR_MIDNIGHT },
  inactive_aidant_deactivated_referent: { recipientName: HOSTILE, aidantName: HOSTILE, structureName: HOSTILE, lastLoginAt: NEAR_MIDNIGHT },
  aidant_activity_encouragement: { recipientName: HOSTILE, lastActivityAt: NEAR_MIDNIGHT },
  habilitation_draft_reminder: { issuerName: HOSTILE, structureName: HOSTILE, lastChangeAt: NEAR_MIDNIGHT, deletionDate: NEAR_MIDNIGHT, requestUrl: 'https://exemple.fr/habilitation/lien/abc' },
};

const names = Object.keys(TEMPLATES) as TemplateName[];
const render = <T extends TemplateName>(name: T, data: TemplateData<T> = SAMPLES[name]) => renderEmail(name, data, context);

describe('e-mail templates', () => {
  it.each(names)('%s: the compiled render equals a full MJML render of the same data', async (name) => {
    const compiled = await render(name);
    const full = await renderEmailWithMjml(name, SAMPLES[name], context);
    expect(compiled).toEqual(full);
    expect(compiled.html).not.toContain('__AC_SLOT_');
    expect(compiled.html).not.toContain('<mj-');
  });

  it('fills every variant of a template (other body shapes) as a full render does', async () => {
    for (const status of ['sent', 'lost', 'returned'] as const) {
      const data = { ...SAMPLES.card_shipment_update, status, trackingNumber: '6A<12>' };
      expect(await render('card_shipment_update', data)).toEqual(await renderEmailWithMjml('card_shipment_update', data, context));
    }
    const deactivated = { ...SAMPLES.aidant_removed_from_structure, remainingStructures: [] };
    expect(await render('aidant_removed_from_structure', deactivated)).toEqual(await renderEmailWithMjml('aidant_removed_from_structure', deactivated, context));
    const withSetupLink = { ...SAMPLES.habilitation_referent_validated, setupLink: SAMPLES.referent_setup_link.setupLink };
    expect(await render('habilitation_referent_validated', withSetupLink)).toEqual(await renderEmailWithMjml('habilitation_referent_validated', withSetupLink, context));
    const referents = { ...SAMPLES.onboarding_training_invitation, isAidant: false };
    expect(await render('onboarding_training_invitation', referents)).toEqual(await renderEmailWithMjml('onboarding_training_invitation', referents, context));
    for (const isAidant of [true, false]) {
      const reminder = { ...SAMPLES.onboarding_training_reminder, isAidant };
      expect(await render('onboarding_training_reminder', reminder)).toEqual(await renderEmailWithMjml('onboarding_training_reminder', reminder, context));
      const changed = { ...SAMPLES.training_registered, isAidant, mode: 'online' as const, previous: { startsAt: NEAR_MIDNIGHT, endsAt: NEAR_MIDNIGHT } };
      expect(await render('training_registered', changed)).toEqual(await renderEmailWithMjml('training_registered', changed, context));
      const cancelled = { ...SAMPLES.training_registration_cancelled, isAidant };
      expect(await render('training_registration_cancelled', cancelled)).toEqual(await renderEmailWithMjml('training_registration_cancelled', cancelled, context));
    }
  });

  it.each(names)('%s: escapes values in the HTML and greets the reader by name', async (name) => {
    const { html, text } = await render(name);
    expect(html).not.toContain('<script>');
    expect(html).toContain('Bonjour Zoé &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; l’équipe,');
    expect(text.startsWith(`Bonjour ${HOSTILE},`)).toBe(true);
  });

  it('never fills a value that looks like a slot', async () => {
    const { html } = await render('habilitation_request_submitted', { ...SAMPLES.habilitation_request_submitted, structureName: '__AC_SLOT_0__' });
    expect(html).toContain('<strong>__AC_SLOT_0__</strong>');
  });

  it('tells an invited aidant how to register for the training, with the link', async () => {
    const email = await render('onboarding_training_invitation');
    expect(email.html).toContain('href="https://formation.exemple.fr/inscription?x=1&amp;y=2"');
    expect(email.text).toContain('https://formation.exemple.fr/inscription?x=1&y=2');
    const reminder = await render('onboarding_training_reminder');
    expect(reminder.text).toContain('https://formation.exemple.fr/inscription?x=1&y=2');
    // Without a configured page, the service's own page explains how to register.
    const byDefault = await renderEmail('onboarding_training_invitation', SAMPLES.onboarding_training_invitation, renderContext('https://ac.exemple.fr'));
    expect(byDefault.text).toContain('https://ac.exemple.fr/formation');
  });

  it('links the référent and the aidant to their space, with the service’s URL', async () => {
    for (const name of ['referent_aidant_activated', 'aidant_account_activated', 'card_shipment_update', 'card_validated'] as const) {
      expect((await render(name)).html).toContain('href="https://aidantsconnect.exemple.fr/espace"');
    }
  });

  it('leads a référent without a means of login to their setup link, valid until a date in Paris time, and else to their space', async () => {
    const setupLink = SAMPLES.referent_setup_link.setupLink;
    const validated = await render('habilitation_referent_validated', { ...SAMPLES.habilitation_referent_validated, setupLink });
    expect(validated.html).toContain('href="https://x.fr/connexion/premiere-connexion/t?a=1&amp;b=2"');
    expect(validated.html).toContain('Découvrir l’espace référent');
    expect(validated.html).not.toContain('href="https://aidantsconnect.exemple.fr/espace"');
    expect(validated.text).toContain('https://x.fr/connexion/premiere-connexion/t?a=1&b=2');
    expect(validated.text).toContain('valable jusqu’au 01/12/2026 à 00:30 et ne sert qu’une fois');
    expect(validated.text).toContain('demandez-en un nouveau : https://aidantsconnect.exemple.fr/connexion/premiere-connexion');
    const asked = await render('referent_setup_link');
    expect(asked.subject).toBe('Aidants Connect - Votre première connexion à l’espace référent');
    expect(asked.html).toContain('href="https://x.fr/connexion/premiere-connexion/t?a=1&amp;b=2"');
    expect(asked.text).toContain('valable jusqu’au 01/12/2026 à 00:30');
    const plain = await render('habilitation_referent_validated');
    expect(plain.html).toContain('href="https://aidantsconnect.exemple.fr/espace"');
    expect(plain.text).not.toContain('premiere-connexion');
  });

  it('elides « de » before a vowel or a mute h, in every template that names the aidant', async () => {
    expect(de('Amélie Petit')).toBe('d’Amélie Petit');
    expect(de('Hélène')).toBe('d’Hélène');
    expect(de('Yves')).toBe('d’Yves');
    expect(de('Yannick')).toBe('de Yannick');
    expect(de('Léa')).toBe('de Léa');
    const activated = await render('referent_aidant_activated');
    expect(activated.subject).toBe('Aidants Connect — Le compte d’Amélie Petit vient d’être activé !');
    expect(activated.text).toContain('Le compte d’Amélie Petit vient d’être activé');
    expect((await render('card_shipment_update')).subject).toBe('Aidants Connect - Le kit de bienvenue d’Amélie Petit a été livré');
    expect((await render('card_validated')).text).toContain('La carte d’Amélie Petit');
    expect((await render('onboarding_cancelled')).subject).toBe('Aidants Connect - Habilitation d’Amélie Petit annulée');
    const leo = await render('referent_aidant_activated', { recipientName: 'Léa', aidantName: 'Léo Martin' });
    expect(leo.text).toContain('Le compte de Léo Martin');
  });

  it('shows dates in Paris time: 23:30 UTC on 30 November is 1 December', async () => {
    expect(dateFr(NEAR_MIDNIGHT)).toBe('01/12/2026');
    expect(frenchDate(new Date(NEAR_MIDNIGHT))).toBe('01/12/2026');
    expect(frenchDateTime(new Date(NEAR_MIDNIGHT))).toBe('01/12/2026 à 00:30');
    // Summer time: 22:30 UTC on 30 June is 00:30 on 1 July.
    expect(frenchDateTime(new Date('2026-06-30T22:30:00Z'))).toBe('01/07/2026 à 00:30');
    const reminder = await render('onboarding_training_reminder');
    expect(reminder.subject).toBe('Aidants Connect - Formation à suivre avant le 01/12/2026');
    expect(reminder.html).toContain('01/12/2026');
    expect(reminder.html).not.toContain('2026-11-30');
    expect((await render('onboarding_training_invitation')).text).toContain('avant le 01/12/2026');
    expect((await render('onboarding_lapsed')).text).toContain('avant le 01/12/2026');
    expect((await render('ops_stuck_emails')).text).toContain('depuis le 01/12/2026 à 00:30');
    // A date already formatted by a workflow started before the ISO contract is shown as it is.
    expect(dateFr('30/11/2026')).toBe('30/11/2026');
  });
});
