// The page the e-mails link to for the training registration when no TRAINING_REGISTRATION_URL is set.
import { html } from '../web/html.js';
import { layout } from '../web/layout.js';

export function trainingRegistrationPage(contactEmail: string): string {
  return layout({ title: 'S’inscrire à la formation' }, html`
    <h1>S’inscrire à la formation Aidants Connect</h1>
    <p class="fr-text--lead">Chaque aidant d’une structure habilitée suit la formation Aidants Connect avant de pouvoir accompagner des usagers. Elle doit être suivie dans les deux mois qui suivent la validation de la structure : la date limite figure dans l’e-mail d’invitation.</p>
    <h2>Comment s’inscrire</h2>
    <ol>
      <li>Écrivez à l’équipe Aidants Connect, à <a href="mailto:${contactEmail}">${contactEmail}</a>, avec vos nom et prénom, votre adresse e-mail professionnelle et le nom de votre structure.</li>
      <li>L’équipe vous propose une session de formation avant votre date limite.</li>
      <li>Une fois la formation suivie, l’équipe l’enregistre : votre compte est activé et vous recevez un e-mail de bienvenue. Votre carte Aidants Connect est ensuite envoyée à votre structure.</li>
    </ol>
    <p>Passé le délai de deux mois sans formation, la demande d’habilitation de l’aidant n’est plus active ; la structure peut demander un nouveau délai à la même adresse.</p>`);
}
