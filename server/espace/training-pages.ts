// Pages of the training registrations in the espace référent: the structure's aidants awaiting training with
// their deadline and registration, and one aidant's page to choose, change or cancel their session.
import type { AidantOnboarding, TrainingSession } from '../../db/models/index.js';
import type { FieldErrors } from '../../domain/habilitation-form.js';
import { frenchDate } from '../../domain/duration.js';
import { ONBOARDING_STATUSES, type OnboardingStatus } from '../../domain/habilitation.js';
import { sessionWhen, TRAINING_MODES } from '../../domain/training.js';
import type { SessionOffer } from '../../services/training-sessions.js';
import { csrfField, errorSummary } from '../web/form.js';
import { html, raw, type Raw } from '../web/html.js';
import { espaceLayout } from './layout.js';
import type { EspacePerson } from './session.js';

export const TRAINING_PATH = '/espace-referent/formations';
export const trainingPath = (onboardingId: string) => `${TRAINING_PATH}/${onboardingId}`;

type Notice = { type: 'success' | 'info' | 'error'; message: string };

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const places = (left: number) => (left === 0 ? 'complète' : left === 1 ? '1 place restante' : `${left} places restantes`);

/** « Le 12/03/2027 de 09:00 à 17:00 », then how and where. */
const sessionSummary = (session: TrainingSession) => html`<strong>${capitalised(sessionWhen(session.startsAt, session.endsAt))}</strong><br>
  ${TRAINING_MODES[session.mode]} : ${session.location}`;

export function trainingOverviewPage(
  person: EspacePerson,
  options: { csrf: string; notice?: Notice },
  rows: { onboarding: AidantOnboarding; registration: (SessionOffer & { registrationId: string }) | null }[],
): string {
  const table = rows.length === 0
    ? html`<p>Aucun aidant de votre structure n’attend de formation.</p>`
    : html`<div class="fr-table"><table><caption class="fr-sr-only">Aidants à former et leur inscription</caption>
        <thead><tr><th scope="col">Aidant</th><th scope="col">Date limite de formation</th><th scope="col">Session</th><th scope="col">Action</th></tr></thead>
        <tbody>${rows.map(({ onboarding, registration }) => html`<tr>
          <td>${onboarding.firstName} ${onboarding.lastName}<br><span class="fr-text--sm">${onboarding.email}</span></td>
          <td>${frenchDate(onboarding.trainingDeadline)}</td>
          <td>${registration ? sessionSummary(registration.session) : html`<p class="fr-badge fr-badge--warning fr-badge--sm">Pas encore inscrit(e)</p>`}</td>
          <td><a class="fr-link" href="${trainingPath(onboarding.id)}">${registration ? 'Changer ou annuler' : 'Inscrire à une session'}<span class="fr-sr-only"> : ${onboarding.firstName} ${onboarding.lastName}</span></a></td>
        </tr>`)}</tbody></table></div>`;
  return espaceLayout(person, { title: 'Formations des aidants', csrf: options.csrf, section: 'referent', notice: options.notice }, html`
    <h1>Formations des aidants</h1>
    <p class="fr-text--lead">Inscrivez chaque aidant de ${person.organisation.name} qui doit suivre la formation Aidants Connect à une session qui se termine avant sa date limite.</p>
    <p>L’aidant et les référents de la structure reçoivent un e-mail à chaque inscription, changement de session ou annulation. Après la session, l’équipe Aidants Connect enregistre les présences : le compte de chaque aidant présent est alors activé.</p>
    ${table}
    <p><a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="/espace-referent">Retour à l’espace référent</a></p>`);
}

export interface OnboardingTrainingView {
  onboarding: AidantOnboarding;
  current: SessionOffer | null;
  offers: SessionOffer[];
  /** The current session has started: the registration no longer changes. */
  locked: boolean;
}

