// The public habilitation request pages: the form (errors next to their field, nothing typed is lost)
// and the request's status page reached through its private link.
import type { AidantOnboarding, AidantRequest, RequestMessage } from '../../db/models/index.js';
import { ONBOARDING_STATUSES, PLEDGES, PLEDGE_KEYS, REQUEST_STATUSES, STRUCTURE_TYPES, STRUCTURE_TYPE_KEYS, type OnboardingStatus, type RequestStatus } from '../../domain/habilitation.js';
import { AIDANT_ROWS, type FieldErrors } from '../../domain/habilitation-form.js';
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

export interface FormMode {
  action: string;
  title: string;
  pageTitle: string;
  /** Editing after « Demander des modifications »: the demandeur is known and not edited here. */
  issuer?: { name: string; email: string };
}

const NEW_REQUEST: FormMode = { action: '/habilitation', title: 'Demander l’habilitation de ma structure', pageTitle: 'Demande d’habilitation' };

export function habilitationFormPage(values: Values, errors: FieldErrors, csrfToken: string, mode: FormMode = NEW_REQUEST): string {
  const hasErrors = Object.keys(errors).length > 0;
  const typeError = errors.structureType;
  return layout({ title: mode.pageTitle, hasFormErrors: hasErrors }, html`
    <h1>${mode.title}</h1>
    <p>Les champs marqués d’un astérisque (*) sont obligatoires.</p>
    ${hasErrors ? html`<div class="fr-alert fr-alert--error fr-mb-4w" role="alert"><h2 class="fr-alert__title">Le formulaire contient des erreurs</h2>
      <p>Corrigez les champs signalés ci-dessous : ce que vous avez saisi a été conservé.</p></div>` : ''}
    <form method="post" action="${mode.action}" novalidate>
      <input type="hidden" name="_csrf" value="${csrfToken}">
      ${mode.issuer ? html`<p>Demandeur et référent : <strong>${mode.issuer.name}</strong> (${mode.issuer.email})</p>` : html`
      <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend"><h2 class="fr-h4">Vous, le demandeur</h2></legend>
        <div class="fr-fieldset__element">${input('issuerFirstName', 'Prénom', values, errors, { autocomplete: 'given-name' })}</div>
        <div class="fr-fieldset__element">${input('issuerLastName', 'Nom', values, errors, { autocomplete: 'family-name' })}</div>
        <div class="fr-fieldset__element">${input('issuerEmail', 'Adresse e-mail professionnelle', values, errors, { type: 'email', autocomplete: 'email', hint: 'Format attendu : nom@domaine.fr' })}</div>
        <div class="fr-fieldset__element">${input('issuerProfession', 'Profession', values, errors)}</div>
        <div class="fr-fieldset__element">${input('issuerPhone', 'Téléphone', values, errors, { type: 'tel', autocomplete: 'tel', required: false, hint: 'Un mobile si vous êtes le référent, par exemple 06 12 34 56 78' })}</div>
      </fieldset>`}
      <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend"><h2 class="fr-h4">Le ou la référente de la structure</h2>
          <span class="fr-hint-text">Il ou elle gère les aidants et leurs cartes dans l’espace référent.</span></legend>
        <div class="fr-fieldset__element"><div class="fr-checkbox-group">
          <input type="checkbox" id="field-referentIsIssuer" name="referentIsIssuer" ${values.referentIsIssuer ? raw('checked') : ''}>
          <label class="fr-label" for="field-referentIsIssuer">Le référent, c’est moi</label>
        </div></div>
        <div class="fr-fieldset__element"><p class="fr-text--sm fr-mb-1w">Sinon, indiquez le référent :</p>
          ${input('referentFirstName', 'Prénom du référent', values, errors, { required: false })}
          ${input('referentLastName', 'Nom du référent', values, errors, { required: false })}
          ${input('referentEmail', 'Adresse e-mail du référent', values, errors, { type: 'email', required: false })}
          ${input('referentPhone', 'Téléphone mobile du référent', values, errors, { type: 'tel', required: false, hint: 'Par exemple 06 12 34 56 78' })}
          ${input('referentProfession', 'Profession du référent', values, errors, { required: false })}
        </div>
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
      <fieldset class="fr-fieldset${errors.aidants ? ' fr-fieldset--error' : ''}" ${errors.aidants ? raw('aria-describedby="aidants-error"') : ''}>
        <legend class="fr-fieldset__legend"><h2 class="fr-h4">Les aidants à former</h2>
          <span class="fr-hint-text">Chaque aidant suivra une formation d’une journée dans les deux mois qui suivent la validation.</span></legend>
        <div class="fr-fieldset__element"><div class="fr-checkbox-group">
          <input type="checkbox" id="field-referentIsAidant" name="referentIsAidant" ${values.referentIsAidant ? raw('checked') : ''}>
          <label class="fr-label" for="field-referentIsAidant">Le référent sera aussi aidant (il suivra la formation)</label>
        </div></div>
        ${Array.from({ length: AIDANT_ROWS }, (_, i) => i + 1).map((row) => html`
          <div class="fr-fieldset__element"><p class="fr-text--bold fr-mb-1w">Aidant ${row}${row > 1 ? ' (facultatif)' : ''}</p>
            ${input(`aidant${row}_firstName`, 'Prénom', values, errors, { required: false })}
            ${input(`aidant${row}_lastName`, 'Nom', values, errors, { required: false })}
            ${input(`aidant${row}_email`, 'Adresse e-mail professionnelle', values, errors, { type: 'email', required: false })}
            ${input(`aidant${row}_profession`, 'Profession', values, errors, { required: false })}
          </div>`)}
        ${errors.aidants ? html`<div class="fr-messages-group"><p id="aidants-error" class="fr-message fr-message--error fr-error-text">${errors.aidants}</p></div>` : ''}
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
      <button class="fr-btn" type="submit">${mode.issuer ? 'Renvoyer ma demande modifiée' : 'Soumettre ma demande'}</button>
    </form>`);
}

