// What AdminJS sends that we cannot configure: its page layout loads Roboto from fonts.googleapis.com (a
// third-party host: fails offline, tells Google who uses the back-office), and a few API errors are English
// sentences, not translation keys. Both are rewritten on their way out.
import type { NextFunction, Request, Response } from 'express';

export const ADMIN_FONTS_CSS = '/admin/static/fonts.css';
const GOOGLE_FONTS = /<link[^>]+href="https:\/\/fonts\.googleapis\.com[^"]*"[^>]*>/g;
const RECORD_NOT_FOUND = 'Cet enregistrement est introuvable : il a peut-être été supprimé, ou l’adresse est incomplète.';
const ENGLISH_NOTICES: [RegExp, string][] = [
  [/^Record with given id: .* cannot be found in resource/s, RECORD_NOT_FOUND],
  [/^record with given id: .* cannot be found in resource/s, RECORD_NOT_FOUND],
  [/^You have to pass a valid recordId/, RECORD_NOT_FOUND],
];

export function frenchResponses(req: Request, res: Response, next: NextFunction): void {
  const send = res.send.bind(res);
  res.send = (body?: unknown) => {
    if (typeof body === 'string' && body.includes('fonts.googleapis.com')) {
      return send(body.replace(GOOGLE_FONTS, `<link rel="stylesheet" href="${ADMIN_FONTS_CSS}" type="text/css">`));
    }
    const notice = (body as { notice?: { message?: unknown } } | null)?.notice;
    if (req.path.startsWith('/api/') && notice && typeof notice.message === 'string') {
      const french = ENGLISH_NOTICES.find(([english]) => english.test(notice.message as string));
      if (french) notice.message = french[1];
    }
    return send(body);
  };
  next();
}
