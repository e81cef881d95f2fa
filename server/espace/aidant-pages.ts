// The home page of the espace aidant: what the person can do (tiles), their structures with the switch, their
// cards, the way to the espace référent, and the CGU to accept when a new version is out (never blocking).
import type { Card } from '../../db/models/index.js';
import { CARD_KINDS, type CardKind } from '../../domain/cards.js';
import { frenchDate } from '../../domain/duration.js';
import { CGU_URL, CGU_VERSION, membershipRole } from '../../domain/espace.js';
import type { FieldErrors } from '../../domain/habilitation-form.js';
import { checkbox, csrfField } from '../web/form.js';
import { html, type Raw } from '../web/html.js';
import { espaceLayout, type EspacePageOptions } from './layout.js';
import type { EspacePerson } from './session.js';

export interface AidantHome {
  cards: Card[];
  contactEmail: string;
  csrf: string;
  notice?: EspacePageOptions['notice'];
  /** Errors of the CGU form (the checkbox not ticked). */
  cguErrors?: FieldErrors;
}

const tile = (title: Raw | string, description: string, detail?: Raw) => html`
  <div class="fr-col-12 fr-col-md-4"><div class="fr-tile fr-tile--horizontal${typeof title === 'string' ? '' : ' fr-enlarge-link'}">
    <div class="fr-tile__body"><div class="fr-tile__content">
      <h3 class="fr-tile__title">${title}</h3>
      <p class="fr-tile__desc">${description}</p>
      ${detail ? html`<p class="fr-tile__detail">${detail}</p>` : ''}
    </div></div>
  </div></div>`;

function cguBanner(csrf: string, errors: FieldErrors): Raw {
  return html`
    <div class="fr-callout fr-mb-4w" id="cgu">
      <h2 class="fr-callout__title">Nouvelles conditions générales d’utilisation</h2>
      <p class="fr-callout__text">Les conditions générales d’utilisation d’Aidants Connect ont changé (version ${CGU_VERSION}).
        <a href="${CGU_URL}" target="_blank" rel="noopener" title="Lire les conditions générales d’utilisation - nouvelle fenêtre">Lire les conditions générales d’utilisation</a>, puis acceptez-les.</p>
      <form method="post" action="/espace-aidant/cgu" novalidate>
        ${csrfField(csrf)}
        ${checkbox('acceptCgu', `J’ai lu et j’accepte les conditions générales d’utilisation d’Aidants Connect (version ${CGU_VERSION})`, {}, errors)}
        <button class="fr-btn fr-mt-2w" type="submit">Valider</button>
      </form>
    </div>`;
}

function structures(person: EspacePerson, csrf: string): Raw {
  return html`
    <h2 class="fr-h4">Mes structures</h2>
    <ul class="fr-raw-list">
      ${person.memberships.map((m) => html`<li class="fr-mb-2w">
        <strong>${m.organisation.name}</strong> — ${membershipRole(m)}
        ${m.organisationId === person.organisation.id
          ? html` <span class="fr-badge fr-badge--sm fr-badge--success">Structure actuelle</span>`
          : html`<form method="post" action="/espace-aidant/structure" class="fr-mt-1w">
              ${csrfField(csrf)}<input type="hidden" name="organisationId" value="${m.organisationId}">
              <button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit">Passer sur ${m.organisation.name}</button>
            </form>`}
      </li>`)}
    </ul>`;
}

function cardsList(cards: Card[]): Raw {
  if (cards.length === 0) return html`<p>Aucune carte n’est associée à votre compte. Le référent de votre structure peut vous en associer une depuis son espace.</p>`;
  return html`<ul>${cards.map((card) => html`<li>
    ${CARD_KINDS[card.kind as CardKind]}${card.serialNumber ? html` n° ${card.serialNumber}` : ''} —
    ${!card.isFunctional ? 'hors service' : card.validatedAt ? `validée le ${frenchDate(card.validatedAt)}` : 'en attente de validation par votre référent'}
  </li>`)}</ul>`;
}

export function aidantHomePage(person: EspacePerson, home: AidantHome): string {
  const { membership } = person;
  const cguErrors = home.cguErrors ?? {};
  return espaceLayout(person, { title: 'Espace aidant', csrf: home.csrf, section: 'aidant', notice: home.notice, hasFormErrors: Object.keys(cguErrors).length > 0 }, html`
    <h1>Bonjour ${person.user.firstName} ${person.user.lastName}</h1>
    <p class="fr-text--lead">Vous êtes sur l’espace de la structure <strong>${person.organisation.name}</strong>.</p>
    ${person.user.acceptedCguVersion !== CGU_VERSION ? cguBanner(home.csrf, cguErrors) : ''}
    <div class="fr-grid-row fr-grid-row--gutters fr-mb-4w">
      ${membership.canCreateMandats ? html`
        ${tile(html`<a href="/espace-aidant/mandats/nouveau">Créer un mandat</a>`, 'Accompagner un usager dans ses démarches en son nom, après son accord.')}
        ${tile(html`<a href="/espace-aidant/usagers">Accéder aux mandats</a>`, 'Retrouver les usagers et leurs mandats, les renouveler ou les révoquer.')}` : ''}
      ${tile(html`<a href="mailto:${home.contactEmail}">Contacter l’équipe</a>`, `Une question, un problème avec votre carte ? Écrivez-nous à ${home.contactEmail}.`)}
    </div>
    ${membership.canCreateMandats ? '' : html`<p>Votre compte ne permet pas de créer de mandats dans cette structure.</p>`}
    ${membership.isReferent ? html`<p><a class="fr-link fr-icon-arrow-right-line fr-link--icon-right" href="/espace-referent">Accéder à l’espace référent de ${person.organisation.name}</a></p>` : ''}
    <div class="fr-grid-row fr-grid-row--gutters">
      <div class="fr-col-12 fr-col-md-6">${structures(person, home.csrf)}</div>
      <div class="fr-col-12 fr-col-md-6"><h2 class="fr-h4">Ma carte</h2>${cardsList(home.cards)}</div>
    </div>`);
}
