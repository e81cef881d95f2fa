// Telling an outage (database or Temporal unreachable: retrying later will work) from a bug.
import type { Request, Response } from 'express';
import { csrfToken } from './csrf.js';
import { unavailablePage } from './unavailable-page.js';

const SEQUELIZE_UNREACHABLE = new Set([
  'SequelizeConnectionError', 'SequelizeConnectionRefusedError', 'SequelizeHostNotFoundError', 'SequelizeHostNotReachableError',
  'SequelizeConnectionTimedOutError', 'SequelizeConnectionAcquireTimeoutError', 'SequelizeInvalidConnectionError',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN']);
/** PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections. */
const POSTGRES_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

export function isUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && !seen.has(current) && depth < 8; depth += 1) {
    seen.add(current);
    const e = current as { name?: string; code?: string | number; message?: string; original?: unknown; parent?: unknown; cause?: unknown };
    if (e.name && SEQUELIZE_UNREACHABLE.has(e.name)) return true;
    if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || POSTGRES_CODES.has(e.code))) return true;
    // @temporalio/client: ServiceError wrapping a gRPC error; a closed connection is UNAVAILABLE.
    if (e.code === GRPC_UNAVAILABLE && /UNAVAILABLE|unavailable|connect/i.test(e.message ?? '')) return true;
    // A Temporal service down behind the frontend (history restarting): the call ran out of time.
    if (e.code === GRPC_DEADLINE_EXCEEDED || e.name === 'WorkflowUpdateRPCTimeoutOrCancelledError') return true;
    if (e.name === 'ConnectionTerminated' || /Connection terminated/.test(e.message ?? '')) return true;
    current = e.original ?? e.parent ?? e.cause;
  }
  return false;
}

/** Fields never written back into a page: secrets typed by the person, and tokens. */
const NEVER_RESENT = /pass|otp|secret|token|csrf/i;

/** The 503 page; after a POST, a form that sends the same fields again to the same address. */
export function sendUnavailable(req: Request, res: Response, secureCookies: boolean): void {
  res.status(503).set('Retry-After', '30').set('Cache-Control', 'no-store');
  const body = req.body as Record<string, unknown> | undefined;
  if (req.method !== 'POST' || !body || typeof body !== 'object') {
    res.send(unavailablePage());
    return;
  }
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(body)) {
    if (NEVER_RESENT.test(name)) continue;
    if (typeof value === 'string') fields[name] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) fields[name] = value as string[];
  }
  // A path of this site only (a leading "//" would make it another host).
  res.send(unavailablePage({ action: `/${req.originalUrl.replace(/^[/\\]+/, '')}`, fields, csrfToken: csrfToken(req, res, secureCookies) }));
}
