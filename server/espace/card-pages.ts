// Pages of the cards in the espace référent: a person's cards and what can be done with them, link a
// physical card by its serial number, validate it with a code, unlink it with a reason, add or remove an
// authenticator application (QR code), and the référent's own application.
import { frenchDate } from '../../domain/duration.js';
import type { FieldErrors } from '../../domain/habilitation-form.js';
import { UNLINK_REASONS } from '../../domain/cards.js';
import type { Card } from '../../db/models/index.js';
import type { PersonCards } from '../../services/cards.js';
import { csrfField, errorSummary, input, textarea, type Values } from '../web/form.js';
import { html, raw, type Raw } from '../web/html.js';
import { espaceLayout } from './layout.js';
import type { EspacePerson } from './session.js';

export interface PageContext {
  person: EspacePerson;
  csrf: string;
  notice?: { type: 'success' | 'info' | 'error'; message: string };
}

/** The person whose cards a page is about. */
export interface CardHolder {
  id: string;
  name: string;
  /** Active account and active member of the structure: a card can be added. */
  active: boolean;
  /** The référent's own cards (mon-application). */
  self: boolean;
}

export const cardPath = (aidantId: string, rest = '') => `/espace-referent/aidants/${aidantId}/carte${rest}`;
export const OWN_APPLICATION_PATH = '/espace-referent/mon-application';

const hasErrors = (errors: FieldErrors) => Object.keys(errors).length > 0;

function page(context: PageContext, title: string, errors: FieldErrors, body: Raw): string {
  return espaceLayout(context.person, { title, csrf: context.csrf, section: 'referent', notice: context.notice, hasFormErrors: hasErrors(errors) }, body);
}

const back = (href: string, label: string) => html`<p><a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="${href}">${label}</a></p>`;
const backToHolder = (holder: CardHolder) => (holder.self ? back(OWN_APPLICATION_PATH, 'Mon application') : back(cardPath(holder.id), `Les cartes de ${holder.name}`));

function physicalCardTile(holder: CardHolder, card: Card | null): Raw {
  if (!card) {
    return html`<p>Aucune carte physique n’est associée.</p>
      ${holder.active ? html`<p><a class="fr-btn" href="${cardPath(holder.id, '/physique')}">Associer une carte physique</a></p>` : ''}`;
  }
  const actions = html`<ul class="fr-btns-group fr-btns-group--inline-md">
      ${card.validatedAt ? '' : html`<li><a class="fr-btn" href="${cardPath(holder.id, '/valider')}">Valider la carte</a></li>`}
      <li><a class="fr-btn fr-btn--secondary" href="${cardPath(holder.id, '/supprimer')}">Supprimer la carte</a></li>
    </ul>`;
  return html`<p>Carte n° <strong>${card.serialNumber}</strong> —
      ${card.validatedAt ? `validée le ${frenchDate(card.validatedAt)}` : 'associée, à valider avec un code lu sur la carte'}.</p>${actions}`;
}

function applicationTile(holder: CardHolder, card: Card | null): Raw {
  if (!card) {
    return html`<p>Aucune application d’authentification n’est ajoutée.</p>
      ${holder.active ? html`<p><a class="fr-btn" href="${cardPath(holder.id, '/application')}">Ajouter une application (carte numérique)</a></p>` : ''}`;
  }
  return html`<p>Application ajoutée le ${frenchDate(card.validatedAt ?? card.createdAt)}.</p>
    <p><a class="fr-btn fr-btn--secondary" href="${cardPath(holder.id, '/application/supprimer')}">Supprimer l’application</a></p>`;
}

