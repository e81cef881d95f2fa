// Starts the `temporal` CLI dev server (full Temporal server on SQLite, with its Web UI) as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { ProvisioningError } from './provision.js';

export interface DevServerOptions {
  cliPath: string;
  port: number;
  /** 0 disables the Web UI. */
  uiPort: number;
  /** Persistent SQLite file; undefined keeps everything in memory (tests). */
  dbFile?: string;
  namespace: string;
  log?: (message: string) => void;
}

export interface RunningDevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  /** Resolves when the server process exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const pidFile = options.dbFile ? `${options.dbFile}.pid` : undefined;
  if (pidFile) await stopOrphan(pidFile, options.log);
  if (await isPortOpen(options.port)) {
    throw new ProvisioningError(`Port ${options.port} is already in use (another Temporal server?), so the Temporal dev server cannot start: stop what uses it, set TEMPORAL_DEV_PORT to a free port, or set TEMPORAL_ADDRESS to use that server.`);
  }
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--namespace', options.namespace,
    '--log-level', 'warn', '--log-format', 'json'];
  if (options.dbFile) {
    await mkdir(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  if (options.uiPort > 0) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');

  // Own process group so that Ctrl-C in a terminal lets the caller stop the workers before the server.
  const child = spawn(options.cliPath, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });

  const deadline = Date.now() + 60_000;
  while (!(await isPortOpen(options.port))) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(r, 200, 'waiting'))]);
    if (early !== 'waiting') {
      throw new ProvisioningError(`The Temporal dev server stopped during start-up (${lastMessage(stderr)}): check that port ${options.uiPort} (TEMPORAL_UI_PORT) is free and that ${options.dbFile ?? 'its data'} is writable, or delete .tools/bin/temporal to rebuild it.`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new ProvisioningError(`The Temporal dev server did not open port ${options.port} within 60 s (${lastMessage(stderr)}): check that the machine is not out of memory, then start again.`);
    }
  }
  if (pidFile) await writeFile(pidFile, String(child.pid));
  return {
    address: `127.0.0.1:${options.port}`,
    uiUrl: options.uiPort > 0 ? `http://localhost:${options.uiPort}` : undefined,
    process: child,
    exited,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      if (pidFile) await rm(pidFile, { force: true });
    },
  };
}

export function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** A dev server left running by a killed `npm start` holds the port and the SQLite file: stop it first. */
async function stopOrphan(pidFile: string, log?: (message: string) => void): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  const cmdline = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
  if (Number.isInteger(pid) && pid > 0 && cmdline.includes('start-dev')) {
    log?.(`Stopping a Temporal dev server left running by an earlier start (pid ${pid})…`);
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i += 1) await new Promise((r) => setTimeout(r, 100));
  }
  await rm(pidFile, { force: true });
}

/** The last message of the dev server's JSON log on stderr, for a one-sentence error. */
function lastMessage(stderr: string): string {
  const last = stderr.trim().split('\n').filter(Boolean).at(-1) ?? '';
  try {
    const entry = JSON.parse(last) as { msg?: string; error?: string };
    return [entry.msg, entry.error].filter(Boolean).join(': ') || 'no message';
  } catch {
    return last.slice(0, 300) || 'no message';
  }
}
