// Provisions the tools the project needs on a fresh machine: the Temporal CLI (dev server), Temporal's
// time-skipping test server, and Debian's chromium for browser tests. Each slow step prints one progress line;
// anything that cannot be provisioned stops with a message saying what to install.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../config/index.js';

export const TOOLS_DIR = path.join(PROJECT_ROOT, '.tools');
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_PATH = path.join(TOOLS_DIR, 'bin', 'temporal');
export const TEST_SERVER_DIR = path.join(TOOLS_DIR, 'temporal-test-server');
export const TEST_SERVER_SCRIPT = path.join(TEST_SERVER_DIR, 'temporal-test-server');
export const CHROMIUM_PATH = '/usr/bin/chromium';
/** The real Temporal server (one program, each service a process) and its schema tool: the production topology. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
export const TEMPORAL_SERVER_PATH = path.join(TOOLS_DIR, 'bin', 'temporal-server');
export const TEMPORAL_SQL_TOOL_PATH = path.join(TOOLS_DIR, 'bin', 'temporal-sql-tool');
/** The Temporal Web UI server, the version the CLI v1.5.1 embeds (already in the Go module cache after its build). */
export const TEMPORAL_UI_VERSION = 'v2.42.1';
export const TEMPORAL_UI_PATH = path.join(TOOLS_DIR, 'bin', 'temporal-ui-server');

/**
 * A failure a person can fix: `message` is one sentence naming the cause and the fix; `details` (a tool's
 * output) is printed before it.
 */
export class ProvisioningError extends Error {
  constructor(message: string, readonly details?: string) {
    super(message);
    this.name = 'ProvisioningError';
  }
}

/** What `npm start` and `npm test` print when they cannot go on: never a bare stack trace. */
export function explainFailure(error: unknown, verbose = false): string {
  if (error instanceof ProvisioningError) return error.details ? `${error.details.trim()}\n\n✖ ${error.message}` : error.message;
  const e = error as { code?: string; port?: number; address?: string; name?: string; message?: string; stack?: string };
  const first = String(e?.message ?? error).split('\n')[0];
  if (e?.code === 'EADDRINUSE') {
    return `Port ${e.port ?? '?'} is already in use: stop the program that uses it, or change the port in the configuration (PORT, MAIL_SINK_SMTP_PORT, MAIL_SINK_WEB_PORT, TEMPORAL_UI_PORT; see README.md).`;
  }
  if (/^Sequelize(Connection|HostNotFound|ConnectionRefused|AccessDenied)/.test(e?.name ?? '')) {
    return `The database could not be reached (${first}): check DATABASE_URL, or unset it to use the embedded PostgreSQL.`;
  }
  const trace = verbose && e?.stack ? `${e.stack}\n\n✖ ` : '';
  return `${trace}Aidants Connect could not start (${first}): run again with LOG_LEVEL=debug for the details, and tell the technical team if it persists.`;
}

type Progress = (line: string) => void;
const defaultProgress: Progress = (line) => process.stderr.write(`${line}\n`);

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('error', (error) => reject(error));
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output.slice(-4000)}`))));
  });
}

async function hasCommand(command: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

/** Builds the `temporal` CLI (the full Temporal server with SQLite and its Web UI) with Go when it is missing. */
export async function ensureTemporalCli(progress: Progress = defaultProgress): Promise<string> {
  if (existsSync(TEMPORAL_CLI_PATH)) return TEMPORAL_CLI_PATH;
  if (!(await hasCommand('go'))) {
    throw new ProvisioningError('The Temporal dev server must be built with Go, which is not installed: install Go (https://go.dev/dl/) or set TEMPORAL_ADDRESS to an existing Temporal cluster.');
  }
  progress(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into .tools/bin (first run only; a few minutes on 2 cores)…`);
  const started = Date.now();
  await mkdir(path.dirname(TEMPORAL_CLI_PATH), { recursive: true });
  try {
    await run('go', ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
      env: { ...process.env, GOBIN: path.dirname(TEMPORAL_CLI_PATH), CGO_ENABLED: '0' },
    });
  } catch (error) {
    throw new ProvisioningError('Building the Temporal CLI with Go failed (output above): check that the Go module proxy is reachable (GOPROXY) and that Go is 1.23 or newer, or set TEMPORAL_ADDRESS to an existing Temporal cluster.', (error as Error).message);
  }
  progress(`Temporal CLI built in ${Math.round((Date.now() - started) / 1000)} s.`);
  return TEMPORAL_CLI_PATH;
}

export interface TemporalServerTools { server: string; sqlTool: string }

/**
 * Builds the Temporal server and its SQL schema tool with Go when missing (GOBIN .tools/bin, niced: the machine
 * is shared). The tool embeds the PostgreSQL schemas of its own version (`--schema-name postgresql/v12/…`), so
 * nothing is copied from Go's module cache nor vendored: the schemas always match the server.
 */
