// A catch-up sweep of the web process (what Temporal could not take when it was unreachable): runs now, then
// every `intervalMs`, never two passes at once, never keeping the process alive; a failed pass is reported and
// the next one tries again. Returns the function that stops it.
export function startPeriodicSweep(pass: () => Promise<void>, intervalMs: number, onError?: (error: Error) => void): () => void {
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      await pass();
    } catch (error) {
      onError?.(error as Error);
    } finally {
      running = false;
    }
  };
  void sweep();
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
