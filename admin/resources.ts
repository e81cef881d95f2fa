// AdminJS resources: what ANCT people see and may do. Lifecycle states never change by a raw edit:
// status changes go through the workflows (see services/lifecycles.ts).
import type { ActionContext, ActionRequest, RecordJSON, ResourceWithOptions } from 'adminjs';
import {
  AidantOnboarding, AidantRequest, Autorisation, Card, CardShipment, ComiteDecisionRecord, EmailOutbox, HabilitationRequest,
  Issuer, JournalEntry, Mandat, Organisation, OrganisationMembership, RequestMessage, Usager, User,
} from '../db/models/index.js';
import { DEMARCHE_KEYS, DEMARCHES } from '../domain/demarches.js';
import { COMITE_DECISIONS, ONBOARDING_STATUSES, REQUEST_STATUSES, SHIPMENT_STATUSES, STRUCTURE_TYPES } from '../domain/habilitation.js';
import { MANDAT_DURATIONS, MANDAT_STATUSES } from '../domain/mandat.js';
import { can, STAFF_ROLES, type BackOfficeCapability } from '../domain/roles.js';
import { daysBetween, frenchDate } from '../domain/duration.js';
import type { Lifecycles } from '../services/lifecycles.js';
import { habilitationRequestActions, onboardingActions, shipmentActions } from './actions.js';
import { eligibilityActions, structureChangeResource } from './onboarding-actions.js';
import { cardResourceOptions } from './card-actions.js';
import { journalResourceOptions } from './journal-resource.js';
import type { RetentionPolicy } from '../domain/retention.js';
import type { InactivityPolicy } from '../domain/inactivity.js';
import { dataExportAction } from './data-export-actions.js';
import { COMPONENTS } from './components.js';
import { decorateRows } from './guarded-resource.js';
import { trainingResources } from './training-resources.js';
import { translationResources } from './translation-resources.js';

/** A shipment is named after the aidant it is for and their structure (the « Envoyé » form, breadcrumbs). */
decorateRows('card_shipments', async (rows) => {
  const onboardings = await AidantOnboarding.findAll({ where: { id: rows.map((row) => String(row.onboardingId)) }, attributes: ['id', 'firstName', 'lastName', 'organisationId'] });
  const organisations = await Organisation.findAll({ where: { id: [...new Set(onboardings.map((o) => o.organisationId))] }, attributes: ['id', 'name'] });
  const byId = new Map(onboardings.map((o) => [o.id, o]));
  const names = new Map(organisations.map((o) => [o.id, o.name]));
  for (const row of rows) {
    const onboarding = byId.get(String(row.onboardingId));
    row.aidant = onboarding ? `Carte de ${onboarding.firstName} ${onboarding.lastName} — ${names.get(onboarding.organisationId) ?? 'structure inconnue'}` : 'Carte d’un aidant inconnu';
  }
});

const NAV = {
  habilitation: { name: 'habilitation', icon: 'Award' },
  aidants: { name: 'aidants', icon: 'CreditCard' },
  mandats: { name: 'mandats', icon: 'FileText' },
  supervision: { name: 'supervision', icon: 'Activity' },
};

const MANDAT_STATUS_LABELS: Record<string, string> = { active: 'Actif', expired: 'Expiré', revoked: 'Révoqué', superseded: 'Remplacé' };

/**
 * AdminJS shows an enumerated value by translating "<property>.<label>" (falling back to a start-cased label),
 * so options carry their raw value as label and the French words go into the translations (enumTranslations).
 */
const ENUM_LABELS: Record<string, Record<string, Record<string, string>>> = {};
function enumOf(resourceId: string, property: string, labels: Record<string, string | { titre?: string; label?: string }>) {
  const french = Object.fromEntries(Object.entries(labels).map(([value, label]) => [value, typeof label === 'string' ? label : (label.titre ?? label.label ?? value)]));
  (ENUM_LABELS[resourceId] ??= {})[property] = french;
  return { availableValues: Object.keys(french).map((value) => ({ value, label: value })) };
}

