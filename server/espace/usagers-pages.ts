// Pages of the usagers of the aidant's current structure: the list (tabs active / expired / revoked, a search
// on names, « Expire bientôt ») and one usager with its mandats grouped, each with its démarches, its dates
// and its state. Expired and revoked mandats are shown for a year.
import { DEMARCHES, type Demarche } from '../../domain/demarches.js';
import { frenchDate, frenchDateTime } from '../../domain/duration.js';
import { MANDAT_DURATIONS, MANDAT_STATE_LABELS, renewalDecision, type MandatState } from '../../domain/mandat.js';
import type { MandatView, UsagerMandats, UsagerSummary, UsagersList, UsagerTab } from '../../services/mandats.js';
import { attestationPath, revocationPath } from './attestation-pages.js';
import { html, type Raw } from '../web/html.js';
import { espaceLayout, type EspacePageOptions } from './layout.js';
import type { EspacePerson } from './session.js';

export const USAGERS_PATH = '/espace-aidant/usagers';
export const usagerPath = (usagerId: string) => `${USAGERS_PATH}/${usagerId}`;

/** The tabs as they appear in addresses (?statut=…) and on the page. */
export const TAB_PARAMS: Record<UsagerTab, { param: string; label: string; empty: string }> = {
  active: { param: 'actifs', label: 'Mandats actifs', empty: 'Aucun usager n’a de mandat actif avec votre structure.' },
  expired: { param: 'expires', label: 'Mandats expirés', empty: 'Aucun usager n’a de mandat expiré depuis moins d’un an.' },
  revoked: { param: 'revoques', label: 'Mandats révoqués', empty: 'Aucun usager n’a de mandat révoqué depuis moins d’un an.' },
};

export const USAGER_NOT_FOUND = 'Cet usager est introuvable ou n’a pas de mandat avec votre structure active. S’il a un mandat avec une autre de vos structures, changez de structure pour le voir.';

type PageContext = Pick<EspacePageOptions, 'csrf' | 'notice'>;

const page = (person: EspacePerson, context: PageContext, title: string, body: Raw) =>
  espaceLayout(person, { title, csrf: context.csrf, notice: context.notice, section: 'aidant' }, body);

const usagerName = (usager: { givenName: string; familyName: string; preferredUsername: string | null }) =>
  `${usager.givenName} ${usager.familyName}${usager.preferredUsername && usager.preferredUsername !== usager.familyName ? ` (${usager.preferredUsername})` : ''}`;

/** A FranceConnect birth date: YYYY-MM-DD, with 00 for a day or month unknown (« présumé né »). */
export function birthdateText(birthdate: string): string {
  const [year, month, day] = birthdate.split('-');
  if (month === '00') return `${year} (date présumée)`;
  if (day === '00') return `${month}/${year} (date présumée)`;
  return `${day}/${month}/${year}`;
}

const soonBadge = html`<span class="fr-badge fr-badge--sm fr-badge--warning">Expire bientôt</span>`;
const STATE_BADGE: Record<MandatState, string> = { active: 'success', expired: 'info', revoked: 'error' };
const stateBadge = (state: MandatState) => html`<span class="fr-badge fr-badge--sm fr-badge--${STATE_BADGE[state]}">${MANDAT_STATE_LABELS[state]}</span>`;
const demarchesText = (demarches: Demarche[]) => (demarches.length ? demarches.map((d) => DEMARCHES[d].titreCourt).join(', ') : '—');

function tabs(list: UsagersList, current: UsagerTab, search: string): Raw {
  const query = (tab: UsagerTab) => `?statut=${TAB_PARAMS[tab].param}${search ? `&recherche=${encodeURIComponent(search)}` : ''}`;
  return html`
    <nav aria-label="Usagers selon l’état de leurs mandats">
      <ul class="fr-btns-group fr-btns-group--inline-md">
        ${(Object.keys(TAB_PARAMS) as UsagerTab[]).map((tab) => html`<li><a class="fr-btn${tab === current ? '' : ' fr-btn--secondary'}" href="${query(tab)}"
          ${tab === current ? html`aria-current="page"` : ''}>${TAB_PARAMS[tab].label} (${list.counts[tab]})</a></li>`)}
      </ul>
    </nav>`;
}

function searchForm(current: UsagerTab, search: string): Raw {
  return html`
    <form method="get" action="${USAGERS_PATH}" role="search" class="fr-mb-4w">
      <input type="hidden" name="statut" value="${TAB_PARAMS[current].param}">
      <div class="fr-search-bar" id="recherche-usager">
        <label class="fr-label" for="recherche">Rechercher un usager par son nom</label>
        <input class="fr-input" type="search" id="recherche" name="recherche" value="${search}" maxlength="200" placeholder="Nom ou prénom">
        <button class="fr-btn" type="submit" title="Rechercher">Rechercher</button>
      </div>
    </form>`;
}

function usagerRow(usager: UsagerSummary): Raw {
  const when = usager.tab === 'active'
    ? html`${usager.nextExpiry ? frenchDate(usager.nextExpiry) : '—'}${usager.expiresSoon ? html` ${soonBadge}` : ''}`
    : html`${usager.endedAt ? frenchDate(usager.endedAt) : '—'}`;
  return html`<tr>
    <td><a href="${usagerPath(usager.id)}">${usagerName(usager)}</a></td>
    <td>${birthdateText(usager.birthdate)}</td>
    ${usager.tab === 'active' ? html`<td>${demarchesText(usager.activeDemarches)}</td>` : ''}
    <td>${when}</td>
  </tr>`;
}

