// The pages of a refusal that is not the person's fault: too many submissions from their address (429), or
// the service briefly unavailable (503, the database or Temporal unreachable). A form posted during an outage
// comes back with what was typed, ready to be sent again.
import { html, type Raw } from './html.js';
import { layout } from './layout.js';

export function tooManyRequestsPage(minutes: number): string {
  return layout({ title: 'Trop de demandes' }, html`
    <div class="fr-grid-row"><div class="fr-col-12 fr-col-md-8">
      <h1>Trop de demandes</h1>
      <p class="fr-text--sm fr-mb-3w">Erreur 429</p>
      <p class="fr-text--lead">Trop de formulaires ont été envoyés depuis votre connexion en peu de temps.
        Réessayez dans ${minutes <= 1 ? 'une minute' : `${minutes} minutes`}.</p>
      <p>Ce que vous avez saisi n’a pas été enregistré : revenez à la page précédente avec le bouton « Retour » de votre
        navigateur pour le retrouver.</p>
      <ul class="fr-btns-group fr-btns-group--inline-md"><li><a class="fr-btn" href="/">Page d’accueil</a></li></ul>
    </div></div>`);
}

export interface Resend {
  /** Where the form was posted (same origin: a path). */
  action: string;
  fields: Record<string, string | string[]>;
  csrfToken: string;
}

export function unavailablePage(resend?: Resend): string {
  const hidden = (name: string, value: string): Raw => html`<input type="hidden" name="${name}" value="${value}">`;
  const form = resend ? html`
      <p>Ce que vous avez saisi n’a pas été enregistré, mais cette page l’a gardé : dans quelques instants, appuyez sur
        « Renvoyer le formulaire ». Vous pouvez aussi revenir à la page précédente avec le bouton « Retour » de votre
        navigateur, où vos informations sont encore saisies.</p>
      <form method="post" action="${resend.action}">
        ${hidden('_csrf', resend.csrfToken)}
        ${Object.entries(resend.fields).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => hidden(name, v)))}
        <ul class="fr-btns-group fr-btns-group--inline-md">
          <li><button class="fr-btn" type="submit">Renvoyer le formulaire</button></li>
          <li><a class="fr-btn fr-btn--secondary" href="/">Page d’accueil</a></li>
        </ul>
      </form>` : html`
      <ul class="fr-btns-group fr-btns-group--inline-md"><li><a class="fr-btn" href="/">Page d’accueil</a></li></ul>`;
  return layout({ title: 'Service momentanément indisponible' }, html`
    <div class="fr-grid-row"><div class="fr-col-12 fr-col-md-8">
      <h1>Service momentanément indisponible</h1>
      <p class="fr-text--sm fr-mb-3w">Erreur 503</p>
      <p class="fr-text--lead">Aidants Connect est momentanément indisponible. Réessayez dans quelques minutes.</p>
      ${form}
    </div></div>`);
}
