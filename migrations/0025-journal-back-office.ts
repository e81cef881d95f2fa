// The journal's back-office filters and export: by structure and by usager (each read in id order, as the list
// and the export's keyset pagination read them), and by date. Filters by action and by auteur already have theirs.
import { sqlMigration } from './sql-migration.js';

const UP = `
CREATE INDEX journal_organisation ON journal (organisation_id, id) WHERE organisation_id IS NOT NULL;
CREATE INDEX journal_usager ON journal (usager_id, id) WHERE usager_id IS NOT NULL;
CREATE INDEX journal_created_at ON journal (created_at);
`;

const DOWN = `
DROP INDEX journal_created_at;
DROP INDEX journal_usager;
DROP INDEX journal_organisation;
`;

export const { up, down } = sqlMigration(UP, DOWN);
