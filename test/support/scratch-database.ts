// A database of its own for a migration test (created on the test server, dropped afterwards): migrations are
// run up and down there without touching the suite's shared database.
import { Sequelize } from 'sequelize';
import { testEnv, unique } from './env.js';

/** Runs `use` with a bare Sequelize on a new empty database (the models stay bound to the test database). */
export async function withScratchDatabase(server: Sequelize, use: (scratch: Sequelize) => Promise<void>): Promise<void> {
  const name = unique('scratch_');
  await server.query(`CREATE DATABASE ${name}`);
  const url = new URL(testEnv.databaseUrl);
  url.pathname = `/${name}`;
  const scratch = new Sequelize(url.toString(), { dialect: 'postgres', logging: false });
  try {
    await use(scratch);
  } finally {
    await scratch.close();
    await server.query(`DROP DATABASE ${name}`);
  }
}
