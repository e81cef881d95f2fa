// The printable attestation pages (of a mandat, of its revocation): the blocks of attestation-content.ts in
// DSFR markup; the header, navigation, footer and the page's own links are not printed.
import { qrSvg } from '../../services/qr-code.js';
import { html, raw, type Raw } from '../web/html.js';
import type { AttestationDocument, Block } from './attestation-content.js';
import { espaceLayout } from './layout.js';
import type { EspacePerson } from './session.js';

export const MANDATS_PATH = '/espace-aidant/mandats';
export const attestationPath = (mandatId: string) => `${MANDATS_PATH}/${mandatId}/attestation`;
export const revocationPath = (mandatId: string) => `${MANDATS_PATH}/${mandatId}/revocation`;

export const MANDAT_NOT_FOUND = 'Ce mandat est introuvable ou n’appartient pas à votre structure active. S’il a été établi par une autre de vos structures, changez de structure pour le voir.';
export const NOT_REVOKED = 'Ce mandat n’a fait l’objet d’aucune révocation : il n’y a pas d’attestation de révocation à afficher.';

function block(item: Block): Raw {
  switch (item.kind) {
    case 'title': return html`<h1>${item.text}</h1>`;
    case 'heading': return html`<h2 class="fr-h4 fr-mt-4w">${item.text}</h2>`;
    case 'subheading': return html`<h3 class="fr-h6 fr-mb-1w">${item.text}</h3>`;
    case 'paragraph': return html`<p>${item.text}</p>`;
    case 'fields': return html`<dl>${item.rows.map(([label, value]) => html`<div class="fr-mb-1w"><dt class="fr-text--bold">${label}</dt><dd class="fr-ml-0">${value}</dd></div>`)}</dl>`;
    case 'list': return html`<ul>${item.items.map((entry) => html`<li>${entry}</li>`)}</ul>`;
    case 'code': return html`<p class="fr-mb-1w">${item.label} :<br><code>${item.value}</code></p>`;
    case 'qr': return html`<div class="fr-mb-2w" data-qr-url="${item.url}">${raw(qrSvg(item.url, `Code QR de vérification du mandat : ${item.url}`))}</div>`;
  }
}

export function attestationPage(person: EspacePerson, csrf: string, document: AttestationDocument, links: { pdf: string; back: string }): string {
  const actions = html`
    <ul class="fr-btns-group fr-btns-group--inline-md fr-no-print">
      <li><a class="fr-btn fr-icon-download-line fr-btn--icon-left" href="${links.pdf}">Télécharger le PDF</a></li>
      <li><a class="fr-btn fr-btn--secondary" href="${links.back}">Retour à l’usager</a></li>
    </ul>
    <p class="fr-text--sm fr-no-print">Pour l’imprimer, utilisez la fonction d’impression de votre navigateur : l’en-tête et le menu ne sont pas imprimés.</p>`;
  return espaceLayout(person, { title: document.title, csrf, section: 'aidant', printable: true }, html`
    ${actions}
    <article class="fr-mt-2w">${document.blocks.map(block)}</article>`);
}
