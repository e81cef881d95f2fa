// The back-office's data exports as CSV streams: aidants (one row per aidant and structure, with their card,
// training and numbers of mandats and démarches), structures (with their numbers of aidants, référents and
// active mandats) and habilitation requests. Each batch is ONE query: a keyset page of the main table (never
// OFFSET) joined to the counts of that page's rows only, computed set-based (grouped subqueries restricted to
// the page), never one query per row. Streaming, backpressure and stopping when the client leaves are
// services/csv-stream.ts, shared with the journal's export.
//
// Unlike the journal (append-only, cut at the last id seen at the start), these tables change during a long
// download: each batch reads what is committed when it runs, so a row added behind the cursor meanwhile is
// not in the file and counts are those of the moment their batch was read.
import type { Writable } from 'node:stream';
import { QueryTypes, type Sequelize } from 'sequelize';
import {
  AIDANT_CSV_HEADERS, aidantCsvLine, REQUEST_CSV_HEADERS, requestCsvLine, STRUCTURE_CSV_HEADERS, structureCsvLine,
  type AidantExportRow, type DataExportFilters, type DataExportKind, type RequestExportRow, type StructureExportRow,
} from '../domain/data-exports.js';
import { EXPORT_BATCH_SIZE, keysetBatches, writeCsvStream } from './csv-stream.js';

/** Below every uuid gen_random_uuid() draws (version 4): the first page's lower bound. */
const LOWEST_UUID = '00000000-0000-0000-0000-000000000000';
const PARIS_DAY = (column: string) => `to_char(${column} AT TIME ZONE 'Europe/Paris', 'DD/MM/YYYY')`;

/** Conditions with bind parameters numbered after the `fixed` ones. */
function conditions(fixed: unknown[]) {
  const bind = [...fixed];
  const clauses: string[] = [];
  return {
    bind,
    add(condition: string, value: unknown) {
      bind.push(value);
      clauses.push(condition.replace('?', `$${bind.length}`));
    },
    sql: () => clauses.map((clause) => ` AND ${clause}`).join(''),
  };
}

export interface DataExportOptions {
  batchSize?: number;
  /** What « active » mandats are measured against (the export's start by default). */
  now?: Date;
}

function aidantBatches(sequelize: Sequelize, filters: DataExportFilters, options: DataExportOptions): AsyncGenerator<AidantExportRow[]> {
  const now = options.now ?? new Date();
  type Key = [string, string];
  return keysetBatches<AidantExportRow, Key>((after, limit) => {
    const where = conditions([after?.[0] ?? LOWEST_UUID, after?.[1] ?? LOWEST_UUID, now]);
    if (filters.departmentCodes) where.add('o.department_code = ANY(?::text[])', filters.departmentCodes);
    if (filters.organisationId) where.add('m.organisation_id = ?::uuid', filters.organisationId);
    if (filters.isActive !== undefined) where.add('u.is_active = ?', filters.isActive);
    return sequelize.query<AidantExportRow>(`
      WITH page AS (
        SELECT m.user_id, m.organisation_id, m.is_active AS member_active, m.can_create_mandats, m.is_referent,
               u.last_name, u.first_name, u.email, u.profession, u.is_active AS account_active, u.last_login_at,
               o.name AS organisation_name, o.siret, o.department_code, o.habilitation_number
        FROM organisation_memberships m
        JOIN users u ON u.id = m.user_id
        JOIN organisations o ON o.id = m.organisation_id
        WHERE (m.user_id, m.organisation_id) > ($1::uuid, $2::uuid)${where.sql()}
        ORDER BY m.user_id, m.organisation_id
        LIMIT ${limit}
      )
      SELECT p.user_id::text, p.organisation_id::text, p.last_name, p.first_name, p.email, p.profession, p.account_active, p.member_active,
             p.can_create_mandats, p.is_referent, ${PARIS_DAY('p.last_login_at')} AS last_login,
             p.organisation_name, p.siret, p.department_code, p.habilitation_number,
             c.card_kinds, c.card_serial, c.card_validated, to_char(t.training_date, 'DD/MM/YYYY') AS training_date,
             coalesce(mc.created, 0) AS mandats_created, coalesce(mc.active, 0) AS mandats_active, coalesce(d.done, 0) AS demarches_done
      FROM page p
      LEFT JOIN (
        SELECT aidant_id, array_agg(kind ORDER BY kind DESC) AS card_kinds, max(serial_number) FILTER (WHERE kind = 'physical') AS card_serial,
               bool_or(validated_at IS NOT NULL) AS card_validated
        FROM cards WHERE aidant_id IN (SELECT user_id FROM page) GROUP BY aidant_id
      ) c ON c.aidant_id = p.user_id
      LEFT JOIN (
        SELECT user_id, max(training_date) AS training_date
        FROM aidant_onboardings WHERE user_id IN (SELECT user_id FROM page) GROUP BY user_id
      ) t ON t.user_id = p.user_id
      LEFT JOIN (
        SELECT created_by_id, organisation_id, count(*) AS created, count(*) FILTER (WHERE status = 'active' AND expires_at > $3) AS active
        FROM mandats WHERE (created_by_id, organisation_id) IN (SELECT user_id, organisation_id FROM page) GROUP BY created_by_id, organisation_id
      ) mc ON mc.created_by_id = p.user_id AND mc.organisation_id = p.organisation_id
      LEFT JOIN (
        SELECT actor_id, organisation_id, count(*) AS done
        FROM journal WHERE action = 'use_autorisation' AND (actor_id, organisation_id) IN (SELECT user_id, organisation_id FROM page)
        GROUP BY actor_id, organisation_id
      ) d ON d.actor_id = p.user_id AND d.organisation_id = p.organisation_id
      ORDER BY p.user_id, p.organisation_id`, { type: QueryTypes.SELECT, bind: where.bind });
  }, (row) => [row.user_id, row.organisation_id], options.batchSize ?? EXPORT_BATCH_SIZE);
}

