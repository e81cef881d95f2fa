// Pages of the mandat's creation (démarches and duration, the recap after FranceConnect with the consent and
// the aidant's card code, the success page) and of its revocation from the usager's page.
import { DEMARCHES, type Demarche } from '../../domain/demarches.js';
import { frenchDateTime } from '../../domain/duration.js';
import {
  ARGENT_WARNING, MANDAT_DURATION_FORM_ORDER, MANDAT_DURATIONS, needsArgentWarning, type MandatDuration,
} from '../../domain/mandat.js';
import { csrfField, errorSummary } from '../web/form.js';
import { html, raw, type Raw } from '../web/html.js';
import { espaceLayout } from './layout.js';
import type { EspacePerson } from './session.js';
import { birthdateText, usagerPath } from './usagers-pages.js';

export const NEW_MANDAT_PATH = '/espace-aidant/mandats/nouveau';
export const RECAP_PATH = '/espace-aidant/mandats/recapitulatif';
export const FRANCECONNECT_START_PATH = `${NEW_MANDAT_PATH}/franceconnect/depart`;
export const mandatSuccessPath = (mandatId: string) => `/espace-aidant/mandats/${mandatId}/confirmation`;
export const attestationPath = (mandatId: string) => `/espace-aidant/mandats/${mandatId}/attestation`;
export const revokePath = (mandatId: string, demarche?: string) =>
  `/espace-aidant/mandats/${mandatId}/revoquer${demarche ? `?demarche=${encodeURIComponent(demarche)}` : ''}`;

export const CONSENT_LABEL = 'L’usager a pris connaissance des conditions du mandat et consent à ce que l’aidant réalise en son nom les démarches choisies.';
export const RECAP_ERRORS = {
  consent: 'Vous devez confirmer que l’usager a pris connaissance du mandat et y consent.',
  codeFormat: 'Saisissez le code à 6 chiffres affiché sur votre carte Aidants Connect.',
  codeWrong: 'Ce code est incorrect ou a déjà servi : saisissez le code affiché maintenant sur votre carte.',
} as const;

interface Context { csrf: string; notice?: { type: 'success' | 'info' | 'error'; message: string } }

const page = (person: EspacePerson, context: Context & { hasFormErrors?: boolean }, title: string, body: Raw) =>
  espaceLayout(person, { title, csrf: context.csrf, notice: context.notice, section: 'aidant', hasFormErrors: context.hasFormErrors }, body);

const argentWarning = html`<div class="fr-alert fr-alert--warning fr-mb-3w" id="argent-warning"><p>${ARGENT_WARNING}</p></div>`;
const errorText = (id: string, error: string | undefined) => (error ? html`<p id="${id}-error" class="fr-error-text">${error}</p>` : '');

export interface ChoiceForm {
  demarches: string[];
  duration: string;
  errors: Record<string, string>;
}

/** Where the choice form posts and what it says: a new mandat (then FranceConnect), or a renewal (then the recap). */
export interface ChoiceTarget { action: string; title: string; intro: string; submit: string }

const NEW_MANDAT_TARGET: ChoiceTarget = {
  action: NEW_MANDAT_PATH, title: 'Créer un mandat', submit: 'Identifier l’usager avec FranceConnect',
  intro: 'Choisissez avec l’usager les démarches que vous réaliserez en son nom et la durée du mandat. L’usager s’identifiera ensuite avec FranceConnect.',
};

/** Step 1: the démarches the structure allows (checkboxes) and the duration (radios, the reference's order). */
export function newMandatPage(person: EspacePerson, context: Context, offered: Demarche[], form: ChoiceForm, target: ChoiceTarget = NEW_MANDAT_TARGET): string {
  const { errors } = form;
  const fieldset = (name: string, legend: string, inputs: Raw, error: string | undefined) => html`
    <fieldset class="fr-fieldset${error ? ' fr-fieldset--error' : ''}" id="field-${name}" ${error ? raw(`aria-labelledby="field-${name}-legend field-${name}-error"`) : raw(`aria-labelledby="field-${name}-legend"`)}>
      <legend class="fr-fieldset__legend" id="field-${name}-legend">${legend} <span aria-hidden="true">*</span></legend>
      ${inputs}
      <div class="fr-messages-group">${errorText(`field-${name}`, error)}</div>
    </fieldset>`;
  const demarches = offered.map((demarche) => html`
    <div class="fr-fieldset__element"><div class="fr-checkbox-group">
      <input type="checkbox" id="demarche-${demarche}" name="demarches" value="${demarche}" ${form.demarches.includes(demarche) ? raw('checked') : ''}>
      <label class="fr-label" for="demarche-${demarche}">${DEMARCHES[demarche].titre}</label>
    </div></div>`);
  const durations = MANDAT_DURATION_FORM_ORDER.map((duration) => html`
    <div class="fr-fieldset__element"><div class="fr-radio-group">
      <input type="radio" id="duration-${duration}" name="duration" value="${duration}" ${form.duration === duration ? raw('checked') : ''}>
      <label class="fr-label" for="duration-${duration}">${MANDAT_DURATIONS[duration].label}</label>
    </div></div>`);
  return page(person, { ...context, hasFormErrors: Object.keys(errors).length > 0 }, target.title, html`
    <h1>${target.title}</h1>
    <p>${target.intro}</p>
    ${errorSummary(errors)}
    <form method="post" action="${target.action}" novalidate>
      ${csrfField(context.csrf)}
      ${fieldset('demarches', 'Démarches', html`${demarches}`, errors.demarches)}
      ${needsArgentWarning(form.demarches) ? argentWarning : offered.includes('argent') ? html`<p class="fr-hint-text">Si vous choisissez « ${DEMARCHES.argent.titre} » : ${ARGENT_WARNING}</p>` : ''}
      ${fieldset('duration', 'Durée du mandat', html`${durations}`, errors.duration)}
      ${target.action === NEW_MANDAT_PATH ? html`
      <ul class="fr-btns-group fr-btns-group--inline-md">
        <li><button type="submit" class="fr-btn">${target.submit}</button></li>
        <li><button type="submit" class="fr-btn fr-btn--secondary" name="etape" value="projet">Imprimer le projet de mandat</button></li>
      </ul>
      <p class="fr-hint-text">Le projet de mandat reprend ce choix et le texte du mandat, à lire avec l’usager avant de signer, avec une traduction si besoin.</p>`
    : html`<button type="submit" class="fr-btn">${target.submit}</button>`}
    </form>`);
}

