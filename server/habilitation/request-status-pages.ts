// The private page of one habilitation request: its state, each aidant's step and training deadline, the
// message thread with the ANCT team, and the way back into the form while it may be edited.
import type { AidantOnboarding, AidantRequest, RequestMessage } from '../../db/models/index.js';
import {
  canCancelOnboarding, ONBOARDING_STATUSES, requestStatusLabel, type OnboardingStatus, type RequestStatus,
} from '../../domain/habilitation.js';
import { frenchDate } from '../../domain/duration.js';
import { REQUEST_STEPS, type RequestStep } from '../../domain/habilitation-form.js';
import { csrfField } from '../web/form.js';
import { html, raw } from '../web/html.js';
import { layout } from '../web/layout.js';
import { requestPath, SPACE_PATH } from '../../services/issuers.js';

/** A cancellation posted with an invalid motif: shown again next to its aidant. */
export interface CancelForm { onboardingId: string; error: string; reason: string }

function cancelCell(requestId: string, onboarding: AidantOnboarding | undefined, csrfToken: string | undefined, cancel: CancelForm | undefined) {
  if (!onboarding) return '—';
  if (onboarding.status === 'cancelled') return html`Motif : ${onboarding.cancelReason ?? ''}`;
  if (!canCancelOnboarding(onboarding.status as OnboardingStatus) || !csrfToken) return '—';
  const id = `field-reason-${onboarding.id}`;
  const error = cancel?.onboardingId === onboarding.id ? cancel : undefined;
  return html`<form method="post" action="${requestPath(requestId)}/aidants/${onboarding.id}/annuler">
    ${csrfField(csrfToken)}
    <div class="fr-input-group${error ? ' fr-input-group--error' : ''}">
      <label class="fr-label fr-text--sm" for="${id}">Motif de l’annulation</label>
      <input class="fr-input${error ? ' fr-input--error' : ''}" id="${id}" name="reason" value="${error?.reason ?? ''}" ${error ? raw(`aria-invalid="true" aria-describedby="${id}-error"`) : ''}>
      ${error ? html`<p id="${id}-error" class="fr-error-text">${error.error}</p>` : ''}
    </div>
    <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">Annuler l’habilitation de cet aidant</button>
  </form>`;
}

/** An aidant's step while the request has started no onboarding for them: it depends on the request's state. */
export function aidantStepBeforeOnboarding(request: { status: RequestStatus; submittedAt: Date | null }): string {
  if (request.status === 'draft') return request.submittedAt ? 'Demande en cours de transmission au comité' : 'Demande pas encore transmise';
  if (request.status === 'changes_required') return 'En attente des modifications demandées';
  if (request.status === 'awaiting_comite') return 'En attente de la décision du comité';
  if (request.status === 'validated') return 'Inscription à la formation en cours';
  return request.status === 'refused' ? 'Demande refusée' : 'Demande clôturée';
}

