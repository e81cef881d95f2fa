// Pages of the demandeur before and around their requests: identity, « check your mailbox », the expired
// link, the private space listing their requests, « suivre ma demande » (get a new link), and the pages of
// a link or session that no longer opens anything.
import type { FieldErrors } from '../../domain/habilitation-form.js';
import { frenchDate } from '../../domain/duration.js';
import { requestStatusLabel, type RequestStatus } from '../../domain/habilitation.js';
import { csrfField, errorSummary, input, type Values } from '../web/form.js';
import { html } from '../web/html.js';
import { layout } from '../web/layout.js';
import { requestPath, SPACE_PATH } from '../../services/issuers.js';
import { PRIVATE_LINK_DAYS } from '../../services/private-links.js';
import { stepper } from './request-step-pages.js';

export function issuerFormPage(values: Values, errors: FieldErrors, csrfToken: string): string {
  return layout({ title: 'Demande d’habilitation - Vous', hasFormErrors: Object.keys(errors).length > 0 }, html`
    <h1>Demander l’habilitation de ma structure</h1>
    ${stepper(1)}
    <p>Commencez par vous présenter. Nous vous enverrons un lien pour confirmer votre adresse e-mail : votre demande sera ensuite enregistrée à chaque étape, et vous pourrez la reprendre à tout moment.</p>
    <p>Vous avez déjà commencé une demande ? <a href="/habilitation/suivre">Recevoir un nouveau lien vers mon espace demandeur</a>.</p>
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
    <p>Indiquez l’adresse e-mail avec laquelle vous avez fait votre demande : si elle est connue, vous recevrez un nouveau lien personnel vers votre espace demandeur, valable ${PRIVATE_LINK_DAYS} jours.</p>
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
  name: string;
  email: string;
  requests: { id: string; name: string; status: RequestStatus; submittedAt: Date | null; createdAt: Date }[];
}

export function issuerSpacePage(space: IssuerSpace, csrfToken: string): string {
  return layout({ title: 'Mon espace demandeur' }, html`
    <h1>Mon espace demandeur</h1>
    <p>${space.name} (${space.email})</p>
    <h2 class="fr-h4">Mes demandes d’habilitation</h2>
    ${space.requests.length === 0 ? html`<p>Vous n’avez pas encore de demande.</p>` : html`
    <div class="fr-table"><table><caption class="fr-sr-only">Mes demandes d’habilitation</caption>
      <thead><tr><th scope="col">Structure</th><th scope="col">État</th><th scope="col">Date</th></tr></thead>
      <tbody>${space.requests.map((r) => html`<tr>
        <td><a href="${requestPath(r.id)}">${r.name}</a></td>
        <td>${requestStatusLabel(r)}</td>
        <td>${r.submittedAt ? `Transmise le ${frenchDate(r.submittedAt)}` : `Commencée le ${frenchDate(r.createdAt)}`}</td></tr>`)}</tbody>
    </table></div>`}
    <a class="fr-btn" href="${SPACE_PATH}/nouvelle-demande">Commencer une nouvelle demande</a>
    <h2 class="fr-h4 fr-mt-6w">Mes accès</h2>
    <p>Vous êtes entré(e) dans cet espace avec un lien personnel reçu par e-mail, valable ${PRIVATE_LINK_DAYS} jours. Ne le transférez à personne. Sur un ordinateur partagé, déconnectez-vous en partant.</p>
    <p>Un lien a pu être vu par quelqu’un d’autre ? Révoquez tous vos liens : ils cessent aussitôt de fonctionner, ici comme sur tout autre appareil. Vous recevrez un nouveau lien par e-mail avec « Suivre ma demande ».</p>
    <ul class="fr-btns-group fr-btns-group--inline-md">
      <li><form method="post" action="${SPACE_PATH}/deconnexion">${csrfField(csrfToken)}<button class="fr-btn fr-btn--secondary" type="submit">Se déconnecter</button></form></li>
      <li><form method="post" action="${SPACE_PATH}/revoquer">${csrfField(csrfToken)}<button class="fr-btn fr-btn--tertiary" type="submit">Révoquer tous mes liens</button></form></li>
    </ul>`);
}

/**
 * A private link that opens nothing (unknown, expired or revoked: the same page whatever the reason), or a
 * space page reached without a valid session.
 */
export function newLinkNeededPage(reason: 'link' | 'session'): string {
  return layout({ title: reason === 'link' ? 'Lien invalide ou expiré' : 'Accès à votre espace demandeur' }, html`
    <h1>${reason === 'link' ? 'Ce lien n’est pas ou plus valide' : 'Ouvrez votre espace avec le lien reçu par e-mail'}</h1>
    <p class="fr-text--lead">${reason === 'link'
      ? `Un lien personnel est valable ${PRIVATE_LINK_DAYS} jours, et cesse de fonctionner s’il a été révoqué. Il a aussi pu être mal copié.`
      : 'Votre espace demandeur et vos demandes s’ouvrent avec le lien personnel reçu par e-mail. Votre session a pu se terminer, ou ce lien a été révoqué.'}</p>
    <p>Indiquez votre adresse e-mail : vous recevrez un nouveau lien vers votre espace.</p>
    <ul class="fr-btns-group fr-btns-group--inline-md"><li><a class="fr-btn" href="/habilitation/suivre">Recevoir un nouveau lien</a></li></ul>`);
}

export function signedOutPage(revoked: boolean): string {
  return layout({ title: revoked ? 'Liens révoqués' : 'Vous êtes déconnecté(e)' }, html`
    <h1>${revoked ? 'Tous vos liens sont révoqués' : 'Vous êtes déconnecté(e)'}</h1>
    <p class="fr-text--lead">${revoked
      ? 'Les liens envoyés à votre adresse ne permettent plus d’accéder à votre espace, sur aucun appareil. Vos demandes sont conservées.'
      : 'Pour revenir dans votre espace, utilisez le lien reçu par e-mail (s’il est encore valable) ou demandez-en un nouveau.'}</p>
    <ul class="fr-btns-group fr-btns-group--inline-md"><li><a class="fr-btn" href="/habilitation/suivre">Recevoir un nouveau lien</a></li></ul>`);
}