export function confirmationSentPage(requestId: string, days: number, csrfToken: string): string {
  return layout({ title: 'Confirmez votre adresse e-mail' }, html`
    <h1>Confirmez votre adresse e-mail</h1>
    <div class="fr-alert fr-alert--info fr-mb-4w"><p>Votre demande est enregistrée. Un e-mail vient d’être envoyé à l’adresse indiquée : cliquez sur le lien qu’il contient (valable ${days} jours) pour transmettre la demande au comité de l’ANCT.</p></div>
    <p>Vous n’avez rien reçu ? Vérifiez vos courriers indésirables, puis demandez un nouvel envoi.</p>
    <form method="post" action="/habilitation/demandes/${requestId}/renvoyer">
      <input type="hidden" name="_csrf" value="${csrfToken}">
      <button class="fr-btn fr-btn--secondary" type="submit">Renvoyer l’e-mail de confirmation</button>
    </form>`);
}

export function linkExpiredPage(requestId: string, days: number, csrfToken: string): string {
  return layout({ title: 'Lien expiré' }, html`
    <h1>Ce lien de confirmation a expiré</h1>
    <p class="fr-text--lead">Un lien de confirmation est valable ${days} jours. Votre demande est conservée : demandez un nouveau lien.</p>
    <form method="post" action="/habilitation/demandes/${requestId}/renvoyer">
      <input type="hidden" name="_csrf" value="${csrfToken}">
      <button class="fr-btn" type="submit">Recevoir un nouveau lien</button>
    </form>`);
}

const frenchDate = (date: Date) => date.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' });

