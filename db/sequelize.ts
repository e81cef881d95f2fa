// One Sequelize instance per process, built from the resolved database URL.
import { Sequelize } from 'sequelize';
import { DATABASE_POOL_MAX } from '../config/database.js';
import { initModels } from './models/index.js';

export function createSequelize(databaseUrl: string, options: { poolMax?: number; logging?: boolean } = {}): Sequelize {
  const sequelize = new Sequelize(databaseUrl, {
    dialect: 'postgres',
    logging: options.logging ? (sql) => process.stderr.write(`${sql}\n`) : false,
    pool: { max: options.poolMax ?? DATABASE_POOL_MAX, min: 0, idle: 10_000 },
    // A database host that does not answer (rather than refusing) fails a connection in seconds, not after the
    // system's TCP timeout: pages then answer their 503 at once (server/web/unavailable.ts).
    dialectOptions: { connectionTimeoutMillis: 5_000, keepAlive: true },
    define: { underscored: true, timestamps: false },
  });
  initModels(sequelize);
  return sequelize;
}
