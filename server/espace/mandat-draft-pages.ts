// The printable draft of the mandat before signing (reference: /creation_mandat/visualisation/projet and
// /traduction): the legal text in force, the structure, the démarches and the duration the aidant chose, blank
// lines for the usager, marked « Projet — non signé »; and, on request, one of the translations the ANCT
// published, in its language and direction, after the French text (which alone is binding).
import { DEMARCHES, type Demarche } from '../../domain/demarches.js';
import { MANDAT_DURATIONS, type MandatDuration } from '../../domain/mandat.js';
import { currentMandatText } from '../../domain/mandat-text.js';
import { translationParagraphs, type TextDirection } from '../../domain/mandat-translation.js';
import { html, raw } from '../web/html.js';
import { espaceLayout } from './layout.js';
import type { EspacePerson } from './session.js';

export const DRAFT_PATH = '/espace-aidant/mandats/nouveau/projet';
export const DRAFT_TITLE = 'Projet de mandat — non signé';
export const DRAFT_ERRORS = {
  noChoice: 'Aucun projet de mandat à imprimer : choisissez d’abord avec l’usager les démarches et la durée du mandat, puis utilisez « Imprimer le projet de mandat ».',
  staleChoice: 'Le choix enregistré n’est plus valable (les démarches autorisées de votre structure ont changé) : choisissez à nouveau les démarches et la durée.',
  unknownTranslation: 'Cette traduction n’est pas disponible : elle n’existe pas, n’est pas publiée ou ne correspond plus au texte en vigueur. Le projet est affiché en français.',
} as const;

export interface DraftTranslation { languageCode: string; nameFr: string; nameNative: string; direction: TextDirection; body: string }

interface Context { csrf: string }

const BLANK = '……………………………………………………………';
const versionDate = (version: string) => (/^\d{4}-\d{2}-\d{2}$/.test(version) ? version.split('-').reverse().join('/') : version);

/** No choice to print (none, another structure's, or no longer valid): say so and lead back to the choice. */
export function draftUnavailablePage(person: EspacePerson, context: Context, message: string, newMandatPath: string): string {
  return espaceLayout(person, { title: 'Projet de mandat', csrf: context.csrf, section: 'aidant' }, html`
    <h1>Projet de mandat</h1>
    <div class="fr-alert fr-alert--error fr-mb-3w" role="alert"><p>${message}</p></div>
    <a class="fr-btn" href="${newMandatPath}">Choisir les démarches et la durée</a>`);
}

