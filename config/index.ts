// The one typed configuration of the service, read from the environment once and validated at start-up.
// A missing or malformed variable stops the process with a message naming it (see formatConfigErrors).
// Never imported by workflow code: workflows get what they need as input.
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDuration } from '../domain/duration.js';
import type { RetentionPolicy } from '../domain/retention.js';
import { readRetentionPolicy, RETENTION_VARIABLES } from './retention.js';
import { DEFAULT_INACTIVITY_POLICY, type InactivityPolicy } from '../domain/inactivity.js';

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
  franceconnect: {
    /**
     * FranceConnect v2's issuer (its discovery is <issuer>/.well-known/openid-configuration). Unset, npm start
     * and the tests start the local stand-in (infra/franceconnect-stand-in.ts) and this is its issuer.
     */
    issuer: string;
    /** Whether the issuer is the local stand-in's (FRANCECONNECT_ISSUER unset): npm start starts it. */
    standIn: boolean;
    standInPort: number;
    clientId: string;
    clientSecret: string;
    /** Where FranceConnect sends the browser back (registered at FranceConnect, byte for byte). */
    callbackUrl: string;
    /** Where FranceConnect's end-session sends the browser back (registered at FranceConnect). */
    postLogoutUrl: string;
    /** How FranceConnect signs id_tokens and userinfo for this service (chosen at registration). */
    signingAlg: 'RS256' | 'ES256';
    /** An identification (state, nonce) must come back within this delay (FC_CONNECTION_AGE). */
    connectionAgeMs: number;
  };
  /** Aidants Connect as a FranceConnect identity provider (server/identity-provider/): one client, FranceConnect. */
  identityProvider: {
    /** The issuer FranceConnect registered, byte for byte (no trailing slash): the id_token's `iss`. */
    issuer: string;
    /** FranceConnect's client id and secret here (the secret also keys the HS256 id_tokens). */
    clientId: string;
    clientSecret: string;
    /** FranceConnect's callbacks, matched exactly: v1 (legacy) and v2 (which also requires prompt=login). */
    redirectUriV1: string;
    redirectUriV2: string;
    /** Where the logout may send the browser back, exactly; the v2 one gets `state` appended. */
    postLogoutUriV1: string;
    postLogoutUriV2: string;
    /** From `authorize` to the code: the aidant logs in, chooses the usager and the démarche within this delay. */
    interactionTtlMs: number;
    /** An authorization code is redeemable this long (and once). */
    codeTtlMs: number;
    /** An access token serves userinfo this long. */
    accessTokenTtlMs: number;
    /** The id_token's `exp` - `iat`. */
    idTokenTtlMs: number;
  };
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

type Env = Record<string, string | undefined>;

const DEV_SESSION_SECRET = 'dev-only-session-secret-change-me-in-production';
/** Seals the secrets of development and test databases only; production must set its own. */
const DEV_SECRETS_KEY = '6465762d6f6e6c792d736563726574732d6b65792d6e6f742d666f722d707264'; // "dev-only-secrets-key-not-for-prd"
/** The client registered at the local FranceConnect stand-in; production must use its own (and refuses this secret). */
export const DEV_FRANCECONNECT_CLIENT_ID = 'aidants-connect-local';
export const DEV_FRANCECONNECT_SECRET = 'stand-in-franceconnect-demo-secret-not-for-production';
/** FranceConnect as this service's client in development and tests; production must use its own (and refuses this secret). */
export const DEV_IDP_CLIENT_ID = 'franceconnect-demo';
export const DEV_IDP_CLIENT_SECRET = 'identity-provider-demo-secret-not-for-production';
/** FranceConnect's integration platform (registered there for Aidants Connect). */
export const FC_INTEGRATION_URIS = {
  redirectV1: 'https://fcp.integ01.dev-franceconnect.fr/oidc_callback',
  redirectV2: 'https://fcp-low.integ01.dev-franceconnect.fr/api/v2/oidc-callback',
  postLogoutV1: 'https://fcp.integ01.dev-franceconnect.fr/api/v1/logout/redirect_from_provider',
  postLogoutV2: 'https://fcp-low.integ01.dev-franceconnect.fr/api/v2/client/logout-callback',
} as const;

