// The typed readers config/index.ts builds the configuration with. Each reader falls back on its default and, when a
// variable is malformed, adds a problem naming it instead of throwing: the start is refused once, listing them all.
import net from 'node:net';
import { parseDuration } from '../domain/duration.js';

export type Env = Record<string, string | undefined>;

export type Readers = ReturnType<typeof createReaders>;

/** The readers of `env`; the problems they find go to `problems`, in the order the variables are read. */
export function createReaders(env: Env, problems: string[]) {
  // A blank value counts as unset: the default applies.
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = read(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name}: must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  };

  const port = (name: string, fallback: number): number => {
    const value = read(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      problems.push(`${name}: must be a TCP port between 1 and 65535 (got "${value}")`);
      return fallback;
    }
    return n;
  };

  const url = (name: string, protocols: string[], fallback?: string): string | undefined => {
    const value = read(name) ?? fallback;
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name}: must use ${protocols.join(' or ')} (got "${parsed.protocol}")`);
      }
      return value;
    } catch {
      problems.push(`${name}: must be a URL (got "${value}")`);
      return undefined;
    }
  };

  const duration = (name: string, fallback: string): number => {
    const value = read(name) ?? fallback;
    const ms = parseDuration(value);
    if (ms === undefined || ms <= 0) {
      problems.push(`${name}: must be a positive duration such as "14 days" or "12h" (got "${value}")`);
      return parseDuration(fallback)!;
    }
    return ms;
  };

  const positiveInteger = (name: string, fallback: number): number => {
    const value = read(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) {
      problems.push(`${name}: must be a positive whole number (got "${value}")`);
      return fallback;
    }
    return n;
  };

  // The values express accepts: true/false, a number of hops, or addresses, subnets and named ranges.
  const trustProxy = (name: string): boolean | number | string[] => {
    const value = read(name);
    if (value === undefined || value === 'false') return false;
    if (value === 'true') return true;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
    const bad = entries.filter((entry) => {
      if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return false;
      const [address, prefix, ...rest] = entry.split('/');
      const family = net.isIP(address ?? '');
      if (family === 0 || rest.length > 0) return true;
      return prefix !== undefined && !(/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
    });
    if (entries.length === 0 || bad.length > 0) {
      problems.push(`${name}: must be false, true, a number of proxies, or addresses/subnets such as "loopback, 10.0.0.0/8" (got "${value}")`);
      return false;
    }
    return entries;
  };

  // Accepts a display name too ("Aidants Connect <contact@…>"): only the address between the brackets is checked.
  const email = (name: string, fallback: string): string => {
    const value = read(name) ?? fallback;
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.replace(/^.*<(.+)>$/, '$1'))) {
      problems.push(`${name}: must be an e-mail address (got "${value}")`);
    }
    return value;
  };

  return { read, oneOf, port, url, duration, positiveInteger, trustProxy, email };
}
