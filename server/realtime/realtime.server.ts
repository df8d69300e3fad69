import type http from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';
import { requireWarRoom } from '../auth/auth.guards.ts';
import { PRINCIPAL_CACHE_MS } from '../auth/auth.service.ts';
import { identify } from '../auth/auth.identify.ts';
import type { Principal } from '../auth/auth.roles.ts';
import { DomainError } from '../errors.ts';
import { isSameSite } from '../http/security.ts';
import type { Metrics } from '../monitoring/monitoring.metrics.ts';
import type { Services } from '../services.ts';
import { chaseRealtime } from './realtime.chase.ts';
import { clientEvents } from './realtime.events.ts';
import type { LiveEvent } from './realtime.feed.ts';

export const LIVE_NAMESPACE = '/live';

/** Clients send small events (a resync, a flag); Socket.io's default would read 1 MB. */
export const SOCKET_MESSAGE_LIMIT_BYTES = 64 * 1024;

/** Every war-room connection of a node joins this room; the node's turnout stream is sent to it. */
const WAR_ROOM = 'war-room';

/** How web nodes tell each other that something was committed (through the Redis streams adapter). */
const RELAYED_EVENT = 'live:committed';

/**
 * Every claim and outcome moves a list's progress, which screens are sent at most every 500 ms: other
 * nodes are told which lists moved gathered, at most once per this many ms, not once per call.
 */
const CHASE_RELAY_EVERY_MS = 200;

/** Screens are brought up to date at least this often, even when nothing is reported. */
export const REFRESH_EVERY_MS = 10_000;

/** A screen that drops off for less than this gets the deltas it missed on reconnection (Socket.io's connection state recovery). */
const RECOVERY_WINDOW_MS = 2 * 60_000;

/** Who a socket belongs to: an API token in the handshake's `auth` or header, or the browser's session cookie. */
async function principalOf(services: Services, socket: Socket): Promise<Principal | null> {
  const { token } = socket.handshake.auth as { token?: unknown };
  return (await identify(services.auth, socket.handshake.headers, token)).principal;
}

/**
 * Socket.io on the web server's own port. Namespace /live: the war room's live turnout and chase
 * lists' progress; namespace /calls: the volunteers' calling workspace (realtime.chase.ts).
 * With REDIS_URL, the Redis streams adapter carries what each node commits to the others.
 */
export function createRealtime(httpServer: http.Server, services: Services, metrics: Metrics) {
  const redis = services.config.redisUrl ? new Redis(services.config.redisUrl) : undefined;
  redis?.on('error', () => {}); // ioredis reconnects by itself; /readyz reports an outage
  const io = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: SOCKET_MESSAGE_LIMIT_BYTES,
    // Refuses a browser connecting from another site (cross-site WebSocket hijacking).
    allowRequest: (request, callback) => callback(null, isSameSite(request, services.config)),
    connectionStateRecovery: { maxDisconnectionDuration: RECOVERY_WINDOW_MS, skipMiddlewares: false },
    ...(redis ? { adapter: createAdapter(redis, { streamName: 'relance:socket.io' }) } : {}),
  });

  const live = io.of(LIVE_NAMESPACE);
  live.use(async (socket, next) => {
    try {
      requireWarRoom(await principalOf(services, socket));
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
      requireWarRoom(await principalOf(services, socket));
      return true;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      socket.emit('error:refused', { code: error.code, message: error.message });
      socket.disconnect(true);
      return false;
    }
  }

  // The turnout stream: a change committed on this node, or relayed from another, brings a delta to every
  // screen connected here within DELTA_EVERY_MS. Each node numbers its own stream (its epoch).
  const stream = services.liveTurnout;
  const movedLists = new Map<number, Set<number>>();
  let relayTimer: NodeJS.Timeout | undefined;
  const relayMovedLists = () => {
    relayTimer = undefined;
    for (const [electionId, listIds] of movedLists) {
      live.serverSideEmit(RELAYED_EVENT, { type: 'chase:changed', electionId, listIds: [...listIds] } satisfies LiveEvent);
    }
    movedLists.clear();
  };
  // Without Redis there is no other node to tell (Socket.io's in-memory adapter would warn on every event).
  const unsubscribeFeed = services.feed.subscribe((event) => {
    if (!redis || event.relayed) return;
    if (event.type !== 'chase:changed') return void live.serverSideEmit(RELAYED_EVENT, event);
    const lists = movedLists.get(event.electionId) ?? new Set<number>();
    for (const id of event.listIds) lists.add(id);
    movedLists.set(event.electionId, lists);
    relayTimer ??= setTimeout(relayMovedLists, CHASE_RELAY_EVERY_MS);
  });
  live.on(RELAYED_EVENT, (event: LiveEvent) => services.feed.publish({ ...event, relayed: true }));
  // The election's clock moves on, stations fall silent, other processes (an import, the CLI) change things:
  // screens are brought up to date every REFRESH_EVERY_MS even when nothing is reported here.
  const refresh = setInterval(() => {
    if (live.sockets.size > 0) stream.changed();
  }, REFRESH_EVERY_MS);
  refresh.unref();

  // Every update is sent to the whole room at once, in the stream's order; each connection's session or token is
  // checked again alongside, at most once per PRINCIPAL_CACHE_MS (the same cache the API's requests use), and a
  // connection no longer allowed is refused and dropped. Waiting for those checks before sending made every screen
  // wait for the slowest lookup.
  const checkedAt = new WeakMap<Socket, number>();
  function checkAgain(socket: Socket) {
    const now = services.clock.now().getTime();
    if (now - (checkedAt.get(socket) ?? 0) < PRINCIPAL_CACHE_MS) return;
    checkedAt.set(socket, now);
    stillWarRoom(socket).catch((error: unknown) => {
      services.log.error({ err: { message: (error as Error).message } }, 'could not check a live connection');
    });
  }
  const unsubscribeStream = stream.subscribe((update) => {
    for (const socket of live.sockets.values()) checkAgain(socket);
    if (update.kind === 'delta') live.local.to(WAR_ROOM).emit('turnout:delta', update.delta);
    else live.local.to(WAR_ROOM).emit('turnout:snapshot', update.snapshot);
  });

  // Chase lists: progress to war-room screens here, and the volunteers' own namespace (/calls).
  const chase = chaseRealtime({ io, live, services, principalOf: (socket) => principalOf(services, socket), stillWarRoom });

  live.on('connection', (socket) => {
    checkedAt.set(socket, services.clock.now().getTime());
    metrics.liveConnections.inc();
    socket.on('disconnect', () => metrics.liveConnections.dec());

    const sendSnapshot = async () => {
      try {
        const snapshot = await stream.snapshot();
        if (await stillWarRoom(socket)) socket.emit('turnout:snapshot', snapshot);
      } catch (error) {
        services.log.error({ err: { message: (error as Error).message } }, 'could not send a turnout snapshot');
      }
    };
    // Client events: registered through clientEvents, which holds each connection to its budget.
    const events = clientEvents(socket, services);
    events.on('turnout:resync', sendSnapshot);
    void socket.join(WAR_ROOM);
    // A connection recovered after a short drop has been sent the deltas it missed; the client asks for a
    // snapshot if it still sees a gap.
    if (!socket.recovered) void sendSnapshot();
  });

  return {
    io,
    async close() {
      unsubscribeFeed();
      clearTimeout(relayTimer);
      unsubscribeStream();
      chase.close();
      clearInterval(refresh);
      await io.close();
      redis?.disconnect();
    },
  };
}

export type Realtime = ReturnType<typeof createRealtime>;
