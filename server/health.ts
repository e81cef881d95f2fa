// /health reports the database and Temporal separately; 503 when either is down. It is public: a failure
// is reported as « indisponible » only (the internal address and the error go to the log).
import type { Request, Response } from 'express';
import type { Sequelize } from 'sequelize';
import type { Client } from '@temporalio/client';
import type { Logger } from '../infra/logger.js';

async function probe(name: string, log: Logger | undefined, check: () => Promise<unknown>, timeoutMs = 2000): Promise<{ status: 'ok' | 'down'; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs); }),
    ]);
    return { status: 'ok' };
  } catch (error) {
    log?.warn(`health: ${name} is down`, { error: String((error as Error)?.message ?? error).split('\n')[0] });
    return { status: 'down', error: 'indisponible' };
  } finally {
    clearTimeout(timer);
  }
}

export function healthHandler(deps: { sequelize: Sequelize; temporal: Client; log?: Logger }) {
  return async (_req: Request, res: Response) => {
    const [database, temporal] = await Promise.all([
      probe('database', deps.log, () => deps.sequelize.query('SELECT 1')),
      // getSystemInfo answers only when the frontend and its persistence are up.
      probe('temporal', deps.log, () => deps.temporal.workflowService.getSystemInfo({})),
    ]);
    const healthy = database.status === 'ok' && temporal.status === 'ok';
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'degraded', database, temporal });
  };
}
