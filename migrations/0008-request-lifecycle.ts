// The request lifecycle always ends: a resubmission is recorded (resubmitted_at) so that a lost signal can be
// delivered again by the sweep, and a request left in changes_required is closed after a delay (closed_at).
// A request closed that way never had a structure: only a validated request must have one.
import { sqlMigration } from './sql-migration.js';

const UP = `
ALTER TABLE habilitation_requests ADD COLUMN resubmitted_at timestamptz, ADD COLUMN closed_at timestamptz;
UPDATE habilitation_requests SET closed_at = updated_at WHERE status = 'closed';
ALTER TABLE habilitation_requests DROP CONSTRAINT request_validated_has_structure;
ALTER TABLE habilitation_requests ADD CONSTRAINT request_validated_has_structure CHECK (status <> 'validated' OR organisation_id IS NOT NULL);
ALTER TABLE habilitation_requests ADD CONSTRAINT request_closed_dated CHECK ((status = 'closed') = (closed_at IS NOT NULL));
ALTER TABLE habilitation_requests ADD CONSTRAINT request_resubmitted_awaits_workflow CHECK (resubmitted_at IS NULL OR status = 'changes_required');
CREATE INDEX habilitation_requests_resubmitted ON habilitation_requests (resubmitted_at) WHERE resubmitted_at IS NOT NULL;
`;

const DOWN = `
DROP INDEX IF EXISTS habilitation_requests_resubmitted;
ALTER TABLE habilitation_requests DROP CONSTRAINT request_resubmitted_awaits_workflow;
ALTER TABLE habilitation_requests DROP CONSTRAINT request_closed_dated;
ALTER TABLE habilitation_requests DROP CONSTRAINT request_validated_has_structure;
ALTER TABLE habilitation_requests ADD CONSTRAINT request_validated_has_structure CHECK (status NOT IN ('validated','closed') OR organisation_id IS NOT NULL);
ALTER TABLE habilitation_requests DROP COLUMN closed_at, DROP COLUMN resubmitted_at;
`;

export const { up, down } = sqlMigration(UP, DOWN);
