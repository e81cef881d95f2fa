// The identity provider's round trips in progress (idp_connections: the authorize request, the aidant's
// choices, the code and the access token, all expiring within minutes) and the POST limit's counters
// (rate_limit_hits) are UNLOGGED: PostgreSQL writes no WAL for them, so their writes do not wait for the WAL's
// flush to disk. Measured on the FranceConnect round trip (bench/README.md « Identity provider »): waiting for
// those flushes was most of what PostgreSQL's backends did, in bursts that every step's tail carried.
//
// What a crash of PostgreSQL does to them — it empties unlogged tables, and a standby has none of their rows:
// every round trip in progress fails closed (an unknown interaction, code or token: FranceConnect shows an
// error and the aidant starts again), no code can be redeemed twice (its row is gone, not rolled back to
// unused), and the counters start again from zero. What must survive is elsewhere and stays logged: the
// journal entry and the usager's notification written by userinfo, in the same statement that reads the token.
// No durable table may reference these two (PostgreSQL refuses it): the journal keeps the connection's id as
// a value in its details.
import { sqlMigration } from './sql-migration.js';

const UP = `
ALTER TABLE idp_connections SET UNLOGGED;
ALTER TABLE rate_limit_hits SET UNLOGGED;
`;

const DOWN = `
ALTER TABLE rate_limit_hits SET LOGGED;
ALTER TABLE idp_connections SET LOGGED;
`;

export const { up, down } = sqlMigration(UP, DOWN);
