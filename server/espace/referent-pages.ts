// Pages of the espace référent: the structure's aidants and pending requests, one aidant, the structure's
// démarches, the cancellation of an onboarding and the three steps of « Ajouter des aidants ».
import type { AidantOnboarding, OrganisationMembership, User } from '../../db/models/index.js';
import { DEMARCHE_KEYS, DEMARCHES, type Demarche } from '../../domain/demarches.js';
import { frenchDate, frenchDateTime } from '../../domain/duration.js';
import { canCancelOnboarding, ONBOARDING_STATUSES, type OnboardingStatus } from '../../domain/habilitation.js';
import type { FieldErrors } from '../../domain/habilitation-form.js';
import { MAX_AIDANTS } from '../../domain/habilitation-form.js';
import { ADD_PROFILES, rowField, type AddProfile, type NewAidant } from '../../domain/structure-members.js';
import type { MemberRow, StructureOverview, TrainedAidantMode } from '../../services/structure-members.js';
import { checkbox, csrfField, errorSummary, input, select, textarea, type Values } from '../web/form.js';
import { html, raw, type Raw } from '../web/html.js';
import { espaceLayout, type EspacePageOptions } from './layout.js';
import type { EspacePerson } from './session.js';

export const REFERENT_PATH = '/espace-referent';
export const aidantPath = (userId: string) => `${REFERENT_PATH}/aidants/${userId}`;
/** The cards pages (server/espace/card-router.ts). */
export const cardPath = (userId: string) => `${aidantPath(userId)}/carte`;
export const cancelPath = (onboardingId: string) => `${REFERENT_PATH}/habilitations/${onboardingId}/annuler`;
export const ADD_PATH = `${REFERENT_PATH}/ajouter-aidants`;

type PageContext = Pick<EspacePageOptions, 'csrf' | 'notice'>;

const page = (person: EspacePerson, context: PageContext, title: string, body: Raw, hasFormErrors = false) =>
  espaceLayout(person, { title, csrf: context.csrf, notice: context.notice, section: 'referent', hasFormErrors }, body);

const name = (user: { firstName: string; lastName: string }) => `${user.firstName} ${user.lastName}`.trim();

function roleOf(membership: OrganisationMembership): string {
  if (membership.isReferent) return membership.canCreateMandats ? 'Référent et aidant' : 'Référent (non aidant)';
  return 'Aidant';
}

function stateOf(row: { user: User; membership: OrganisationMembership }): Raw {
  if (!row.user.isActive) return html`<span class="fr-badge fr-badge--sm fr-badge--error">Compte désactivé</span>`;
  return row.membership.isActive
    ? html`<span class="fr-badge fr-badge--sm fr-badge--success">Actif</span>`
    : html`<span class="fr-badge fr-badge--sm fr-badge--warning">Désactivé dans la structure</span>`;
}

/** The onboarding step as the back-office shows it, with the training deadline while it runs. */
function stepOf(onboarding: AidantOnboarding | null): Raw {
  if (!onboarding) return html`—`;
  const deadline = ['awaiting_training', 'lapsed'].includes(onboarding.status) ? html`<br><span class="fr-text--sm">Formation à suivre avant le ${frenchDate(onboarding.trainingDeadline)}</span>` : '';
  return html`${ONBOARDING_STATUSES[onboarding.status as OnboardingStatus]}${deadline}`;
}

function cardsOf(row: MemberRow): Raw {
  const cards = row.cards.map((card) => {
    const what = card.kind === 'physical' ? `Carte ${card.serialNumber ?? ''}` : 'Application';
    return html`${what} <span class="fr-badge fr-badge--sm fr-badge--${card.validatedAt ? 'success' : 'warning'}">${card.validatedAt ? 'validée' : 'à valider'}</span>`;
  });
  const link = html`<a class="fr-link fr-text--sm" href="${cardPath(row.user.id)}">Gérer la carte<span class="fr-sr-only"> de ${name(row.user)}</span></a>`;
  return html`${cards.length > 0 ? cards.map((c, i) => html`${i > 0 ? raw('<br>') : ''}${c}`) : 'Aucune carte'}<br>${link}`;
}

