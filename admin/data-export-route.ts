// GET /admin/exports/:kind.csv (aidants, structures, habilitation_requests): an export as a streamed CSV file,
// with the filters of the back-office list it was opened from (domain/data-exports.ts reads them). Mounted
// behind the back-office login (admin/index.ts) and refused without export_data (domain/roles.ts says who).
// A GET that changes nothing but the journal (each export is journaled, as a copy of personal data leaving
// the service, with its filters): no CSRF token needed, and another site can only make the browser download
// a file it cannot read.
import type { Request, RequestHandler, Response } from 'express';
import type { Sequelize } from 'sequelize';
import { dataExportFileName, filtersForJournal, isDataExportKind, parseDataExportFilters } from '../domain/data-exports.js';
import { can } from '../domain/roles.js';
import { writeDataExportCsv, type DataExportOptions } from '../services/data-exports.js';
import { appendJournal } from '../services/journal.js';
import { csvRefusal, sendCsvDownload } from './csv-download.js';

const FORBIDDEN = 'Vous n’avez pas les droits nécessaires pour exporter ces données.';

export const DATA_EXPORT_PATH = '/exports/:kind.csv';

export function dataExportRoute(sequelize: Sequelize, options: Omit<DataExportOptions, 'now'> = {}): RequestHandler {
  return (req: Request, res: Response, next) => {
    (async () => {
      const kind = req.params.kind;
      if (!isDataExportKind(kind)) return void res.status(404).type('text/plain; charset=utf-8').send('Cet export n’existe pas.');
      const admin = req.session.adminUser!;
      if (!can(admin.roles, 'export_data')) return csvRefusal(res, 403, FORBIDDEN);
      const { filters, errors } = parseDataExportFilters(kind, req.query as Record<string, unknown>);
      if (errors.length > 0) return csvRefusal(res, 400, `Export impossible : ${errors.join(' ')}`);
      const now = new Date();
      await appendJournal({ action: 'data_exported', actorId: admin.id, details: { export: kind, filters: filtersForJournal(filters) } });
      await sendCsvDownload(res, dataExportFileName(kind, now), (out) => writeDataExportCsv(sequelize, kind, filters, out, { ...options, now }));
    })().catch(next);
  };
}