export function requestStatusPage(
  request: { id: string; name: string; status: RequestStatus; submittedAt: Date | null; habilitationNumber: string | null },
  aidants: AidantRequest[],
  onboardings: AidantOnboarding[],
  lastMotif: string | null = null,
  thread?: { messages: RequestMessage[]; csrfToken: string; error?: string },
): string {
  const badge = request.status === 'refused' ? 'error' : request.status === 'validated' ? 'success' : 'info';
  const awaitingConfirmation = request.status === 'draft' && !request.submittedAt;
  const onboardingOf = (email: string) => onboardings.find((o) => o.email === email);
  const people = [...onboardings.filter((o) => !aidants.some((a) => a.email === o.email)).map((o) => ({ name: `${o.firstName} ${o.lastName}`, email: o.email })),
    ...aidants.map((a) => ({ name: `${a.firstName} ${a.lastName}`, email: a.email }))];
  return layout({ title: `Demande d’habilitation - ${request.name}` }, html`
    <h1>Demande d’habilitation : ${request.name}</h1>
    <p><span class="fr-badge fr-badge--${badge}">${awaitingConfirmation ? 'En attente de la confirmation de votre adresse e-mail' : REQUEST_STATUSES[request.status]}</span></p>
    ${request.submittedAt ? html`<p>Demande transmise le ${frenchDate(request.submittedAt)}.</p>` : ''}
    ${request.habilitationNumber ? html`<p>Numéro d’habilitation : <strong>${request.habilitationNumber}</strong></p>` : ''}
    ${request.status === 'changes_required' ? html`<div class="fr-alert fr-alert--warning fr-mb-4w"><h2 class="fr-alert__title">L’équipe Aidants Connect demande des modifications</h2>
      <p>${lastMotif ?? ''}</p><p><a class="fr-btn fr-mt-2w" href="/habilitation/demandes/${request.id}/modifier">Modifier ma demande</a></p></div>` : ''}
    ${lastMotif && ['validated', 'refused'].includes(request.status) ? html`<p>Message du comité : ${lastMotif}</p>` : ''}
    <h2 class="fr-h4">Aidants à former</h2>
    <div class="fr-table"><table><caption class="fr-sr-only">Aidants à former et leur étape</caption>
      <thead><tr><th scope="col">Aidant</th><th scope="col">Étape</th><th scope="col">Formation à suivre avant le</th></tr></thead>
      <tbody>${people.map((person) => {
        const onboarding = onboardingOf(person.email);
        return html`<tr><td>${person.name}</td><td>${onboarding ? ONBOARDING_STATUSES[onboarding.status as OnboardingStatus] : 'En attente de la décision du comité'}</td>
          <td>${onboarding && ['awaiting_training', 'lapsed'].includes(onboarding.status) ? frenchDate(onboarding.trainingDeadline) : '—'}</td></tr>`;
      })}</tbody></table></div>
    ${thread && request.submittedAt ? html`
    <h2 class="fr-h4" id="messages">Échanges avec l’équipe Aidants Connect</h2>
    ${thread.messages.length === 0 ? html`<p>Aucun message pour le moment.</p>` : html`<ul class="fr-raw-list">${thread.messages.map((m) => html`
      <li class="fr-mb-2w"><p class="fr-text--sm fr-mb-0">${m.sender === 'anct' ? 'Équipe Aidants Connect' : 'Vous'}, le ${frenchDate(m.createdAt)}</p><p>${m.content}</p></li>`)}</ul>`}
    <form method="post" action="/habilitation/demandes/${request.id}/messages">
      <input type="hidden" name="_csrf" value="${thread.csrfToken}">
      <div class="fr-input-group${thread.error ? ' fr-input-group--error' : ''}">
        <label class="fr-label" for="field-content">Votre message</label>
        <textarea class="fr-input" id="field-content" name="content" rows="4" ${thread.error ? raw('aria-invalid="true" aria-describedby="field-content-error"') : ''}></textarea>
        ${thread.error ? html`<p id="field-content-error" class="fr-error-text">${thread.error}</p>` : ''}
      </div>
      <button class="fr-btn fr-btn--secondary" type="submit">Envoyer</button>
    </form>` : ''}
    <div class="fr-callout"><p class="fr-callout__text">Conservez l’adresse de cette page : c’est votre lien personnel pour suivre la demande. Vous recevrez un e-mail à chaque étape.</p></div>`);
}
