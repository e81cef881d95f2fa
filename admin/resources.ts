// AdminJS resources: what ANCT people see and may do. Lifecycle states never change by a raw edit:
// status changes go through the workflows (see services/lifecycles.ts).
import type { ActionContext, ResourceWithOptions } from 'adminjs';
import {
  AidantOnboarding, AidantRequest, Autorisation, Card, CardShipment, ComiteDecisionRecord, EmailOutbox, HabilitationRequest,
  Issuer, JournalEntry, Mandat, Organisation, OrganisationMembership, RequestMessage, Usager, User,
} from '../db/models/index.js';
import { DEMARCHE_KEYS, DEMARCHES } from '../domain/demarches.js';
import { ONBOARDING_STATUSES, REQUEST_STATUSES, SHIPMENT_STATUSES, STRUCTURE_TYPES } from '../domain/habilitation.js';
import { JOURNAL_ACTIONS } from '../domain/journal.js';
import { MANDAT_DURATIONS, MANDAT_STATUSES } from '../domain/mandat.js';
import { can, STAFF_ROLES, type BackOfficeCapability } from '../domain/roles.js';

const NAV = {
  habilitation: { name: 'habilitation', icon: 'Award' },
  aidants: { name: 'aidants', icon: 'CreditCard' },
  mandats: { name: 'mandats', icon: 'FileText' },
  supervision: { name: 'supervision', icon: 'Activity' },
};

const MANDAT_STATUS_LABELS: Record<string, string> = { active: 'Actif', expired: 'Expiré', revoked: 'Révoqué', superseded: 'Remplacé' };

const choices = (labels: Record<string, string | { titre?: string; label?: string }>) =>
  Object.entries(labels).map(([value, label]) => ({ value, label: typeof label === 'string' ? label : (label.titre ?? label.label ?? value) }));

const allowed = (capability: BackOfficeCapability) => ({ currentAdmin }: ActionContext) => can(currentAdmin?.roles as string[] | undefined, capability);

/** Read-only resource: list, show, search and filter; everything else refused server-side. */
function readOnly(capability: BackOfficeCapability) {
  const canRead = allowed(capability);
  return {
    list: { isAccessible: canRead }, show: { isAccessible: canRead }, search: { isAccessible: canRead },
    new: { isAccessible: false }, edit: { isAccessible: false }, delete: { isAccessible: false }, bulkDelete: { isAccessible: false },
  };
}

export function buildResources(): ResourceWithOptions[] {
  return [
    {
      resource: HabilitationRequest,
      options: {
        navigation: NAV.habilitation,
        sort: { sortBy: 'submittedAt', direction: 'desc' },
        listProperties: ['name', 'status', 'departmentCode', 'siret', 'submittedAt'],
        filterProperties: ['status', 'departmentCode', 'type', 'submittedAt'],
        showProperties: ['name', 'status', 'type', 'siret', 'address', 'zipcode', 'city', 'departmentCode', 'franceServicesNumber',
          'issuerId', 'referentFirstName', 'referentLastName', 'referentEmail', 'referentPhone', 'habilitationNumber', 'organisationId', 'submittedAt', 'decidedAt'],
        properties: {
          status: { availableValues: choices(REQUEST_STATUSES) },
          type: { availableValues: choices(STRUCTURE_TYPES) },
        },
        actions: readOnly('follow_onboarding'),
      },
    },
    {
      resource: AidantOnboarding,
      options: {
        navigation: NAV.habilitation,
        listProperties: ['lastName', 'firstName', 'email', 'organisationId', 'status', 'trainingDeadline'],
        filterProperties: ['status', 'organisationId', 'trainingDeadline'],
        properties: { email: { isTitle: true }, status: { availableValues: choices(ONBOARDING_STATUSES) } },
        actions: readOnly('follow_onboarding'),
      },
    },
    {
      resource: Organisation,
      options: {
        navigation: NAV.habilitation,
        listProperties: ['name', 'type', 'city', 'departmentCode', 'habilitationNumber', 'isActive'],
        filterProperties: ['name', 'type', 'departmentCode', 'isActive'],
        properties: {
          type: { availableValues: choices(STRUCTURE_TYPES) },
          allowedDemarches: { availableValues: DEMARCHE_KEYS.map((key) => ({ value: key, label: DEMARCHES[key].titreCourt })) },
        },
        actions: readOnly('follow_onboarding'),
      },
    },
    {
      resource: Card,
      options: {
        navigation: NAV.aidants,
        listProperties: ['serialNumber', 'kind', 'aidantId', 'linkedAt', 'validatedAt', 'isFunctional'],
        filterProperties: ['serialNumber', 'kind', 'isFunctional'],
        properties: { serialNumber: { isTitle: true }, seedHex: { isVisible: false }, lastUsedStep: { isVisible: false } },
        actions: readOnly('manage_cards'),
      },
    },
    {
      resource: CardShipment,
      options: {
        navigation: NAV.aidants,
        listProperties: ['organisationId', 'onboardingId', 'status', 'trackingNumber', 'sentAt', 'deliveredAt'],
        filterProperties: ['status', 'organisationId'],
        properties: { status: { availableValues: choices(SHIPMENT_STATUSES) } },
        actions: readOnly('manage_cards'),
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
          passwordHash: { isVisible: false },
          adminTotpSecret: { isVisible: false },
          staffRoles: { availableValues: choices(STAFF_ROLES) },
        },
        actions: readOnly('follow_onboarding'),
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
      options: { navigation: NAV.habilitation, properties: { decision: { availableValues: choices({ validate: 'Validée', refuse: 'Refusée', require_changes: 'Modifications demandées' }) } }, actions: readOnly('follow_onboarding') },
    },
    {
      resource: Autorisation,
      options: {
        navigation: NAV.mandats,
        properties: { demarche: { isTitle: true, availableValues: DEMARCHE_KEYS.map((key) => ({ value: key, label: DEMARCHES[key].titre })) } },
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
          duration: { availableValues: Object.entries(MANDAT_DURATIONS).map(([value, d]) => ({ value, label: d.label })) },
          status: { availableValues: MANDAT_STATUSES.map((value) => ({ value, label: MANDAT_STATUS_LABELS[value] })) },
        },
        actions: readOnly('read_mandats'),
      },
    },
    {
      resource: Usager,
      options: {
        navigation: NAV.mandats,
        listProperties: ['familyName', 'givenName', 'birthdate', 'createdAt'],
        properties: { familyName: { isTitle: true }, sub: { isVisible: false } },
        actions: readOnly('manage_usagers'),
      },
    },
    {
      resource: JournalEntry,
      options: {
        navigation: NAV.supervision,
        sort: { sortBy: 'id', direction: 'desc' },
        listProperties: ['createdAt', 'action', 'actorId', 'organisationId', 'usagerId'],
        filterProperties: ['action', 'actorId', 'organisationId', 'createdAt'],
        properties: { action: { availableValues: choices(JOURNAL_ACTIONS) } },
        actions: readOnly('read_journal'),
      },
    },
    {
      resource: EmailOutbox,
      options: {
        navigation: NAV.supervision,
        sort: { sortBy: 'createdAt', direction: 'desc' },
        listProperties: ['createdAt', 'template', 'recipients', 'subject', 'status'],
        filterProperties: ['template', 'status', 'createdAt'],
        properties: { html: { isVisible: false }, textBody: { isVisible: { list: false, show: true, edit: false, filter: false } }, idempotencyKey: { isVisible: { list: false, show: true, edit: false, filter: false } } },
        actions: readOnly('read_journal'),
      },
    },
  ];
}
