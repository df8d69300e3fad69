import type { Namespace, Server, Socket } from 'socket.io';
import type { Principal } from '../auth/auth.roles.ts';
import { requireCaller } from '../chase/chase.access.ts';
import { CLOSING_CHECK_MS } from '../chase/chase.live.ts';
import type { ListProgress } from '../chase/chase.progress.ts';
import { DomainError } from '../errors.ts';
import type { Services } from '../services.ts';
import { clientEvents } from './realtime.events.ts';

/** Namespace of the volunteers' calling workspace: their lists' progress, and word when the person they hold votes. */
export const CALLS_NAMESPACE = '/calls';

/** A list's progress goes out at most this often: outcomes recorded together are sent together. */
export const PROGRESS_EVERY_MS = 500;

interface Dependencies {
  io: Server;
  live: Namespace;
  services: Services;
  principalOf: (socket: Socket) => Promise<Principal | null>;
  /** Whether a /live socket still opens the war room (it is dropped otherwise). */
  stillWarRoom: (socket: Socket) => Promise<boolean>;
}

/**
 * Chase lists, live. `chase:progress` goes to every war-room screen (/live) and to the volunteers
 * whose lists they are (/calls); `chase:voted` tells a volunteer at once that the person they hold
 * has voted or asked not to be contacted, or that their station has closed. Changes come from the
 * live feed, so a change committed on another web node reaches the screens connected here. Who may
 * see what is checked again before every event: a volunteer never receives another team's list.
 */
export function chaseRealtime({ io, live, services, principalOf, stillWarRoom }: Dependencies) {
  const calls = io.of(CALLS_NAMESPACE);

  /** The lists a volunteer works now (kept a few seconds, cleared by any change of assignment: chase.access.ts). */
  async function listsOf(userId: number): Promise<Set<number>> {
    return new Set((await services.chase.volunteerLists.of(userId))?.listIds ?? []);
  }

  /** The volunteer a /calls socket belongs to, checked again now; a socket that no longer qualifies is dropped. */
  async function stillCaller(socket: Socket): Promise<number | null> {
    try {
      return requireCaller(await principalOf(socket)).id;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      socket.emit('error:refused', { code: error.code, message: error.message });
      socket.disconnect(true);
      return null;
    }
  }

  calls.use(async (socket, next) => {
    try {
      socket.data.userId = requireCaller(await principalOf(socket)).id;
      next();
    } catch (error) {
      const refusal = new Error(error instanceof DomainError ? error.message : 'Could not check who you are.') as Error & {
        data?: unknown;
      };
      refusal.data = { code: error instanceof DomainError ? error.code : 'internal' };
      next(refusal);
    }
  });

  async function sendOwnProgress(socket: Socket) {
    const userId = await stillCaller(socket);
    if (userId === null) return;
    const progress = await services.chase.lists.progress([...(await listsOf(userId))]);
    for (const figures of progress) socket.emit('chase:progress', figures);
  }

  calls.on('connection', (socket) => {
    const events = clientEvents(socket, services);
    events.on('chase:resync', () => sendOwnProgress(socket));
    void sendOwnProgress(socket).catch((error: unknown) => {
      services.log.error({ err: { message: (error as Error).message } }, 'could not send chase progress');
    });
  });

  let changed = new Set<number>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function flush() {
    timer = undefined;
    const listIds = [...changed];
    changed = new Set();
    // Nobody watching here: no list is counted again (a screen joining gets its figures on connection).
    if (live.sockets.size === 0 && calls.sockets.size === 0) return;
    const progress = await services.chase.lists.progress(listIds);
    if (progress.length === 0) return;
    await Promise.all(
      [...live.sockets.values()].map(async (socket) => {
        if (await stillWarRoom(socket)) for (const figures of progress) socket.emit('chase:progress', figures);
      }),
    );
    await Promise.all(
      [...calls.sockets.values()].map(async (socket) => {
        const userId = await stillCaller(socket);
        if (userId === null) return;
        const own = await listsOf(userId);
        for (const figures of progress) if (own.has(figures.listId)) socket.emit('chase:progress', figures);
      }),
    );
  }

  async function tellHolders(claims: { entryId: number; listId: number; assigneeId: number }[], reason: string) {
    for (const claim of claims) {
      for (const socket of calls.sockets.values()) {
        if (socket.data.userId !== claim.assigneeId) continue;
        if ((await stillCaller(socket)) === claim.assigneeId)
          socket.emit('chase:voted', { entryId: claim.entryId, listId: claim.listId, reason });
      }
    }
  }

  const fail = (what: string) => (error: unknown) => services.log.error({ err: { message: (error as Error).message } }, what);
  const unsubscribe = services.feed.subscribe((event) => {
    if (event.type === 'chase:dropped') void tellHolders(event.claims, event.reason).catch(fail('could not tell a volunteer'));
    if (event.type !== 'chase:changed') return;
    for (const id of event.listIds) changed.add(id);
    timer ??= setTimeout(() => void flush().catch(fail('could not send chase progress')), PROGRESS_EVERY_MS);
  });
  // Stations close at different times: their voters leave the lists as they do (chase.live.ts), which
  // comes back through the feed above. Every web node looks; what one has dropped, the others no longer find.
  const closing = setInterval(
    () => void services.chase.lists.dropClosedStations().catch(fail('could not drop the calls of closed stations')),
    CLOSING_CHECK_MS,
  );
  closing.unref();

  return {
    calls,
    close() {
      unsubscribe();
      clearTimeout(timer);
      clearInterval(closing);
    },
  };
}

/** What `chase:progress` carries: one list's figures (docs/api.md). */
export type ChaseProgressEvent = ListProgress;
