// The small front of the local production topology: one public port, requests spread over the web processes in
// turn. A web process that refuses connections (dead, restarting) is skipped for a moment and the request is
// sent to the next one, so a person in the middle of a session carries on elsewhere (sessions are in
// PostgreSQL). Production puts a real load balancer here (nginx, HAProxy, the hosting's); this one stays on
// loopback.
import http from 'node:http';
import type net from 'node:net';

export interface Upstream { name: string; port: number }

export interface RoundRobinProxy {
  url: string;
  port: number;
  /** Requests answered by each upstream so far. */
  served(): Record<string, number>;
  stop(): Promise<void>;
}

/** Request bodies are held in memory so that a refused request can be sent to the next upstream. */
const MAX_BODY_BYTES = 25 * 1024 * 1024;
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
/** Errors that prove the upstream never received the request: safe to send it to another one, whatever the method. */
const NOT_DELIVERED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

const UNAVAILABLE_PAGE = '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Service indisponible</title></head><body><h1>Service momentanément indisponible</h1><p>Aidants Connect redémarre. Réessayez dans quelques instants : ce que vous avez saisi n’a pas été envoyé.</p></body></html>';

export async function startRoundRobinProxy(options: { port: number; upstreams: Upstream[]; host?: string; skipForMs?: number }): Promise<RoundRobinProxy> {
  const host = options.host ?? '127.0.0.1';
  const skipForMs = options.skipForMs ?? 2000;
  const state = options.upstreams.map((upstream) => ({ ...upstream, downUntil: 0, served: 0, agent: new http.Agent({ keepAlive: true, maxSockets: 256 }) }));
  let next = 0;

  /** Upstreams in turn from the next one, those believed up first (all of them if none is). */
  const candidates = () => {
    const start = next;
    next = (next + 1) % state.length;
    const ordered = state.map((_, i) => state[(start + i) % state.length]!);
    const now = Date.now();
    return [...ordered.filter((u) => u.downUntil <= now), ...ordered.filter((u) => u.downUntil > now)];
  };

  const forward = (req: http.IncomingMessage, body: Buffer, upstream: (typeof state)[number]) => new Promise<http.IncomingMessage>((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { ...req.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    const client = req.socket.remoteAddress ?? '';
    headers['x-forwarded-for'] = req.headers['x-forwarded-for'] ? `${req.headers['x-forwarded-for']}, ${client}` : client;
    headers['x-forwarded-proto'] = 'http';
    headers['x-forwarded-host'] = req.headers.host ?? '';
    if (body.length > 0 || !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(req.method ?? 'GET')) headers['content-length'] = String(body.length);
    const outgoing = http.request({ host: '127.0.0.1', port: upstream.port, method: req.method, path: req.url, headers, agent: upstream.agent });
    outgoing.once('response', resolve);
    outgoing.once('error', (error: NodeJS.ErrnoException) => {
      // A kept-alive socket the upstream closed meanwhile: the request never reached it either (Node's advice).
      reject(Object.assign(error, { notDelivered: NOT_DELIVERED.has(error.code ?? '') || (outgoing.reusedSocket && error.code === 'ECONNRESET') }));
    });
    outgoing.end(body);
  });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end('Envoi trop volumineux.');
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        for (const upstream of candidates()) {
          let answer: http.IncomingMessage;
          try {
            answer = await forward(req, body, upstream);
          } catch (error) {
            if ((error as { notDelivered?: boolean }).notDelivered) {
              upstream.downUntil = Date.now() + skipForMs;
              continue;
            }
            // Delivered, then the upstream failed: sending it again could apply a form twice.
            if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/html; charset=utf-8' }).end(UNAVAILABLE_PAGE);
            return;
          }
          upstream.downUntil = 0;
          upstream.served += 1;
          const headers = { ...answer.headers };
          for (const name of HOP_BY_HOP) delete headers[name];
          res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
          answer.pipe(res);
          answer.once('error', () => res.destroy());
          res.once('close', () => { if (!answer.complete) answer.destroy(); });
          return;
        }
        res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'retry-after': '5' }).end(UNAVAILABLE_PAGE);
      })();
    });
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://localhost:${port}`,
    port,
    served: () => Object.fromEntries(state.map((u) => [u.name, u.served])),
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      setTimeout(() => { for (const socket of sockets) socket.destroy(); }, 5000).unref();
      await closed;
      for (const upstream of state) upstream.agent.destroy();
    },
  };
}
