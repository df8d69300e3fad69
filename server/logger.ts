import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Personal data never goes in a log: code logs ids and counts only, and these
 * paths are redacted as a second line of defence should an object slip through.
 */
const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'headers.cookie',
  'headers.authorization',
  '*.password',
  '*.pin',
  '*.token',
  '*.phone',
  '*.email',
  '*.firstName',
  '*.lastName',
  '*.address',
];

/** JSON lines on standard output, or on `destination` (a test that reads what is logged). */
export function createLogger(level: string, destination?: { write(line: string): void }): Logger {
  const options = { level, base: { service: 'relance' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

/** Paths that carry a secret (sign-in link tokens) are logged as their pattern; query strings never. */
export function loggablePath(url: string): string {
  const pathOnly = url.split('?')[0] ?? url;
  return pathOnly.replace(/^\/invite\/[^/]+/, '/invite/:token');
}
