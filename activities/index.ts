// Every activity the worker registers, built from injected dependencies (database, mailer, public URL).
// Workflows import only the *type* of this object.
import type { Sequelize } from 'sequelize';
import type { Mailer } from '../services/mailer.js';
import { sendEmailOnce, type EmailRequest, type SendOutcome } from '../services/outbox.js';
import { createHabilitationActivities } from './habilitation.js';
import { createHousekeepingActivities } from './housekeeping.js';
import { createOnboardingActivities } from './onboarding.js';

export interface ActivityDeps {
  sequelize: Sequelize;
  mailer: Mailer;
  mailFrom: string;
  publicUrl: string;
  /** SECRETS_KEY: private links minted into e-mails are hashed under a key derived from it. */
  secretsKey: Buffer;
  anctEmail: string;
  operations: { alertEmail: string; stuckEmailAfterMs: number };
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createHabilitationActivities(deps),
    ...createOnboardingActivities(deps),
    ...createHousekeepingActivities(deps),

    /** Renders, stores and sends an e-mail once per idempotency key. */
    async sendEmail(request: EmailRequest): Promise<SendOutcome> {
      return sendEmailOnce({ sequelize: deps.sequelize, mailer: deps.mailer, from: deps.mailFrom, links: { publicUrl: deps.publicUrl, secretsKey: deps.secretsKey } }, request);
    },

    /** Where ANCT notifications go (kept out of workflow input so it can change without a new workflow run). */
    async getAnctRecipients(): Promise<string[]> {
      return [deps.anctEmail];
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