export function usagersListPage(person: EspacePerson, context: PageContext, list: UsagersList, current: UsagerTab, search: string): string {
  const endHeader = current === 'active' ? 'Fin du prochain mandat' : current === 'expired' ? 'Expiré le' : 'Révoqué le';
  const body = list.usagers.length === 0
    ? html`<p>${search ? `Aucun usager ne correspond à « ${search} » dans cet onglet.` : TAB_PARAMS[current].empty}</p>`
    : html`<div class="fr-table"><table><caption>${TAB_PARAMS[current].label} : ${list.usagers.length} usager${list.usagers.length > 1 ? 's' : ''}</caption>
        <thead><tr><th scope="col">Usager</th><th scope="col">Date de naissance</th>${current === 'active' ? html`<th scope="col">Démarches</th>` : ''}<th scope="col">${endHeader}</th></tr></thead>
        <tbody>${list.usagers.map(usagerRow)}</tbody>
      </table></div>`;
  return page(person, context, `Usagers et mandats - ${person.organisation.name}`, html`
    <h1>Usagers et mandats</h1>
    <p>Les usagers qui ont donné un mandat à <strong>${person.organisation.name}</strong>. Les mandats expirés ou révoqués restent visibles un an.</p>
    ${searchForm(current, search)}
    ${tabs(list, current, search)}
    ${body}
    <p><a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="/espace-aidant">Retour à l’espace aidant</a></p>`);
}

function mandatBlock(mandat: MandatView): Raw {
  const end = mandat.state === 'active'
    ? html`Expire le ${frenchDateTime(mandat.expiresAt)}${mandat.expiresSoon ? html` ${soonBadge}` : ''}`
    : mandat.state === 'expired' ? html`Expiré le ${frenchDateTime(mandat.expiresAt)}` : html`Révoqué le ${mandat.endedAt ? frenchDateTime(mandat.endedAt) : '—'}`;
  return html`
    <div class="fr-card fr-mb-3w"><div class="fr-card__body"><div class="fr-card__content">
      <h3 class="fr-card__title">${MANDAT_DURATIONS[mandat.duration].label} ${stateBadge(mandat.state)}</h3>
      <p class="fr-card__desc">Signé le ${frenchDateTime(mandat.createdAt)} avec ${mandat.createdByName}. ${end}</p>
      <ul>${mandat.autorisations.map((a) => html`<li>${DEMARCHES[a.demarche].titre}${a.revokedAt
        ? html` — <span class="fr-badge fr-badge--sm fr-badge--error fr-badge--no-icon">révoquée le ${frenchDate(a.revokedAt)}</span>`
        : mandat.state === 'active' ? html` — <span class="fr-badge fr-badge--sm fr-badge--success fr-badge--no-icon">autorisée</span>
          <a class="fr-btn fr-btn--sm fr-btn--tertiary" href="/espace-aidant/mandats/${mandat.id}/revoquer?demarche=${a.demarche}" title="Révoquer la démarche ${DEMARCHES[a.demarche].titreCourt}">Révoquer</a>` : ''}</li>`)}</ul>
      <ul class="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm">
        <li><a class="fr-btn fr-btn--tertiary" href="${attestationPath(mandat.id)}">Attestation<span class="fr-sr-only"> du mandat signé le ${frenchDate(mandat.createdAt)}</span></a></li>
        ${mandat.autorisations.some((a) => a.revokedAt) ? html`<li><a class="fr-btn fr-btn--tertiary" href="${revocationPath(mandat.id)}">Attestation de révocation<span class="fr-sr-only"> du mandat signé le ${frenchDate(mandat.createdAt)}</span></a></li>` : ''}
        ${mandat.state === 'active' ? html`<li><a class="fr-btn fr-btn--secondary" href="/espace-aidant/mandats/${mandat.id}/revoquer">Révoquer le mandat</a></li>` : ''}
      </ul>
    </div></div></div>`;
}

function group(title: string, id: string, mandats: MandatView[], empty: string): Raw {
  return html`<h2 class="fr-h4" id="${id}">${title} (${mandats.length})</h2>
    ${mandats.length ? mandats.map(mandatBlock) : html`<p>${empty}</p>`}`;
}

export function usagerPage(person: EspacePerson, context: PageContext, found: UsagerMandats): string {
  const { usager } = found;
  return page(person, context, `${usagerName(usager)} - Usagers et mandats`, html`
    <nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :"><ol class="fr-breadcrumb__list">
      <li><a class="fr-breadcrumb__link" href="/espace-aidant">Espace aidant</a></li>
      <li><a class="fr-breadcrumb__link" href="${USAGERS_PATH}">Usagers et mandats</a></li>
      <li><a class="fr-breadcrumb__link" aria-current="page">${usagerName(usager)}</a></li>
    </ol></nav>
    <h1>${usagerName(usager)}</h1>
    <p>Né(e) le ${birthdateText(usager.birthdate)}. Mandats donnés à <strong>${person.organisation.name}</strong>.</p>
    ${renewalDecision([...found.active, ...found.expired, ...found.revoked], new Date()).renewable
    ? html`<p><a class="fr-btn fr-btn--secondary fr-icon-refresh-line fr-btn--icon-left" href="${USAGERS_PATH}/${usager.id}/renouveler">Renouveler le mandat</a></p>` : ''}
    ${group('Mandats actifs', 'actifs', found.active, 'Aucun mandat actif.')}
    ${group('Mandats expirés', 'expires', found.expired, 'Aucun mandat expiré depuis moins d’un an.')}
    ${group('Mandats révoqués', 'revoques', found.revoked, 'Aucun mandat révoqué depuis moins d’un an.')}`);
}
