// Card codes as the reference service checks them: a tolerance per card (10 steps until validated, 1 after,
// 30 after repeated failures until the next login) and the count of failed codes since the last success.
// The CGU version an aidant accepted (shown until it is the current one, never blocking).
import { sqlMigration } from './sql-migration.js';

const UP = `
ALTER TABLE cards
  ADD COLUMN tolerance integer NOT NULL DEFAULT 10 CHECK (tolerance BETWEEN 0 AND 30),
  ADD COLUMN failed_codes integer NOT NULL DEFAULT 0 CHECK (failed_codes >= 0);
UPDATE cards SET tolerance = 1 WHERE validated_at IS NOT NULL;
ALTER TABLE users ADD COLUMN accepted_cgu_version text;
`;

const DOWN = `
ALTER TABLE users DROP COLUMN IF EXISTS accepted_cgu_version;
ALTER TABLE cards DROP COLUMN IF EXISTS failed_codes, DROP COLUMN IF EXISTS tolerance;
`;

export const { up, down } = sqlMigration(UP, DOWN);
