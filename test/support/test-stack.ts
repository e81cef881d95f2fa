// Jest's global setup and teardown: one throwaway stack for the whole run (see infra/throwaway-stack.ts).
// Its addresses reach the test files through environment variables (test/support/env.ts).
import { ensureTimeSkippingServer } from '../../infra/provision.js';
import { startThrowawayStack, type ThrowawayStack } from '../../infra/throwaway-stack.js';

export { freePort } from '../../infra/throwaway-stack.js';

const holder = globalThis as { __testStack?: ThrowawayStack };

export async function startTestStack(): Promise<void> {
  const stack = await startThrowawayStack({ existingServerUrl: process.env.TEST_DATABASE_URL });
  holder.__testStack = stack;
  process.env.TEST_DB_URL = stack.databaseUrl;
  process.env.TEST_TEMPORAL_ADDRESS = stack.temporalAddress;
  process.env.TEST_SMTP_URL = stack.mailSink.smtpUrl;
  process.env.TEST_MAIL_API = `${stack.mailSink.webUrl}/api/messages`;
  process.env.TEST_FRANCECONNECT_ISSUER = stack.franceconnect.issuer;
  process.env.TEST_TIME_SKIPPING_SERVER = await ensureTimeSkippingServer();
}

export async function stopTestStack(): Promise<void> {
  await holder.__testStack?.stop();
}