/** The choice page: a physical card or an application, each with what can be done now. */
export function cardChoicePage(context: PageContext, holder: CardHolder, cards: PersonCards): string {
  return page(context, `Cartes de ${holder.name}`, {}, html`
    ${back('/espace-referent', 'Espace référent')}
    <h1>Les cartes de ${holder.name}</h1>
    <p>Pour se connecter, chaque aidant saisit un code à 6 chiffres affiché par sa carte physique ou par une application
      d’authentification installée sur son téléphone (carte numérique).</p>
    ${holder.active ? '' : html`<div class="fr-alert fr-alert--warning fr-mb-4w"><p>Ce profil est désactivé dans votre structure : aucune carte ni application ne peut lui être associée. Vous pouvez encore supprimer celles qu’il a.</p></div>`}
    <div class="fr-grid-row fr-grid-row--gutters">
      <section class="fr-col-12 fr-col-md-6"><div class="fr-card fr-p-3w"><h2 class="fr-h4">Carte physique</h2>${physicalCardTile(holder, cards.physical)}</div></section>
      <section class="fr-col-12 fr-col-md-6"><div class="fr-card fr-p-3w"><h2 class="fr-h4">Carte numérique (application)</h2>${applicationTile(holder, cards.digital)}</div></section>
    </div>`);
}

export function linkCardPage(context: PageContext, holder: CardHolder, values: Values, errors: FieldErrors): string {
  return page(context, `Associer une carte physique à ${holder.name}`, errors, html`
    ${backToHolder(holder)}
    <h1>Associer une carte physique à ${holder.name}</h1>
    <p>Saisissez le numéro de série inscrit au dos de la carte. Vous la validerez ensuite avec un code qu’elle affiche.</p>
    ${errorSummary(errors)}
    <form method="post" action="${cardPath(holder.id, '/physique')}" novalidate>
      ${csrfField(context.csrf)}
      ${input('serialNumber', 'Numéro de série de la carte', values, errors, { autocomplete: 'off', hint: 'Par exemple GADT0000042' })}
      <button class="fr-btn" type="submit">Associer la carte</button>
    </form>`);
}

export function validateCardPage(context: PageContext, holder: CardHolder, serialNumber: string, values: Values, errors: FieldErrors): string {
  return page(context, `Valider la carte de ${holder.name}`, errors, html`
    ${backToHolder(holder)}
    <h1>Valider la carte n° ${serialNumber}</h1>
    <p>Appuyez sur le bouton de la carte, puis saisissez les 6 chiffres qu’elle affiche : la carte sera alors prête pour les connexions de ${holder.name}.</p>
    ${errorSummary(errors)}
    <form method="post" action="${cardPath(holder.id, '/valider')}" novalidate>
      ${csrfField(context.csrf)}
      ${input('code', 'Code affiché par la carte', values, errors, { autocomplete: 'one-time-code', hint: '6 chiffres' })}
      <button class="fr-btn" type="submit">Valider la carte</button>
    </form>`);
}

function reasonRadios(values: Values, errors: FieldErrors): Raw {
  const error = errors.reason;
  return html`
    <fieldset class="fr-fieldset${error ? ' fr-fieldset--error' : ''}" id="field-reason" ${error ? raw('aria-labelledby="field-reason-legend field-reason-error" role="group"') : raw('aria-labelledby="field-reason-legend"')}>
      <legend class="fr-fieldset__legend" id="field-reason-legend">Raison de la suppression <span aria-hidden="true">*</span></legend>
      ${Object.entries(UNLINK_REASONS).map(([key, label]) => html`
        <div class="fr-fieldset__element"><div class="fr-radio-group">
          <input type="radio" id="field-reason-${key}" name="reason" value="${key}" ${values.reason === key ? raw('checked') : ''}>
          <label class="fr-label" for="field-reason-${key}">${label}</label>
        </div></div>`)}
      ${error ? html`<div class="fr-messages-group" id="field-reason-error"><p class="fr-message fr-message--error">${error}</p></div>` : ''}
    </fieldset>`;
}

export function unlinkCardPage(context: PageContext, holder: CardHolder, serialNumber: string, values: Values, errors: FieldErrors): string {
  return page(context, `Supprimer la carte de ${holder.name}`, errors, html`
    ${backToHolder(holder)}
    <h1>Supprimer la carte n° ${serialNumber} de ${holder.name}</h1>
    <p>La carte ne permettra plus à ${holder.name} de se connecter et retournera dans le stock. Indiquez pourquoi.</p>
    ${errorSummary(errors, { reason: 'field-reason' })}
    <form method="post" action="${cardPath(holder.id, '/supprimer')}" novalidate>
      ${csrfField(context.csrf)}
      ${reasonRadios(values, errors)}
      ${textarea('other', 'Précisions', values, errors, { required: false, hint: 'Obligatoire pour la raison « Autre » (500 caractères au plus)' })}
      <button class="fr-btn" type="submit">Supprimer la carte</button>
    </form>`);
}

