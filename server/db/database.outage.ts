/**
 * Whether an error means that PostgreSQL could not be reached or went away (stopped, restarting,
 * failed over, out of connections), rather than that the request or the code was wrong. Such a
 * request was not acknowledged, and the same request a moment later can succeed (every write is
 * stored once by its id): it is answered 503 with Retry-After, which phones' outboxes and load balancers understand as
 * "try again", never 500 (docs/operations.md, "Rehearsing failures").
 */

/** Driver adapter error kinds (@prisma/adapter-pg) that say the server is out of reach. */
const UNREACHABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/**
 * Prisma's codes: P1001 can't reach the server, P1002 it timed out, P1017 it closed the connection,
 * P2024 no connection from the pool in time, P2028 a transaction could not start or lost its connection.
 */
const UNREACHABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1017', 'P2024', 'P2028']);

/** Socket errors of the pg driver itself. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/**
 * SQLSTATEs: class 08 (connection exception), 57P01 admin shutdown, 57P02 crash shutdown,
 * 57P03 cannot connect now (starting up, shutting down), 53300 too many connections.
 */
function unavailableState(code: string): boolean {
  return code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code);
}

/** The pg driver's messages for a connection lost without a code. */
const LOST_CONNECTION =
  /Connection terminated|connection timeout|Client has encountered a connection error|Cannot use a pool after calling end/i;

interface ErrorLike {
  code?: unknown;
  kind?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending = [error];
  while (pending.length > 0) {
    const current = pending.pop();
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const { code, kind, message, cause, meta } = current as ErrorLike;
    if (typeof kind === 'string' && UNREACHABLE_KINDS.has(kind)) return true;
    if (kind === 'postgres' && typeof code === 'string' && unavailableState(code)) return true;
    if (typeof code === 'string' && (UNREACHABLE_PRISMA_CODES.has(code) || SOCKET_CODES.has(code) || unavailableState(code))) return true;
    if (typeof message === 'string' && LOST_CONNECTION.test(message)) return true;
    pending.push(cause, meta?.driverAdapterError);
  }
  return false;
}