/** Between the form and FranceConnect: the browser goes on by itself (Refresh), or with the button. */
export function toFranceConnectPage(person: EspacePerson, context: Context): string {
  return page(person, context, 'Identification de l’usager', html`
    <h1>Identification de l’usager</h1>
    <p>L’usager va s’identifier avec FranceConnect. Si la page FranceConnect ne s’ouvre pas, utilisez le bouton.</p>
    <div class="fr-connect-group">
      <a class="fr-connect" href="${FRANCECONNECT_START_PATH}"><span class="fr-connect__login">S’identifier avec</span>
        <span class="fr-connect__brand">FranceConnect</span></a>
    </div>`);
}

export interface RecapFacts {
  connectionId: string;
  usager: { givenName: string; familyName: string; preferredUsername: string | null; birthdate: string };
  demarches: Demarche[];
  duration: MandatDuration;
  expiresAt: Date;
  /** A renewal (no FranceConnect: the usager is known to the structure). */
  renewal?: boolean;
  /** The printable draft of this same choice, when the session still holds it. */
  draftPath?: string;
}

const identityOf = (usager: RecapFacts['usager']) => html`
  <p><strong>${usager.givenName} ${usager.familyName}</strong>${usager.preferredUsername && usager.preferredUsername !== usager.familyName
    ? html` (nom d’usage : ${usager.preferredUsername})` : ''}<br>Né(e) le ${birthdateText(usager.birthdate)}</p>`;

const demarchesList = (demarches: Demarche[]) => html`<ul>${demarches.map((d) => html`<li>${DEMARCHES[d].titre}</li>`)}</ul>`;

/** Step 2: the recap, the usager's consent and the aidant's card code (the signature). */
export function recapPage(person: EspacePerson, context: Context, facts: RecapFacts, form: { consent: boolean; errors: Record<string, string> }): string {
  const { errors } = form;
  const title = facts.renewal ? 'Récapitulatif du renouvellement' : 'Récapitulatif du mandat';
  return page(person, { ...context, hasFormErrors: Object.keys(errors).length > 0 }, title, html`
    <h1>${title}</h1>
    ${facts.renewal ? html`<p>Ce nouveau mandat renouvelle le mandat de l’usager avec votre structure : les démarches choisies
      remplacent celles du mandat en cours. L’usager n’a pas besoin de s’identifier à nouveau avec FranceConnect.</p>` : ''}
    ${errorSummary(errors)}
    <h2 class="fr-h4">L’usager</h2>
    ${identityOf(facts.usager)}
    <h2 class="fr-h4">Les démarches</h2>
    ${demarchesList(facts.demarches)}
    ${needsArgentWarning(facts.demarches) ? argentWarning : ''}
    <h2 class="fr-h4">La durée</h2>
    <p>${MANDAT_DURATIONS[facts.duration].label} : le mandat expirera le ${frenchDateTime(facts.expiresAt)} (heure de Paris), s’il est signé maintenant.</p>
    <p>Structure : <strong>${person.organisation.name}</strong>. Aidant : ${person.user.firstName} ${person.user.lastName}.</p>
    ${facts.draftPath ? html`<p><a class="fr-link fr-icon-printer-line fr-link--icon-left" href="${facts.draftPath}">Imprimer le projet de mandat</a> (avec une traduction si besoin), à lire avec l’usager avant de signer.</p>` : ''}
    <form method="post" action="${RECAP_PATH}" novalidate>
      ${csrfField(context.csrf)}
      <input type="hidden" name="connexion" value="${facts.connectionId}">
      <div class="fr-checkbox-group${errors.consent ? ' fr-checkbox-group--error' : ''} fr-mb-3w">
        <input type="checkbox" id="field-consent" name="consent" value="oui" ${form.consent ? raw('checked') : ''} ${errors.consent ? raw('aria-describedby="field-consent-error" aria-invalid="true"') : ''}>
        <label class="fr-label" for="field-consent">${CONSENT_LABEL} <span aria-hidden="true">*</span></label>
        ${errorText('field-consent', errors.consent)}
      </div>
      <div class="fr-input-group${errors.code ? ' fr-input-group--error' : ''}">
        <label class="fr-label" for="field-code">Code de votre carte Aidants Connect <span aria-hidden="true">*</span>
          <span class="fr-hint-text">Les 6 chiffres affichés maintenant : ce code vaut signature du mandat.</span></label>
        <input class="fr-input${errors.code ? ' fr-input--error' : ''}" id="field-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
          maxlength="6" pattern="[0-9]{6}" value="" ${errors.code ? raw('aria-describedby="field-code-error" aria-invalid="true"') : ''}>
        ${errorText('field-code', errors.code)}
      </div>
      <ul class="fr-btns-group fr-btns-group--inline">
        <li><button type="submit" class="fr-btn">Signer le mandat</button></li>
        <li><a class="fr-btn fr-btn--secondary" href="${NEW_MANDAT_PATH}">Recommencer</a></li>
      </ul>
    </form>`);
}

