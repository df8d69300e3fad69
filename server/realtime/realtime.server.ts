import type http from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';
import { requireRole } from '../auth/auth.guards.ts';
import { identify } from '../auth/auth.identify.ts';
import { ACCESS, type Principal } from '../auth/auth.roles.ts';
import { DomainError } from '../errors.ts';
import { isSameSite } from '../http/security.ts';
import type { Metrics } from '../monitoring/monitoring.metrics.ts';
import type { Services } from '../services.ts';
import { clientEvents } from './realtime.events.ts';

export const LIVE_NAMESPACE = '/live';

/** Clients send small events (a resync, a flag); Socket.io's default would read 1 MB. */
export const SOCKET_MESSAGE_LIMIT_BYTES = 64 * 1024;

/** Who a socket belongs to: an API token in the handshake's `auth` or header, or the browser's session cookie. */
async function principalOf(services: Services, socket: Socket): Promise<Principal | null> {
  const { token } = socket.handshake.auth as { token?: unknown };
  return (await identify(services.auth, socket.handshake.headers, token)).principal;
}

/**
 * Socket.io on the web server's own port. Namespace /live: the war room's live turnout.
 * With REDIS_URL, the Redis streams adapter carries broadcasts between web nodes.
 */
export function createRealtime(httpServer: http.Server, services: Services, metrics: Metrics) {
  const redis = services.config.redisUrl ? new Redis(services.config.redisUrl) : undefined;
  redis?.on('error', () => {}); // ioredis reconnects by itself; /readyz reports an outage
  const io = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: SOCKET_MESSAGE_LIMIT_BYTES,
    // Refuses a browser connecting from another site (cross-site WebSocket hijacking).
    allowRequest: (request, callback) => callback(null, isSameSite(request, services.config)),
    ...(redis ? { adapter: createAdapter(redis, { streamName: 'relance:socket.io' }) } : {}),
  });

  const live = io.of(LIVE_NAMESPACE);
  live.use(async (socket, next) => {
    try {
      requireRole(await principalOf(services, socket), ACCESS.warRoom);
      next();
    } catch (error) {
      const refusal = new Error(error instanceof DomainError ? error.message : 'Could not check who you are.') as Error & {
        data?: unknown;
      };
      refusal.data = { code: error instanceof DomainError ? error.code : 'internal' };
      next(refusal);
    }
  });

  /** Whether a socket's session or token still opens the war room (checked again before each send). */
  async function stillWarRoom(socket: Socket): Promise<boolean> {
    try {
      requireRole(await principalOf(services, socket), ACCESS.warRoom);
      return true;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      socket.emit('error:refused', { code: error.code, message: error.message });
      socket.disconnect(true);
      return false;
    }
  }

  // Until the war room gets deltas, a change committed here sends every screen connected here a
  // fresh snapshot, computed once for all of them, at most once a second.
  const SNAPSHOT_EVERY_MS = 1000;
  let snapshotTimer: ReturnType<typeof setTimeout> | undefined;
  async function broadcastSnapshot() {
    snapshotTimer = undefined;
    try {
      const snapshot = await services.turnout.snapshot();
      for (const socket of live.sockets.values()) {
        if (await stillWarRoom(socket)) socket.emit('turnout:snapshot', snapshot);
      }
    } catch (error) {
      services.log.error({ err: { message: (error as Error).message } }, 'could not send turnout snapshots');
    }
  }
  const unsubscribe = services.feed.subscribe((event) => {
    if (event.type === 'election:changed' || live.sockets.size === 0) return;
    snapshotTimer ??= setTimeout(() => void broadcastSnapshot(), SNAPSHOT_EVERY_MS);
  });

  live.on('connection', (socket) => {
    metrics.liveConnections.inc();
    socket.on('disconnect', () => metrics.liveConnections.dec());

    const sendSnapshot = async () => {
      try {
        // Checked again on every event: a session revoked since the connection no longer counts.
        if (await stillWarRoom(socket)) socket.emit('turnout:snapshot', await services.turnout.snapshot());
      } catch (error) {
        services.log.error({ err: { message: (error as Error).message } }, 'could not send a turnout snapshot');
      }
    };
    // Client events: registered through clientEvents, which holds each connection to its budget.
    const events = clientEvents(socket, services);
    events.on('turnout:resync', sendSnapshot);
    void sendSnapshot();
  });

  return {
    io,
    async close() {
      unsubscribe();
      clearTimeout(snapshotTimer);
      await io.close();
      redis?.disconnect();
    },
  };
}

export type Realtime = ReturnType<typeof createRealtime>;
