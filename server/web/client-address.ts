// The client's address used for throttling: req.ip (the socket's, or the one told by a trusted proxy, see
// TRUST_PROXY), an IPv6 address reduced to its /56 (one subscriber usually holds a whole block).
import type { Request } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';

export function clientAddress(req: Request): string {
  return ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');
}
