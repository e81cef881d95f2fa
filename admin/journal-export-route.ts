// GET /admin/journal/export.csv: the journal as a CSV file, with the filters of the back-office list (its own
// query parameters). Mounted behind the back-office login (admin/index.ts) and refused without read_journal.
// A GET that changes nothing but the journal itself (the export is journaled, as a copy of personal data
// leaving the service): no CSRF token needed, and another site can only make the browser download a file it
// cannot read.
import type { Request, RequestHandler, Response } from 'express';
import type { Sequelize } from 'sequelize';
import { journalCsvFileName, parseJournalFilters } from '../domain/journal-export.js';
import { can } from '../domain/roles.js';
import { appendJournal } from '../services/journal.js';
import { sealedJournalPosition, writeJournalCsv } from '../services/journal-export.js';
import { csvRefusal, sendCsvDownload } from './csv-download.js';

const FORBIDDEN = 'Vous n’avez pas les droits nécessaires pour exporter le journal.';

export function journalExportRoute(sequelize: Sequelize, options: { batchSize?: number } = {}): RequestHandler {
  return (req: Request, res: Response, next) => {
    (async () => {
      const admin = req.session.adminUser!;
      if (!can(admin.roles, 'read_journal')) return csvRefusal(res, 403, FORBIDDEN);
      const { filters, errors } = parseJournalFilters(req.query as Record<string, unknown>);
      if (errors.length > 0) return csvRefusal(res, 400, `Export impossible : ${errors.join(' ')}`);
      const upToPosition = await sealedJournalPosition(sequelize);
      await appendJournal({
        action: 'journal_exported', actorId: admin.id,
        details: { filters: Object.fromEntries(Object.entries(filters).map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value])), upToPosition },
      });
      await sendCsvDownload(res, journalCsvFileName(new Date()), (out) => writeJournalCsv(sequelize, filters, upToPosition, out, options));
    })().catch(next);
  };
}