export function requestStatusPage(
  request: {
    id: string; name: string; status: RequestStatus; submittedAt: Date | null; habilitationNumber: string | null;
    referentFirstName: string | null; referentLastName: string | null; referentEmail: string | null; referentIsAidant: boolean;
  },
  aidants: AidantRequest[],
  onboardings: AidantOnboarding[],
  lastMotif: string | null = null,
  thread?: { messages: RequestMessage[]; csrfToken: string; error?: string },
  /** The step to continue with while the demandeur may edit the request. */
  nextStep: RequestStep | null = null,
  cancel?: CancelForm,
): string {
  const badge = request.status === 'refused' ? 'error' : request.status === 'validated' ? 'success' : 'info';
  const draft = request.status === 'draft' && !request.submittedAt;
  const onboardingOf = (email: string) => onboardings.find((o) => o.email === email);
  // The référent who trains is listed too (before validation they have no onboarding yet).
  const trainingReferent = request.referentIsAidant && request.referentEmail && !onboardingOf(request.referentEmail)
    ? [{ name: `${request.referentFirstName ?? ''} ${request.referentLastName ?? ''} (référent)`, email: request.referentEmail }] : [];
  const people = [...onboardings.filter((o) => !aidants.some((a) => a.email === o.email)).map((o) => ({ name: `${o.firstName} ${o.lastName}`, email: o.email })),
    ...trainingReferent, ...aidants.map((a) => ({ name: `${a.firstName} ${a.lastName}`, email: a.email }))];
  return layout({ title: `Demande d’habilitation - ${request.name}` }, html`
    <h1>Demande d’habilitation : ${request.name}</h1>
    <p><span class="fr-badge fr-badge--${badge}">${requestStatusLabel(request)}</span></p>
    ${request.submittedAt ? html`<p>Demande transmise le ${frenchDate(request.submittedAt)}.</p>` : ''}
    ${request.habilitationNumber ? html`<p>Numéro d’habilitation : <strong>${request.habilitationNumber}</strong></p>` : ''}
    ${request.status === 'changes_required' ? html`<div class="fr-alert fr-alert--warning fr-mb-4w"><h2 class="fr-alert__title">L’équipe Aidants Connect demande des modifications</h2>
      <p>${lastMotif ?? ''}</p><p><a class="fr-btn fr-mt-2w" href="${requestPath(request.id)}/structure">Modifier ma demande</a></p></div>` : ''}
    ${draft && nextStep ? html`<div class="fr-alert fr-alert--info fr-mb-4w"><h2 class="fr-alert__title">Votre demande n’est pas encore transmise</h2>
      <p>Elle est enregistrée comme brouillon. Prochaine étape : ${REQUEST_STEPS[nextStep]}.</p>
      <p><a class="fr-btn fr-mt-2w" href="${requestPath(request.id)}/${nextStep}">Reprendre ma demande</a></p></div>` : ''}
    ${lastMotif && ['validated', 'refused'].includes(request.status) ? html`<p>Message du comité : ${lastMotif}</p>` : ''}
    <h2 class="fr-h4" id="aidants">Aidants à former</h2>
    <div class="fr-table"><table><caption class="fr-sr-only">Aidants à former et leur étape</caption>
      <thead><tr><th scope="col">Aidant</th><th scope="col">Étape</th><th scope="col">Formation à suivre avant le</th><th scope="col">Annulation</th></tr></thead>
      <tbody>${people.map((person) => {
        const onboarding = onboardingOf(person.email);
        return html`<tr><td>${person.name}</td><td>${onboarding ? ONBOARDING_STATUSES[onboarding.status as OnboardingStatus] : aidantStepBeforeOnboarding(request)}</td>
          <td>${onboarding && ['awaiting_training', 'lapsed'].includes(onboarding.status) ? frenchDate(onboarding.trainingDeadline) : '—'}</td>
          <td>${cancelCell(request.id, onboarding, thread?.csrfToken, cancel)}</td></tr>`;
      })}</tbody></table></div>
    ${thread && request.submittedAt ? html`
    <h2 class="fr-h4" id="messages">Échanges avec l’équipe Aidants Connect</h2>
    ${thread.messages.length === 0 ? html`<p>Aucun message pour le moment.</p>` : html`<ul class="fr-raw-list">${thread.messages.map((m) => html`
      <li class="fr-mb-2w"><p class="fr-text--sm fr-mb-0">${m.sender === 'anct' ? 'Équipe Aidants Connect' : 'Vous'}, le ${frenchDate(m.createdAt)}</p><p>${m.content}</p></li>`)}</ul>`}
    <form method="post" action="${requestPath(request.id)}/messages">
      ${csrfField(thread.csrfToken)}
      <div class="fr-input-group${thread.error ? ' fr-input-group--error' : ''}">
        <label class="fr-label" for="field-content">Votre message</label>
        <textarea class="fr-input" id="field-content" name="content" rows="4" ${thread.error ? raw('aria-invalid="true" aria-describedby="field-content-error"') : ''}></textarea>
        ${thread.error ? html`<p id="field-content-error" class="fr-error-text">${thread.error}</p>` : ''}
      </div>
      <button class="fr-btn fr-btn--secondary" type="submit">Envoyer</button>
    </form>` : ''}
    <div class="fr-callout"><p class="fr-callout__text">Vous recevrez un e-mail à chaque étape, avec un lien personnel pour revenir ici.</p></div>
    <p><a class="fr-link" href="${SPACE_PATH}">Mon espace demandeur</a></p>`);
}