const lastLogin = (user: User) => (user.lastLoginAt ? frenchDateTime(user.lastLoginAt) : 'Jamais');

export interface DashboardForms { values: Values; errors: FieldErrors }

export function dashboardPage(person: EspacePerson, context: PageContext, overview: StructureOverview, designate: DashboardForms = { values: {}, errors: {} }): string {
  const candidates = overview.members.filter((m) => m.user.isActive && m.membership.isActive && m.membership.canCreateMandats && !m.membership.isReferent);
  const awaitingAnct = overview.openOnboardings.filter((o) => o.status === 'awaiting_eligibility');
  const inProgress = overview.openOnboardings.filter((o) => o.status !== 'awaiting_eligibility');
  const onboardingRows = (onboardings: AidantOnboarding[]) => html`
    <div class="fr-table"><table><caption class="fr-sr-only">Demandes en cours</caption>
      <thead><tr><th scope="col">Aidant</th><th scope="col">Étape</th><th scope="col">Demandée le</th><th scope="col">Action</th></tr></thead>
      <tbody>${onboardings.map((o) => html`<tr><td>${name(o)}<br><span class="fr-text--sm">${o.email}</span></td><td>${stepOf(o)}</td>
        <td>${frenchDate(o.createdAt)}</td><td><a class="fr-link fr-text--sm" href="${cancelPath(o.id)}">Annuler<span class="fr-sr-only"> la demande de ${name(o)}</span></a></td></tr>`)}</tbody>
    </table></div>`;
  return page(person, context, `Espace référent - ${person.organisation.name}`, html`
    <h1>Espace référent : ${person.organisation.name}</h1>
    <ul class="fr-btns-group fr-btns-group--inline-md">
      <li><a class="fr-btn" href="${ADD_PATH}/profil">Ajouter des aidants</a></li>
      <li><a class="fr-btn fr-btn--secondary" href="${REFERENT_PATH}/structure">Démarches de la structure</a></li>
    </ul>

    <h2 class="fr-h4" id="aidants">Les aidants de la structure</h2>
    <div class="fr-table"><table><caption class="fr-sr-only">Aidants et référents de la structure, actifs et désactivés</caption>
      <thead><tr><th scope="col">Aidant</th><th scope="col">Rôle</th><th scope="col">État</th><th scope="col">Étape de l’habilitation</th>
        <th scope="col">Carte ou application</th><th scope="col">Dernière connexion</th></tr></thead>
      <tbody>${overview.members.map((row) => html`<tr>
        <td><a href="${aidantPath(row.user.id)}">${name(row.user)}</a><br><span class="fr-text--sm">${row.user.email}</span></td>
        <td>${roleOf(row.membership)}</td><td>${stateOf(row)}</td><td>${stepOf(row.onboarding)}</td><td>${cardsOf(row)}</td><td>${lastLogin(row.user)}</td>
      </tr>`)}</tbody>
    </table></div>

    <h2 class="fr-h4" id="demandes">Demandes en cours</h2>
    <h3 class="fr-h6">Aidants à former en attente de la décision de l’ANCT</h3>
    ${awaitingAnct.length > 0 ? onboardingRows(awaitingAnct) : html`<p>Aucune demande en attente.</p>`}
    <h3 class="fr-h6">Aidants en cours d’habilitation</h3>
    ${inProgress.length > 0 ? onboardingRows(inProgress) : html`<p>Aucun aidant en cours d’habilitation.</p>`}
    <h3 class="fr-h6">Demandes de changement de structure</h3>
    ${overview.structureChanges.length > 0 ? html`<ul>${overview.structureChanges.map((r) => html`<li>${name(r.aidant)} (${r.aidant.email}), demandée le ${frenchDate(r.createdAt)} : en attente de la décision de l’ANCT</li>`)}</ul>`
      : html`<p>Aucune demande de changement de structure en attente.</p>`}

    <h2 class="fr-h4" id="co-referent">Désigner un co-référent</h2>
    ${candidates.length > 0 ? html`
      ${errorSummary(designate.errors)}
      <form method="post" action="${REFERENT_PATH}/referents" novalidate>
        ${csrfField(context.csrf)}
        ${select('candidate', 'Aidant actif de la structure à désigner comme référent', Object.fromEntries(candidates.map((c) => [c.user.id, `${name(c.user)} (${c.user.email})`])), designate.values, designate.errors)}
        <button class="fr-btn fr-btn--secondary" type="submit">Désigner comme référent</button>
      </form>` : html`<p>Aucun aidant actif de la structure ne peut être désigné : ils sont déjà référents, ou la structure n’a pas encore d’aidant actif.</p>`}`,
  Object.keys(designate.errors).length > 0);
}