function structureBatches(sequelize: Sequelize, filters: DataExportFilters, options: DataExportOptions): AsyncGenerator<StructureExportRow[]> {
  const now = options.now ?? new Date();
  return keysetBatches<StructureExportRow, string>((after, limit) => {
    const where = conditions([after ?? LOWEST_UUID, now]);
    if (filters.departmentCodes) where.add('o.department_code = ANY(?::text[])', filters.departmentCodes);
    if (filters.type) where.add('o.type = ?', filters.type);
    if (filters.isActive !== undefined) where.add('o.is_active = ?', filters.isActive);
    return sequelize.query<StructureExportRow>(`
      WITH page AS (
        SELECT o.* FROM organisations o WHERE o.id > $1::uuid${where.sql()} ORDER BY o.id LIMIT ${limit}
      )
      SELECT p.id::text, p.name, p.type, p.type_other, p.siret, p.address, p.zipcode, p.city, p.department_code, p.habilitation_number,
             p.france_services_number, p.is_active, ${PARIS_DAY('p.created_at')} AS created_at,
             coalesce(ms.aidants, 0) AS aidants, coalesce(ms.referents, 0) AS referents, coalesce(md.active, 0) AS mandats_active
      FROM page p
      LEFT JOIN (
        SELECT m.organisation_id, count(*) FILTER (WHERE m.can_create_mandats) AS aidants, count(*) FILTER (WHERE m.is_referent) AS referents
        FROM organisation_memberships m JOIN users u ON u.id = m.user_id
        WHERE m.organisation_id IN (SELECT id FROM page) AND m.is_active AND u.is_active
        GROUP BY m.organisation_id
      ) ms ON ms.organisation_id = p.id
      LEFT JOIN (
        SELECT organisation_id, count(*) AS active FROM mandats
        WHERE organisation_id IN (SELECT id FROM page) AND status = 'active' AND expires_at > $2
        GROUP BY organisation_id
      ) md ON md.organisation_id = p.id
      ORDER BY p.id`, { type: QueryTypes.SELECT, bind: where.bind });
  }, (row) => row.id, options.batchSize ?? EXPORT_BATCH_SIZE);
}

