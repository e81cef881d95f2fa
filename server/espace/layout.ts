// The layout of the espace pages: the DSFR layout with the person, their current structure, the navigation
// between the espace aidant and the espace référent, and the logout button.
import { csrfField } from '../web/form.js';
import { html, raw, type Raw } from '../web/html.js';
import { layout } from '../web/layout.js';
import type { EspacePerson } from './session.js';

export interface EspacePageOptions {
  title: string;
  hasFormErrors?: boolean;
  /** The CSRF token of the page (the logout form needs one). */
  csrf: string;
  /** Which navigation entry is current. */
  section?: 'aidant' | 'referent';
  /** A one-time notice shown above the content (after an action). */
  notice?: { type: 'success' | 'info' | 'error'; message: string };
  /** A document meant to be printed: header, navigation and footer are left out of the print. */
  printable?: boolean;
}

export function espaceLayout(person: EspacePerson, options: EspacePageOptions, content: Raw): string {
  const current = (section: EspacePageOptions['section']) => (options.section === section ? raw('aria-current="page"') : '');
  const tools = html`
    <ul class="fr-btns-group">
      <li><span class="fr-btn fr-icon-account-line">${person.user.firstName} ${person.user.lastName} · ${person.organisation.name}</span></li>
      <li><form method="post" action="/deconnexion">${csrfField(options.csrf)}<button type="submit" class="fr-btn fr-icon-logout-box-r-line">Se déconnecter</button></form></li>
    </ul>`;
  const navigation = html`
    <nav class="fr-nav" role="navigation" aria-label="Menu principal"><ul class="fr-nav__list">
      <li class="fr-nav__item"><a class="fr-nav__link" href="/espace-aidant" ${current('aidant')}>Espace aidant</a></li>
      ${person.membership.isReferent ? html`<li class="fr-nav__item"><a class="fr-nav__link" href="/espace-referent" ${current('referent')}>Espace référent</a></li>` : ''}
    </ul></nav>`;
  const notice = options.notice
    ? html`<div class="fr-alert fr-alert--${options.notice.type} fr-alert--sm fr-mb-4w" role="${options.notice.type === 'error' ? 'alert' : 'status'}"><p>${options.notice.message}</p></div>`
    : '';
  return layout({ title: options.title, hasFormErrors: options.hasFormErrors, headerTools: tools, navigation, printable: options.printable }, html`${notice}${content}`);
}
