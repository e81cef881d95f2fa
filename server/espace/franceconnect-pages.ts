// The pages of the usager's FranceConnect identification: the French page of a failed identification (the
// reason and a way to start again) and, for development, the page showing who was identified.
import type { Usager } from '../../db/models/index.js';
import { html } from '../web/html.js';
import { espaceLayout } from './layout.js';
import type { EspacePerson } from './session.js';

export function identificationFailedPage(person: EspacePerson, options: { csrf: string; reason: string; retryUrl: string }): string {
  return espaceLayout(person, { title: 'L’identification de l’usager n’a pas abouti', csrf: options.csrf, section: 'aidant' }, html`
    <h1>L’identification de l’usager n’a pas abouti</h1>
    <div class="fr-alert fr-alert--error fr-mb-4w" role="alert">
      <p>${options.reason}</p>
    </div>
    <p>Aucune donnée de l’usager n’a été enregistrée. Vous pouvez recommencer l’identification avec FranceConnect.</p>
    <ul class="fr-btns-group fr-btns-group--inline">
      <li><a class="fr-btn" href="${options.retryUrl}">Recommencer l’identification</a></li>
      <li><a class="fr-btn fr-btn--secondary" href="/espace-aidant">Revenir à l’espace aidant</a></li>
    </ul>`);
}

const GENDERS: Record<string, string> = { female: 'femme', male: 'homme', unspecified: 'non précisé' };

/** Development only (/espace-aidant/franceconnect/essai): the usager FranceConnect identified. */
export function identifiedUsagerPage(person: EspacePerson, options: { csrf: string; usager: Usager; identifiedAt: Date }): string {
  const { usager } = options;
  const row = (label: string, value: string | null) => html`<tr><th scope="row">${label}</th><td>${value ?? '—'}</td></tr>`;
  return espaceLayout(person, { title: 'Usager identifié avec FranceConnect', csrf: options.csrf, section: 'aidant' }, html`
    <h1>Usager identifié avec FranceConnect</h1>
    <p>Page de développement : l’étape qui précédera le récapitulatif du mandat.</p>
    <div class="fr-table"><table>
      <caption>Identité transmise par FranceConnect</caption>
      <tbody>
        ${row('Prénoms', usager.givenName)}
        ${row('Nom de naissance', usager.familyName)}
        ${row('Nom d’usage', usager.preferredUsername)}
        ${row('Date de naissance', usager.birthdate)}
        ${row('Sexe', GENDERS[usager.gender] ?? usager.gender)}
        ${row('Lieu de naissance (code INSEE)', usager.birthplace)}
        ${row('Pays de naissance (code INSEE)', usager.birthcountry)}
        ${row('E-mail', usager.email)}
      </tbody>
    </table></div>
    <p><a class="fr-btn" href="/espace-aidant/franceconnect/essai">Identifier un autre usager</a></p>`);
}