/** The identification cannot serve (expired, used): say why and offer to start again. */
export function identificationUnusablePage(person: EspacePerson, context: Context, message: string): string {
  return page(person, context, 'Identification de l’usager à refaire', html`
    <h1>Identification de l’usager à refaire</h1>
    <div class="fr-alert fr-alert--error fr-mb-3w"><p>${message}</p></div>
    <a class="fr-btn" href="${NEW_MANDAT_PATH}">Créer un mandat</a>`);
}

export interface CreatedFacts {
  mandatId: string;
  usagerId: string;
  usager: RecapFacts['usager'];
  demarches: Demarche[];
  duration: MandatDuration;
  createdAt: Date;
  expiresAt: Date;
}

/** Step 3: the mandat created, with links to the usager's page and the attestation. */
export function mandatCreatedPage(person: EspacePerson, context: Context, facts: CreatedFacts): string {
  return page(person, context, 'Mandat créé', html`
    <h1>Le mandat a été créé</h1>
    <div class="fr-alert fr-alert--success fr-mb-3w"><p>Le mandat est signé le ${frenchDateTime(facts.createdAt)} et
      expire le ${frenchDateTime(facts.expiresAt)} (heure de Paris).</p></div>
    ${identityOf(facts.usager)}
    <p>${MANDAT_DURATIONS[facts.duration].label}. Démarches :</p>
    ${demarchesList(facts.demarches)}
    <ul class="fr-btns-group fr-btns-group--inline">
      <li><a class="fr-btn" href="${attestationPath(facts.mandatId)}">Télécharger l’attestation</a></li>
      <li><a class="fr-btn fr-btn--secondary" href="${usagerPath(facts.usagerId)}">Voir l’usager et ses mandats</a></li>
    </ul>`);
}

/** The confirmation before revoking one démarche, or the whole mandat when `demarche` is undefined. */
export function revocationPage(person: EspacePerson, context: Context, facts: {
  mandatId: string; usagerId: string; usagerName: string; demarche?: Demarche; demarches: Demarche[]; error?: string;
}): string {
  const title = facts.demarche ? 'Révoquer une démarche' : 'Révoquer le mandat';
  return page(person, context, title, html`
    <h1>${title}</h1>
    ${facts.error ? html`<div class="fr-alert fr-alert--error fr-mb-3w" role="alert"><p>${facts.error}</p></div>` : ''}
    <p>${facts.demarche
      ? html`Vous allez révoquer la démarche « ${DEMARCHES[facts.demarche].titre} » du mandat de ${facts.usagerName}. Vous ne pourrez plus la réaliser en son nom.`
      : html`Vous allez révoquer le mandat de ${facts.usagerName} : toutes ses démarches en cours (${facts.demarches.map((d) => DEMARCHES[d].titreCourt).join(', ')}) seront révoquées.`}</p>
    <form method="post" action="${revokePath(facts.mandatId)}">
      ${csrfField(context.csrf)}
      ${facts.demarche ? html`<input type="hidden" name="demarche" value="${facts.demarche}">` : ''}
      <ul class="fr-btns-group fr-btns-group--inline">
        <li><button type="submit" class="fr-btn">${facts.demarche ? 'Confirmer la révocation de la démarche' : 'Confirmer la révocation du mandat'}</button></li>
        <li><a class="fr-btn fr-btn--secondary" href="${usagerPath(facts.usagerId)}">Annuler</a></li>
      </ul>
    </form>`);
}
