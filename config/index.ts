// The one typed configuration of the service, read from the environment once and validated at start-up.
// A missing or malformed variable stops the process with a message naming it (see formatConfigErrors).
// Never imported by workflow code: workflows get what they need as input.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RetentionPolicy } from '../domain/retention.js';
import { DEFAULT_INACTIVITY_POLICY, type InactivityPolicy } from '../domain/inactivity.js';
import { createReaders, type Env } from './readers.js';
import { readRetentionPolicy, RETENTION_VARIABLES } from './retention.js';
import { readFranceConnect, FRANCECONNECT_VARIABLES, type FranceConnectConfig } from './franceconnect.js';
import { readIdentityProvider, IDENTITY_PROVIDER_VARIABLES, type IdentityProviderConfig } from './identity-provider.js';

export { DEV_FRANCECONNECT_CLIENT_ID, DEV_FRANCECONNECT_SECRET } from './franceconnect.js';
export { DEV_IDP_CLIENT_ID, DEV_IDP_CLIENT_SECRET, FC_INTEGRATION_URIS } from './identity-provider.js';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type NodeEnv = 'development' | 'production' | 'test';

export interface Config {
  nodeEnv: NodeEnv;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Where the service keeps its local state (embedded PostgreSQL, Temporal SQLite file, caught mails). */
  dataDir: string;
  http: {
    port: number;
    /** Public base URL, used in e-mails and OIDC metadata. */
    publicUrl: string;
    /** Secret signing session cookies (public site and AdminJS). */
    sessionSecret: string;
    /** Serve development-only helpers (demo card codes). Never in production. */
    devTools: boolean;
    /**
     * Express's `trust proxy`: which proxies in front may tell the client's address (X-Forwarded-For).
     * false (default): the address of the socket, never a header a client could forge.
     */
    trustProxy: boolean | number | string[];
    /** POSTs allowed per client address within postRateWindowMs (public forms and the back-office login). */
    postRateLimit: number;
    postRateWindowMs: number;
  };
  database: {
    /** Undefined: an embedded PostgreSQL is started under dataDir. */
    url: string | undefined;
    embeddedPort: number;
  };
  secrets: {
    /** Seals TOTP seeds and secrets at rest (services/secret-box.ts): 32 bytes. */
    key: Buffer;
  };
  temporal: {
    /** Undefined: the project starts the `temporal` CLI dev server itself. */
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    devServerPort: number;
    uiPort: number;
    /** A workflow bundle built beforehand (npm run bundle:workflows): the worker runs exactly it, without bundling. */
    workflowBundlePath: string | undefined;
    /**
     * Workflows a worker keeps in memory between their tasks. Ours sleep for weeks between events, so a cached
     * workflow only helps within the burst of tasks after one; the SDK's default (sized on the heap, ~2 300
     * here) let a worker grow by hundreds of MB under load. A miss replays the workflow's (short) history.
     */
    workerMaxCachedWorkflows: number;
  };
  mail: {
    /** Undefined: the project starts its local SMTP sink. */
    smtpUrl: string | undefined;
    from: string;
    sinkSmtpPort: number;
    sinkWebPort: number;
  };
  habilitation: {
    /** A request waiting longer than this for the comité reminds the ANCT. */
    comiteReminderDelayMs: number;
    /** A request left in changes_required this long is closed. */
    changesCloseDelayMs: number;
    /** The demandeur is reminded this long before that closure. */
    changesReminderBeforeMs: number;
    /** Address of the ANCT team that receives reminders and digests. */
    anctEmail: string;
    /** Where an invited aidant registers for the training (linked from the invitation and reminders). */
    trainingRegistrationUrl: string;
    /** An aidant's onboarding left lapsed (training deadline passed, not reopened) is closed after this delay. */
    onboardingLapsedCloseDelayMs: number;
    /** The référents and the aidant are told this long before that closure. */
    onboardingLapsedCloseReminderMs: number;
  };
  espace: {
    /** A login link e-mailed to an aidant is valid this long (and once). */
    loginLinkTtlMs: number;
    /** A référent's first-login link (to add their authenticator application) is valid this long (and once). */
    setupLinkTtlMs: number;
    /** Protected pages ask for a card code again when the person's last journaled action is older than this. */
    activityCheckAfterMs: number;
    /** A session of the espace aidant and référent ends this long after the login, whatever the activity. */
    sessionMaxAgeMs: number;
  };
  franceconnect: FranceConnectConfig;
  /** Aidants Connect as a FranceConnect identity provider (server/identity-provider/): one client, FranceConnect. */
  identityProvider: IdentityProviderConfig;
  /** The demo « démarche » site (infra/demo-demarche-site.ts), FranceConnect's stand-in towards the identity provider: `npm start` in development only. */
  demoDemarcheSite: {
    port: number;
  };
  operations: {
    /** The technical team, told of e-mails stuck in the outbox. */
    alertEmail: string;
    /** An e-mail still unsent after this delay is reported (once). */
    stuckEmailAfterMs: number;
  };
  /** How long personal data is kept once it stopped serving (the daily retention duty, workflows/retention.ts). */
  retention: RetentionPolicy;
  /** The daily inactivity duty (domain/inactivity.ts): inactive aidants, idle habilitation drafts, sent e-mails' bodies. */
  inactivity: InactivityPolicy;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DEV_SESSION_SECRET = 'dev-only-session-secret-change-me-in-production';
/** Seals the secrets of development and test databases only; production must set its own. */
const DEV_SECRETS_KEY = '6465762d6f6e6c792d736563726574732d6b65792d6e6f742d666f722d707264'; // "dev-only-secrets-key-not-for-prd"

/** Reads and validates the configuration; throws ConfigError listing every bad variable at once. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const readers = createReaders(env, problems);
  const { read, oneOf, port, url, duration, positiveInteger, trustProxy, email } = readers;

  const nodeEnv = oneOf<NodeEnv>('NODE_ENV', ['development', 'production', 'test'], 'development');
  const httpPort = port('PORT', 3000);
  const publicUrl = url('PUBLIC_URL', ['http:', 'https:'], `http://localhost:${httpPort}`)!.replace(/\/$/, '');

  const sessionSecret = read('SESSION_SECRET') ?? (nodeEnv === 'production' ? undefined : DEV_SESSION_SECRET);
  if (sessionSecret === undefined) problems.push('SESSION_SECRET: required in production (at least 32 characters)');
  else if (sessionSecret.length < 32) problems.push('SESSION_SECRET: must be at least 32 characters long');

  const secretsKey = read('SECRETS_KEY') ?? (nodeEnv === 'production' ? undefined : DEV_SECRETS_KEY);
  if (secretsKey === undefined) problems.push('SECRETS_KEY: required in production (64 hexadecimal characters: openssl rand -hex 32)');
  else if (!/^[0-9a-fA-F]{64}$/.test(secretsKey)) problems.push('SECRETS_KEY: must be 64 hexadecimal characters (openssl rand -hex 32)');
  else if (nodeEnv === 'production' && secretsKey.toLowerCase() === DEV_SECRETS_KEY) problems.push('SECRETS_KEY: the development key cannot be used in production');

  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const temporalAddress = read('TEMPORAL_ADDRESS');
  if (temporalAddress !== undefined && !/^[\w.-]+:\d{1,5}$/.test(temporalAddress)) {
    problems.push(`TEMPORAL_ADDRESS: must be host:port (got "${temporalAddress}")`);
  }
  const smtpUrl = url('SMTP_URL', ['smtp:', 'smtps:']);
  const workflowBundle = read('WORKFLOW_BUNDLE');
  if (workflowBundle !== undefined && !existsSync(workflowBundle)) {
    problems.push(`WORKFLOW_BUNDLE: no such file "${workflowBundle}" (npm run bundle:workflows -- <file> writes one)`);
  }

  if (nodeEnv === 'production') {
    if (databaseUrl === undefined) problems.push('DATABASE_URL: required in production (the embedded PostgreSQL is for development)');
    if (temporalAddress === undefined) problems.push('TEMPORAL_ADDRESS: required in production (the dev server is for development)');
    if (smtpUrl === undefined) problems.push('SMTP_URL: required in production (the mail sink is for development)');
  }

  const devToolsRaw = oneOf('DEV_TOOLS', ['true', 'false'], nodeEnv === 'production' ? 'false' : 'true');
  if (nodeEnv === 'production' && devToolsRaw === 'true') problems.push('DEV_TOOLS: cannot be enabled in production');

  const changesCloseDelayMs = duration('HABILITATION_CHANGES_CLOSE_DELAY', '60 days');
  const changesReminderBeforeMs = duration('HABILITATION_CHANGES_REMINDER_BEFORE', '7 days');
  if (changesReminderBeforeMs >= changesCloseDelayMs) {
    problems.push('HABILITATION_CHANGES_REMINDER_BEFORE: must be shorter than HABILITATION_CHANGES_CLOSE_DELAY');
  }

  // FranceConnect's and the identity provider's checks run here, their other settings where the Config is
  // assembled: the problems keep the order in which the variables have always been read.
  const finishFranceConnect = readFranceConnect(readers, problems, nodeEnv === 'production', publicUrl);
  const finishIdentityProvider = readIdentityProvider(readers, problems, nodeEnv === 'production', publicUrl);

  const config: Config = {
    nodeEnv,
    logLevel: oneOf('LOG_LEVEL', ['debug', 'info', 'warn', 'error'], nodeEnv === 'test' ? 'warn' : 'info'),
    dataDir: path.resolve(PROJECT_ROOT, read('DATA_DIR') ?? '.data'),
    http: {
      port: httpPort, publicUrl, sessionSecret: sessionSecret ?? '', devTools: devToolsRaw === 'true',
      trustProxy: trustProxy('TRUST_PROXY'),
      // Tests post hundreds of forms from one address; they set a low limit where they test it.
      postRateLimit: positiveInteger('POST_RATE_LIMIT', nodeEnv === 'test' ? 100_000 : 60),
      postRateWindowMs: duration('POST_RATE_WINDOW', '10 minutes'),
    },
    database: { url: databaseUrl, embeddedPort: port('EMBEDDED_PG_PORT', 54329) },
    secrets: { key: Buffer.from(secretsKey && /^[0-9a-fA-F]{64}$/.test(secretsKey) ? secretsKey : DEV_SECRETS_KEY, 'hex') },
    temporal: {
      address: temporalAddress,
      namespace: read('TEMPORAL_NAMESPACE') ?? 'default',
      taskQueue: read('TEMPORAL_TASK_QUEUE') ?? 'aidants-connect',
      devServerPort: port('TEMPORAL_DEV_PORT', 7233),
      uiPort: port('TEMPORAL_UI_PORT', 8233),
      workflowBundlePath: workflowBundle === undefined ? undefined : path.resolve(workflowBundle),
      workerMaxCachedWorkflows: positiveInteger('WORKER_MAX_CACHED_WORKFLOWS', 500),
    },
    mail: {
      smtpUrl,
      from: email('MAIL_FROM', 'Aidants Connect <contact@aidantsconnect.beta.gouv.fr>'),
      sinkSmtpPort: port('MAIL_SINK_SMTP_PORT', 1025),
      sinkWebPort: port('MAIL_SINK_WEB_PORT', 1080),
    },
    habilitation: {
      comiteReminderDelayMs: duration('HABILITATION_COMITE_REMINDER_DELAY', '14 days'),
      changesCloseDelayMs,
      changesReminderBeforeMs,
      anctEmail: email('ANCT_EMAIL', 'habilitation@aidantsconnect.beta.gouv.fr'),
      trainingRegistrationUrl: url('TRAINING_REGISTRATION_URL', ['http:', 'https:'], `${publicUrl}/formation`) ?? `${publicUrl}/formation`,
      onboardingLapsedCloseDelayMs: duration('ONBOARDING_LAPSED_CLOSE_DELAY', '90 days'),
      onboardingLapsedCloseReminderMs: duration('ONBOARDING_LAPSED_CLOSE_REMINDER', '14 days'),
    },
    espace: {
      loginLinkTtlMs: duration('LOGIN_LINK_TTL', '5 minutes'),
      setupLinkTtlMs: duration('SETUP_LINK_TTL', '7 days'),
      activityCheckAfterMs: duration('ACTIVITY_CHECK_AFTER', '15 minutes'),
      sessionMaxAgeMs: duration('ESPACE_SESSION_MAX_AGE', '24 hours'),
    },
    franceconnect: finishFranceConnect(),
    identityProvider: finishIdentityProvider(),
    demoDemarcheSite: { port: port('DEMO_DEMARCHE_PORT', 8091) },
    operations: {
      alertEmail: email('ALERT_EMAIL', 'tech@aidantsconnect.beta.gouv.fr'),
      stuckEmailAfterMs: duration('STUCK_EMAIL_ALERT_AFTER', '1 hour'),
    },
    retention: readRetentionPolicy(read, problems),
    inactivity: {
      aidantWarningAfterMonths: positiveInteger('INACTIVE_AIDANT_WARNING_AFTER_MONTHS', DEFAULT_INACTIVITY_POLICY.aidantWarningAfterMonths),
      aidantDeactivationAfterWarningMs: duration('INACTIVE_AIDANT_DEACTIVATION_AFTER_WARNING', '30 days'),
      aidantEncouragementAfterMs: duration('AIDANT_ENCOURAGEMENT_AFTER', '90 days'),
      outboxBodyRetentionMs: duration('OUTBOX_BODY_RETENTION', '7 days'),
      draftReminderAfterMonths: positiveInteger('HABILITATION_DRAFT_REMINDER_AFTER_MONTHS', DEFAULT_INACTIVITY_POLICY.draftReminderAfterMonths),
      draftDeletionAfterMonths: positiveInteger('HABILITATION_DRAFT_DELETION_AFTER_MONTHS', DEFAULT_INACTIVITY_POLICY.draftDeletionAfterMonths),
    },
  };

  if (config.habilitation.onboardingLapsedCloseReminderMs >= config.habilitation.onboardingLapsedCloseDelayMs) {
    problems.push('ONBOARDING_LAPSED_CLOSE_REMINDER: must be shorter than ONBOARDING_LAPSED_CLOSE_DELAY');
  }
  if (config.inactivity.draftReminderAfterMonths >= config.inactivity.draftDeletionAfterMonths) {
    problems.push('HABILITATION_DRAFT_REMINDER_AFTER_MONTHS: must be fewer than HABILITATION_DRAFT_DELETION_AFTER_MONTHS');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Loads the configuration or exits with a message naming each bad variable (for entry points). */
export function loadConfigOrExit(env: Env = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee README.md, section "Configuration".\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/** Every variable the service reads, for the README and the docker-compose consistency test. */
export const CONFIG_VARIABLES = [
  'NODE_ENV', 'LOG_LEVEL', 'DATA_DIR', 'PORT', 'PUBLIC_URL', 'SESSION_SECRET', 'SECRETS_KEY', 'DEV_TOOLS',
  'DATABASE_URL', 'EMBEDDED_PG_PORT',
  'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'TEMPORAL_DEV_PORT', 'TEMPORAL_UI_PORT', 'WORKFLOW_BUNDLE', 'WORKER_MAX_CACHED_WORKFLOWS',
  'SMTP_URL', 'MAIL_FROM', 'MAIL_SINK_SMTP_PORT', 'MAIL_SINK_WEB_PORT',
  'HABILITATION_COMITE_REMINDER_DELAY', 'HABILITATION_CHANGES_CLOSE_DELAY', 'HABILITATION_CHANGES_REMINDER_BEFORE', 'ANCT_EMAIL', 'ALERT_EMAIL', 'STUCK_EMAIL_ALERT_AFTER',
  'ONBOARDING_LAPSED_CLOSE_DELAY', 'ONBOARDING_LAPSED_CLOSE_REMINDER',
  'TRAINING_REGISTRATION_URL',
  'LOGIN_LINK_TTL', 'SETUP_LINK_TTL', 'ACTIVITY_CHECK_AFTER', 'ESPACE_SESSION_MAX_AGE',
  'TRUST_PROXY', 'POST_RATE_LIMIT', 'POST_RATE_WINDOW',
  ...FRANCECONNECT_VARIABLES,
  ...IDENTITY_PROVIDER_VARIABLES,
  'DEMO_DEMARCHE_PORT',
  ...RETENTION_VARIABLES,
] as const;
