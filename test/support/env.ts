// What the global setup started, for the test files.
import { randomBytes } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { loadConfig, type Config } from '../../config/index.js';
import { createSequelize } from '../../db/sequelize.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\` (jest's global setup provides it)`);
  return value;
}

export const testEnv = {
  get databaseUrl() { return required('TEST_DB_URL'); },
  get temporalAddress() { return required('TEST_TEMPORAL_ADDRESS'); },
  get smtpUrl() { return required('TEST_SMTP_URL'); },
  get mailApi() { return required('TEST_MAIL_API'); },
  /** The local FranceConnect stand-in of the test stack (the client of testConfig() is registered there). */
  get franceconnectIssuer() { return required('TEST_FRANCECONNECT_ISSUER'); },
  get timeSkippingServer() { return required('TEST_TIME_SKIPPING_SERVER'); },
  /** The back-office's components bundle, built once for the run (scripts/bundle-admin.ts): servers serve it as is. */
  get adminBundleDir() { return required('TEST_ADMIN_BUNDLE_DIR'); },
  /** The development SECRETS_KEY, as the test configuration has it. */
  get secretsKey() { return testConfig().secrets.key; },
};

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test', DATABASE_URL: testEnv.databaseUrl, TEMPORAL_ADDRESS: testEnv.temporalAddress, SMTP_URL: testEnv.smtpUrl,
    PUBLIC_URL: 'http://localhost:3000', DEV_TOOLS: 'true', FRANCECONNECT_ISSUER: testEnv.franceconnectIssuer, ...overrides,
  });
}

export function testSequelize(): Sequelize {
  return createSequelize(testEnv.databaseUrl, { poolMax: 5 });
}

/** A unique suffix so parallel test files never see each other's rows, mails or workflows. */
export const unique = (prefix = 't'): string => `${prefix}${randomBytes(5).toString('hex')}`;
