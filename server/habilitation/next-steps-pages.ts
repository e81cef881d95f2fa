// The page the e-mails link to for the training registration when no TRAINING_REGISTRATION_URL is set: how
// the training goes, for the aidant (who has no account yet: their référent registers them) and the référent.
import { html } from '../web/html.js';
import { layout } from '../web/layout.js';

export function trainingRegistrationPage(contactEmail: string): string {
  return layout({ title: 'S’inscrire à la formation' }, html`
    <h1>S’inscrire à la formation Aidants Connect</h1>
    <p class="fr-text--lead">Chaque aidant d’une structure habilitée suit la formation Aidants Connect avant de pouvoir accompagner des usagers. Elle doit être suivie dans les deux mois qui suivent la validation de la structure : la date limite figure dans l’e-mail d’invitation.</p>
    <h2>Comment s’inscrire</h2>
    <ol>
      <li>L’équipe Aidants Connect publie des sessions de formation, en présentiel ou à distance.</li>
      <li>Le ou la référente de la structure inscrit chaque aidant à une session qui se termine avant sa date limite, depuis son espace référent (rubrique « Formations »). L’aidant n’a rien à faire : il ou elle reçoit un e-mail avec la date et le lieu de la session, comme les référents de la structure. Le référent peut changer de session ou annuler l’inscription jusqu’au début de la session.</li>
      <li>Après la session, l’équipe enregistre la présence de chaque aidant : son compte est activé et il ou elle reçoit un e-mail de bienvenue. Sa carte Aidants Connect est ensuite envoyée à la structure.</li>
    </ol>
    <ul class="fr-btns-group fr-btns-group--inline-md">
      <li><a class="fr-btn" href="/espace-referent/formations">Je suis référent : inscrire les aidants</a></li>
    </ul>
    <p>Aucune session ne convient avant la date limite ? Écrivez à l’équipe Aidants Connect, à <a href="mailto:${contactEmail}">${contactEmail}</a>, avec le nom de l’aidant et de la structure.</p>
    <p>Passé le délai de deux mois sans formation, la demande d’habilitation de l’aidant n’est plus active ; la structure peut demander un nouveau délai à la même adresse.</p>`);
}