export interface ApplicationSetup {
  /** The QR code (inline SVG) of the otpauth URI. */
  qrSvg: string;
  /** The base32 secret, for an application that cannot scan. */
  secret: string;
  uri: string;
}

const grouped = (secret: string) => secret.replace(/(.{4})/g, '$1 ').trim();

/** Adds an application: its QR code, its secret as text, and the first code that confirms it. */
export function applicationPage(context: PageContext, holder: CardHolder, setup: ApplicationSetup, values: Values, errors: FieldErrors): string {
  const action = holder.self ? OWN_APPLICATION_PATH : cardPath(holder.id, '/application');
  const whose = holder.self ? 'votre téléphone' : `le téléphone de ${holder.name}`;
  const svg = setup.qrSvg.replace('<svg ', '<svg width="232" height="232" role="img" aria-labelledby="qr-code-label" focusable="false" ');
  return page(context, holder.self ? 'Mon application d’authentification' : `Ajouter une application pour ${holder.name}`, errors, html`
    ${holder.self ? back('/espace-referent', 'Espace référent') : backToHolder(holder)}
    <h1>${holder.self ? 'Ajouter mon application d’authentification' : `Ajouter une application pour ${holder.name}`}</h1>
    <ol>
      <li>Sur ${whose}, ouvrez une application d’authentification (FreeOTP, Google Authenticator, Microsoft Authenticator…).</li>
      <li>Scannez ce QR code, ou saisissez la clé ci-dessous.</li>
      <li>Saisissez le code à 6 chiffres que l’application affiche : elle ne sera enregistrée qu’une fois ce code vérifié.</li>
    </ol>
    <figure class="fr-my-4w"><div>${raw(svg)}</div>
      <figcaption id="qr-code-label">QR code à scanner avec l’application d’authentification (compte « Aidants Connect »)</figcaption></figure>
    <p>Clé à saisir si l’application ne peut pas scanner : <code>${grouped(setup.secret)}</code> (codes à 6 chiffres, renouvelés toutes les 30 secondes).</p>
    ${errorSummary(errors)}
    <form method="post" action="${action}" novalidate>
      ${csrfField(context.csrf)}
      ${input('code', 'Code affiché par l’application', values, errors, { autocomplete: 'one-time-code', hint: '6 chiffres' })}
      <button class="fr-btn" type="submit">Enregistrer l’application</button>
    </form>`);
}

/** Confirms the removal of an application. */
export function removeApplicationPage(context: PageContext, holder: CardHolder): string {
  const action = holder.self ? `${OWN_APPLICATION_PATH}/supprimer` : cardPath(holder.id, '/application/supprimer');
  return page(context, holder.self ? 'Supprimer mon application' : `Supprimer l’application de ${holder.name}`, {}, html`
    ${backToHolder(holder)}
    <h1>${holder.self ? 'Supprimer mon application d’authentification' : `Supprimer l’application de ${holder.name}`}</h1>
    <p>Les codes de cette application ne permettront plus de se connecter. Une nouvelle application pourra être ajoutée ensuite.</p>
    <form method="post" action="${action}">
      ${csrfField(context.csrf)}
      <button class="fr-btn" type="submit">Supprimer l’application</button>
    </form>`);
}

/** The référent's own application: what they have, and how to add or remove it. */
export function ownApplicationPage(context: PageContext, card: Card): string {
  return page(context, 'Mon application d’authentification', {}, html`
    ${back('/espace-referent', 'Espace référent')}
    <h1>Mon application d’authentification</h1>
    <p>Une application d’authentification sur votre téléphone vous donne les codes à 6 chiffres qui vous permettent de vous connecter, sans carte physique.</p>
    <p>Application ajoutée le ${frenchDate(card.validatedAt ?? card.createdAt)}.</p>
    <p><a class="fr-btn fr-btn--secondary" href="${OWN_APPLICATION_PATH}/supprimer">Supprimer mon application</a></p>`);
}