export interface AidantDetail {
  row: MemberRow;
  onboardings: AidantOnboarding[];
  otherStructures: string[];
  isSelf: boolean;
}

const actionForm = (action: string, csrf: string, label: string, variant = 'secondary', hidden: Record<string, string> = {}) => html`
  <form method="post" action="${action}">${csrfField(csrf)}${Object.entries(hidden).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
    <button class="fr-btn fr-btn--${variant}" type="submit">${label}</button></form>`;

export function aidantPage(person: EspacePerson, context: PageContext, detail: AidantDetail, error?: string): string {
  const { user, membership } = detail.row;
  const active = user.isActive && membership.isActive;
  const actions: Raw[] = [];
  if (!detail.isSelf) {
    if (active) actions.push(actionForm(`${aidantPath(user.id)}/desactiver`, context.csrf, 'Désactiver ce profil dans la structure'));
    else actions.push(actionForm(`${aidantPath(user.id)}/reactiver`, context.csrf, 'Réactiver ce profil', 'primary'));
    if (user.isActive) actions.push(actionForm(`${aidantPath(user.id)}/retirer`, context.csrf, detail.otherStructures.length > 0 ? 'Retirer de la structure' : 'Retirer de la structure (son compte sera désactivé)', 'tertiary'));
    if (active && membership.canCreateMandats && !membership.isReferent) {
      actions.push(actionForm(`${REFERENT_PATH}/referents`, context.csrf, 'Désigner comme référent', 'tertiary', { candidate: user.id }));
    }
  }
  return page(person, context, `${name(user)} - Espace référent`, html`
    <p><a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="${REFERENT_PATH}">Retour aux aidants de la structure</a></p>
    <h1>${name(user)}</h1>
    ${error ? html`<div class="fr-alert fr-alert--error fr-mb-4w" role="alert"><p>${error}</p></div>` : ''}
    <dl>
      <dt class="fr-text--bold">Adresse e-mail</dt><dd>${user.email}</dd>
      <dt class="fr-text--bold">Profession</dt><dd>${user.profession ?? '—'}</dd>
      <dt class="fr-text--bold">Rôle dans ${person.organisation.name}</dt><dd>${roleOf(membership)}</dd>
      <dt class="fr-text--bold">État</dt><dd>${stateOf(detail.row)}</dd>
      <dt class="fr-text--bold">Autres structures</dt><dd>${detail.otherStructures.length > 0 ? detail.otherStructures.join(', ') : 'Aucune'}</dd>
      <dt class="fr-text--bold">Carte ou application</dt><dd>${cardsOf(detail.row)}</dd>
      <dt class="fr-text--bold">Dernière connexion</dt><dd>${lastLogin(user)}</dd>
    </dl>
    <h2 class="fr-h4">Habilitation dans la structure</h2>
    ${detail.onboardings.length > 0 ? html`<ul>${detail.onboardings.map((o) => html`<li>${stepOf(o)}${canCancelOnboarding(o.status) ? html` — <a class="fr-link fr-text--sm" href="${cancelPath(o.id)}">Annuler cette habilitation</a>` : ''}</li>`)}</ul>`
      : html`<p>Aucune habilitation suivie dans cette structure.</p>`}
    <h2 class="fr-h4">Actions</h2>
    ${detail.isSelf ? html`<p>Il s’agit de votre propre profil : un autre référent de la structure peut le désactiver ou le retirer.</p>`
      : html`<ul class="fr-btns-group fr-btns-group--inline-md">${actions.map((a) => html`<li>${a}</li>`)}</ul>`}`);
}