/** The French labels of every enumerated value, in AdminJS's translation layout. */
export function enumTranslations(): { resources: Record<string, { labels: Record<string, Record<string, string>> }> } {
  return { resources: Object.fromEntries(Object.entries(ENUM_LABELS).map(([id, labels]) => [id, { labels }])) };
}

const allowed = (capability: BackOfficeCapability) => ({ currentAdmin }: ActionContext) => can(currentAdmin?.roles as string[] | undefined, capability);

/** Adds how long each request has been waiting for the comité (in days) to the records AdminJS returns. */
async function withDaysWaiting<T extends { record?: RecordJSON; records?: RecordJSON[] }>(response: T): Promise<T> {
  const now = Date.now();
  for (const record of [...(response.records ?? []), ...(response.record ? [response.record] : [])]) {
    const submitted = record.params.submittedAt ? Date.parse(String(record.params.submittedAt)) : NaN;
    record.params.daysWaiting = record.params.status === 'awaiting_comite' && !Number.isNaN(submitted) ? daysBetween(submitted, now) : null;
  }
  return response;
}


/** Adds to a request's record page what lives in other tables: its aidants to train, messages and decisions. */
async function withRequestDetail<T extends { record?: RecordJSON }>(response: T): Promise<T> {
  const record = response.record;
  if (!record) return response;
  const habilitationRequestId = String(record.params.id);
  const aidants = await AidantRequest.findAll({ where: { habilitationRequestId }, order: [['createdAt', 'ASC'], ['email', 'ASC']] });
  const messages = await RequestMessage.findAll({ where: { habilitationRequestId }, order: [['createdAt', 'ASC']] });
  const decisions = await ComiteDecisionRecord.findAll({ where: { habilitationRequestId }, order: [['decidedAt', 'ASC']] });
  const referent = `${record.params.referentFirstName ?? ''} ${record.params.referentLastName ?? ''}`.trim();
  record.params.aidantsToTrain = [
    ...(record.params.referentIsAidant ? [`${referent} (le référent, qui suivra aussi la formation)`] : []),
    ...aidants.map((a) => `${a.firstName} ${a.lastName} — ${a.email} — ${a.profession}`),
  ].join('\n');
  record.params.thread = messages.map((m) => `${frenchDate(m.createdAt)}, ${m.sender === 'anct' ? 'équipe ANCT' : 'demandeur'} : ${m.content}`).join('\n');
  record.params.decisions = decisions.map((d) => `${frenchDate(d.decidedAt)}, ${COMITE_DECISIONS[d.decision].label} : ${d.motif}`).join('\n');
  return response;
}

/**
 * The requests list shows submitted requests unless the person filters on the status (« Brouillon » shows
 * the drafts being filled in): a submission date from 2000 on excludes the drafts, whose date is NULL.
 */
async function submittedOnlyByDefault(request: ActionRequest): Promise<ActionRequest> {
  const query = request.query ?? {};
  if (Object.keys(query).some((key) => key === 'filters.status' || key.startsWith('filters.submittedAt'))) return request;
  return { ...request, query: { ...query, 'filters.submittedAt~~from': '2000-01-01' } };
}

/** Read-only resource: list, show, search and filter; everything else refused server-side. */
function readOnly(capability: BackOfficeCapability) {
  const canRead = allowed(capability);
  return {
    list: { isAccessible: canRead }, show: { isAccessible: canRead }, search: { isAccessible: canRead },
    new: { isAccessible: false }, edit: { isAccessible: false }, delete: { isAccessible: false }, bulkDelete: { isAccessible: false },
  };
}

