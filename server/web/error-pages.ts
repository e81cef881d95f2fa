// French error pages: never a stack trace, always a way back.
import { html } from './html.js';
import { layout } from './layout.js';

const MESSAGES: Record<number, { title: string; text: string }> = {
  400: { title: 'Requête incorrecte', text: 'La demande envoyée n’est pas valide. Vérifiez les informations saisies puis réessayez.' },
  403: { title: 'Accès refusé', text: 'Vous n’avez pas les droits nécessaires pour accéder à cette page.' },
  404: { title: 'Page introuvable', text: 'La page que vous cherchez est introuvable. Vérifiez l’adresse ou revenez à l’accueil.' },
  409: { title: 'Action impossible', text: 'Cette action n’est plus possible dans l’état actuel du dossier.' },
  503: { title: 'Service momentanément indisponible', text: 'Le service est momentanément indisponible. Vos informations sont enregistrées ; réessayez dans quelques minutes.' },
  500: { title: 'Erreur inattendue', text: 'Une erreur inattendue s’est produite. L’équipe technique en a été informée ; réessayez dans quelques minutes.' },
};

export function errorPage(status: number, detail?: string): string {
  const message = MESSAGES[status] ?? MESSAGES[500];
  return layout({ title: message.title }, html`
    <div class="fr-grid-row"><div class="fr-col-12 fr-col-md-8">
      <h1>${message.title}</h1>
      <p class="fr-text--sm fr-mb-3w">Erreur ${status}</p>
      <p class="fr-text--lead">${detail ?? message.text}</p>
      <ul class="fr-btns-group fr-btns-group--inline-md"><li><a class="fr-btn" href="/">Page d’accueil</a></li></ul>
    </div></div>`);
}
