// A local SMTP sink for development and tests: accepts every message, keeps it (on disk when a folder is given),
// and serves a small page listing what was sent so a person trying the demo can open a login link.
import { createServer, type Server } from 'node:http';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { type AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

export interface CaughtMail {
  id: string;
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface MailSink {
  smtpPort: number;
  webPort: number;
  smtpUrl: string;
  webUrl: string;
  messages(): CaughtMail[];
  clear(): void;
  /**
   * Holds the answer to every message `match` accepts, as a slow mail server would (for fault tests): the
   * message is not accepted until release(); a client that hangs up meanwhile never had it accepted, and it
   * is dropped, as SMTP wants.
   */
  hold(match: (mail: CaughtMail) => boolean): HeldMails;
  stop(): Promise<void>;
}

export interface HeldMails {
  /** Messages waiting for their answer. */
  waiting(): CaughtMail[];
  /** Messages whose client hung up before the answer: never accepted. */
  dropped(): CaughtMail[];
  /** Accepts the waiting messages and holds no more. */
  release(): Promise<void>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startMailSink(options: { smtpPort: number; webPort: number; storeDir?: string }): Promise<MailSink> {
  const messages: CaughtMail[] = [];
  const accept = async (mail: CaughtMail) => {
    messages.push(mail);
    if (options.storeDir) await writeFile(path.join(options.storeDir, `${mail.id}.json`), JSON.stringify(mail));
  };
  interface Waiting { mail: CaughtMail; sessionId: string; answer(error?: Error): void }
  interface Hold { match: (mail: CaughtMail) => boolean; waiting: Waiting[]; dropped: CaughtMail[] }
  const holds = new Set<Hold>();
  if (options.storeDir) {
    await mkdir(options.storeDir, { recursive: true });
    for (const file of (await readdir(options.storeDir)).filter((f) => f.endsWith('.json')).sort()) {
      messages.push(JSON.parse(await readFile(path.join(options.storeDir, file), 'utf8')) as CaughtMail);
    }
  }

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // A stopped sink is an SMTP server gone: connections still open are cut after this grace.
    closeTimeout: 2000,
    onClose(session) {
      for (const hold of holds) {
        for (const waiting of hold.waiting.filter((w) => w.sessionId === session.id)) hold.dropped.push(waiting.mail);
        hold.waiting = hold.waiting.filter((w) => w.sessionId !== session.id);
      }
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(async (parsed) => {
          const to = (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));
          const mail: CaughtMail = {
            id: `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
            receivedAt: new Date().toISOString(),
            from: parsed.from?.text ?? '',
            to,
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
          };
          const hold = [...holds].find((h) => h.match(mail));
          if (hold) {
            hold.waiting.push({ mail, sessionId: session.id, answer: callback });
            return;
          }
          await accept(mail);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(options.smtpPort, '127.0.0.1', () => resolve());
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const web: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/api/messages') {
      if (req.method === 'DELETE') messages.length = 0;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(messages));
      return;
    }
    const match = /^\/messages\/([\w-]+)$/.exec(url.pathname);
    if (match) {
      const mail = messages.find((m) => m.id === match[1]);
      if (!mail) return void res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Message introuvable');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(`${escapeHtml(mail.subject)}`, `
        <p><a href="/">← Tous les messages</a></p>
        <dl><dt>De</dt><dd>${escapeHtml(mail.from)}</dd><dt>À</dt><dd>${escapeHtml(mail.to.join(', '))}</dd>
        <dt>Reçu le</dt><dd>${escapeHtml(new Date(mail.receivedAt).toLocaleString('fr-FR'))}</dd></dl>
        <iframe title="Contenu du message" sandbox="allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation"
          style="width:100%;height:70vh;border:1px solid #ddd" srcdoc="${escapeHtml(mail.html || `<pre>${escapeHtml(mail.text)}</pre>`)}"></iframe>`));
      return;
    }
    const rows = [...messages].reverse().map((m) => `<tr><td>${escapeHtml(new Date(m.receivedAt).toLocaleString('fr-FR'))}</td>
      <td>${escapeHtml(m.to.join(', '))}</td><td><a href="/messages/${m.id}">${escapeHtml(m.subject || '(sans objet)')}</a></td></tr>`).join('');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page('Messages envoyés (boîte de développement)', `
      <p>Tous les e-mails envoyés par Aidants Connect en développement arrivent ici ; rien ne part vers l’extérieur.</p>
      <table><thead><tr><th>Reçu le</th><th>Destinataires</th><th>Objet</th></tr></thead><tbody>${rows || '<tr><td colspan="3">Aucun message pour le moment.</td></tr>'}</tbody></table>`));
  });
  await new Promise<void>((resolve, reject) => {
    web.once('error', reject);
    web.listen(options.webPort, '127.0.0.1', () => resolve());
  });
  const webPort = (web.address() as AddressInfo).port;

  return {
    smtpPort,
    webPort,
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    webUrl: `http://localhost:${webPort}`,
    messages: () => [...messages],
    clear: () => { messages.length = 0; },
    hold(match) {
      const hold: Hold = { match, waiting: [], dropped: [] };
      holds.add(hold);
      return {
        waiting: () => hold.waiting.map((w) => w.mail),
        dropped: () => [...hold.dropped],
        async release() {
          holds.delete(hold);
          for (const waiting of hold.waiting.splice(0)) {
            await accept(waiting.mail);
            waiting.answer();
          }
        },
      };
    },
    async stop() {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await new Promise<void>((resolve) => web.close(() => resolve()));
    },
  };
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${title}</title>
  <style>body{font-family:Marianne,Arial,sans-serif;margin:2rem;color:#161616}table{border-collapse:collapse;width:100%}
  td,th{border-bottom:1px solid #ddd;padding:.5rem;text-align:left}a{color:#000091}dt{font-weight:bold}</style></head>
  <body><h1>${title}</h1>${body}</body></html>`;
}
