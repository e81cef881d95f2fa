// Pages of the login: the form (e-mail + card code), « check your mailbox », the page of a login link (a
// button, so that mail scanners opening links do not use it up), the link that no longer works, and the
// activity check.
import type { FieldErrors } from '../../domain/habilitation-form.js';
import { csrfField, errorSummary, input, type Values } from '../web/form.js';
import { html, type Raw } from '../web/html.js';
import { layout } from '../web/layout.js';
import { espaceLayout } from './layout.js';
import type { EspacePerson } from './session.js';

type Notice = { type: 'success' | 'info' | 'error'; message: string };

const CODE_HINT = 'Appuyez sur le bouton de votre carte ou ouvrez votre application d’authentification';
const hasErrors = (errors: FieldErrors) => Object.keys(errors).length > 0;
const nextField = (next: string | null) => (next ? html`<input type="hidden" name="next" value="${next}">` : '');
const noticeOf = (notice: Notice | undefined) => (notice
  ? html`<div class="fr-alert fr-alert--${notice.type} fr-alert--sm fr-mb-4w" role="${notice.type === 'error' ? 'alert' : 'status'}"><p>${notice.message}</p></div>`
  : '');
const codeField = (values: Values, errors: FieldErrors): Raw =>
  input('otp', 'Code à 6 chiffres', values, errors, { hint: CODE_HINT, autocomplete: 'one-time-code' });

/**
 * The login form. `errors.identification` is the generic refusal (about the e-mail and the code together): it
 * is shown above the form, the fields keep what was typed (never the code).
 */
export function loginPage(options: { values: Values; errors: FieldErrors; csrf: string; next: string | null; notice?: Notice }): string {
  const { values, errors } = options;
  return layout({ title: 'Se connecter', hasFormErrors: hasErrors(errors) }, html`
    ${noticeOf(options.notice)}
    <div class="fr-grid-row fr-grid-row--center"><div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
      <h1>Se connecter à Aidants Connect</h1>
      <p>Espace des aidants et des référents habilités. Saisissez votre adresse e-mail et un code de votre carte ou de votre application : nous vous enverrons un lien de connexion par e-mail.</p>
      <p class="fr-text--sm">Tous les champs sont obligatoires.</p>
      ${errorSummary(errors, { identification: 'field-email' })}
      <form method="post" action="/connexion" novalidate>
        ${csrfField(options.csrf)}
        ${nextField(options.next)}
        ${input('email', 'Adresse e-mail', values, errors, { type: 'email', autocomplete: 'email', hint: 'Format attendu : nom@domaine.fr' })}
        ${codeField({}, errors)}
        <button class="fr-btn" type="submit">Recevoir mon lien de connexion</button>
      </form>
      <p class="fr-mt-4w fr-text--sm">Vous n’avez pas de carte ou elle ne fonctionne plus ? Adressez-vous au référent de votre structure.</p>
      <p class="fr-text--sm"><a href="/connexion/premiere-connexion">Première connexion d’un référent ?</a>
        Recevez par e-mail un lien pour ajouter votre application d’authentification.</p>
    </div></div>`);
}

export function linkSentPage(minutes: number): string {
  return layout({ title: 'Consultez votre messagerie' }, html`
    <h1>Consultez votre messagerie</h1>
    <div class="fr-alert fr-alert--success fr-mb-4w" role="status"><p>Un e-mail vous a été envoyé pour vous connecter.</p></div>
    <p>Ouvrez le lien qu’il contient sur cet appareil. Il n’est valable que ${minutes} minutes et ne sert qu’une fois.</p>
    <p>Vous n’avez rien reçu après quelques minutes ? Vérifiez vos courriers indésirables, puis <a href="/connexion">demandez un nouveau lien</a>.</p>`);
}

/** What a login link opens: a button that uses it (a mail scanner fetching the address uses nothing). */
export function linkPage(action: string, csrf: string): string {
  return layout({ title: 'Connexion' }, html`
    <h1>Connexion à Aidants Connect</h1>
    <p>Cliquez sur le bouton pour ouvrir votre espace.</p>
    <form method="post" action="${action}">
      ${csrfField(csrf)}
      <button class="fr-btn" type="submit">Me connecter</button>
    </form>`);
}

export function linkNotWorkingPage(message: string): string {
  return layout({ title: 'Lien de connexion expiré' }, html`
    <h1>Lien de connexion expiré</h1>
    <div class="fr-alert fr-alert--error fr-mb-4w" role="alert"><p>${message}</p></div>
    <p>Un lien de connexion n’est valable que quelques minutes, et une seule fois.</p>
    <a class="fr-btn" href="/connexion">Demander un nouveau lien</a>`);
}

export function activityCheckPage(person: EspacePerson, options: { errors: FieldErrors; csrf: string; next: string | null }): string {
  return espaceLayout(person, { title: 'Reprise d’activité', csrf: options.csrf, hasFormErrors: hasErrors(options.errors) }, html`
    <div class="fr-grid-row"><div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
      <h1>Votre session a expiré par inactivité</h1>
      <p>Pour votre sécurité, saisissez un nouveau code de votre carte ou de votre application pour continuer là où vous en étiez.</p>
      ${errorSummary(options.errors)}
      <form method="post" action="/reprise-activite" novalidate>
        ${csrfField(options.csrf)}
        ${nextField(options.next)}
        ${codeField({}, options.errors)}
        <button class="fr-btn" type="submit">Continuer</button>
      </form>
    </div></div>`);
}
