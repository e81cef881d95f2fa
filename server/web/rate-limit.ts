// A per-address limit on every public POST (the forms, the back-office login), counted in PostgreSQL so that
// every web process shares the same counters: behind a load balancer, N processes must not mean N times the
// allowance. A fixed window per address (table rate_limit_hits, migration 0010).
import type { Request, RequestHandler } from 'express';
import { rateLimit, type ClientRateLimitInfo, type Options, type Store } from 'express-rate-limit';
import { QueryTypes, type Sequelize } from 'sequelize';
import { rawQuery } from '../../db/raw-query.js';
import { tooManyRequestsPage } from './unavailable-page.js';
import { clientAddress } from './client-address.js';
import { isUnavailable } from './unavailable.js';

export class PostgresRateLimitStore implements Store {
  localKeys = false;
  prefix: string;
  private windowMs = 60_000;
  private calls = 0;

  constructor(private readonly sequelize: Sequelize, prefix = 'post:') {
    this.prefix = prefix;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  /** One atomic upsert: a new window starts when the previous one has ended. */
  async increment(key: string): Promise<ClientRateLimitInfo> {
    this.calls += 1;
    if (this.calls % 200 === 0) void this.prune().catch(() => undefined);
    let rows: { hits: number; reset_at: Date }[];
    try {
      rows = await this.count(key);
    } catch (error) {
      // Database unreachable: let the request through quietly; the page answers 503 itself if it needs the
      // database (server/web/unavailable.ts). Any other error is reported by express-rate-limit.
      if (isUnavailable(error)) return { totalHits: 1, resetTime: new Date(Date.now() + this.windowMs) };
      throw error;
    }
    return { totalHits: rows[0]!.hits, resetTime: new Date(rows[0]!.reset_at) };
  }

  /** Counts one more hit: one statement on every POST (db/raw-query.ts). */
  private async count(key: string) {
    return (await rawQuery<{ hits: number; reset_at: Date }>(this.sequelize,
      `INSERT INTO rate_limit_hits AS r (key, hits, reset_at)
       VALUES ($1, 1, now() + make_interval(secs => $2))
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN r.reset_at <= now() THEN 1 ELSE r.hits + 1 END,
         reset_at = CASE WHEN r.reset_at <= now() THEN now() + make_interval(secs => $2) ELSE r.reset_at END
       RETURNING hits, reset_at`,
      [this.prefix + key, this.windowMs / 1000])).rows;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const [row] = await this.sequelize.query<{ hits: number; reset_at: Date }>(
      'SELECT hits, reset_at FROM rate_limit_hits WHERE key = :key AND reset_at > now()',
      { replacements: { key: this.prefix + key }, type: QueryTypes.SELECT },
    );
    return row ? { totalHits: row.hits, resetTime: new Date(row.reset_at) } : undefined;
  }

  async decrement(key: string): Promise<void> {
    await this.sequelize.query('UPDATE rate_limit_hits SET hits = greatest(hits - 1, 0) WHERE key = :key', { replacements: { key: this.prefix + key } });
  }

  async resetKey(key: string): Promise<void> {
    await this.sequelize.query('DELETE FROM rate_limit_hits WHERE key = :key', { replacements: { key: this.prefix + key } });
  }

  /** Ended windows are of no use: deleted now and then by whichever process counts. */
  private async prune(): Promise<void> {
    await this.sequelize.query('DELETE FROM rate_limit_hits WHERE reset_at < now()');
  }
}

// /token/ is FranceConnect's servers, authenticated by the client secret: not a public form.
const isLimited = (req: Request) => req.method === 'POST' && req.path !== '/token/' && (!req.path.startsWith('/admin/') || req.path === '/admin/login');

/** The limit on public POSTs; the back-office's own actions (signed-in staff) are not limited. */
export function postRateLimit(options: { sequelize: Sequelize; limit: number; windowMs: number }): RequestHandler {
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    store: new PostgresRateLimitStore(options.sequelize),
    keyGenerator: clientAddress,
    skip: (req) => !isLimited(req),
    // With the database down the page itself answers 503 (server/web/unavailable.ts): the limit must not turn
    // that into a 500.
    passOnStoreError: true,
    // Whether a forwarded address is trusted is our TRUST_PROXY setting, deliberately.
    validate: { xForwardedForHeader: false, trustProxy: false },
    handler: (req, res, _next, limitOptions) => {
      const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const retryAfter = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + limitOptions.windowMs) - Date.now()) / 1000));
      res.status(429).set('Retry-After', String(retryAfter)).set('Cache-Control', 'no-store')
        .send(tooManyRequestsPage(Math.ceil(retryAfter / 60)));
    },
  });
}
