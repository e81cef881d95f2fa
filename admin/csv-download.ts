// The HTTP side of every CSV export of the back-office: the download's headers, then the streamed body; an
// error once the headers are gone cuts the download (the file visibly ends without its last rows) rather
// than ending it as if it were complete.
import type { Response } from 'express';
import type { Writable } from 'node:stream';

export const csvRefusal = (res: Response, status: 400 | 403, message: string): void =>
  void res.status(status).type('text/plain; charset=utf-8').send(message);

export async function sendCsvDownload(res: Response, fileName: string, write: (out: Writable) => Promise<unknown>): Promise<void> {
  res.status(200);
  res.set({
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${fileName}"`,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  try {
    await write(res);
    res.end();
  } catch (error) {
    // The headers are gone: a cut download is the only honest answer (the file ends without its last rows).
    res.destroy(error as Error);
  }
}
