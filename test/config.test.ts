import path from 'node:path';
import { ConfigError, loadConfig } from '../config/index.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe('configuration', () => {
  it('starts on embedded defaults in development', () => {
    const config = loadConfig({});
    expect(config.nodeEnv).toBe('development');
    expect(config.database.url).toBeUndefined();
    expect(config.temporal.address).toBeUndefined();
    expect(config.mail.smtpUrl).toBeUndefined();
    expect(config.http.port).toBe(3000);
    expect(config.http.devTools).toBe(true);
    expect(config.habilitation.comiteReminderDelayMs).toBe(14 * 86_400_000);
  });

  it('names every malformed variable at once', () => {
    const problems = problemsOf({ PORT: 'abc', DATABASE_URL: 'mysql://x', TEMPORAL_ADDRESS: 'nohost', HABILITATION_COMITE_REMINDER_DELAY: 'soon' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'HABILITATION_COMITE_REMINDER_DELAY', 'PORT', 'TEMPORAL_ADDRESS']);
  });

  it('closes lapsed onboardings after 90 days by default, told 14 days before; the reminder must come before the closure', () => {
    expect(loadConfig({}).habilitation).toMatchObject({ onboardingLapsedCloseDelayMs: 90 * 86_400_000, onboardingLapsedCloseReminderMs: 14 * 86_400_000 });
    expect(loadConfig({ ONBOARDING_LAPSED_CLOSE_DELAY: '30 days', ONBOARDING_LAPSED_CLOSE_REMINDER: '7 days' }).habilitation)
      .toMatchObject({ onboardingLapsedCloseDelayMs: 30 * 86_400_000, onboardingLapsedCloseReminderMs: 7 * 86_400_000 });
    expect(problemsOf({ ONBOARDING_LAPSED_CLOSE_DELAY: 'never' }).map((p) => p.split(':')[0])).toEqual(['ONBOARDING_LAPSED_CLOSE_DELAY']);
    expect(problemsOf({ ONBOARDING_LAPSED_CLOSE_DELAY: '10 days' })).toEqual(['ONBOARDING_LAPSED_CLOSE_REMINDER: must be shorter than ONBOARDING_LAPSED_CLOSE_DELAY']);
  });

  it('requires real components and a strong secret in production, and refuses dev tools there', () => {
    const problems = problemsOf({ NODE_ENV: 'production', DEV_TOOLS: 'true' });
    const names = problems.map((p) => p.split(':')[0]);
    expect(names).toEqual(expect.arrayContaining(['SESSION_SECRET', 'SECRETS_KEY', 'DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'DEV_TOOLS']));
  });

  it('takes a SECRETS_KEY of 32 bytes, never the development one in production', () => {
    expect(problemsOf({ SECRETS_KEY: 'abc' })).toEqual(['SECRETS_KEY: must be 64 hexadecimal characters (openssl rand -hex 32)']);
    expect(problemsOf({ NODE_ENV: 'production', SECRETS_KEY: '6465762d6f6e6c792d736563726574732d6b65792d6e6f742d666f722d707264' }))
      .toContain('SECRETS_KEY: the development key cannot be used in production');
    expect(loadConfig({ SECRETS_KEY: 'ab'.repeat(32) }).secrets.key).toEqual(Buffer.alloc(32, 0xab));
  });

  it('accepts a complete production configuration', () => {
    const config = loadConfig({
      NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), SECRETS_KEY: 'c'.repeat(64), DATABASE_URL: 'postgres://u:p@db:5432/ac',
      TEMPORAL_ADDRESS: 'temporal:7233', SMTP_URL: 'smtp://mail:25', PUBLIC_URL: 'https://aidantsconnect.beta.gouv.fr/',
      FRANCECONNECT_ISSUER: 'https://fcp-low.integ01.dev-franceconnect.fr/api/v2', FRANCECONNECT_CLIENT_ID: 'ac', FRANCECONNECT_CLIENT_SECRET: 'f'.repeat(64),
      IDP_FC_CLIENT_ID: 'fc', IDP_FC_CLIENT_SECRET: 'e'.repeat(64),
    });
    expect(config.http.devTools).toBe(false);
    expect(config.http.publicUrl).toBe('https://aidantsconnect.beta.gouv.fr');
  });

  it('uses the local FranceConnect stand-in in development; production must name a real one, its client and secret', () => {
    const development = loadConfig({ PUBLIC_URL: 'http://localhost:4000' }).franceconnect;
    expect(development).toMatchObject({
      issuer: 'http://localhost:8090/api/v2', standIn: true, clientId: 'aidants-connect-local', signingAlg: 'RS256', connectionAgeMs: 5 * 60_000,
      callbackUrl: 'http://localhost:4000/espace-aidant/franceconnect/retour', postLogoutUrl: 'http://localhost:4000/espace-aidant/franceconnect/deconnexion',
    });
    expect(loadConfig({ FRANCECONNECT_STAND_IN_PORT: '9999', FC_CONNECTION_AGE: '2 minutes' }).franceconnect).toMatchObject({ issuer: 'http://localhost:9999/api/v2', connectionAgeMs: 120_000 });
    expect(loadConfig({ FRANCECONNECT_ISSUER: 'https://fc.example/api/v2' }).franceconnect).toMatchObject({ issuer: 'https://fc.example/api/v2', standIn: false });
    const production = { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), SECRETS_KEY: 'c'.repeat(64), DATABASE_URL: 'postgres://u:p@db:5432/ac', TEMPORAL_ADDRESS: 'temporal:7233', SMTP_URL: 'smtp://mail:25', IDP_FC_CLIENT_ID: 'fc', IDP_FC_CLIENT_SECRET: 'e'.repeat(64) };
    expect(problemsOf(production).map((p) => p.split(':')[0])).toEqual(['FRANCECONNECT_ISSUER', 'FRANCECONNECT_CLIENT_ID', 'FRANCECONNECT_CLIENT_SECRET']);
    expect(problemsOf({ ...production, FRANCECONNECT_ISSUER: 'http://fc.example/api/v2', FRANCECONNECT_CLIENT_ID: 'ac', FRANCECONNECT_CLIENT_SECRET: 'stand-in-franceconnect-demo-secret-not-for-production' }))
      .toEqual(['FRANCECONNECT_ISSUER: must use https: in production', 'FRANCECONNECT_CLIENT_SECRET: the local stand-in\'s demo secret cannot be used in production']);
    expect(problemsOf({ FRANCECONNECT_ISSUER: 'fc', FRANCECONNECT_SIGNING_ALG: 'HS256', FRANCECONNECT_CALLBACK_URL: 'https://elsewhere.example/retour' }).map((p) => p.split(':')[0]).sort())
      .toEqual(['FRANCECONNECT_CALLBACK_URL', 'FRANCECONNECT_ISSUER', 'FRANCECONNECT_SIGNING_ALG']);
  });

  it('configures the identity provider: demo client in development, its own in production, exact URIs, short codes', () => {
    const development = loadConfig({ PUBLIC_URL: 'http://localhost:4000' }).identityProvider;
    expect(development).toMatchObject({
      issuer: 'http://localhost:4000', clientId: 'franceconnect-demo', redirectUriV2: 'https://fcp-low.integ01.dev-franceconnect.fr/api/v2/oidc-callback',
      codeTtlMs: 30_000, accessTokenTtlMs: 60_000, idTokenTtlMs: 300_000, interactionTtlMs: 600_000, concurrentRequests: 6, queueTimeoutMs: 5_000,
    });
    expect(problemsOf({ IDP_CONCURRENT_REQUESTS: '0', IDP_QUEUE_TIMEOUT: 'forever' }).map((p) => p.split(':')[0]).sort()).toEqual(['IDP_CONCURRENT_REQUESTS', 'IDP_QUEUE_TIMEOUT']);
    expect(problemsOf({ IDP_CONCURRENT_REQUESTS: '10' })).toEqual(['IDP_CONCURRENT_REQUESTS: must be lower than the web process\'s 10 database connections (got 10)']);
    expect(loadConfig({ IDP_CONCURRENT_REQUESTS: '9' }).identityProvider.concurrentRequests).toBe(9);
    const production = { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), SECRETS_KEY: 'c'.repeat(64), DATABASE_URL: 'postgres://u:p@db:5432/ac', TEMPORAL_ADDRESS: 'temporal:7233', SMTP_URL: 'smtp://mail:25', FRANCECONNECT_ISSUER: 'https://fc.example/api/v2', FRANCECONNECT_CLIENT_ID: 'ac', FRANCECONNECT_CLIENT_SECRET: 'f'.repeat(64) };
    expect(problemsOf(production).map((p) => p.split(':')[0])).toEqual(['IDP_FC_CLIENT_ID', 'IDP_FC_CLIENT_SECRET']);
    expect(problemsOf({ ...production, IDP_FC_CLIENT_ID: 'fc', IDP_FC_CLIENT_SECRET: 'identity-provider-demo-secret-not-for-production' }))
      .toEqual(['IDP_FC_CLIENT_SECRET: the demo secret cannot be used in production']);
    expect(problemsOf({ IDP_ISSUER: 'https://aidantsconnect.beta.gouv.fr/', IDP_FC_CLIENT_SECRET: 'short', IDP_CODE_TTL: '5 minutes', IDP_FC_REDIRECT_URI_V2: 'https://fcp.integ01.dev-franceconnect.fr/oidc_callback' }).map((p) => p.split(':')[0]).sort())
      .toEqual(['IDP_CODE_TTL', 'IDP_FC_CLIENT_SECRET', 'IDP_FC_REDIRECT_URI_V2', 'IDP_ISSUER']);
  });

  it('runs the worker on a prebuilt workflow bundle only when WORKFLOW_BUNDLE names an existing file', () => {
    expect(loadConfig({}).temporal.workflowBundlePath).toBeUndefined();
    expect(loadConfig({ WORKFLOW_BUNDLE: 'package.json' }).temporal.workflowBundlePath).toBe(path.resolve('package.json'));
    expect(problemsOf({ WORKFLOW_BUNDLE: 'nulle-part/workflows.js' })).toEqual([expect.stringMatching(/^WORKFLOW_BUNDLE: no such file "nulle-part\/workflows\.js"/)]);
  });

  it('bounds the workers\' workflow cache, 500 unless WORKER_MAX_CACHED_WORKFLOWS says otherwise', () => {
    expect(loadConfig({}).temporal.workerMaxCachedWorkflows).toBe(500);
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '120' }).temporal.workerMaxCachedWorkflows).toBe(120);
    expect(problemsOf({ WORKER_MAX_CACHED_WORKFLOWS: 'beaucoup' })).toEqual(['WORKER_MAX_CACHED_WORKFLOWS: must be a positive whole number (got "beaucoup")']);
  });

  it('trusts no proxy unless TRUST_PROXY says which, in the forms express accepts', () => {
    expect(loadConfig({}).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'true' }).http.trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,2001:db8::1' }).http.trustProxy).toEqual(['loopback', '10.0.0.0/8', '2001:db8::1']);
    for (const bad of ['yes', '10.0.0.0/33', 'proxy.example.org', '-1']) {
      expect(problemsOf({ TRUST_PROXY: bad }).map((p) => p.split(':')[0])).toEqual(['TRUST_PROXY']);
    }
  });

  it('limits public POSTs per address, configurable, and not in the way of the tests by default', () => {
    const config = loadConfig({ POST_RATE_LIMIT: '20', POST_RATE_WINDOW: '5 minutes' });
    expect(config.http.postRateLimit).toBe(20);
    expect(config.http.postRateWindowMs).toBe(5 * 60_000);
    expect(loadConfig({}).http.postRateLimit).toBe(60);
    expect(loadConfig({ NODE_ENV: 'test' }).http.postRateLimit).toBeGreaterThan(1000);
    expect(problemsOf({ POST_RATE_LIMIT: '0', POST_RATE_WINDOW: 'jamais' }).map((p) => p.split(':')[0]).sort()).toEqual(['POST_RATE_LIMIT', 'POST_RATE_WINDOW']);
  });
});
