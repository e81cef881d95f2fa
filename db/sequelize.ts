// One Sequelize instance per process, built from the resolved database URL.
import { Sequelize } from 'sequelize';
import { initModels } from './models/index.js';

export function createSequelize(databaseUrl: string, options: { poolMax?: number; logging?: boolean } = {}): Sequelize {
  const sequelize = new Sequelize(databaseUrl, {
    dialect: 'postgres',
    logging: options.logging ? (sql) => process.stderr.write(`${sql}\n`) : false,
    pool: { max: options.poolMax ?? 10, min: 0, idle: 10_000 },
    define: { underscored: true, timestamps: false },
  });
  initModels(sequelize);
  return sequelize;
}