export async function ensureTemporalServer(progress: Progress = defaultProgress): Promise<TemporalServerTools> {
  const tools = { server: TEMPORAL_SERVER_PATH, sqlTool: TEMPORAL_SQL_TOOL_PATH };
  if (existsSync(tools.server) && existsSync(tools.sqlTool)) return tools;
  if (!(await hasCommand('go'))) {
    throw new ProvisioningError('The Temporal server of the production topology must be built with Go, which is not installed: install Go (https://go.dev/dl/), or use npm start (the dev server) instead.');
  }
  progress(`Building the Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool with Go into .tools/bin (first run only; up to ten minutes on 2 cores)…`);
  const started = Date.now();
  await goInstall([`go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION}`, `go.temporal.io/server/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`],
    { server: tools.server, sql: tools.sqlTool }, 'Building the Temporal server with Go failed (output above): check that the Go module proxy is reachable (GOPROXY) and that Go is 1.23 or newer.');
  progress(`Temporal server built in ${Math.round((Date.now() - started) / 1000)} s.`);
  return tools;
}

/**
 * Builds the Temporal Web UI server with Go when missing; undefined (and a message) when it cannot be built:
 * the cluster runs without its UI rather than not at all.
 */
export async function ensureTemporalUi(progress: Progress = defaultProgress): Promise<string | undefined> {
  if (existsSync(TEMPORAL_UI_PATH)) return TEMPORAL_UI_PATH;
  if (!(await hasCommand('go'))) return undefined;
  progress(`Building the Temporal Web UI ${TEMPORAL_UI_VERSION} with Go into .tools/bin (first run only)…`);
  try {
    await goInstall([`github.com/temporalio/ui-server/v2/cmd/server@${TEMPORAL_UI_VERSION}`], { server: TEMPORAL_UI_PATH }, 'Building the Temporal Web UI with Go failed.');
    return TEMPORAL_UI_PATH;
  } catch (error) {
    progress(`The Temporal Web UI could not be built, the cluster runs without it: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

/**
 * `go install` into a staging folder, then each program renamed to its final name: both the server and the UI
 * are called « server » by Go, and a half-written binary must never be found at the final path.
 */
async function goInstall(packages: string[], targets: Record<string, string>, failure: string): Promise<void> {
  const staging = path.join(TOOLS_DIR, `build-${process.pid}`);
  await mkdir(staging, { recursive: true });
  try {
    await run('nice', ['-n', '10', 'go', 'install', ...packages], { env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0' } });
    for (const [built, target] of Object.entries(targets)) {
      await mkdir(path.dirname(target), { recursive: true });
      await rename(path.join(staging, built), target);
    }
  } catch (error) {
    throw new ProvisioningError(failure, (error as Error).message);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Fetches Temporal's Java time-skipping test server from Maven Central and wraps it in an executable script. */
export async function ensureTimeSkippingServer(progress: Progress = defaultProgress): Promise<string> {
  const libDir = path.join(TEST_SERVER_DIR, 'lib');
  if (existsSync(TEST_SERVER_SCRIPT) && existsSync(libDir) && (await readdir(libDir)).some((f) => f.startsWith('temporal-test-server'))) {
    return TEST_SERVER_SCRIPT;
  }
  for (const tool of ['java', 'mvn']) {
    if (!(await hasCommand(tool))) {
      throw new ProvisioningError(`Temporal's time-skipping test server needs ${tool === 'java' ? 'Java 17+' : 'Maven'}, which is not installed: install it (apt-get install ${tool === 'java' ? 'openjdk-17-jre-headless' : 'maven'}) and run the tests again.`);
    }
  }
  progress('Fetching Temporal’s time-skipping test server from Maven Central into .tools (first run only)…');
  await mkdir(libDir, { recursive: true });
  try {
    await run('mvn', ['-q', '-B', '-f', path.join(PROJECT_ROOT, 'tools', 'temporal-test-server', 'pom.xml'),
      'dependency:copy-dependencies', `-DoutputDirectory=${libDir}`, '-DincludeScope=runtime']);
  } catch (error) {
    throw new ProvisioningError('Fetching the Temporal test server with Maven failed (output above): check that Maven Central is reachable (or your Maven mirror in ~/.m2/settings.xml), then run again.', (error as Error).message);
  }
  await writeFile(TEST_SERVER_SCRIPT, `#!/bin/sh\n# Generated by infra/provision.ts: Temporal's time-skipping test server (argument: port).\nexec java -Xms64m -Xmx512m -cp "${libDir}/*" io.temporal.testserver.TestServer "$@"\n`);
  await chmod(TEST_SERVER_SCRIPT, 0o755);
  return TEST_SERVER_SCRIPT;
}

/** Installs Debian's chromium for the browser tests when running as root on Debian; otherwise explains. */
export async function ensureChromium(progress: Progress = defaultProgress): Promise<string> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured && existsSync(configured)) return configured;
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (os.userInfo().uid !== 0 || !(await hasCommand('apt-get'))) {
    throw new ProvisioningError('The browser tests need Chromium, which is not installed: install Debian’s "chromium" package (apt-get install chromium) or set CHROMIUM_PATH.');
  }
  progress('Installing Debian’s chromium for the browser tests (first run only, about a minute)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['update', '-q'], { env });
    await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'chromium'], { env });
  } catch (error) {
    throw new ProvisioningError('Installing chromium with apt-get failed (output above): check that the Debian mirrors are reachable, or install a Chromium yourself and set CHROMIUM_PATH.', (error as Error).message);
  }
  return CHROMIUM_PATH;
}
