// First come, first served: at most `limit` requests of a web process in progress at once on the routes it
// guards, the others waiting their turn in arrival order. Why, on the identity provider's routes: a FranceConnect
// round trip is seven requests of a few PostgreSQL statements each; left to interleave freely (every request in
// progress sharing two cores and ten connections), a round trip's latency depends on how many others happen to
// run beside each of its statements and its tail widens; served in order, it stays closer to its median
// (measured: bench/README.md « Identity provider », « First come, first served »).
// A request that waited `maxWaitMs` is answered « unavailable » (503, Retry-After) rather than served after its
// client gave up; one whose client left while it waited is dropped from the queue.
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export interface AdmissionOptions {
  /** Requests in progress at once. */
  limit: number;
  /** Longest wait for a turn before the request is refused. */
  maxWaitMs: number;
  /** Answers a request refused after its wait (the response is untouched when called). */
  refuse: (req: Request, res: Response) => void;
}

export interface Admission extends RequestHandler {
  /** Requests in progress and waiting now (what the tests observe). */
  readonly state: () => { active: number; waiting: number };
}

interface Waiter { admit: () => void; gone: boolean }

export function admission(options: AdmissionOptions): Admission {
  if (!Number.isInteger(options.limit) || options.limit < 1) throw new Error(`admission: limit must be a positive integer (got ${options.limit})`);
  let active = 0;
  const queue: Waiter[] = [];

  const release = () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      if (!next.gone) { next.admit(); return; } // the slot passes on: `active` stays the same
    }
    active -= 1;
  };

  const run = (res: Response, next: NextFunction) => {
    let released = false;
    const done = () => { if (!released) { released = true; release(); } };
    res.once('finish', done);
    res.once('close', done);
    next();
  };

  const handler = ((req: Request, res: Response, next: NextFunction) => {
    if (active < options.limit) {
      active += 1;
      run(res, next);
      return;
    }
    const waiter: Waiter = {
      gone: false,
      admit: () => { clearTimeout(timer); res.off('close', left); run(res, next); },
    };
    const left = () => { waiter.gone = true; clearTimeout(timer); };
    const timer = setTimeout(() => {
      waiter.gone = true;
      res.off('close', left);
      options.refuse(req, res);
    }, options.maxWaitMs);
    res.once('close', left);
    queue.push(waiter);
  }) as Admission;
  Object.defineProperty(handler, 'state', { value: () => ({ active, waiting: queue.filter((w) => !w.gone).length }) });
  return handler;
}
