// Express 4 does not catch rejected promises: route handlers go through this so errors reach the error pages.
import type { NextFunction, Request, Response } from 'express';

export const asyncRoute = (fn: (req: Request, res: Response) => Promise<unknown>) =>
  (req: Request, res: Response, next: NextFunction) => { fn(req, res).catch(next); };

/** The string fields of a posted form, to show them again next to their errors (never the CSRF token). */
export function postedValues(body: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(body).filter(([k, v]) => k !== '_csrf' && typeof v === 'string')) as Record<string, string>;
}