function sessionChoices(offers: SessionOffer[], chosen: string | undefined, error: string | undefined): Raw {
  const id = 'field-sessionId';
  return html`
    <fieldset class="fr-fieldset${error ? ' fr-fieldset--error' : ''}" id="${id}" aria-labelledby="${id}-legend${error ? ` ${id}-messages` : ''}">
      <legend class="fr-fieldset__legend" id="${id}-legend">Session de formation <span aria-hidden="true">*</span>
        <span class="fr-hint-text">Sessions ouvertes, à venir, se terminant avant la date limite et avec des places.</span></legend>
      ${offers.map(({ session, placesLeft }) => html`
        <div class="fr-fieldset__element"><div class="fr-radio-group">
          <input type="radio" id="session-${session.id}" name="sessionId" value="${session.id}" ${chosen === session.id ? raw('checked') : ''}>
          <label class="fr-label" for="session-${session.id}">${capitalised(sessionWhen(session.startsAt, session.endsAt))}
            <span class="fr-hint-text">${TRAINING_MODES[session.mode]} : ${session.location} — ${places(placesLeft)}</span></label>
        </div></div>`)}
      <div class="fr-messages-group" id="${id}-messages" aria-live="assertive">${error ? html`<p class="fr-message fr-message--error">${error}</p>` : ''}</div>
    </fieldset>`;
}

export function onboardingTrainingPage(
  person: EspacePerson,
  options: { csrf: string; notice?: Notice; values?: { sessionId?: string }; errors?: FieldErrors; contactEmail: string },
  view: OnboardingTrainingView,
): string {
  const { onboarding, current, offers, locked } = view;
  const errors = options.errors ?? {};
  const name = `${onboarding.firstName} ${onboarding.lastName}`;
  const awaiting = onboarding.status === 'awaiting_training';
  const choices = offers.filter((offer) => offer.session.id !== current?.session.id);
  const registration = current
    ? html`<div class="fr-callout"><h2 class="fr-callout__title fr-h5">Inscription actuelle</h2>
        <p class="fr-callout__text">${sessionSummary(current.session)}</p>
        ${locked ? html`<p>La session a commencé : l’inscription ne peut plus être changée ni annulée.</p>` : html`
        <form method="post" action="${trainingPath(onboarding.id)}/annulation">${csrfField(options.csrf)}
          <button type="submit" class="fr-btn fr-btn--secondary fr-btn--sm">Annuler l’inscription</button></form>`}</div>`
    : html`<p>${name} n’est inscrit(e) à aucune session.</p>`;
  const form = !awaiting || locked ? '' : choices.length === 0
    ? html`<div id="field-sessionId"><p>Aucune autre session ouverte ne se termine avant le ${frenchDate(onboarding.trainingDeadline)} avec des places libres. L’équipe Aidants Connect publie régulièrement de nouvelles sessions : revenez plus tard, ou écrivez-lui à <a href="mailto:${options.contactEmail}">${options.contactEmail}</a>.</p>
        ${errors.sessionId ? html`<p class="fr-error-text">${errors.sessionId}</p>` : ''}</div>`
    : html`<form method="post" action="${trainingPath(onboarding.id)}" novalidate>${csrfField(options.csrf)}
        ${sessionChoices(choices, options.values?.sessionId, errors.sessionId)}
        <button type="submit" class="fr-btn">${current ? 'Changer pour cette session' : 'Inscrire à cette session'}</button></form>`;
  return espaceLayout(person, { title: `Formation de ${name}`, csrf: options.csrf, section: 'referent', notice: options.notice, hasFormErrors: Object.keys(errors).length > 0 }, html`
    ${errorSummary(errors)}
    <h1>Formation de ${name}</h1>
    <p>Date limite de formation : <strong>${frenchDate(onboarding.trainingDeadline)}</strong>.${awaiting ? '' : html` Étape de l’habilitation : « ${ONBOARDING_STATUSES[onboarding.status as OnboardingStatus]} ».`}</p>
    ${registration}
    ${awaiting ? html`<h2 class="fr-mt-4w">${current ? 'Changer de session' : 'Choisir une session'}</h2>${form}` : html`<p>L’inscription à une session n’est possible que pour un aidant en attente de formation.</p>`}
    <p class="fr-mt-4w"><a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="${TRAINING_PATH}">Retour aux formations des aidants</a></p>`);
}
