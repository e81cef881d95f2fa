// The back-office's data exports (aidants, structures, habilitation requests), the pure part: which filters
// each takes (read from the back-office list it is opened from, so that « Exporter » exports what the list
// shows, or refused in French), the French columns and one CSV line per row. The dialect and the escaping are
// domain/csv.ts, as for the journal's export.
import { csvLine, fileDay, yesNo } from './csv.js';
import { CARD_KINDS, type CardKind } from './cards.js';
import { REQUEST_STATUSES, STRUCTURE_TYPES, type RequestStatus, type StructureType } from './habilitation.js';
import { isUuid } from './uuid.js';

export const DATA_EXPORTS = {
  aidants: { title: 'Aidants', file: 'aidants' },
  structures: { title: 'Structures', file: 'structures' },
  habilitation_requests: { title: 'Demandes d’habilitation', file: 'demandes-habilitation' },
} as const;
export type DataExportKind = keyof typeof DATA_EXPORTS;
export const isDataExportKind = (value: string): value is DataExportKind => Object.hasOwn(DATA_EXPORTS, value);

export interface DataExportFilters {
  /** Exact département codes (several: a région, say). */
  departmentCodes?: string[];
  organisationId?: string;
  /** aidants: the account; structures: the structure. */
  isActive?: boolean;
  type?: StructureType;
  status?: RequestStatus;
  submittedFrom?: Date;
  submittedTo?: Date;
}

/** The list parameters each export reads (`filters.<key>`), with their French names. */
export const DATA_EXPORT_FILTERS: Record<DataExportKind, Record<string, string>> = {
  aidants: { departmentCode: 'département', organisationId: 'structure', isActive: 'compte actif' },
  structures: { departmentCode: 'département', type: 'type de structure', isActive: 'structure active' },
  habilitation_requests: {
    status: 'statut', departmentCode: 'département', type: 'type de structure', 'submittedAt~~from': 'soumise après le', 'submittedAt~~to': 'soumise avant le',
  },
};

const DEPARTMENT = /^([0-9]{2}|2A|2B|97[1-6])$/;

export type DataExportFilterParse = { filters: DataExportFilters; errors: string[] };

/**
 * Reads the export's own parameters among the list's (`filters.departmentCode`, `filters.status`…); the
 * others are not the export's (pagination, sorting). A malformed value is an error in French, never a
 * silently wider export. `departmentCode` takes one code or several separated by commas or spaces.
 */
export function parseDataExportFilters(kind: DataExportKind, query: Record<string, unknown>): DataExportFilterParse {
  const names = DATA_EXPORT_FILTERS[kind];
  const filters: DataExportFilters = {};
  const errors: string[] = [];
  const text = (key: string) => {
    if (!Object.hasOwn(names, key)) return undefined;
    const value = query[`filters.${key}`];
    // A repeated parameter (an array) is refused, not ignored: ignoring it would export more than asked.
    if (value !== undefined && typeof value !== 'string') errors.push(`Le filtre « ${names[key]} » est donné plusieurs fois.`);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const departments = text('departmentCode');
  if (departments !== undefined) {
    const codes = [...new Set(departments.toUpperCase().split(/[\s,;]+/).filter(Boolean))];
    const wrong = codes.filter((code) => !DEPARTMENT.test(code));
    if (wrong.length > 0) errors.push(`Département inconnu : ${wrong.join(', ')} (un code comme 17, 2A ou 974, plusieurs séparés par des virgules).`);
    else filters.departmentCodes = codes;
  }
  const organisationId = text('organisationId');
  if (organisationId !== undefined) {
    if (isUuid(organisationId)) filters.organisationId = organisationId.toLowerCase();
    else errors.push('L’identifiant de la structure est mal formé.');
  }
  const active = text('isActive');
  if (active !== undefined) {
    if (active === 'true' || active === 'false') filters.isActive = active === 'true';
    else errors.push(`Le filtre « ${names.isActive} » vaut « true » ou « false ».`);
  }
  const type = text('type');
  if (type !== undefined) {
    if (Object.hasOwn(STRUCTURE_TYPES, type)) filters.type = type as StructureType;
    else errors.push(`Le type de structure « ${type} » n’existe pas.`);
  }
  const status = text('status');
  if (status !== undefined) {
    if (Object.hasOwn(REQUEST_STATUSES, status)) filters.status = status as RequestStatus;
    else errors.push(`Le statut « ${status} » n’existe pas.`);
  }
  for (const [bound, key, label] of [['submittedFrom', 'submittedAt~~from', 'de début'], ['submittedTo', 'submittedAt~~to', 'de fin']] as const) {
    const value = text(key);
    if (value === undefined) continue;
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) errors.push(`La date ${label} est mal formée.`);
    else filters[bound] = date;
  }
  if (filters.submittedFrom && filters.submittedTo && filters.submittedFrom > filters.submittedTo) errors.push('La date de début est postérieure à la date de fin.');
  return { filters, errors };
}

/** The filters as the journal keeps them (dates as ISO strings). */
export function filtersForJournal(filters: DataExportFilters): Record<string, unknown> {
  return Object.fromEntries(Object.entries(filters).map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value]));
}

export function dataExportFileName(kind: DataExportKind, now: Date): string {
  return `${DATA_EXPORTS[kind].file}-aidants-connect-${fileDay(now)}.csv`;
}

