// The back-office login page (French, DSFR): e-mail, password, then the 6-digit code of the authenticator.
import { html } from '../server/web/html.js';
import { layout } from '../server/web/layout.js';

export function adminLoginPage(options: { csrfToken: string; error?: string; email?: string }): string {
  return layout({ title: 'Connexion au back-office ANCT', hasFormErrors: Boolean(options.error) }, html`
    <div class="fr-grid-row fr-grid-row--center"><div class="fr-col-12 fr-col-md-6">
      <h1>Back-office ANCT</h1>
      <p>Espace réservé aux équipes de l’ANCT. Connectez-vous avec votre adresse e-mail, votre mot de passe et le code à 6 chiffres de votre application d’authentification.</p>
      ${options.error ? html`<div class="fr-alert fr-alert--error fr-mb-3w" role="alert"><p>${options.error}</p></div>` : ''}
      <form method="post" action="/admin/login">
        <input type="hidden" name="_csrf" value="${options.csrfToken}">
        <div class="fr-input-group"><label class="fr-label" for="email">Adresse e-mail</label>
          <input class="fr-input" id="email" name="email" type="email" autocomplete="username" required value="${options.email ?? ''}"></div>
        <div class="fr-input-group"><label class="fr-label" for="password">Mot de passe</label>
          <input class="fr-input" id="password" name="password" type="password" autocomplete="current-password" required></div>
        <div class="fr-input-group"><label class="fr-label" for="otp">Code à 6 chiffres<span class="fr-hint-text">Affiché par votre application d’authentification</span></label>
          <input class="fr-input" id="otp" name="otp" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required></div>
        <button class="fr-btn" type="submit">Se connecter</button>
      </form>
    </div></div>`);
}