export function buildResources(lifecycles: Lifecycles, publicUrl: string, secretsKey: Buffer, policies: { retention?: RetentionPolicy; inactivity?: InactivityPolicy } = {}): ResourceWithOptions[] {
  return [
    {
      resource: HabilitationRequest,
      options: {
        navigation: NAV.habilitation,
        // Latest activity first (submittedAt would put unsubmitted drafts, NULL, first); the dashboard links sort by waiting time.
        sort: { sortBy: 'updatedAt', direction: 'desc' },
        listProperties: ['name', 'status', 'departmentCode', 'siret', 'submittedAt', 'daysWaiting'],
        filterProperties: ['status', 'departmentCode', 'type', 'submittedAt'],
        showProperties: ['name', 'status', 'daysWaiting', 'type', 'siret', 'address', 'zipcode', 'city', 'departmentCode', 'franceServicesNumber',
          'webSite', 'missionDescription', 'issuerId', 'referentFirstName', 'referentLastName', 'referentEmail', 'referentPhone', 'referentProfession',
          'referentIsAidant', 'aidantsToTrain', 'thread', 'decisions', 'habilitationNumber', 'organisationId', 'submittedAt', 'decidedAt'],
        properties: {
          status: enumOf('habilitation_requests', 'status', REQUEST_STATUSES),
          type: enumOf('habilitation_requests', 'type', STRUCTURE_TYPES),
          // Computed for requests awaiting the comité; sort by submission date to see the longest waits first.
          daysWaiting: { type: 'number', isSortable: false, isVisible: { list: true, show: true, edit: false, filter: false } },
          ...Object.fromEntries(['aidantsToTrain', 'thread', 'decisions'].map((name) => [name, {
            type: 'textarea', isSortable: false, isVisible: { list: false, show: true, edit: false, filter: false }, components: { show: COMPONENTS.Lines },
          }])),
        },
        actions: {
          ...readOnly('follow_onboarding'),
          list: { isAccessible: allowed('follow_onboarding'), before: submittedOnlyByDefault, after: withDaysWaiting },
          show: { isAccessible: allowed('follow_onboarding'), after: async <T extends { record?: RecordJSON }>(response: T) => withRequestDetail(await withDaysWaiting(response)) },
          ...habilitationRequestActions(lifecycles, publicUrl, secretsKey),
          exportCsv: dataExportAction('habilitation_requests'),
        },
      },
    },
    {
      resource: AidantOnboarding,
      options: {
        navigation: NAV.habilitation,
        listProperties: ['lastName', 'firstName', 'email', 'organisationId', 'status', 'trainingDeadline'],
        filterProperties: ['status', 'organisationId', 'trainingDeadline'],
        properties: { email: { isTitle: true }, status: enumOf('aidant_onboardings', 'status', ONBOARDING_STATUSES) },
        actions: { ...readOnly('follow_onboarding'), ...onboardingActions(lifecycles), ...eligibilityActions(lifecycles, publicUrl) },
      },
    },
    structureChangeResource(lifecycles, publicUrl, NAV.habilitation),
    {
      resource: Organisation,
      options: {
        navigation: NAV.habilitation,
        listProperties: ['name', 'type', 'city', 'departmentCode', 'habilitationNumber', 'isActive'],
        filterProperties: ['name', 'type', 'departmentCode', 'isActive'],
        properties: {
          type: enumOf('organisations', 'type', STRUCTURE_TYPES),
          allowedDemarches: enumOf('organisations', 'allowedDemarches', Object.fromEntries(DEMARCHE_KEYS.map((key) => [key, DEMARCHES[key].titreCourt]))),
        },
        actions: { ...readOnly('follow_onboarding'), exportCsv: dataExportAction('structures') },
      },
    },
    { resource: Card, options: cardResourceOptions({ navigation: NAV.aidants, enumOf, secretsKey }) },
    {
      resource: CardShipment,
      options: {
        navigation: NAV.aidants,
        listProperties: ['aidant', 'status', 'trackingNumber', 'sentAt', 'deliveredAt'],
        filterProperties: ['status', 'organisationId'],
        properties: {
          aidant: { type: 'string', isTitle: true, isSortable: false, isVisible: { list: true, show: true, edit: false, filter: false } },
          status: enumOf('card_shipments', 'status', SHIPMENT_STATUSES),
        },
        actions: { ...readOnly('manage_cards'), ...shipmentActions(lifecycles) },
      },
    },
    {
      resource: User,
      options: {
        navigation: NAV.aidants,
        listProperties: ['lastName', 'firstName', 'email', 'currentOrganisationId', 'staffRoles', 'isActive'],
        filterProperties: ['email', 'lastName', 'isActive', 'currentOrganisationId'],
        properties: {
          email: { isTitle: true },
          staffRoles: enumOf('users', 'staffRoles', STAFF_ROLES),
        },
        actions: { ...readOnly('follow_onboarding'), exportCsv: dataExportAction('aidants') },
      },
    },
    {
      resource: Issuer,
      options: { navigation: NAV.habilitation, properties: { email: { isTitle: true } }, actions: readOnly('follow_onboarding') },
    },
    {
      resource: AidantRequest,
      options: { navigation: NAV.habilitation, properties: { email: { isTitle: true } }, actions: readOnly('follow_onboarding') },
    },
    {
      resource: RequestMessage,
      options: { navigation: NAV.habilitation, actions: readOnly('follow_onboarding') },
    },
    {
      resource: ComiteDecisionRecord,
      options: { navigation: NAV.habilitation, properties: { decision: enumOf('comite_decisions', 'decision', { validate: 'Validée', refuse: 'Refusée', require_changes: 'Modifications demandées' }) }, actions: readOnly('follow_onboarding') },
    },
    {
      resource: Autorisation,
      options: {
        navigation: NAV.mandats,
        properties: { demarche: { isTitle: true, ...enumOf('autorisations', 'demarche', DEMARCHES) } },
        actions: readOnly('read_mandats'),
      },
    },
    {
      resource: OrganisationMembership,
      options: { navigation: NAV.aidants, actions: readOnly('follow_onboarding') },
    },
    {
      resource: Mandat,
      options: {
        navigation: NAV.mandats,
        listProperties: ['organisationId', 'usagerId', 'duration', 'status', 'createdAt', 'expiresAt'],
        filterProperties: ['organisationId', 'status', 'duration', 'expiresAt'],
        properties: {
          duration: enumOf('mandats', 'duration', MANDAT_DURATIONS),
          status: enumOf('mandats', 'status', Object.fromEntries(MANDAT_STATUSES.map((value) => [value, MANDAT_STATUS_LABELS[value]]))),
        },
        actions: readOnly('read_mandats'),
      },
    },
    {
      resource: Usager,
      options: {
        navigation: NAV.mandats,
        listProperties: ['familyName', 'givenName', 'birthdate', 'createdAt'],
        properties: { familyName: { isTitle: true } },
        actions: readOnly('manage_usagers'),
      },
    },
    { resource: JournalEntry, options: journalResourceOptions({ navigation: NAV.supervision, enumOf, ...policies }) },
    {
      resource: EmailOutbox,
      options: {
        navigation: NAV.supervision,
        sort: { sortBy: 'createdAt', direction: 'desc' },
        // A failed e-mail (filter « status ») shows why at a glance: it is never sent again by itself.
        listProperties: ['createdAt', 'template', 'recipients', 'subject', 'status', 'attempts', 'lastError'],
        filterProperties: ['template', 'status', 'createdAt', 'failedAt'],
        properties: {
          // « failed »: given up on after an error that cannot succeed (the stuck-mail report lists them).
          status: enumOf('email_outbox', 'status', { pending: 'En attente', sending: 'En cours d’envoi', sent: 'Envoyé', failed: 'Échec définitif' }),
          idempotencyKey: { isVisible: { list: false, show: true, edit: false, filter: false } } },
        actions: readOnly('read_journal'),
      },
    },
    ...trainingResources(lifecycles),
    ...translationResources(),
  ];
}