const count = (value: string | number | null) => Number(value ?? 0);

// --- aidants: one row per aidant and structure

export interface AidantExportRow {
  user_id: string;
  organisation_id: string;
  last_name: string;
  first_name: string;
  email: string;
  profession: string | null;
  account_active: boolean;
  member_active: boolean;
  can_create_mandats: boolean;
  is_referent: boolean;
  last_login: string | null; // DD/MM/YYYY, Paris
  organisation_name: string;
  siret: string;
  department_code: string;
  habilitation_number: string | null;
  card_kinds: CardKind[] | null;
  card_serial: string | null;
  card_validated: boolean | null;
  training_date: string | null; // DD/MM/YYYY
  mandats_created: string | number;
  mandats_active: string | number;
  demarches_done: string | number;
}

export const AIDANT_CSV_HEADERS = [
  'Nom', 'Prénom', 'E-mail', 'Profession', 'Structure', 'SIRET', 'Département', 'N° d’habilitation de la structure',
  'Aidant (crée des mandats)', 'Référent', 'Membre actif de la structure', 'Compte actif', 'Dernière connexion',
  'Type de carte', 'N° de série de la carte physique', 'Carte validée', 'Date de formation',
  'Mandats créés', 'Mandats actifs', 'Démarches effectuées', 'Identifiant de l’aidant', 'Identifiant de la structure',
] as const;

export function aidantCsvLine(row: AidantExportRow): string {
  return csvLine([
    row.last_name, row.first_name, row.email, row.profession, row.organisation_name, row.siret, row.department_code, row.habilitation_number,
    yesNo(row.can_create_mandats), yesNo(row.is_referent), yesNo(row.member_active), yesNo(row.account_active), row.last_login,
    row.card_kinds && row.card_kinds.length > 0 ? row.card_kinds.map((kind) => CARD_KINDS[kind] ?? kind).join(' et ') : 'Aucune',
    row.card_serial, row.card_kinds && row.card_kinds.length > 0 ? yesNo(row.card_validated) : '', row.training_date,
    count(row.mandats_created), count(row.mandats_active), count(row.demarches_done), row.user_id, row.organisation_id,
  ]);
}

// --- structures

export interface StructureExportRow {
  id: string;
  name: string;
  type: StructureType;
  type_other: string | null;
  siret: string;
  address: string;
  zipcode: string;
  city: string;
  department_code: string;
  habilitation_number: string | null;
  france_services_number: string | null;
  is_active: boolean;
  created_at: string; // DD/MM/YYYY
  aidants: string | number;
  referents: string | number;
  mandats_active: string | number;
}

export const STRUCTURE_CSV_HEADERS = [
  'Nom', 'Type', 'SIRET', 'Adresse', 'Code postal', 'Ville', 'Département', 'N° d’habilitation', 'N° France Services', 'Structure active',
  'Créée le', 'Aidants actifs', 'Référents actifs', 'Mandats actifs', 'Identifiant de la structure',
] as const;

export function structureCsvLine(row: StructureExportRow): string {
  return csvLine([
    row.name, row.type === 'autre' && row.type_other ? `Autre : ${row.type_other}` : STRUCTURE_TYPES[row.type] ?? row.type, row.siret, row.address,
    row.zipcode, row.city, row.department_code, row.habilitation_number, row.france_services_number, yesNo(row.is_active), row.created_at,
    count(row.aidants), count(row.referents), count(row.mandats_active), row.id,
  ]);
}

// --- habilitation requests

export interface RequestExportRow {
  id: string;
  name: string;
  status: RequestStatus;
  type: StructureType;
  type_other: string | null;
  siret: string;
  zipcode: string | null;
  city: string | null;
  department_code: string | null;
  france_services_number: string | null;
  issuer_name: string;
  issuer_email: string;
  issuer_profession: string;
  referent_name: string | null;
  referent_email: string | null;
  aidants_to_train: string | number;
  created_at: string;
  submitted_at: string | null;
  decided_at: string | null;
  closed_at: string | null;
  habilitation_number: string | null;
  organisation_id: string | null;
}

export const REQUEST_CSV_HEADERS = [
  'Structure', 'Statut', 'Type de structure', 'SIRET', 'Code postal', 'Ville', 'Département', 'N° France Services',
  'Demandeur', 'E-mail du demandeur', 'Profession du demandeur', 'Référent', 'E-mail du référent', 'Aidants à former',
  'Créée le', 'Soumise le', 'Décidée le', 'Clôturée le', 'N° d’habilitation', 'Identifiant de la demande', 'Identifiant de la structure habilitée',
] as const;

export function requestCsvLine(row: RequestExportRow): string {
  return csvLine([
    row.name, REQUEST_STATUSES[row.status] ?? row.status, row.type === 'autre' && row.type_other ? `Autre : ${row.type_other}` : STRUCTURE_TYPES[row.type] ?? row.type,
    row.siret, row.zipcode, row.city, row.department_code, row.france_services_number, row.issuer_name, row.issuer_email, row.issuer_profession,
    row.referent_name, row.referent_email, count(row.aidants_to_train), row.created_at, row.submitted_at, row.decided_at, row.closed_at,
    row.habilitation_number, row.id, row.organisation_id,
  ]);
}
