// A download client that takes nothing until released: what a slow download looks like to a streaming route
// (the journal's and the back-office's CSV exports), to check that the server waits instead of buffering.
import { Writable } from 'node:stream';

export function pausedClient() {
  const held: (() => void)[] = [];
  let released = false;
  const chunks: string[] = [];
  const out = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      if (released) callback(); else held.push(() => callback());
    },
  });
  return {
    out, chunks,
    text: () => chunks.join(''),
    release() { released = true; held.splice(0).forEach((callback) => callback()); },
    /** Resolves once the writer waits for the client (it listens for « drain »). */
    async blocked() { while (out.listenerCount('drain') === 0) await new Promise((resolve) => setImmediate(resolve)); },
  };
}
