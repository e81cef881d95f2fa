// /health reports the database and Temporal separately; 503 when either is down.
import type { Request, Response } from 'express';
import type { Sequelize } from 'sequelize';
import type { Client } from '@temporalio/client';

async function probe(check: () => Promise<unknown>, timeoutMs = 2000): Promise<{ status: 'ok' | 'down'; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs); }),
    ]);
    return { status: 'ok' };
  } catch (error) {
    return { status: 'down', error: (error as Error).message.split('\n')[0] };
  } finally {
    clearTimeout(timer);
  }
}

export function healthHandler(deps: { sequelize: Sequelize; temporal: Client }) {
  return async (_req: Request, res: Response) => {
    const [database, temporal] = await Promise.all([
      probe(() => deps.sequelize.query('SELECT 1')),
      // getSystemInfo answers only when the frontend and its persistence are up.
      probe(() => deps.temporal.workflowService.getSystemInfo({})),
    ]);
    const healthy = database.status === 'ok' && temporal.status === 'ok';
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'degraded', database, temporal });
  };
}
