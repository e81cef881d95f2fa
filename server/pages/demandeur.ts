// Pages of the demandeur before and around their requests: identity, « check your mailbox », the expired
// link, the private space listing their requests, and « suivre ma demande » (get one's link again).
import type { FieldErrors } from '../../domain/habilitation-form.js';
import { frenchDate } from '../../domain/duration.js';
import { requestStatusLabel, type RequestStatus } from '../../domain/habilitation.js';
import { csrfField, errorSummary, input, type Values } from '../views/form.js';
import { html } from '../views/html.js';
import { layout } from '../views/layout.js';
import { stepper } from './request-steps.js';

export function issuerFormPage(values: Values, errors: FieldErrors, csrfToken: string): string {
  return layout({ title: 'Demande d’habilitation - Vous', hasFormErrors: Object.keys(errors).length > 0 }, html`
    <h1>Demander l’habilitation de ma structure</h1>
    ${stepper(1)}
    <p>Commencez par vous présenter. Nous vous enverrons un lien pour confirmer votre adresse e-mail : votre demande sera ensuite enregistrée à chaque étape, et vous pourrez la reprendre à tout moment.</p>
    <p>Vous avez déjà commencé une demande ? <a href="/habilitation/suivre">Recevoir à nouveau le lien de mon espace demandeur</a>.</p>
    <p class="fr-text--sm">Les champs marqués d’un astérisque (*) sont obligatoires.</p>
    ${errorSummary(errors)}
    <form method="post" action="/habilitation" novalidate>
      ${csrfField(csrfToken)}
      <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend"><h2 class="fr-h4">Vous, le demandeur</h2></legend>
        <div class="fr-fieldset__element">${input('firstName', 'Prénom', values, errors, { autocomplete: 'given-name' })}</div>
        <div class="fr-fieldset__element">${input('lastName', 'Nom', values, errors, { autocomplete: 'family-name' })}</div>
        <div class="fr-fieldset__element">${input('email', 'Adresse e-mail professionnelle', values, errors, { type: 'email', autocomplete: 'email', hint: 'Format attendu : nom@domaine.fr' })}</div>
        <div class="fr-fieldset__element">${input('profession', 'Profession', values, errors, { autocomplete: 'organization-title' })}</div>
        <div class="fr-fieldset__element">${input('phone', 'Téléphone', values, errors, { type: 'tel', autocomplete: 'tel', required: false, hint: 'Par exemple 01 23 45 67 89' })}</div>
      </fieldset>
      <button class="fr-btn" type="submit">Recevoir le lien de confirmation</button>
    </form>`);
}

export function followRequestPage(values: Values, errors: FieldErrors, csrfToken: string): string {
  return layout({ title: 'Suivre ma demande d’habilitation', hasFormErrors: Object.keys(errors).length > 0 }, html`
    <h1>Suivre ma demande d’habilitation</h1>
    <p>Indiquez l’adresse e-mail avec laquelle vous avez fait votre demande : si elle est connue, vous recevrez le lien de votre espace demandeur.</p>
    ${errorSummary(errors)}
    <form method="post" action="/habilitation/suivre" novalidate>
      ${csrfField(csrfToken)}
      ${input('email', 'Adresse e-mail', values, errors, { type: 'email', autocomplete: 'email' })}
      <button class="fr-btn" type="submit">Recevoir mon lien</button>
    </form>`);
}

/** Shown whatever the address: new, already known, or (for « suivre ») unknown. */
export function checkMailboxPage(resendAction: string | null, days: number, csrfToken: string): string {
  return layout({ title: 'Consultez votre messagerie' }, html`
    <h1>Consultez votre messagerie</h1>
    <div class="fr-alert fr-alert--info fr-mb-4w"><p>Si l’adresse indiquée peut recevoir une demande d’habilitation, un e-mail vient de lui être envoyé. Cliquez sur le lien qu’il contient (valable ${days} jours) pour accéder à votre espace demandeur et enregistrer votre demande.</p></div>
    <p>Vous n’avez rien reçu après quelques minutes ? Vérifiez vos courriers indésirables${resendAction ? ', puis demandez un nouvel envoi' : ''}.</p>
    ${resendAction ? html`<form method="post" action="${resendAction}">
      ${csrfField(csrfToken)}
      <button class="fr-btn fr-btn--secondary" type="submit">Renvoyer l’e-mail</button>
    </form>` : ''}`);
}

export function linkExpiredPage(resendAction: string, days: number, csrfToken: string): string {
  return layout({ title: 'Lien expiré' }, html`
    <h1>Ce lien de confirmation a expiré</h1>
    <p class="fr-text--lead">Un lien de confirmation est valable ${days} jours. Demandez-en un nouveau : il sera envoyé à la même adresse.</p>
    <form method="post" action="${resendAction}">
      ${csrfField(csrfToken)}
      <button class="fr-btn" type="submit">Recevoir un nouveau lien</button>
    </form>`);
}

export interface IssuerSpace {
  id: string;
  name: string;
  email: string;
  requests: { id: string; name: string; status: RequestStatus; submittedAt: Date | null; createdAt: Date }[];
}


export function issuerSpacePage(space: IssuerSpace): string {
  return layout({ title: 'Mon espace demandeur' }, html`
    <h1>Mon espace demandeur</h1>
    <p>${space.name} (${space.email})</p>
    <div class="fr-callout"><p class="fr-callout__text">Cette page est votre accès personnel : conservez son adresse, ne la partagez pas.</p></div>
    <h2 class="fr-h4">Mes demandes d’habilitation</h2>
    ${space.requests.length === 0 ? html`<p>Vous n’avez pas encore de demande.</p>` : html`
    <div class="fr-table"><table><caption class="fr-sr-only">Mes demandes d’habilitation</caption>
      <thead><tr><th scope="col">Structure</th><th scope="col">État</th><th scope="col">Date</th></tr></thead>
      <tbody>${space.requests.map((r) => html`<tr>
        <td><a href="/habilitation/demandes/${r.id}">${r.name}</a></td>
        <td>${requestStatusLabel(r)}</td>
        <td>${r.submittedAt ? `Transmise le ${frenchDate(r.submittedAt)}` : `Commencée le ${frenchDate(r.createdAt)}`}</td></tr>`)}</tbody>
    </table></div>`}
    <a class="fr-btn" href="/habilitation/demandeur/${space.id}/nouvelle-demande">Commencer une nouvelle demande</a>`);
}

export function awaitingIssuerConfirmationPage(resendAction: string, days: number, csrfToken: string): string {
  return layout({ title: 'Adresse e-mail à confirmer' }, html`
    <h1>Confirmez d’abord votre adresse e-mail</h1>
    <p class="fr-text--lead">Votre espace demandeur s’ouvre une fois votre adresse e-mail confirmée, avec le lien reçu par e-mail (valable ${days} jours).</p>
    <form method="post" action="${resendAction}">
      ${csrfField(csrfToken)}
      <button class="fr-btn fr-btn--secondary" type="submit">Renvoyer l’e-mail de confirmation</button>
    </form>`);
}
