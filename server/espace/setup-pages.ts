// Pages of a référent's first login: ask for a setup link (an e-mail address), the link's page (the QR code
// of a new authenticator application and its first code), and the link that no longer works.
import type { FieldErrors } from '../../domain/habilitation-form.js';
import { FIRST_LOGIN_PATH } from '../../emails/espace-templates.js';
import { csrfField, errorSummary, input, type Values } from '../web/form.js';
import { html, raw } from '../web/html.js';
import { layout } from '../web/layout.js';

type Notice = { type: 'success' | 'info' | 'error'; message: string };

const hasErrors = (errors: FieldErrors) => Object.keys(errors).length > 0;
const noticeOf = (notice: Notice | undefined) => (notice
  ? html`<div class="fr-alert fr-alert--${notice.type} fr-alert--sm fr-mb-4w" role="${notice.type === 'error' ? 'alert' : 'status'}"><p>${notice.message}</p></div>`
  : '');
const grouped = (secret: string) => secret.replace(/(.{4})/g, '$1 ').trim();

/** The form asking for a setup link; its answer (the same for every address) comes back as a notice. */
export function firstLoginRequestPage(options: { values: Values; errors: FieldErrors; csrf: string; notice?: Notice }): string {
  const { values, errors } = options;
  return layout({ title: 'Première connexion d’un référent', hasFormErrors: hasErrors(errors) }, html`
    <div class="fr-grid-row fr-grid-row--center"><div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
      ${noticeOf(options.notice)}
      <h1>Première connexion d’un référent</h1>
      <p>Vous êtes référent d’une structure habilitée et vous n’avez encore ni carte ni application d’authentification ?
        Saisissez votre adresse e-mail : nous vous enverrons un lien pour ajouter une application d’authentification
        sur votre téléphone et vous connecter à l’espace référent.</p>
      <p class="fr-text--sm">Tous les champs sont obligatoires.</p>
      ${errorSummary(errors)}
      <form method="post" action="${FIRST_LOGIN_PATH}" novalidate>
        ${csrfField(options.csrf)}
        ${input('email', 'Adresse e-mail', values, errors, { type: 'email', autocomplete: 'email', hint: 'Format attendu : nom@domaine.fr' })}
        <button class="fr-btn" type="submit">Recevoir mon lien de première connexion</button>
      </form>
      <p class="fr-mt-4w fr-text--sm">Vous avez déjà une carte ou une application ? <a href="/connexion">Se connecter</a>.
        Vous êtes aidant : votre référent associe votre carte depuis l’espace référent.</p>
    </div></div>`);
}

export interface SetupPageOptions {
  action: string;
  name: string;
  structureName: string;
  qrSvg: string;
  secret: string;
  csrf: string;
  values: Values;
  errors: FieldErrors;
  notice?: Notice;
}

/** A setup link's page: the QR code of a new application and the field of its first code. */
export function setupPage(options: SetupPageOptions): string {
  const { values, errors } = options;
  const svg = options.qrSvg.replace('<svg ', '<svg width="232" height="232" role="img" aria-labelledby="qr-code-label" focusable="false" ');
  return layout({ title: 'Configurer ma connexion', hasFormErrors: hasErrors(errors) }, html`
    <div class="fr-grid-row"><div class="fr-col-12 fr-col-md-10 fr-col-lg-8">
      ${noticeOf(options.notice)}
      <h1>Configurer ma connexion à Aidants Connect</h1>
      <p>Bonjour ${options.name}, vous êtes référent(e) de la structure <strong>${options.structureName}</strong>.
        Pour vous connecter, Aidants Connect vous demandera un code à 6 chiffres donné par une application d’authentification sur votre téléphone.</p>
      <ol>
        <li>Sur votre téléphone, installez ou ouvrez une application d’authentification (FreeOTP, Google Authenticator, Microsoft Authenticator…).</li>
        <li>Scannez ce QR code, ou saisissez la clé ci-dessous.</li>
        <li>Saisissez le code à 6 chiffres que l’application affiche : elle est enregistrée une fois ce code vérifié, et vous êtes connecté(e).</li>
      </ol>
      <figure class="fr-my-4w"><div>${raw(svg)}</div>
        <figcaption id="qr-code-label">QR code à scanner avec l’application d’authentification (compte « Aidants Connect »)</figcaption></figure>
      <p>Clé à saisir si l’application ne peut pas scanner : <code>${grouped(options.secret)}</code> (codes à 6 chiffres, renouvelés toutes les 30 secondes).</p>
      ${errorSummary(errors)}
      <form method="post" action="${options.action}" novalidate>
        ${csrfField(options.csrf)}
        ${input('otp', 'Code affiché par l’application', values, errors, { autocomplete: 'one-time-code', hint: '6 chiffres' })}
        <button class="fr-btn" type="submit">Enregistrer l’application et me connecter</button>
      </form>
      <p class="fr-mt-4w fr-text--sm">Ensuite, pour vous connecter, saisissez votre adresse e-mail et un code de cette application sur la page
        <a href="/connexion">Se connecter</a>.</p>
    </div></div>`);
}

export function setupLinkNotWorkingPage(message: string): string {
  return layout({ title: 'Lien de première connexion expiré' }, html`
    <h1>Lien de première connexion expiré</h1>
    <div class="fr-alert fr-alert--error fr-mb-4w" role="alert"><p>${message}</p></div>
    <p>Un lien de première connexion n’est valable que quelques jours, et une seule fois. Si vous n’avez encore ni carte ni application, demandez-en un nouveau.</p>
    <ul class="fr-btns-group fr-btns-group--inline-md">
      <li><a class="fr-btn" href="${FIRST_LOGIN_PATH}">Demander un nouveau lien</a></li>
      <li><a class="fr-btn fr-btn--secondary" href="/connexion">Se connecter</a></li>
    </ul>`);
}
