// A small structured logger: one line per event, JSON in production, readable in development.
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function createLogger(name: string, minimum: Level = 'info', json = process.env.NODE_ENV === 'production'): Logger {
  const write = (level: Level, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[minimum]) return;
    const line = json
      ? JSON.stringify({ time: new Date().toISOString(), level, name, message, ...fields })
      : `[${name}] ${level === 'info' ? '' : `${level.toUpperCase()} `}${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`;
    process.stderr.write(`${line}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
