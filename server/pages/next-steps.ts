// Pages the e-mails link to for a next step that has no screen of its own yet: how an invited aidant
// registers for the training, and what the aidant and référent space will hold (it opens in the next version;
// until then the ANCT team does with them what the space will do).
import { html } from '../views/html.js';
import { layout } from '../views/layout.js';

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

export function espacePage(contactEmail: string): string {
  return layout({ title: 'Espace aidant et référent' }, html`
    <h1>Espace aidant et référent</h1>
    <div class="fr-alert fr-alert--info fr-alert--sm fr-mb-4w"><p>Cet espace ouvre prochainement. D’ici là, l’équipe Aidants Connect réalise avec vous les étapes ci-dessous : écrivez-lui à <a href="mailto:${contactEmail}">${contactEmail}</a>.</p></div>
    <h2>Ce que vous y ferez</h2>
    <ul>
      <li><strong>Référent</strong> : suivre les aidants de votre structure, et associer à chaque aidant formé la carte Aidants Connect reçue dans le kit de bienvenue, puis la valider avec le code à 6 chiffres qu’elle affiche.</li>
      <li><strong>Aidant</strong> : vous connecter avec votre adresse e-mail et le code de votre carte, puis créer des mandats avec les usagers que vous accompagnez.</li>
    </ul>
    <h2>Comment arrive la carte</h2>
    <p>Une fois le compte de l’aidant activé, l’équipe Aidants Connect envoie le kit de bienvenue (avec la carte) par courrier à l’adresse de la structure. Le référent reçoit un e-mail à l’envoi, avec le numéro de suivi, puis à la livraison.</p>`);
}
