import { html } from './html.js';
import { layout } from './layout.js';

export function homePage(): string {
  return layout({ title: 'Accueil' }, html`
    <h1>Aidants Connect</h1>
    <p class="fr-text--lead">Aidants Connect permet à un aidant professionnel habilité de réaliser des démarches administratives en ligne pour le compte d’une personne qui ne peut pas les faire seule, de manière légale et sécurisée, sans jamais connaître son mot de passe.</p>
    <div class="fr-grid-row fr-grid-row--gutters">
      <div class="fr-col-12 fr-col-md-6"><div class="fr-card"><div class="fr-card__body"><div class="fr-card__content">
        <h2 class="fr-card__title"><a href="/habilitation">Habiliter ma structure</a></h2>
        <p class="fr-card__desc">CCAS, mairie, association, France Services : demandez l’habilitation de votre structure et la formation de vos aidants.</p>
      </div></div></div></div>
      <div class="fr-col-12 fr-col-md-6"><div class="fr-card"><div class="fr-card__body"><div class="fr-card__content">
        <h2 class="fr-card__title"><a href="/admin">Back-office ANCT</a></h2>
        <p class="fr-card__desc">Espace réservé aux équipes de l’ANCT : comité d’habilitation, suivi des formations, cartes et mandats.</p>
      </div></div></div></div>
    </div>`);
}
