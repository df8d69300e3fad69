import type { Socket } from 'socket.io';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';

/**
 * How many events one connection may send: a burst of CLIENT_EVENT_BURST, then one more every
 * CLIENT_EVENT_INTERVAL_MS (5 per 10 s). A war-room screen sends one `turnout:resync` when it
 * reconnects or misses an update; a viewer sending a thousand made the server push 129 MB of
 * snapshots in 8 s.
 */
export const CLIENT_EVENT_BURST = 5;
export const CLIENT_EVENT_INTERVAL_MS = 2_000;

const TOO_MANY_REQUESTS = {
  code: 'too_many_requests',
  message: 'Too many requests on this connection. Wait a few seconds and try again.',
};

/**
 * A token bucket on the services' clock: `take()` says whether one more event fits. Each
 * connection has its own, kept with the connection, so nothing outlives it or needs sharing
 * between web nodes (a connection stays on one node).
 */
export function eventBudget(clock: Clock, burst = CLIENT_EVENT_BURST, intervalMs = CLIENT_EVENT_INTERVAL_MS) {
  let tokens = burst;
  let refilledAt = clock.now().getTime();
  return {
    take(): boolean {
      const now = clock.now().getTime();
      tokens = Math.min(burst, tokens + Math.max(0, now - refilledAt) / intervalMs);
      refilledAt = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

/**
 * Registers the handlers of the events a client sends. Every client event goes through here, so
 * every one counts against the connection's budget: over it, the event is answered with
 * `error:refused` (too_many_requests) and nothing else, and the connection stays open.
 */
export function clientEvents(socket: Socket, { clock, log }: { clock: Clock; log: Logger }) {
  const budget = eventBudget(clock);
  return {
    on(event: string, answer: (...args: unknown[]) => Promise<void>) {
      socket.on(event, (...args: unknown[]) => {
        if (!budget.take()) {
          socket.emit('error:refused', TOO_MANY_REQUESTS);
          return;
        }
        // A handler answers its expected failures itself; anything else is logged, never left to crash the process.
        answer(...args).catch((error: unknown) => {
          log.error({ err: { message: (error as Error).message }, event }, 'a client event failed');
        });
      });
    },
  };
}
