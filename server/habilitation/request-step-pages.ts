// The steps of a habilitation request (structure, référent, aidants, engagements and envoi), each saved as a
// draft in the demandeur's space. The demandeur's identity is step 1 (pages/demandeur.ts).
import {
  MAX_AIDANTS, REQUEST_STEPS, REQUEST_STEP_KEYS, type FieldErrors, type RequestStep,
} from '../../domain/habilitation-form.js';
import { PLEDGES, PLEDGE_KEYS, STRUCTURE_TYPES } from '../../domain/habilitation.js';
import { checkbox, csrfField, errorSummary, input, select, textarea, type Values } from '../web/form.js';
import { html, raw, type Raw } from '../web/html.js';
import { layout } from '../web/layout.js';
import { requestPath } from '../../services/issuers.js';

const STEP_TITLES = ['Vous, le demandeur', ...Object.values(REQUEST_STEPS)];

/** The DSFR stepper: « Étape n sur 5 » with the next step's title. */
export function stepper(current: number): Raw {
  const next = STEP_TITLES[current];
  return html`<div class="fr-stepper">
    <h2 class="fr-stepper__title">${STEP_TITLES[current - 1]}<span class="fr-stepper__state">Étape ${current} sur ${STEP_TITLES.length}</span></h2>
    <div class="fr-stepper__steps" data-fr-current-step="${current}" data-fr-steps="${STEP_TITLES.length}"></div>
    ${next ? html`<p class="fr-stepper__details"><span class="fr-text--bold">Étape suivante :</span> ${next}</p>` : ''}
  </div>`;
}

export interface StepContext {
  requestId: string | null;
  /** Where the form posts (the new-draft page has no request yet). */
  action: string;
  /** The structure's name once known, and whether the comité asked for changes (the last button then resubmits). */
  structureName?: string;
  resubmission?: boolean;
  csrfToken: string;
  /** Why the demandeur was sent back to this step (from the last one). */
  notice?: string;
}

// The main button comes first in the form: pressing Enter in a field saves and continues.
function stepPage(step: RequestStep, context: StepContext, errors: FieldErrors, body: Raw, extraButton?: Raw): string {
  const index = REQUEST_STEP_KEYS.indexOf(step);
  const previous = index > 0 && context.requestId ? `${requestPath(context.requestId)}/${REQUEST_STEP_KEYS[index - 1]}` : null;
  const title = context.structureName ? `Demande d’habilitation : ${context.structureName}` : 'Nouvelle demande d’habilitation';
  return layout({ title: `${REQUEST_STEPS[step]} - Demande d’habilitation`, hasFormErrors: Object.keys(errors).length > 0 }, html`
    <h1>${title}</h1>
    ${context.resubmission ? html`<div class="fr-alert fr-alert--warning fr-mb-4w"><p>L’équipe Aidants Connect a demandé des modifications : chaque étape est enregistrée, puis renvoyez la demande à la dernière étape.</p></div>` : ''}
    ${context.notice ? html`<div class="fr-alert fr-alert--error fr-mb-4w" role="alert"><p>${context.notice}</p></div>` : ''}
    ${stepper(index + 2)}
    <p class="fr-text--sm">Les champs marqués d’un astérisque (*) sont obligatoires.</p>
    ${errorSummary(errors, { aidants: 'aidants-error', referent: 'recap' })}
    <form method="post" action="${context.action}" novalidate>
      ${csrfField(context.csrfToken)}
      ${body}
      <ul class="fr-btns-group fr-btns-group--inline-md">
        <li><button class="fr-btn" type="submit">${step === 'envoi' ? (context.resubmission ? 'Renvoyer ma demande modifiée' : 'Soumettre ma demande') : 'Enregistrer et continuer'}</button></li>
        ${extraButton ? html`<li>${extraButton}</li>` : ''}
        ${previous && step !== 'envoi' ? html`<li><button class="fr-btn fr-btn--secondary" type="submit" name="direction" value="previous">Enregistrer et revenir à l’étape précédente</button></li>` : ''}
        ${previous && step === 'envoi' ? html`<li><a class="fr-btn fr-btn--secondary" href="${previous}">Étape précédente</a></li>` : ''}
      </ul>
    </form>
    ${context.requestId ? html`<p><a class="fr-link" href="${requestPath(context.requestId)}">Revenir à ma demande</a> (ce qui a été enregistré est conservé)</p>` : ''}`);
}

export function structureStepPage(context: StepContext, values: Values, errors: FieldErrors): string {
  return stepPage('structure', context, errors, html`
    <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend"><h2 class="fr-h4">La structure</h2></legend>
      <div class="fr-fieldset__element">${input('name', 'Nom de la structure', values, errors, { autocomplete: 'organization' })}</div>
      <div class="fr-fieldset__element">${select('type', 'Type de structure', STRUCTURE_TYPES, values, errors)}</div>
      <div class="fr-fieldset__element">${input('typeOther', 'Précisez le type (si « Autre »)', values, errors, { required: false })}</div>
      <div class="fr-fieldset__element">${input('siret', 'Numéro SIRET', values, errors, { hint: '14 chiffres, sans espace' })}</div>
      <div class="fr-fieldset__element">${input('address', 'Adresse', values, errors, { autocomplete: 'street-address' })}</div>
      <div class="fr-fieldset__element">${input('zipcode', 'Code postal', values, errors, { autocomplete: 'postal-code' })}</div>
      <div class="fr-fieldset__element">${input('city', 'Commune', values, errors, { autocomplete: 'address-level2' })}</div>
      <div class="fr-fieldset__element">${checkbox('franceServicesLabel', 'La structure est labellisée France Services', values)}</div>
      <div class="fr-fieldset__element">${input('franceServicesNumber', 'Numéro de labellisation France Services (si labellisée)', values, errors, { required: false })}</div>
      <div class="fr-fieldset__element">${input('webSite', 'Site internet', values, errors, { type: 'url', required: false, hint: 'Par exemple https://www.mairie-exemple.fr' })}</div>
      <div class="fr-fieldset__element">${textarea('missionDescription', 'Missions de la structure', values, errors, { hint: 'L’accompagnement aux démarches que vous proposez, votre public. Facultatif pour une association.' })}</div>
    </fieldset>`);
}

