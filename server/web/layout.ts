// The DSFR page layout of every public page (French, accessible: skip links, landmarks, page titles).
import { html, type Raw } from './html.js';

export interface PageOptions {
  title: string;
  /** Marks the title "(Erreur dans le formulaire)" as the DSFR recommends when a form has errors. */
  hasFormErrors?: boolean;
  /** Header tools (the logged-in person, logout) and navigation of the espace pages. */
  headerTools?: Raw;
  navigation?: Raw;
  /** A document meant to be printed (an attestation): the skip links, header and footer are not printed. */
  printable?: boolean;
}

export function layout(options: PageOptions, content: Raw): string {
  const noPrint = options.printable ? ' fr-no-print' : '';
  const title = `${options.hasFormErrors ? 'Erreur dans le formulaire - ' : ''}${options.title} - Aidants Connect`;
  return html`<!doctype html>
<html lang="fr" data-fr-scheme="light">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">
  <title>${title}</title>
  <link rel="stylesheet" href="/dsfr/dsfr.min.css">
  <link rel="stylesheet" href="/dsfr/utility/icons/icons.min.css">
</head>
<body>
  <div class="fr-skiplinks${noPrint}"><nav class="fr-container" role="navigation" aria-label="Accès rapide">
    <ul class="fr-skiplinks__list"><li><a class="fr-link" href="#contenu">Contenu</a></li></ul>
  </nav></div>
  <header role="banner" class="fr-header${noPrint}"><div class="fr-header__body"><div class="fr-container"><div class="fr-header__body-row">
    <div class="fr-header__brand fr-enlarge-link"><div class="fr-header__brand-top">
      <div class="fr-header__logo"><p class="fr-logo">République<br>Française</p></div>
    </div>
    <div class="fr-header__service">
      <a href="/" title="Accueil - Aidants Connect"><p class="fr-header__service-title">Aidants Connect</p></a>
      <p class="fr-header__service-tagline">Sécuriser l’aide aux démarches administratives en ligne</p>
    </div></div>
    ${options.headerTools ? html`<div class="fr-header__tools"><div class="fr-header__tools-links">${options.headerTools}</div></div>` : ''}
  </div></div></div>
  ${options.navigation ? html`<div class="fr-header__menu"><div class="fr-container">${options.navigation}</div></div>` : ''}
  </header>
  <main role="main" id="contenu" class="fr-container fr-my-6w">
${content}
  </main>
  <footer class="fr-footer${noPrint}" role="contentinfo"><div class="fr-container"><div class="fr-footer__body">
    <div class="fr-footer__brand"><p class="fr-logo">République<br>Française</p></div>
    <div class="fr-footer__content"><p class="fr-footer__content-desc">Aidants Connect est un service public numérique de l’Agence nationale de la cohésion des territoires (ANCT).</p></div>
  </div></div></footer>
</body>
</html>`.value;
}
