// The aidant's pages of a démarche on behalf of a usager (FranceConnect sent them here): step 1, the usager
// among those with an active mandat in the current structure (with a search); step 2, the démarche among
// that usager's active autorisations. And the plain error pages of the protocol (400, 403, 408).
import { DEMARCHES, type Demarche } from '../../domain/demarches.js';
import { ARGENT_WARNING } from '../../domain/mandat.js';
import type { UsagerSummary } from '../../services/mandats.js';
import { birthdateText } from '../espace/usagers-pages.js';
import { espaceLayout } from '../espace/layout.js';
import type { EspacePerson } from '../espace/session.js';
import { csrfField } from '../web/form.js';
import { html } from '../web/html.js';
import { layout } from '../web/layout.js';

export const interactionPath = (id: string) => `/espace-aidant/fournisseur-identite/${id}`;

const TITLES: Record<number, string> = { 400: 'Requête incorrecte', 403: 'Accès refusé', 408: 'Délai dépassé' };

/** An answer in place (never a redirect): the status, what was wrong, and for the aidant a way back. */
export function protocolErrorPage(status: 400 | 403 | 408, text: string, technical?: string): string {
  return layout({ title: TITLES[status]! }, html`
    <div class="fr-grid-row"><div class="fr-col-12 fr-col-md-8">
      <h1>${TITLES[status]}</h1>
      <p class="fr-text--sm fr-mb-3w">Erreur ${status}${technical ? html` : <code>${technical}</code>` : ''}</p>
      <p class="fr-text--lead">${text}</p>
      <ul class="fr-btns-group fr-btns-group--inline-md"><li><a class="fr-btn" href="/espace-aidant">Espace aidant</a></li></ul>
    </div></div>`);
}

const steps = (current: 1 | 2, title: string) => html`
  <div class="fr-stepper">
    <h1 class="fr-stepper__title">${title}<span class="fr-stepper__state">Étape ${current} sur 2</span></h1>
    <div class="fr-stepper__steps" data-fr-current-step="${current}" data-fr-steps="2"></div>
  </div>`;

export function usagerChoicePage(person: EspacePerson, csrf: string, id: string, usagers: Pick<UsagerSummary, 'id' | 'givenName' | 'familyName' | 'birthdate'>[], search: string, error?: string): string {
  const action = `${interactionPath(id)}/usager`;
  const list = usagers.length === 0
    ? html`<p>${search ? 'Aucun usager ne correspond à cette recherche.' : 'Aucun usager n’a de mandat actif avec votre structure pour les démarches demandées.'}</p>`
    : html`
      <form method="post" action="${action}">${csrfField(csrf)}
        <fieldset class="fr-fieldset${error ? ' fr-fieldset--error' : ''}" ${error ? html`aria-describedby="usager-error"` : ''}>
          <legend class="fr-fieldset__legend">Personne accompagnée</legend>
          ${usagers.map((u) => html`
            <div class="fr-fieldset__element"><div class="fr-radio-group">
              <input type="radio" id="usager-${u.id}" name="usager" value="${u.id}">
              <label class="fr-label" for="usager-${u.id}">${u.givenName} ${u.familyName}<span class="fr-hint-text">Né(e) le ${birthdateText(u.birthdate)}</span></label>
            </div></div>`)}
          ${error ? html`<p id="usager-error" class="fr-error-text">${error}</p>` : ''}
        </fieldset>
        <button type="submit" class="fr-btn">Continuer</button>
      </form>`;
  return espaceLayout(person, { title: 'Choisir la personne accompagnée', csrf, section: 'aidant', hasFormErrors: Boolean(error) }, html`
    ${steps(1, 'Choisir la personne accompagnée')}
    <form method="get" action="${interactionPath(id)}" role="search" class="fr-mb-4w">
      <div class="fr-search-bar" role="search">
        <label class="fr-label" for="recherche">Rechercher un usager</label>
        <input class="fr-input" type="search" id="recherche" name="recherche" value="${search}" placeholder="Nom ou prénom">
        <button class="fr-btn" type="submit">Rechercher</button>
      </div>
    </form>
    ${list}`);
}

export function demarcheChoicePage(person: EspacePerson, csrf: string, id: string, usager: { givenName: string; familyName: string }, demarches: { demarche: string }[], error?: string): string {
  const hasArgent = demarches.some((d) => d.demarche === 'argent');
  return espaceLayout(person, { title: 'Choisir la démarche', csrf, section: 'aidant', hasFormErrors: Boolean(error) }, html`
    ${steps(2, 'Choisir la démarche')}
    <p>Personne accompagnée : <strong>${usager.givenName} ${usager.familyName}</strong> — <a class="fr-link" href="${interactionPath(id)}">Changer de personne accompagnée</a></p>
    ${demarches.length === 0 ? html`<p>Cette personne n’a plus d’autorisation active pour les démarches demandées.</p>` : html`
    <form method="post" action="${interactionPath(id)}/demarche">${csrfField(csrf)}
      <fieldset class="fr-fieldset${error ? ' fr-fieldset--error' : ''}" ${error ? html`aria-describedby="demarche-error"` : ''}>
        <legend class="fr-fieldset__legend">Démarche</legend>
        ${demarches.map(({ demarche }) => html`
          <div class="fr-fieldset__element"><div class="fr-radio-group">
            <input type="radio" id="demarche-${demarche}" name="demarche" value="${demarche}">
            <label class="fr-label" for="demarche-${demarche}">${DEMARCHES[demarche as Demarche].titre}</label>
          </div></div>`)}
        ${error ? html`<p id="demarche-error" class="fr-error-text">${error}</p>` : ''}
      </fieldset>
      ${hasArgent ? html`<div class="fr-alert fr-alert--warning fr-alert--sm fr-mb-3w"><p>${ARGENT_WARNING}</p></div>` : ''}
      <button type="submit" class="fr-btn">Valider</button>
    </form>`}`);
}