/** Reads and validates the configuration; throws ConfigError listing every bad variable at once. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = read(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name}: must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  };

  const port = (name: string, fallback: number): number => {
    const value = read(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      problems.push(`${name}: must be a TCP port between 1 and 65535 (got "${value}")`);
      return fallback;
    }
    return n;
  };

  const url = (name: string, protocols: string[], fallback?: string): string | undefined => {
    const value = read(name) ?? fallback;
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name}: must use ${protocols.join(' or ')} (got "${parsed.protocol}")`);
      }
      return value;
    } catch {
      problems.push(`${name}: must be a URL (got "${value}")`);
      return undefined;
    }
  };

  const duration = (name: string, fallback: string): number => {
    const value = read(name) ?? fallback;
    const ms = parseDuration(value);
    if (ms === undefined || ms <= 0) {
      problems.push(`${name}: must be a positive duration such as "14 days" or "12h" (got "${value}")`);
      return parseDuration(fallback)!;
    }
    return ms;
  };

  const positiveInteger = (name: string, fallback: number): number => {
    const value = read(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) {
      problems.push(`${name}: must be a positive whole number (got "${value}")`);
      return fallback;
    }
    return n;
  };

  // The values express accepts: true/false, a number of hops, or addresses, subnets and named ranges.
  const trustProxy = (name: string): boolean | number | string[] => {
    const value = read(name);
    if (value === undefined || value === 'false') return false;
    if (value === 'true') return true;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
    const bad = entries.filter((entry) => {
      if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return false;
      const [address, prefix, ...rest] = entry.split('/');
      const family = net.isIP(address ?? '');
      if (family === 0 || rest.length > 0) return true;
      return prefix !== undefined && !(/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
    });
    if (entries.length === 0 || bad.length > 0) {
      problems.push(`${name}: must be false, true, a number of proxies, or addresses/subnets such as "loopback, 10.0.0.0/8" (got "${value}")`);
      return false;
    }
    return entries;
  };

  const email = (name: string, fallback: string): string => {
    const value = read(name) ?? fallback;
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.replace(/^.*<(.+)>$/, '$1'))) {
      problems.push(`${name}: must be an e-mail address (got "${value}")`);
    }
    return value;
  };

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

  // FranceConnect: the local stand-in unless FRANCECONNECT_ISSUER names a real one (production must).
  const standInPort = port('FRANCECONNECT_STAND_IN_PORT', 8090);
  const fcIssuer = url('FRANCECONNECT_ISSUER', ['http:', 'https:']);
  const fcClientId = read('FRANCECONNECT_CLIENT_ID') ?? (nodeEnv === 'production' ? undefined : DEV_FRANCECONNECT_CLIENT_ID);
  const fcSecret = read('FRANCECONNECT_CLIENT_SECRET') ?? (nodeEnv === 'production' ? undefined : DEV_FRANCECONNECT_SECRET);
  if (nodeEnv === 'production') {
    if (read('FRANCECONNECT_ISSUER') === undefined) problems.push('FRANCECONNECT_ISSUER: required in production (the local FranceConnect stand-in is for development), e.g. https://fcp-low.integ01.dev-franceconnect.fr/api/v2');
    else if (fcIssuer?.startsWith('http:')) problems.push('FRANCECONNECT_ISSUER: must use https: in production');
    if (fcClientId === undefined) problems.push('FRANCECONNECT_CLIENT_ID: required in production (the client id FranceConnect gave the service)');
    if (fcSecret === undefined) problems.push('FRANCECONNECT_CLIENT_SECRET: required in production (the client secret FranceConnect gave the service)');
    else if (fcSecret === DEV_FRANCECONNECT_SECRET) problems.push('FRANCECONNECT_CLIENT_SECRET: the local stand-in\'s demo secret cannot be used in production');
  }
  const fcCallbackUrl = url('FRANCECONNECT_CALLBACK_URL', ['http:', 'https:'], `${publicUrl}/espace-aidant/franceconnect/retour`) ?? `${publicUrl}/espace-aidant/franceconnect/retour`;
  const fcPostLogoutUrl = url('FRANCECONNECT_POST_LOGOUT_URL', ['http:', 'https:'], `${publicUrl}/espace-aidant/franceconnect/deconnexion`) ?? `${publicUrl}/espace-aidant/franceconnect/deconnexion`;
  for (const [name, value] of [['FRANCECONNECT_CALLBACK_URL', fcCallbackUrl], ['FRANCECONNECT_POST_LOGOUT_URL', fcPostLogoutUrl]] as const) {
    if (URL.canParse(value) && new URL(value).origin !== new URL(publicUrl).origin) problems.push(`${name}: must be on PUBLIC_URL's origin (${new URL(publicUrl).origin}): the browser comes back to this service (got "${value}")`);
  }

  // The identity provider: FranceConnect is its one client; its URIs are compared byte for byte.
  const idpIssuer = read('IDP_ISSUER') ?? publicUrl;
  if (!URL.canParse(idpIssuer) || !['http:', 'https:'].includes(new URL(idpIssuer).protocol)) problems.push(`IDP_ISSUER: must be an http(s) URL (got "${idpIssuer}")`);
  else if (idpIssuer.endsWith('/') || new URL(idpIssuer).search !== '' || new URL(idpIssuer).hash !== '') problems.push(`IDP_ISSUER: must be written exactly as FranceConnect registered it, without a trailing slash, query or fragment (got "${idpIssuer}")`);
  const idpClientId = read('IDP_FC_CLIENT_ID') ?? (nodeEnv === 'production' ? undefined : DEV_IDP_CLIENT_ID);
  const idpSecret = read('IDP_FC_CLIENT_SECRET') ?? (nodeEnv === 'production' ? undefined : DEV_IDP_CLIENT_SECRET);
  if (idpClientId === undefined) problems.push('IDP_FC_CLIENT_ID: required in production (the client id of FranceConnect at Aidants Connect)');
  if (idpSecret === undefined) problems.push('IDP_FC_CLIENT_SECRET: required in production (the secret shared with FranceConnect: at least 32 characters)');
  else if (idpSecret.length < 32) problems.push('IDP_FC_CLIENT_SECRET: must be at least 32 characters long (it keys the HS256 id_tokens)');
  else if (nodeEnv === 'production' && idpSecret === DEV_IDP_CLIENT_SECRET) problems.push('IDP_FC_CLIENT_SECRET: the demo secret cannot be used in production');
  const exactUri = (name: string, fallback: string): string => {
    const value = url(name, nodeEnv === 'production' ? ['https:'] : ['http:', 'https:'], fallback) ?? fallback;
    if (URL.canParse(value) && new URL(value).hash !== '') problems.push(`${name}: must not have a fragment (got "${value}")`);
    return value;
  };
  const idpRedirectV1 = exactUri('IDP_FC_REDIRECT_URI_V1', FC_INTEGRATION_URIS.redirectV1);
  const idpRedirectV2 = exactUri('IDP_FC_REDIRECT_URI_V2', FC_INTEGRATION_URIS.redirectV2);
  if (idpRedirectV1 === idpRedirectV2) problems.push('IDP_FC_REDIRECT_URI_V2: must differ from IDP_FC_REDIRECT_URI_V1 (the redirect URI tells the version)');
  const idpCodeTtlMs = duration('IDP_CODE_TTL', '30 seconds');
  if (idpCodeTtlMs > 60_000) problems.push('IDP_CODE_TTL: must be at most 60 seconds (a code is redeemed at once by FranceConnect)');

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
    franceconnect: {
      issuer: fcIssuer ?? `http://localhost:${standInPort}/api/v2`,
      standIn: fcIssuer === undefined,
      standInPort,
      clientId: fcClientId ?? '',
      clientSecret: fcSecret ?? '',
      callbackUrl: fcCallbackUrl,
      postLogoutUrl: fcPostLogoutUrl,
      signingAlg: oneOf('FRANCECONNECT_SIGNING_ALG', ['RS256', 'ES256'], 'RS256'),
      connectionAgeMs: duration('FC_CONNECTION_AGE', '5 minutes'),
    },
    identityProvider: {
      issuer: idpIssuer,
      clientId: idpClientId ?? '',
      clientSecret: idpSecret ?? '',
      redirectUriV1: idpRedirectV1,
      redirectUriV2: idpRedirectV2,
      postLogoutUriV1: exactUri('IDP_FC_POST_LOGOUT_URI_V1', FC_INTEGRATION_URIS.postLogoutV1),
      postLogoutUriV2: exactUri('IDP_FC_POST_LOGOUT_URI_V2', FC_INTEGRATION_URIS.postLogoutV2),
      interactionTtlMs: duration('IDP_INTERACTION_TTL', '10 minutes'),
      codeTtlMs: idpCodeTtlMs,
      accessTokenTtlMs: duration('IDP_ACCESS_TOKEN_TTL', '60 seconds'),
      idTokenTtlMs: duration('IDP_ID_TOKEN_TTL', '5 minutes'),
    },
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
  'FRANCECONNECT_ISSUER', 'FRANCECONNECT_CLIENT_ID', 'FRANCECONNECT_CLIENT_SECRET', 'FRANCECONNECT_CALLBACK_URL',
  'FRANCECONNECT_POST_LOGOUT_URL', 'FRANCECONNECT_SIGNING_ALG', 'FRANCECONNECT_STAND_IN_PORT', 'FC_CONNECTION_AGE',
  'IDP_ISSUER', 'IDP_FC_CLIENT_ID', 'IDP_FC_CLIENT_SECRET', 'IDP_FC_REDIRECT_URI_V1', 'IDP_FC_REDIRECT_URI_V2',
  'IDP_FC_POST_LOGOUT_URI_V1', 'IDP_FC_POST_LOGOUT_URI_V2', 'IDP_INTERACTION_TTL', 'IDP_CODE_TTL', 'IDP_ACCESS_TOKEN_TTL', 'IDP_ID_TOKEN_TTL',
  'DEMO_DEMARCHE_PORT',
  ...RETENTION_VARIABLES,
] as const;
