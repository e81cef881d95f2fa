// Throttling that holds across every web process: login failures are counted per client address too (not
// per e-mail alone, which let anyone lock an ANCT member out), and the per-address limit on public POSTs
// keeps its counters here (server/web/rate-limit.ts).
import { sqlMigration } from './sql-migration.js';

const UP = `
ALTER TABLE login_failures ADD COLUMN ip text CHECK (length(ip) BETWEEN 1 AND 100);
CREATE INDEX login_failures_ip ON login_failures (ip, created_at);

CREATE TABLE rate_limit_hits (
  key text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 200),
  hits integer NOT NULL CHECK (hits >= 0),
  reset_at timestamptz NOT NULL
);
CREATE INDEX rate_limit_hits_reset_at ON rate_limit_hits (reset_at);
`;

const DOWN = `
DROP TABLE IF EXISTS rate_limit_hits;
DROP INDEX IF EXISTS login_failures_ip;
ALTER TABLE login_failures DROP COLUMN IF EXISTS ip;
`;

export const { up, down } = sqlMigration(UP, DOWN);
