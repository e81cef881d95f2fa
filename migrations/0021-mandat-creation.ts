// A FranceConnect identification serves one mandat only: the mandat's creation marks its connection used, in
// the creation's transaction (services/mandat-creation.ts), and a used or expired one is refused. A mandat
// records when its workflow was started: the ones whose start failed (Temporal unreachable) are started by a
// sweep.
import { sqlMigration } from './sql-migration.js';

const UP = `
ALTER TABLE connections ADD COLUMN used_at timestamptz;
ALTER TABLE mandats ADD COLUMN workflow_started_at timestamptz;
CREATE INDEX mandats_workflow_not_started ON mandats (created_at) WHERE workflow_started_at IS NULL AND status = 'active';
`;

const DOWN = `
DROP INDEX mandats_workflow_not_started;
ALTER TABLE mandats DROP COLUMN workflow_started_at;
ALTER TABLE connections DROP COLUMN used_at;
`;

export const { up, down } = sqlMigration(UP, DOWN);
