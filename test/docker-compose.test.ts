// Consistency of docker-compose.yml with the configuration module: the stack must start with a valid
// production configuration, and every variable it sets must be one the service actually reads.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, ConfigError, PROJECT_ROOT, loadConfig } from '../config/index.js';
import { CLUSTER_PARTS } from '../infra/cluster.js';
import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION } from '../infra/provision.js';
import { HISTORY_SHARDS, TEMPORAL_DATABASES, TEMPORAL_DYNAMIC_CONFIG, TEMPORAL_SERVICES } from '../infra/temporal-server.js';

type Env = Record<string, string>;

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target?: number; published?: number | string })[];
  expose?: (string | number)[];
  volumes?: string[];
}

interface ComposeFile {
  services: Record<string, ComposeService>;
}

const APP_SERVICES = ['web-1', 'web-2', 'worker-1', 'worker-2', 'migrate'] as const;
/** What the host gives for a required variable: long enough for SESSION_SECRET, hexadecimal for SECRETS_KEY. */
const DUMMY_REQUIRED_VALUE = 'a1'.repeat(32);

// `merge: true` resolves `<<: *anchor` merge keys, as docker compose does.
const compose = parse(readFileSync(path.join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** The raw (not interpolated) environment of a service, whether written as a map or as a list. */
function rawEnvironment(name: string): Env {
  const environment = service(name).environment ?? {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry) => {
        const separator = entry.indexOf('=');
        return separator === -1 ? [entry, ''] : [entry.slice(0, separator), entry.slice(separator + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

/**
 * Compose interpolation as it happens with an empty host environment:
 * `${VAR:-default}` / `${VAR-default}` give the default, `${VAR:?msg}` / `${VAR?msg}` (required) a dummy
 * 40-character value, a bare `${VAR}` or `$VAR` an empty string, and `$$` a literal `$`.
 */
function interpolate(value: string): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*)|(:?\?)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, _name: string | undefined, defaultOp: string | undefined, defaultValue: string | undefined, requiredOp: string | undefined) => {
      if (match === '$$') return '$';
      if (defaultOp !== undefined) return defaultValue ?? '';
      if (requiredOp !== undefined) return DUMMY_REQUIRED_VALUE;
      return '';
    },
  );
}

function environment(name: string): Env {
  return Object.fromEntries(Object.entries(rawEnvironment(name)).map(([key, value]) => [key, interpolate(value)]));
}

/** Container-side ports a service publishes or exposes to the compose network. */
function containerPorts(name: string): number[] {
  const { ports = [], expose = [] } = service(name);
  const published = ports.map((port) => {
    if (typeof port === 'object') return Number(port.target);
    // "host:container", "ip:host:container", "container", optionally followed by "/tcp".
    const spec = String(port).split('/')[0]!;
    return Number(spec.split(':').at(-1));
  });
  return [...published, ...expose.map((port) => Number(String(port).split('/')[0]))];
}

describe('docker-compose.yml', () => {
  it('defines the whole production-like stack', () => {
    const names = Object.keys(compose.services ?? {});
    for (const name of ['postgres', 'temporal-schema', 'temporal-namespace', 'temporal-ui', 'mailcatcher', 'migrate', 'front']) {
      expect(names).toContain(name);
    }
    // Every part of the topology `npm run start:cluster` runs (infra/cluster.ts) is a service here.
    for (const part of CLUSTER_PARTS) expect(names).toContain(part === 'mail-sink' ? 'mailcatcher' : part);
  });

  it('interpolates like docker compose', () => {
    expect(interpolate('a${X:-b c}d')).toBe('ab cd');
    expect(interpolate('${X:?required}')).toBe(DUMMY_REQUIRED_VALUE);
    expect(interpolate('$${X}')).toBe('${X}');
  });

  it.each(APP_SERVICES)('gives %s only variables read by config/index.ts', (name) => {
    const keys = Object.keys(rawEnvironment(name));
    expect(keys).toEqual(expect.arrayContaining(['NODE_ENV', 'DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'SESSION_SECRET']));
    const unknown = keys.filter((key) => !(CONFIG_VARIABLES as readonly string[]).includes(key));
    expect(unknown).toEqual([]);
  });

  it('gives web a valid production configuration, which fails without DATABASE_URL', () => {
    const env = environment('web-1');
    expect(env.NODE_ENV).toBe('production');
    // The secrets must be required from the host (no default committed in the file).
    expect(rawEnvironment('web-1').SESSION_SECRET).toMatch(/^\$\{SESSION_SECRET:?\?[^}]*\}$/);
    expect(rawEnvironment('web-1').SECRETS_KEY).toMatch(/^\$\{SECRETS_KEY:?\?[^}]*\}$/);

    const config = loadConfig(env);
    expect(config.nodeEnv).toBe('production');
    expect(config.http.devTools).toBe(false);
    expect(config.database.url).toBe(env.DATABASE_URL);
    expect(config.temporal.address).toBe(env.TEMPORAL_ADDRESS);
    expect(config.mail.smtpUrl).toBe(env.SMTP_URL);

    const { DATABASE_URL: _omitted, ...withoutDatabase } = env;
    let failure: unknown;
    try {
      loadConfig(withoutDatabase);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).problems.some((problem) => problem.startsWith('DATABASE_URL'))).toBe(true);
    expect((failure as ConfigError).message).toContain('DATABASE_URL');
  });

  it.each(APP_SERVICES)('points %s at the temporal, postgres and mailcatcher services', (name) => {
    const env = environment(name);

    const [temporalHost, temporalPort] = (env.TEMPORAL_ADDRESS ?? '').split(':');
    expect(temporalHost).toBe('temporal-frontend');
    expect(containerPorts('temporal-frontend')).toContain(Number(temporalPort));

    const smtp = new URL(env.SMTP_URL ?? 'invalid:');
    expect(smtp.protocol).toBe('smtp:');
    expect(smtp.hostname).toBe('mailcatcher');
    expect(containerPorts('mailcatcher')).toContain(Number(smtp.port));

    const database = new URL(env.DATABASE_URL ?? 'invalid:');
    expect(database.hostname).toBe('postgres');
    expect(database.pathname).toBe(`/${interpolate(String(rawEnvironment('postgres').POSTGRES_DB))}`);
    expect(decodeURIComponent(database.username)).toBe(interpolate(String(rawEnvironment('postgres').POSTGRES_USER)));
    expect(decodeURIComponent(database.password)).toBe(interpolate(String(rawEnvironment('postgres').POSTGRES_PASSWORD)));
  });

  it('runs the worker on the task queue the web server starts workflows on', () => {
    const web = loadConfig(environment('web-1'));
    const worker = loadConfig(environment('worker-1'));
    expect(environment('web-1').TEMPORAL_TASK_QUEUE).toBeTruthy();
    expect(environment('worker-1').TEMPORAL_TASK_QUEUE).toBe(environment('web-1').TEMPORAL_TASK_QUEUE);
    expect(worker.temporal.taskQueue).toBe(web.temporal.taskQueue);
    expect(worker.temporal.namespace).toBe(web.temporal.namespace);
  });

  it('runs the Temporal server as start:cluster does: one container per service, the same shards, databases, schemas and versions', () => {
    for (const name of TEMPORAL_SERVICES) {
      const env = environment(`temporal-${name}`);
      expect(env.SERVICES).toBe(name);
      expect(service(`temporal-${name}`).image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION.replace(/^v/, '')}`);
      expect(env.NUM_HISTORY_SHARDS).toBe(String(HISTORY_SHARDS));
      expect([env.DB, env.DBNAME, env.VISIBILITY_DBNAME]).toEqual(['postgres12', TEMPORAL_DATABASES.default, TEMPORAL_DATABASES.visibility]);
      expect(env.POSTGRES_SEEDS).toBe('postgres');
      expect(env.POSTGRES_PWD).toBe(interpolate(String(rawEnvironment('postgres').POSTGRES_PASSWORD)));
      // The dynamic configuration start:cluster copies (the history cache's bounds), mounted where it is read.
      expect(service(`temporal-${name}`).volumes).toContain(`./${path.relative(PROJECT_ROOT, TEMPORAL_DYNAMIC_CONFIG)}:${env.DYNAMIC_CONFIG_FILE_PATH}:ro`);
      // Metrics and pprof per service, as start:cluster's zone overlays give them.
      expect(env.PROMETHEUS_ENDPOINT).toMatch(/^0\.0\.0\.0:\d+$/);
      expect(env.PPROF_PORT).toMatch(/^\d+$/);
    }
    const schema = String(service('temporal-schema').entrypoint ?? '');
    expect(schema).toContain('temporal:temporal temporal_visibility:visibility');
    expect(schema).toContain('update-schema --schema-name "postgresql/v12/$$schema"');
    expect(service('temporal-ui').image).toBe(`temporalio/ui:${TEMPORAL_UI_VERSION.replace(/^v/, '')}`);
    expect(environment('temporal-ui').TEMPORAL_ADDRESS).toBe(environment('web-1').TEMPORAL_ADDRESS);
  });

  it('bounds Temporal\'s history and events caches below their defaults (128 000 workflows kept an hour; 32 MiB of events): ours sleep for weeks', () => {
    const dynamic = parse(readFileSync(TEMPORAL_DYNAMIC_CONFIG, 'utf8')) as Record<string, { value: unknown }[]>;
    expect(dynamic['history.hostLevelCacheMaxSize']?.[0]?.value).toBeLessThanOrEqual(10_000);
    expect(dynamic['history.cacheTTL']?.[0]?.value).toBe('10m');
    expect(dynamic['history.cacheBackgroundEvict']?.[0]?.value).toMatchObject({ Enabled: true });
    // The events cache: one per process, bounded in bytes (its default, 512 KiB per shard, is 32 MiB at 64 shards).
    expect(dynamic['history.enableHostLevelEventsCache']?.[0]?.value).toBe(true);
    expect(dynamic['history.eventsHostLevelCacheMaxSizeBytes']?.[0]?.value).toBeLessThanOrEqual(16 * 1024 * 1024);
  });

  it('puts the front before both web processes, on the port they listen on, and trusts it as one proxy', () => {
    const nginx = readFileSync(path.join(PROJECT_ROOT, 'infra/docker/front.nginx.conf'), 'utf8');
    const upstreams = [...nginx.matchAll(/^\s*server ([\w-]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`);
    expect(upstreams).toEqual(['web-1', 'web-2'].map((name) => `${name}:${environment(name).PORT}`));
    expect(nginx).toMatch(/proxy_next_upstream error timeout;/); // a POST re-sent only if never delivered
    expect(containerPorts('front')).toContain(3000);
    expect(loadConfig(environment('web-1')).http.trustProxy).toBe(1);
  });

  it('builds images whose back-office bundle and workflow bundle are made once, at build time', () => {
    const dockerfile = readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/RUN node --import tsx scripts\/bundle-admin\.ts/);
    expect(dockerfile).toMatch(/ADMIN_JS_SKIP_BUNDLE=true/);
    const bundle = /RUN node --import tsx scripts\/bundle-workflows\.ts (\S+)/.exec(dockerfile);
    expect(bundle).not.toBeNull();
    expect(dockerfile).toContain(`WORKFLOW_BUNDLE=${bundle![1]}`);
  });
});
