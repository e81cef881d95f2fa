// The public habilitation request pages: the form (errors next to their field, nothing typed is lost)
// and the request's status page reached through its private link.
import { PLEDGES, PLEDGE_KEYS, REQUEST_STATUSES, STRUCTURE_TYPES, STRUCTURE_TYPE_KEYS, type RequestStatus } from '../../domain/habilitation.js';
import type { FieldErrors } from '../../domain/habilitation-form.js';
import { html, raw, type Raw } from '../views/html.js';
import { layout } from '../views/layout.js';

type Values = Record<string, string | undefined>;

function input(name: string, label: string, values: Values, errors: FieldErrors, options: { type?: string; hint?: string; autocomplete?: string; required?: boolean } = {}): Raw {
  const error = errors[name];
  const id = `field-${name}`;
  return html`
    <div class="fr-input-group${error ? ' fr-input-group--error' : ''}">
      <label class="fr-label" for="${id}">${label}${options.required === false ? '' : raw(' <span aria-hidden="true">*</span>')}
        ${options.hint ? html`<span class="fr-hint-text">${options.hint}</span>` : ''}</label>
      <input class="fr-input${error ? ' fr-input--error' : ''}" id="${id}" name="${name}" type="${options.type ?? 'text'}"
        value="${values[name] ?? ''}" ${options.autocomplete ? raw(`autocomplete="${options.autocomplete}"`) : ''}
        ${error ? raw(`aria-describedby="${id}-error" aria-invalid="true"`) : ''}>
      ${error ? html`<p id="${id}-error" class="fr-error-text">${error}</p>` : ''}
    </div>`;
}

export function habilitationFormPage(values: Values, errors: FieldErrors, csrfToken: string): string {
  const hasErrors = Object.keys(errors).length > 0;
  const typeError = errors.structureType;
  return layout({ title: 'Demande d’habilitation', hasFormErrors: hasErrors }, html`
    <h1>Demander l’habilitation de ma structure</h1>
    <p>Les champs marqués d’un astérisque (*) sont obligatoires.</p>
    ${hasErrors ? html`<div class="fr-alert fr-alert--error fr-mb-4w" role="alert"><h2 class="fr-alert__title">Le formulaire contient des erreurs</h2>
      <p>Corrigez les champs signalés ci-dessous : ce que vous avez saisi a été conservé.</p></div>` : ''}
    <form method="post" action="/habilitation" novalidate>
      <input type="hidden" name="_csrf" value="${csrfToken}">
      <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend"><h2 class="fr-h4">Vous, le demandeur</h2></legend>
        <div class="fr-fieldset__element">${input('issuerFirstName', 'Prénom', values, errors, { autocomplete: 'given-name' })}</div>
        <div class="fr-fieldset__element">${input('issuerLastName', 'Nom', values, errors, { autocomplete: 'family-name' })}</div>
        <div class="fr-fieldset__element">${input('issuerEmail', 'Adresse e-mail professionnelle', values, errors, { type: 'email', autocomplete: 'email', hint: 'Format attendu : nom@domaine.fr' })}</div>
        <div class="fr-fieldset__element">${input('issuerProfession', 'Profession', values, errors)}</div>
        <div class="fr-fieldset__element">${input('issuerPhone', 'Téléphone', values, errors, { type: 'tel', autocomplete: 'tel', required: false, hint: 'Par exemple 06 12 34 56 78' })}</div>
      </fieldset>
      <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend"><h2 class="fr-h4">La structure</h2></legend>
        <div class="fr-fieldset__element">${input('structureName', 'Nom de la structure', values, errors)}</div>
        <div class="fr-fieldset__element"><div class="fr-select-group${typeError ? ' fr-select-group--error' : ''}">
          <label class="fr-label" for="field-structureType">Type de structure <span aria-hidden="true">*</span></label>
          <select class="fr-select${typeError ? ' fr-select--error' : ''}" id="field-structureType" name="structureType" ${typeError ? raw('aria-describedby="field-structureType-error" aria-invalid="true"') : ''}>
            <option value="">Sélectionnez un type</option>
            ${STRUCTURE_TYPE_KEYS.map((key) => html`<option value="${key}" ${values.structureType === key ? raw('selected') : ''}>${STRUCTURE_TYPES[key]}</option>`)}
          </select>
          ${typeError ? html`<p id="field-structureType-error" class="fr-error-text">${typeError}</p>` : ''}
        </div></div>
        <div class="fr-fieldset__element">${input('structureTypeOther', 'Précisez le type (si « Autre »)', values, errors, { required: false })}</div>
        <div class="fr-fieldset__element">${input('siret', 'Numéro SIRET', values, errors, { hint: '14 chiffres, sans espace' })}</div>
        <div class="fr-fieldset__element">${input('address', 'Adresse', values, errors, { autocomplete: 'street-address' })}</div>
        <div class="fr-fieldset__element">${input('zipcode', 'Code postal', values, errors, { autocomplete: 'postal-code' })}</div>
        <div class="fr-fieldset__element">${input('city', 'Commune', values, errors)}</div>
        <div class="fr-fieldset__element"><div class="fr-checkbox-group">
          <input type="checkbox" id="field-franceServicesLabel" name="franceServicesLabel" ${values.franceServicesLabel ? raw('checked') : ''}>
          <label class="fr-label" for="field-franceServicesLabel">La structure est labellisée France Services</label>
        </div></div>
        <div class="fr-fieldset__element">${input('franceServicesNumber', 'Numéro de labellisation France Services', values, errors, { required: false })}</div>
      </fieldset>
      <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend"><h2 class="fr-h4">Vos engagements</h2></legend>
        ${PLEDGE_KEYS.map((key) => {
          const name = `pledge_${key}`;
          const error = errors[name];
          return html`<div class="fr-fieldset__element"><div class="fr-checkbox-group${error ? ' fr-checkbox-group--error' : ''}">
            <input type="checkbox" id="field-${name}" name="${name}" ${values[name] ? raw('checked') : ''} ${error ? raw(`aria-describedby="field-${name}-error"`) : ''}>
            <label class="fr-label" for="field-${name}">${PLEDGES[key]}</label>
            ${error ? html`<p id="field-${name}-error" class="fr-error-text">${error}</p>` : ''}
          </div></div>`;
        })}
      </fieldset>
      <button class="fr-btn" type="submit">Soumettre ma demande</button>
    </form>`);
}

export function requestStatusPage(request: { id: string; name: string; status: RequestStatus; submittedAt: Date | null; habilitationNumber: string | null }): string {
  const badge = request.status === 'refused' ? 'error' : request.status === 'validated' ? 'success' : 'info';
  return layout({ title: `Demande d’habilitation - ${request.name}` }, html`
    <h1>Demande d’habilitation : ${request.name}</h1>
    <p><span class="fr-badge fr-badge--${badge}">${REQUEST_STATUSES[request.status]}</span></p>
    ${request.submittedAt ? html`<p>Demande soumise le ${request.submittedAt.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' })}.</p>` : ''}
    ${request.habilitationNumber ? html`<p>Numéro d’habilitation : <strong>${request.habilitationNumber}</strong></p>` : ''}
    <div class="fr-callout"><p class="fr-callout__text">Conservez l’adresse de cette page : c’est votre lien personnel pour suivre la demande. Vous recevrez un e-mail à chaque étape.</p></div>`);
}