export function structurePage(person: EspacePerson, context: PageContext, chosen: readonly Demarche[], errors: FieldErrors): string {
  const error = errors.demarches;
  return page(person, context, `Démarches de la structure - Espace référent`, html`
    <p><a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="${REFERENT_PATH}">Retour à l’espace référent</a></p>
    <h1>Démarches de ${person.organisation.name}</h1>
    ${errorSummary(errors, { demarches: 'demarches-fieldset' })}
    <p>Les aidants de la structure ne peuvent créer de mandats que pour les démarches cochées.</p>
    <form method="post" action="${REFERENT_PATH}/structure/demarches" novalidate>
      ${csrfField(context.csrf)}
      <fieldset class="fr-fieldset${error ? ' fr-fieldset--error' : ''}" id="demarches-fieldset" aria-labelledby="demarches-legend${error ? ' demarches-error' : ''}">
        <legend class="fr-fieldset__legend" id="demarches-legend">Démarches autorisées <span aria-hidden="true">*</span></legend>
        ${DEMARCHE_KEYS.map((key) => html`<div class="fr-fieldset__element"><div class="fr-checkbox-group">
          <input type="checkbox" id="demarche-${key}" name="demarches" value="${key}" ${chosen.includes(key) ? raw('checked') : ''}>
          <label class="fr-label" for="demarche-${key}">${DEMARCHES[key].titre}</label></div></div>`)}
        ${error ? html`<div class="fr-messages-group"><p id="demarches-error" class="fr-message fr-message--error fr-error-text">${error}</p></div>` : ''}
      </fieldset>
      <button class="fr-btn" type="submit">Enregistrer les démarches</button>
    </form>`, Boolean(error));
}

export function cancelOnboardingPage(person: EspacePerson, context: PageContext, onboarding: AidantOnboarding, values: Values, errors: FieldErrors, refusal?: string): string {
  return page(person, context, `Annuler l’habilitation de ${name(onboarding)} - Espace référent`, html`
    <p><a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="${REFERENT_PATH}#demandes">Retour aux demandes en cours</a></p>
    <h1>Annuler l’habilitation de ${name(onboarding)}</h1>
    ${refusal ? html`<div class="fr-alert fr-alert--error fr-mb-4w" role="alert"><p>${refusal}</p></div>` : ''}
    ${errorSummary(errors)}
    <p>Étape actuelle : ${stepOf(onboarding)}. L’aidant et les référents de la structure en seront informés ; l’annulation est définitive.</p>
    <form method="post" action="${cancelPath(onboarding.id)}" novalidate>
      ${csrfField(context.csrf)}
      ${textarea('reason', 'Motif de l’annulation', values, errors, { hint: 'Entre 3 et 500 caractères.' })}
      <button class="fr-btn" type="submit">Annuler l’habilitation</button>
    </form>`, Object.keys(errors).length > 0);
}

// --- « Ajouter des aidants », in three steps

const ADD_STEPS = ['Profil des aidants', 'Les aidants', 'Confirmation'];

