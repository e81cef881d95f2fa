// Keeps one local service of `npm start` running (PostgreSQL, the Temporal dev server, the worker, the web
// server): when it dies unexpectedly it is restarted, a bounded number of times within a window, after
// which the caller is told to give up (and stops everything with a clear message).

export interface Exit { code: number | null; signal: NodeJS.Signals | null }

export interface RunningService {
  exited: Promise<Exit>;
  stop(): Promise<void>;
}

export interface SupervisorOptions {
  /** For people: « PostgreSQL », « the Temporal dev server »… */
  name: string;
  start(): Promise<RunningService>;
  say(line: string): void;
  /** Called once when the service died more than maxRestarts times within windowMs. */
  onGiveUp(reason: string): void;
  maxRestarts?: number;
  windowMs?: number;
  /** Pause between two failed restart attempts (a port or a shared memory segment still being released). */
  retryDelayMs?: number;
}

export interface SupervisedService {
  /** Restarts done so far (for tests and messages). */
  readonly restarts: number;
  stop(): Promise<void>;
}

export const describeExit = (exit: Exit) => (exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`);

/** Starts the service (a failure of this first start is thrown) and watches it until stop() is called. */
export async function supervise(options: SupervisorOptions): Promise<SupervisedService> {
  const maxRestarts = options.maxRestarts ?? 3;
  const windowMs = options.windowMs ?? 10 * 60_000;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  let current = await options.start();
  let stopping = false;
  let restarting: Promise<void> | undefined;
  const recent: number[] = [];
  let total = 0;

  const recover = async (reason: string) => {
    for (;;) {
      const now = Date.now();
      while (recent.length > 0 && now - recent[0]! > windowMs) recent.shift();
      if (recent.length >= maxRestarts) {
        options.onGiveUp(`${options.name} stopped unexpectedly ${maxRestarts + 1} times within ${Math.round(windowMs / 60_000)} minutes (last: ${reason})`);
        return;
      }
      recent.push(now);
      total += 1;
      options.say(`${options.name} stopped unexpectedly (${reason}); restarting it (attempt ${recent.length} of ${maxRestarts})…`);
      try {
        const next = await options.start();
        if (stopping) {
          await next.stop();
          return;
        }
        current = next;
        options.say(`${options.name} is running again.`);
        watch(next);
        return;
      } catch (error) {
        reason = `restart failed: ${String((error as Error)?.message ?? error).split('\n')[0]}`;
        if (stopping) return;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
      }
    }
  };

  const watch = (running: RunningService) => {
    void running.exited.then((exit) => {
      if (stopping || running !== current) return;
      restarting = recover(describeExit(exit)).finally(() => { restarting = undefined; });
    });
  };
  watch(current);

  return {
    get restarts() { return total; },
    async stop() {
      stopping = true;
      await restarting;
      await current.stop();
    },
  };
}
