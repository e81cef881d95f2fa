// A FranceConnect identification serves one mandat only: the mandat's creation marks its connection used, in
// the creation's transaction (services/mandat-creation.ts), and a used or expired one is refused.
import { sqlMigration } from './sql-migration.js';

const UP = `
ALTER TABLE connections ADD COLUMN used_at timestamptz;
`;

const DOWN = `
ALTER TABLE connections DROP COLUMN used_at;
`;

export const { up, down } = sqlMigration(UP, DOWN);