function addStepper(current: number): Raw {
  const next = ADD_STEPS[current];
  return html`<div class="fr-stepper">
    <h2 class="fr-stepper__title">${ADD_STEPS[current - 1]}<span class="fr-stepper__state">Étape ${current} sur ${ADD_STEPS.length}</span></h2>
    <div class="fr-stepper__steps" data-fr-current-step="${current}" data-fr-steps="${ADD_STEPS.length}"></div>
    ${next ? html`<p class="fr-stepper__details"><span class="fr-text--bold">Étape suivante :</span> ${next}</p>` : ''}
  </div>`;
}

const addPage = (person: EspacePerson, context: PageContext, step: number, errors: FieldErrors, body: Raw, anchors: Record<string, string> = {}) =>
  page(person, context, `${ADD_STEPS[step - 1]} - Ajouter des aidants`, html`
    <h1>Ajouter des aidants à ${person.organisation.name}</h1>
    ${addStepper(step)}
    ${errorSummary(errors, anchors)}
    ${body}
    <p><a class="fr-link" href="${REFERENT_PATH}">Revenir à l’espace référent</a></p>`, Object.keys(errors).length > 0);

export function addProfilePage(person: EspacePerson, context: PageContext, profile: AddProfile | undefined, errors: FieldErrors): string {
  const error = errors.profile;
  return addPage(person, context, 1, errors, html`
    <form method="post" action="${ADD_PATH}/profil" novalidate>
      ${csrfField(context.csrf)}
      <fieldset class="fr-fieldset${error ? ' fr-fieldset--error' : ''}" id="profile-fieldset" aria-labelledby="profile-legend${error ? ' profile-error' : ''}">
        <legend class="fr-fieldset__legend" id="profile-legend">Qui voulez-vous ajouter ? <span aria-hidden="true">*</span></legend>
        ${Object.entries(ADD_PROFILES).map(([key, label]) => html`<div class="fr-fieldset__element"><div class="fr-radio-group">
          <input type="radio" id="profile-${key}" name="profile" value="${key}" ${profile === key ? raw('checked') : ''}>
          <label class="fr-label" for="profile-${key}">${label}</label></div></div>`)}
        ${error ? html`<div class="fr-messages-group"><p id="profile-error" class="fr-message fr-message--error fr-error-text">${error}</p></div>` : ''}
      </fieldset>
      <button class="fr-btn" type="submit">Continuer</button>
    </form>`, { profile: 'profile-fieldset' });
}

/** The typed rows of the aidants-to-train form, from a stored list (row n = aidant n). */
export function newAidantValues(aidants: NewAidant[]): Values {
  return Object.fromEntries(aidants.flatMap((aidant, index) => [
    [rowField(index + 1, 'firstName'), aidant.firstName], [rowField(index + 1, 'lastName'), aidant.lastName],
    [rowField(index + 1, 'email'), aidant.email], [rowField(index + 1, 'profession'), aidant.profession],
    ...(aidant.conseillerNumerique ? [[rowField(index + 1, 'conseillerNumerique'), 'on']] : []),
  ]));
}

