// Indexes of the back-office's exports (services/data-exports.ts): each batch of the aidants' export counts
// the mandats and démarches of its page's aidants, and reads their training dates; without these, each batch
// would scan the whole of mandats, of the journal's uses of autorisations and of the onboardings.
import { sqlMigration } from './sql-migration.js';

const UP = `
CREATE INDEX mandats_created_by ON mandats (created_by_id, organisation_id);
CREATE INDEX journal_use_autorisation_actor ON journal (actor_id, organisation_id) WHERE action = 'use_autorisation';
CREATE INDEX aidant_onboardings_user ON aidant_onboardings (user_id) WHERE user_id IS NOT NULL;
`;

const DOWN = `
DROP INDEX IF EXISTS aidant_onboardings_user;
DROP INDEX IF EXISTS journal_use_autorisation_actor;
DROP INDEX IF EXISTS mandats_created_by;
`;

export const { up, down } = sqlMigration(UP, DOWN);
