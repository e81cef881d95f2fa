// A migration written as two SQL scripts: what `up` runs, and what `down` runs to undo it.
import type { MigrationParams } from 'umzug';
import type { QueryInterface } from 'sequelize';

export function sqlMigration(up: string, down: string) {
  return {
    up: async ({ context }: MigrationParams<QueryInterface>) => { await context.sequelize.query(up); },
    down: async ({ context }: MigrationParams<QueryInterface>) => { await context.sequelize.query(down); },
  };
}