export function addUntrainedPage(person: EspacePerson, context: PageContext, values: Values, errors: FieldErrors, rows: number): string {
  return addPage(person, context, 2, errors, html`
    <form method="post" action="${ADD_PATH}/aidants-a-former" novalidate>
      ${csrfField(context.csrf)}
      <input type="hidden" name="rows" value="${rows}">
      <fieldset class="fr-fieldset${errors.aidants ? ' fr-fieldset--error' : ''}" id="aidants-fieldset" aria-labelledby="aidants-legend${errors.aidants ? ' aidants-error' : ''}">
        <legend class="fr-fieldset__legend" id="aidants-legend">Les aidants à former
          <span class="fr-hint-text">L’équipe Aidants Connect vérifie l’éligibilité de chaque aidant ; il suit ensuite la formation dans les deux mois. Les lignes laissées vides sont ignorées.</span></legend>
        ${Array.from({ length: rows }, (_, i) => i + 1).map((row) => html`
          <div class="fr-fieldset__element"><p class="fr-text--bold fr-mb-1w">Aidant ${row}</p>
            ${input(rowField(row, 'firstName'), 'Prénom', values, errors, { required: false })}
            ${input(rowField(row, 'lastName'), 'Nom', values, errors, { required: false })}
            ${input(rowField(row, 'email'), 'Adresse e-mail professionnelle', values, errors, { type: 'email', required: false })}
            ${input(rowField(row, 'profession'), 'Profession', values, errors, { required: false })}
            ${checkbox(rowField(row, 'conseillerNumerique'), 'Conseiller numérique', values, errors)}
          </div>`)}
        ${errors.aidants ? html`<div class="fr-messages-group"><p id="aidants-error" class="fr-message fr-message--error fr-error-text">${errors.aidants}</p></div>` : ''}
      </fieldset>
      <ul class="fr-btns-group fr-btns-group--inline-md">
        <li><button class="fr-btn" type="submit">Continuer</button></li>
        ${rows < MAX_AIDANTS ? html`<li><button class="fr-btn fr-btn--tertiary" type="submit" name="addRow" value="1">Ajouter une ligne</button></li>` : ''}
        <li><a class="fr-btn fr-btn--secondary" href="${ADD_PATH}/profil">Étape précédente</a></li>
      </ul>
    </form>`, { aidants: 'aidants-fieldset' });
}

export function addTrainedPage(person: EspacePerson, context: PageContext, values: Values, errors: FieldErrors): string {
  return addPage(person, context, 2, errors, html`
    <form method="post" action="${ADD_PATH}/aidant-forme" novalidate>
      ${csrfField(context.csrf)}
      <p>Indiquez l’adresse e-mail avec laquelle l’aidant se connecte à Aidants Connect dans son autre structure.</p>
      ${input('email', 'Adresse e-mail de l’aidant', values, errors, { type: 'email', autocomplete: 'off' })}
      <ul class="fr-btns-group fr-btns-group--inline-md">
        <li><button class="fr-btn" type="submit">Continuer</button></li>
        <li><a class="fr-btn fr-btn--secondary" href="${ADD_PATH}/profil">Étape précédente</a></li>
      </ul>
    </form>`);
}

export type AddRecap =
  | { profile: 'untrained'; aidants: NewAidant[] }
  | { profile: 'trained'; email: string; name: string; mode: TrainedAidantMode };

export function addConfirmPage(person: EspacePerson, context: PageContext, recap: AddRecap, refusal?: string): string {
  const back = recap.profile === 'untrained' ? `${ADD_PATH}/aidants-a-former` : `${ADD_PATH}/aidant-forme`;
  return addPage(person, context, 3, {}, html`
    ${refusal ? html`<div class="fr-alert fr-alert--error fr-mb-4w" role="alert"><p>${refusal}</p></div>` : ''}
    ${recap.profile === 'untrained' ? html`
      <p>Ces aidants seront proposés à l’équipe Aidants Connect, qui décidera de leur éligibilité ; chacun recevra ensuite son invitation à la formation :</p>
      <ul>${recap.aidants.map((a) => html`<li>${a.firstName} ${a.lastName} (${a.email}), ${a.profession}${a.conseillerNumerique ? ', conseiller numérique' : ''}</li>`)}</ul>`
    : html`<p>${recap.name} (${recap.email}) ${recap.mode === 'direct'
      ? 'sera ajouté(e) dès maintenant aux aidants de la structure : vous êtes aussi référent de l’une de ses structures. Il ou elle en sera informé(e) par e-mail.'
      : 'est habilité(e) dans une structure que vous ne gérez pas : une demande de changement de structure sera transmise à l’équipe Aidants Connect.'}</p>`}
    <form method="post" action="${ADD_PATH}/confirmation">
      ${csrfField(context.csrf)}
      <ul class="fr-btns-group fr-btns-group--inline-md">
        <li><button class="fr-btn" type="submit">Confirmer</button></li>
        <li><a class="fr-btn fr-btn--secondary" href="${back}">Étape précédente</a></li>
      </ul>
    </form>`);
}