function requestBatches(sequelize: Sequelize, filters: DataExportFilters, options: DataExportOptions): AsyncGenerator<RequestExportRow[]> {
  return keysetBatches<RequestExportRow, string>((after, limit) => {
    const where = conditions([after ?? LOWEST_UUID]);
    if (filters.status) where.add('r.status = ?', filters.status);
    if (filters.departmentCodes) where.add('r.department_code = ANY(?::text[])', filters.departmentCodes);
    if (filters.type) where.add('r.type = ?', filters.type);
    if (filters.submittedFrom) where.add('r.submitted_at >= ?', filters.submittedFrom);
    if (filters.submittedTo) where.add('r.submitted_at <= ?', filters.submittedTo);
    // As the back-office list: without a status or a submission date, the requests submitted (no drafts).
    const submittedOnly = !filters.status && !filters.submittedFrom && !filters.submittedTo ? ' AND r.submitted_at IS NOT NULL' : '';
    return sequelize.query<RequestExportRow>(`
      WITH page AS (
        SELECT r.* FROM habilitation_requests r WHERE r.id > $1::uuid${submittedOnly}${where.sql()} ORDER BY r.id LIMIT ${limit}
      )
      SELECT p.id::text, p.name, p.status, p.type, p.type_other, p.siret, p.zipcode, p.city, p.department_code, p.france_services_number,
             concat_ws(' ', i.first_name, i.last_name) AS issuer_name, i.email AS issuer_email, i.profession AS issuer_profession,
             nullif(concat_ws(' ', p.referent_first_name, p.referent_last_name), '') AS referent_name, p.referent_email,
             coalesce(a.n, 0) AS aidants_to_train, ${PARIS_DAY('p.created_at')} AS created_at, ${PARIS_DAY('p.submitted_at')} AS submitted_at,
             ${PARIS_DAY('p.decided_at')} AS decided_at, ${PARIS_DAY('p.closed_at')} AS closed_at, p.habilitation_number, p.organisation_id::text
      FROM page p
      JOIN issuers i ON i.id = p.issuer_id
      LEFT JOIN (
        SELECT habilitation_request_id, count(*) AS n FROM aidant_requests
        WHERE habilitation_request_id IN (SELECT id FROM page) GROUP BY habilitation_request_id
      ) a ON a.habilitation_request_id = p.id
      ORDER BY p.id`, { type: QueryTypes.SELECT, bind: where.bind });
  }, (row) => row.id, options.batchSize ?? EXPORT_BATCH_SIZE);
}

/** The rows of an export, batch after batch (tests read them; the route writes them). */
export function dataExportBatches(sequelize: Sequelize, kind: 'aidants', filters: DataExportFilters, options?: DataExportOptions): AsyncGenerator<AidantExportRow[]>;
export function dataExportBatches(sequelize: Sequelize, kind: 'structures', filters: DataExportFilters, options?: DataExportOptions): AsyncGenerator<StructureExportRow[]>;
export function dataExportBatches(sequelize: Sequelize, kind: 'habilitation_requests', filters: DataExportFilters, options?: DataExportOptions): AsyncGenerator<RequestExportRow[]>;
export function dataExportBatches(sequelize: Sequelize, kind: DataExportKind, filters: DataExportFilters, options: DataExportOptions = {}): AsyncGenerator<unknown[]> {
  if (kind === 'aidants') return aidantBatches(sequelize, filters, options);
  if (kind === 'structures') return structureBatches(sequelize, filters, options);
  return requestBatches(sequelize, filters, options);
}

/**
 * Writes the export's CSV (BOM, French headers, one line per row) to `out`, waiting for it to drain whenever
 * it is full; stops fetching as soon as `out` is destroyed. Returns how many rows went out.
 */
export function writeDataExportCsv(
  sequelize: Sequelize, kind: DataExportKind, filters: DataExportFilters, out: Writable, options: DataExportOptions = {},
): Promise<number> {
  if (kind === 'aidants') return writeCsvStream(out, AIDANT_CSV_HEADERS, aidantBatches(sequelize, filters, options), aidantCsvLine);
  if (kind === 'structures') return writeCsvStream(out, STRUCTURE_CSV_HEADERS, structureBatches(sequelize, filters, options), structureCsvLine);
  return writeCsvStream(out, REQUEST_CSV_HEADERS, requestBatches(sequelize, filters, options), requestCsvLine);
}
