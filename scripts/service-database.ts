// The database of the running service, for the maintenance scripts (staff:add, journal:verify, retention:preview):
// DATABASE_URL, which production requires (the configuration says so); in development, without it, the embedded
// PostgreSQL that `npm start` runs.
import type { Config } from '../config/index.js';
import { embeddedDatabaseUrl } from '../infra/embedded-postgres.js';

export const serviceDatabaseUrl = (config: Config): string =>
  config.database.url ?? embeddedDatabaseUrl(config.database.embeddedPort, 'aidants_connect');
