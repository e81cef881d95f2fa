// One program of the production topology run as a child process (a Temporal service, its UI, a web or worker
// process): its output goes to a log file of its own, it runs in a process group of its own (a Ctrl-C in the
// terminal reaches only the orchestrator, which stops everything in order), it is ready when `ready()` says
// so, and stop() asks politely (SIGTERM) before SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ProvisioningError } from './provision.js';
import type { Exit, RunningService } from './supervisor.js';

export interface ServiceProcessOptions {
  /** For people: « the Temporal history service », « web process 1 »… */
  label: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  /** Node processes get an IPC channel: they stop by themselves when the orchestrator dies. */
  ipc?: boolean;
  /** Whether the process (this pid) is ready to serve. */
  ready(pid: number): Promise<boolean>;
  readyTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** What to try when the process stops during start-up or never gets ready. */
  hint: string;
}

export interface ServiceProcess extends RunningService {
  pid: number;
  child: ChildProcess;
}

export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  await mkdir(path.dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.command, options.args, {
      cwd: options.cwd, env: options.env ?? process.env, detached: true,
      stdio: options.ipc ? ['ignore', fd, fd, 'ipc'] : ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  const running = () => child.exitCode === null && child.signalCode === null && child.pid !== undefined;
  const stop = async () => {
    if (!running()) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), options.stopTimeoutMs ?? 20_000);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  for (;;) {
    if (!running()) {
      await exited;
      throw new ProvisioningError(`${capitalise(options.label)} stopped during start-up (${lastLines(options.logFile, 1) || 'no message'}): see ${options.logFile}; ${options.hint}`);
    }
    if (await options.ready(child.pid!).catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new ProvisioningError(`${capitalise(options.label)} was not ready within ${Math.round((options.readyTimeoutMs ?? 90_000) / 1000)} s: see ${options.logFile}; ${options.hint}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (options.ipc) child.channel?.unref();
  child.unref();
  return { pid: child.pid!, child, exited, stop };
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The last lines of a log file, for a message (Temporal logs one JSON object a line: its msg and error). */
export function lastLines(logFile: string, count: number): string {
  if (!existsSync(logFile)) return '';
  const lines = readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean).slice(-count);
  return lines.map((line) => {
    try {
      const entry = JSON.parse(line) as { msg?: string; error?: string; message?: string };
      return [entry.msg ?? entry.message, entry.error].filter(Boolean).join(': ') || line;
    } catch {
      return line;
    }
  }).join('\n').slice(0, 2000);
}
