// Every activity the worker registers, built from injected dependencies (database, mailer, public URL).
// Workflows import only the *type* of this object.
import { ApplicationFailure } from '@temporalio/activity';
import type { Sequelize } from 'sequelize';
import type { InactivityPolicy } from '../domain/inactivity.js';
import { renderContext } from '../emails/render.js';
import type { Mailer } from '../services/mailer.js';
import {
  deliverEmail, EmailNotDeliverableError, isEmailRequest, sendEmailOnce, type EmailDelivery, type OutboxDeps, type SendOutcome,
} from '../services/outbox.js';
import { DEFAULT_SETUP_LINK_TTL_MS } from '../services/setup-links.js';
import type { RetentionPolicy } from '../domain/retention.js';
import { createHabilitationActivities } from './habilitation.js';
import { createHousekeepingActivities } from './housekeeping.js';
import { createInactivityActivities } from './inactivity.js';
import { createMandatActivities } from './mandat.js';
import { createOnboardingActivities } from './onboarding.js';
import { createRetentionActivities } from './retention.js';
import { createUsagerNotificationActivities } from './usager-notification.js';
import { createAnctViewActivities } from './anct-view.js';

export interface ActivityDeps {
  sequelize: Sequelize;
  mailer: Mailer;
  mailFrom: string;
  publicUrl: string;
  /** TRAINING_REGISTRATION_URL (default: the service's /formation page). */
  trainingRegistrationUrl?: string;
  /** SECRETS_KEY: private links minted into e-mails are hashed under a key derived from it. */
  secretsKey: Buffer;
  /** SETUP_LINK_TTL: validity of the référents' first-login links minted into e-mails (7 days by default). */
  setupLinkTtlMs?: number;
  anctEmail: string;
  operations: { alertEmail: string; stuckEmailAfterMs: number };
  /** The retention durations (config.retention); the CGU's defaults when absent. */
  retention?: RetentionPolicy;
  /** The daily inactivity duty's delays (config.inactivity; domain/inactivity.ts defaults when absent). */
  inactivity?: InactivityPolicy;
}

/** The outbox as the worker uses it: links and render context from the worker's configuration. */
export const outboxDeps = (deps: ActivityDeps): OutboxDeps => ({
  sequelize: deps.sequelize, mailer: deps.mailer, from: deps.mailFrom,
  links: { publicUrl: deps.publicUrl, secretsKey: deps.secretsKey },
  setupLinks: { publicUrl: deps.publicUrl, secretsKey: deps.secretsKey, ttlMs: deps.setupLinkTtlMs ?? DEFAULT_SETUP_LINK_TTL_MS },
  render: renderContext(deps.publicUrl, { trainingRegistrationUrl: deps.trainingRegistrationUrl }),
});

export function createActivities(deps: ActivityDeps) {
  const outbox = outboxDeps(deps);
  return {
    ...createHabilitationActivities(deps),
    ...createOnboardingActivities(deps),
    ...createHousekeepingActivities(deps, outbox),
    ...createInactivityActivities(deps, outbox),
    ...createMandatActivities(deps, outbox),
    ...createUsagerNotificationActivities(deps, outbox),
    ...createAnctViewActivities(deps, outbox),
    ...createRetentionActivities(deps),

    /**
     * Sends an e-mail once per idempotency key: renders and stores a request first, or delivers an e-mail
     * already stored (enqueueEmail). An e-mail that can never be sent fails for good, not retried.
     */
    async sendEmail(delivery: EmailDelivery): Promise<SendOutcome> {
      try {
        return isEmailRequest(delivery) ? await sendEmailOnce(outbox, delivery) : await deliverEmail(outbox, delivery.idempotencyKey);
      } catch (error) {
        if (error instanceof EmailNotDeliverableError) {
          throw ApplicationFailure.create({ type: error.name, message: error.message, nonRetryable: true });
        }
        throw error;
      }
    },

    /** Where ANCT notifications go (kept out of workflow input so it can change without a new workflow run). */
    async getAnctRecipients(): Promise<string[]> {
      return [deps.anctEmail];
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
