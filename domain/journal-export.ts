// The journal's CSV export, the pure part: which filters it takes (the back-office list's own query
// parameters, so that « Exporter » exports what the list shows) and the French columns. The escaping is
// domain/csv.ts, shared by every export (re-exported here for the journal's callers).
import { csvLine, fileDay } from './csv.js';
import { DEMARCHES, isDemarche } from './demarches.js';
import { JOURNAL_ACTIONS, type JournalAction } from './journal.js';
import { isUuid } from './uuid.js';

export { CSV_BOM, CSV_SEPARATOR, csvField, csvLine } from './csv.js';

/** The filters of the journal list and of its export. */
export interface JournalFilters {
  action?: JournalAction;
  organisationId?: string;
  actorId?: string;
  usagerId?: string;
  from?: Date;
  to?: Date;
}

const REFERENCES = { organisationId: 'structure', actorId: 'auteur', usagerId: 'usager' } as const;

const FILTER_NAMES: Record<string, string> = {
  action: 'action', organisationId: 'structure', actorId: 'auteur', usagerId: 'usager', 'createdAt~~from': 'date de début', 'createdAt~~to': 'date de fin',
};

export type FilterParse = { filters: JournalFilters; errors: string[] };

/**
 * Reads AdminJS's list parameters (`filters.action`, `filters.organisationId`, `filters.createdAt~~from`…).
 * A malformed value is an error in French, never a silently wider export.
 */
export function parseJournalFilters(query: Record<string, unknown>): FilterParse {
  const filters: JournalFilters = {};
  const errors: string[] = [];
  const text = (key: string) => {
    const value = query[`filters.${key}`];
    // A repeated parameter (an array) is refused, not ignored: ignoring it would export more than asked.
    if (value !== undefined && typeof value !== 'string') errors.push(`Le filtre « ${FILTER_NAMES[key] ?? key} » est donné plusieurs fois.`);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const action = text('action');
  if (action !== undefined) {
    if (Object.hasOwn(JOURNAL_ACTIONS, action)) filters.action = action as JournalAction;
    else errors.push(`L’action « ${action} » n’existe pas dans le journal.`);
  }
  for (const [key, label] of Object.entries(REFERENCES) as [keyof typeof REFERENCES, string][]) {
    const value = text(key);
    if (value === undefined) continue;
    if (isUuid(value)) filters[key] = value.toLowerCase();
    else errors.push(`L’identifiant de ${label === 'auteur' ? 'l’auteur' : label === 'usager' ? 'l’usager' : 'la structure'} est mal formé.`);
  }
  for (const [bound, key, label] of [['from', 'createdAt~~from', 'de début'], ['to', 'createdAt~~to', 'de fin']] as const) {
    const value = text(key);
    if (value === undefined) continue;
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) errors.push(`La date ${label} est mal formée.`);
    else filters[bound] = date;
  }
  if (filters.from && filters.to && filters.from > filters.to) errors.push('La date de début est postérieure à la date de fin.');
  return { filters, errors };
}

/** What the journal's details hold most often, in French; any other key is shown as it is. */
const DETAIL_LABELS: Record<string, string> = {
  ip: 'Adresse IP', reason: 'Raison', reasonText: 'Raison', motif: 'Motif', to: 'Nouvel état', from: 'État précédent',
  serialNumber: 'Numéro de carte', kind: 'Type de carte', aidantId: 'Aidant', email: 'E-mail', decision: 'Décision',
  checked: 'Entrées vérifiées', brokenAt: 'Chaîne rompue à l’entrée', rows: 'Lignes', filters: 'Filtres', upToId: 'Jusqu’à l’entrée', upToPosition: 'Jusqu’à la position de la chaîne', export: 'Export',
  staffMemberId: 'Membre de l’équipe ANCT', roles: 'Rôles',
};

/** An entry's details, one « label : value » per line (the record page and the export). */
export function describeDetails(details: Record<string, unknown> | null | undefined): string[] {
  return Object.entries(details ?? {}).map(([key, value]) =>
    `${DETAIL_LABELS[key] ?? key} : ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}

/** Démarche keys as their French short titles. */
export function describeDemarches(demarches: readonly string[] | null | undefined): string {
  return (demarches ?? []).map((key) => (isDemarche(key) ? DEMARCHES[key].titreCourt : key)).join(', ');
}

/** One row of the export as the query returns it. */
export interface JournalExportRow {
  id: string;
  created_at: string; // already in Europe/Paris, formatted by PostgreSQL
  action: string;
  actor_id: string | null;
  actor_name: string | null;
  organisation_id: string | null;
  organisation_name: string | null;
  usager_id: string | null;
  mandat_id: string | null;
  autorisation_id: string | null;
  habilitation_request_id: string | null;
  onboarding_id: string | null;
  demarches: string[] | null;
  duration_days: number | null;
  details: Record<string, unknown> | null;
  hash: string;
  previous_hash: string;
}

export const JOURNAL_CSV_HEADERS = [
  'N° d’entrée', 'Date (heure de Paris)', 'Action', 'Code de l’action', 'Auteur', 'Identifiant de l’auteur', 'Structure',
  'Identifiant de la structure', 'Identifiant de l’usager', 'Mandat', 'Autorisation', 'Demande d’habilitation', 'Habilitation d’aidant',
  'Démarches', 'Durée (jours)', 'Détails', 'Empreinte', 'Empreinte précédente',
] as const;

export function journalCsvLine(row: JournalExportRow): string {
  return csvLine([
    row.id, row.created_at, JOURNAL_ACTIONS[row.action as JournalAction] ?? row.action, row.action, row.actor_name, row.actor_id,
    row.organisation_name, row.organisation_id, row.usager_id, row.mandat_id, row.autorisation_id, row.habilitation_request_id,
    row.onboarding_id, describeDemarches(row.demarches), row.duration_days, describeDetails(row.details).join('\n'), row.hash, row.previous_hash,
  ]);
}

/** The downloaded file's name, dated (Europe/Paris). */
export function journalCsvFileName(now: Date): string {
  return `journal-aidants-connect-${fileDay(now)}.csv`;
}