export function referentStepPage(context: StepContext, values: Values, errors: FieldErrors, issuer: { name: string; email: string }): string {
  return stepPage('referent', context, errors, html`
    <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend"><h2 class="fr-h4">Le ou la référente de la structure</h2>
        <span class="fr-hint-text">Il ou elle gère les aidants de la structure et leurs cartes dans l’espace référent.</span></legend>
      <div class="fr-fieldset__element">${checkbox('referentIsIssuer', `Le référent, c’est moi (${issuer.name}, ${issuer.email})`, values)}</div>
      <div class="fr-fieldset__element"><p class="fr-text--sm fr-mb-1w">Sinon, indiquez le référent :</p>
        ${input('firstName', 'Prénom du référent', values, errors, { required: false })}
        ${input('lastName', 'Nom du référent', values, errors, { required: false })}
        ${input('email', 'Adresse e-mail du référent', values, errors, { type: 'email', required: false })}
        ${input('profession', 'Profession du référent', values, errors, { required: false })}
      </div>
      <div class="fr-fieldset__element">${input('phone', 'Téléphone mobile du référent', values, errors, { type: 'tel', hint: 'Un mobile, par exemple 06 12 34 56 78' })}</div>
      <div class="fr-fieldset__element">${checkbox('isAidant', 'Le référent sera aussi aidant (il suivra la formation)', values)}</div>
    </fieldset>`);
}

export function aidantsStepPage(context: StepContext, values: Values, errors: FieldErrors, rows: number): string {
  return stepPage('aidants', context, errors, html`
    <input type="hidden" name="rows" value="${rows}">
    <fieldset class="fr-fieldset${errors.aidants ? ' fr-fieldset--error' : ''}" ${errors.aidants ? raw('aria-describedby="aidants-error"') : ''}>
      <legend class="fr-fieldset__legend"><h2 class="fr-h4">Les aidants à former</h2>
        <span class="fr-hint-text">Chaque aidant suivra une formation d’une journée dans les deux mois qui suivent la validation. Les lignes laissées vides sont ignorées.</span></legend>
      ${Array.from({ length: rows }, (_, i) => i + 1).map((row) => html`
        <div class="fr-fieldset__element"><p class="fr-text--bold fr-mb-1w">Aidant ${row}</p>
          ${input(`aidant${row}_firstName`, 'Prénom', values, errors, { required: false })}
          ${input(`aidant${row}_lastName`, 'Nom', values, errors, { required: false })}
          ${input(`aidant${row}_email`, 'Adresse e-mail professionnelle', values, errors, { type: 'email', required: false })}
          ${input(`aidant${row}_profession`, 'Profession', values, errors, { required: false })}
        </div>`)}
      ${errors.aidants ? html`<div class="fr-messages-group"><p id="aidants-error" class="fr-message fr-message--error fr-error-text">${errors.aidants}</p></div>` : ''}
    </fieldset>`,
  rows < MAX_AIDANTS ? html`<button class="fr-btn fr-btn--tertiary" type="submit" name="addRow" value="1">Ajouter une ligne</button>` : undefined);
}

export interface RequestRecap {
  structure: [string, string][];
  referent: [string, string][];
  aidants: string[];
  referentIsAidant: boolean;
}

export function submitStepPage(context: StepContext, recap: RequestRecap, values: Values, errors: FieldErrors): string {
  const section = (step: RequestStep, rows: Raw) => html`
    <h3 class="fr-h5">${REQUEST_STEPS[step]} <a class="fr-link fr-text--sm" href="${requestPath(context.requestId ?? '')}/${step}">Modifier<span class="fr-sr-only"> : ${REQUEST_STEPS[step]}</span></a></h3>${rows}`;
  const list = (pairs: [string, string][]) => html`<dl>${pairs.map(([k, v]) => html`<dt class="fr-text--bold">${k}</dt><dd>${v || '—'}</dd>`)}</dl>`;
  return stepPage('envoi', context, errors, html`
    <h2 class="fr-h4" id="recap">Récapitulatif</h2>
    ${section('structure', list(recap.structure))}
    ${section('referent', list(recap.referent))}
    ${section('aidants', html`<ul>${[...(recap.referentIsAidant ? ['Le référent (il suivra la formation)'] : []), ...recap.aidants].map((a) => html`<li>${a}</li>`)}</ul>`)}
    ${errors.referent || errors.aidants ? html`<div class="fr-alert fr-alert--error fr-mb-4w"><p>${errors.referent ?? errors.aidants}</p></div>` : ''}
    <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend"><h2 class="fr-h4">Vos engagements</h2></legend>
      ${PLEDGE_KEYS.map((key) => html`<div class="fr-fieldset__element">${checkbox(`pledge_${key}`, PLEDGES[key], values, errors)}</div>`)}
    </fieldset>`);
}