export function draftPage(person: EspacePerson, context: Context, facts: {
  demarches: Demarche[]; duration: MandatDuration; translations: DraftTranslation[]; translation: DraftTranslation | null; error?: string;
  newMandatPath: string; franceConnectPath: string;
}): string {
  const text = currentMandatText();
  const organisation = person.organisation;
  const address = [organisation.address, [organisation.zipcode, organisation.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  const chosen = facts.translation?.languageCode ?? '';
  const selector = facts.translations.length === 0 ? html`<p class="fr-text--sm">Aucune traduction du mandat n’est publiée pour le moment.</p>` : html`
    <form method="get" action="${DRAFT_PATH}" class="fr-mb-3w">
      <div class="fr-select-group">
        <label class="fr-label" for="field-langue">Joindre une traduction du mandat
          <span class="fr-hint-text">Traductions publiées par l’ANCT, imprimées après le texte français, qui seul fait foi.</span></label>
        <select class="fr-select" id="field-langue" name="langue">
          <option value="" ${chosen === '' ? raw('selected') : ''}>Aucune (texte en français seulement)</option>
          ${facts.translations.map((t) => html`<option value="${t.languageCode}" ${chosen === t.languageCode ? raw('selected') : ''}>${t.nameFr} — ${t.nameNative}</option>`)}
        </select>
      </div>
      <button type="submit" class="fr-btn fr-btn--secondary">Afficher la traduction</button>
    </form>`;
  const actions = html`
    <div class="fr-no-print">
      ${facts.error ? html`<div class="fr-alert fr-alert--error fr-mb-3w" role="alert"><p>${facts.error}</p></div>` : ''}
      <p class="fr-text--sm">Pour l’imprimer, utilisez la fonction d’impression de votre navigateur : l’en-tête, le menu et ces boutons ne sont pas imprimés.</p>
      ${selector}
      <ul class="fr-btns-group fr-btns-group--inline-md">
        <li><a class="fr-btn" href="${facts.franceConnectPath}">Continuer : identifier l’usager avec FranceConnect</a></li>
        <li><a class="fr-btn fr-btn--secondary" href="${facts.newMandatPath}">Modifier les démarches ou la durée</a></li>
      </ul>
    </div>`;
  const translation = facts.translation ? html`
    <section class="fr-mt-6w" aria-labelledby="traduction-titre">
      <h2 id="traduction-titre">Traduction : ${facts.translation.nameFr} (<span lang="${facts.translation.languageCode}">${facts.translation.nameNative}</span>)</h2>
      <p class="fr-text--sm">Traduction fournie à titre d’information par l’ANCT : seul le texte en français ci-dessus fait foi.</p>
      <div lang="${facts.translation.languageCode}" dir="${facts.translation.direction}" id="traduction">
        ${translationParagraphs(facts.translation.body).map((lines) => html`<p>${lines.map((line, i) => html`${i > 0 ? raw('<br>') : ''}${line}`)}</p>`)}
      </div>
    </section>` : '';
  return espaceLayout(person, { title: DRAFT_TITLE, csrf: context.csrf, section: 'aidant', printable: true }, html`
    ${actions}
    <article class="fr-mt-2w">
      <p class="fr-badge fr-badge--warning fr-badge--no-icon" id="projet-non-signe">Projet — non signé</p>
      <h1>Projet de mandat</h1>
      <p><strong>Ce document est un projet, remis avant la signature : il ne vaut pas mandat.</strong> Le mandat n’existe qu’une fois
        l’usager identifié avec FranceConnect et le mandat signé par l’aidant avec sa carte Aidants Connect ; l’attestation est alors remise à l’usager.</p>
      <p>${text.title}. Texte du mandat : version du ${versionDate(text.version)}.</p>
      <h2 class="fr-h4 fr-mt-4w">Les parties</h2>
      <dl>
        <div class="fr-mb-1w"><dt class="fr-text--bold">Structure (mandataire)</dt><dd class="fr-ml-0">${organisation.name}</dd></div>
        <div class="fr-mb-1w"><dt class="fr-text--bold">Adresse de la structure</dt><dd class="fr-ml-0">${address || '—'}</dd></div>
        ${organisation.habilitationNumber ? html`<div class="fr-mb-1w"><dt class="fr-text--bold">Numéro d’habilitation</dt><dd class="fr-ml-0">${organisation.habilitationNumber}</dd></div>` : ''}
        <div class="fr-mb-1w"><dt class="fr-text--bold">Aidant</dt><dd class="fr-ml-0">${person.user.firstName} ${person.user.lastName}</dd></div>
        <div class="fr-mb-1w"><dt class="fr-text--bold">Usager (mandant) : nom et prénoms</dt><dd class="fr-ml-0">${BLANK}</dd></div>
        <div class="fr-mb-1w"><dt class="fr-text--bold">Date et lieu de naissance</dt><dd class="fr-ml-0">${BLANK}</dd></div>
      </dl>
      <h2 class="fr-h4 fr-mt-4w">Démarches couvertes</h2>
      <ul id="projet-demarches">${facts.demarches.map((d) => html`<li>${DEMARCHES[d].titre}</li>`)}</ul>
      <h2 class="fr-h4 fr-mt-4w">Durée</h2>
      <p id="projet-duree">Mandat ${MANDAT_DURATIONS[facts.duration].text}, à compter de sa signature (${MANDAT_DURATIONS[facts.duration].label}).</p>
      <h2 class="fr-h4 fr-mt-4w">Texte du mandat</h2>
      ${text.sections.map((section) => html`<h3 class="fr-h6 fr-mb-1w">${section.heading}</h3>${section.paragraphs.map((p) => html`<p>${p}</p>`)}`)}
      <h2 class="fr-h4 fr-mt-4w">Signatures</h2>
      <p>Fait à ${BLANK}, le ${BLANK}</p>
      <p>Signature de l’usager : ${BLANK}</p>
      <p>Signature de l’aidant : ${BLANK}</p>
      ${translation}
    </article>`);
}
