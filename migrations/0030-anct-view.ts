// The ANCT's view: a daily statistics snapshot (aggregates only, as JSONB: the dashboard reads the latest one
// instead of counting a million mandats and journal entries at each view), and the indexes its counts and the
// weekly digest read through (the journal already has (action, created_at) for `use_autorisation`).
import { sqlMigration } from './sql-migration.js';

const UP = `
CREATE TABLE statistics_snapshots (
  taken_on date PRIMARY KEY, -- the Paris day: one snapshot a day, a rerun that day replaces it
  taken_at timestamptz NOT NULL,
  figures jsonb NOT NULL
);
CREATE INDEX mandats_created_at ON mandats (created_at);
CREATE INDEX aidant_onboardings_asked_by_referent ON aidant_onboardings (created_at) WHERE requested_by_id IS NOT NULL;
`;

const DOWN = `
DROP INDEX IF EXISTS aidant_onboardings_asked_by_referent;
DROP INDEX IF EXISTS mandats_created_at;
DROP TABLE IF EXISTS statistics_snapshots;
`;

export const { up, down } = sqlMigration(UP, DOWN);
