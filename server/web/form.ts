// DSFR form fields: each shows its error next to it (linked with aria-describedby) and the value typed.
import type { FieldErrors } from '../../domain/habilitation-form.js';
import { html, raw, type Raw } from './html.js';

export type Values = Record<string, string | undefined>;

export interface FieldOptions {
  type?: string;
  hint?: string;
  autocomplete?: string;
  /** Marked with an asterisk unless false. */
  required?: boolean;
}

const errorAttributes = (id: string, error: string | undefined) => (error ? raw(`aria-describedby="${id}-error" aria-invalid="true"`) : '');
const errorText = (id: string, error: string | undefined) => (error ? html`<p id="${id}-error" class="fr-error-text">${error}</p>` : '');
const labelOf = (id: string, label: string, options: FieldOptions) => html`
  <label class="fr-label" for="${id}">${label}${options.required === false ? '' : raw(' <span aria-hidden="true">*</span>')}
    ${options.hint ? html`<span class="fr-hint-text">${options.hint}</span>` : ''}</label>`;

export function input(name: string, label: string, values: Values, errors: FieldErrors, options: FieldOptions = {}): Raw {
  const error = errors[name];
  const id = `field-${name}`;
  return html`
    <div class="fr-input-group${error ? ' fr-input-group--error' : ''}">
      ${labelOf(id, label, options)}
      <input class="fr-input${error ? ' fr-input--error' : ''}" id="${id}" name="${name}" type="${options.type ?? 'text'}"
        value="${values[name] ?? ''}" ${options.autocomplete ? raw(`autocomplete="${options.autocomplete}"`) : ''} ${errorAttributes(id, error)}>
      ${errorText(id, error)}
    </div>`;
}

export function textarea(name: string, label: string, values: Values, errors: FieldErrors, options: FieldOptions = {}): Raw {
  const error = errors[name];
  const id = `field-${name}`;
  return html`
    <div class="fr-input-group${error ? ' fr-input-group--error' : ''}">
      ${labelOf(id, label, options)}
      <textarea class="fr-input${error ? ' fr-input--error' : ''}" id="${id}" name="${name}" rows="4" ${errorAttributes(id, error)}>${values[name] ?? ''}</textarea>
      ${errorText(id, error)}
    </div>`;
}

export function select(name: string, label: string, choices: Record<string, string>, values: Values, errors: FieldErrors): Raw {
  const error = errors[name];
  const id = `field-${name}`;
  return html`
    <div class="fr-select-group${error ? ' fr-select-group--error' : ''}">
      ${labelOf(id, label, {})}
      <select class="fr-select${error ? ' fr-select--error' : ''}" id="${id}" name="${name}" ${errorAttributes(id, error)}>
        <option value="">Sélectionnez une option</option>
        ${Object.entries(choices).map(([key, text]) => html`<option value="${key}" ${values[name] === key ? raw('selected') : ''}>${text}</option>`)}
      </select>
      ${errorText(id, error)}
    </div>`;
}

export function checkbox(name: string, label: string, values: Values, errors: FieldErrors = {}): Raw {
  const error = errors[name];
  const id = `field-${name}`;
  return html`
    <div class="fr-checkbox-group${error ? ' fr-checkbox-group--error' : ''}">
      <input type="checkbox" id="${id}" name="${name}" ${values[name] ? raw('checked') : ''} ${errorAttributes(id, error)}>
      <label class="fr-label" for="${id}">${label}</label>
      ${errorText(id, error)}
    </div>`;
}

/**
 * The alert at the top of a form with errors (the DSFR also prefixes the page title), listing each error with
 * a link to its field. `anchors` names the element of errors that are not about one field.
 */
export function errorSummary(errors: FieldErrors, anchors: Record<string, string> = {}): Raw | '' {
  if (Object.keys(errors).length === 0) return '';
  return html`<div class="fr-alert fr-alert--error fr-mb-4w" role="alert"><h2 class="fr-alert__title">Le formulaire contient des erreurs</h2>
    <p>Corrigez les champs signalés ci-dessous : ce que vous avez saisi a été conservé.</p>
    <ul>${Object.entries(errors).map(([name, message]) => html`<li><a href="#${anchors[name] ?? `field-${name}`}">${message}</a></li>`)}</ul></div>`;
}

export const csrfField = (token: string) => html`<input type="hidden" name="_csrf" value="${token}">`;
