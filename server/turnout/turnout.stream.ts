import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.ts';
import type { LiveFeed } from '../realtime/realtime.feed.ts';
import { frameChange, type TurnoutDelta } from './turnout.delta.ts';
import type { Turnout, TurnoutSnapshot } from './turnout.service.ts';

/** Deltas go out at most this often: changes arriving together are sent together. */
export const DELTA_EVERY_MS = 250;

export type StreamUpdate = { kind: 'delta'; delta: TurnoutDelta } | { kind: 'snapshot'; snapshot: TurnoutSnapshot };

/**
 * The war room's turnout as one numbered stream, per web process: one snapshot, computed once per change and
 * shared by every connection, and the deltas that follow it, each with the next `seq`. Every event of the live
 * feed (committed here, or relayed from another web node) and `changed()` mark it out of date; while someone
 * listens or asks, it recomputes at most every DELTA_EVERY_MS and tells its listeners what changed. The epoch names this process's stream: a client that reconnects to
 * another node sees another epoch and asks for a snapshot.
 */
export function createTurnoutStream({ turnout, feed, log }: { turnout: Turnout; feed: LiveFeed; log: Logger }) {
  const epoch = randomUUID().slice(0, 8);
  let current: TurnoutSnapshot | null = null;
  let dirty = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastUpdateAt = 0;
  let running: Promise<void> | null = null;
  let waiting: (() => void)[] = [];
  let closed = false;
  const listeners = new Set<(update: StreamUpdate) => void>();

  function notify(update: StreamUpdate) {
    for (const listener of listeners) listener(update);
  }

  async function update() {
    timer = undefined;
    lastUpdateAt = Date.now();
    dirty = false;
    const settled = waiting;
    waiting = [];
    try {
      const frame = await turnout.frame();
      const change = current ? frameChange(current, frame) : { kind: 'snapshot' as const };
      if (change.kind === 'snapshot') {
        const first = current === null;
        current = { ...frame, epoch, seq: current ? current.seq + 1 : 0 };
        if (!first) notify({ kind: 'snapshot', snapshot: current });
      } else if (change.kind === 'delta') {
        // The stream holds what screens hold once they applied the delta, so a snapshot and its deltas agree.
        const seq = current!.seq + 1;
        current = { ...change.held, epoch, seq };
        notify({ kind: 'delta', delta: { ...change.delta, epoch, seq } });
      }
    } catch (error) {
      // Tried again on the next change or refresh; screens keep the last figures, with their time.
      dirty = true;
      log.error({ err: { message: (error as Error).message } }, 'could not compute the turnout');
    } finally {
      for (const resolve of settled) resolve();
    }
  }

  function schedule() {
    if (timer || closed || (listeners.size === 0 && waiting.length === 0)) return;
    timer = setTimeout(
      () => {
        running = (running ?? Promise.resolve()).then(update).finally(() => {
          running = null;
          if (dirty && waiting.length > 0) schedule();
        });
      },
      Math.max(0, lastUpdateAt + DELTA_EVERY_MS - Date.now()),
    );
  }

  const unsubscribe = feed.subscribe((event) => {
    // Chase lists' own events change no turnout figure (a voter marked by a volunteer comes as voters:marked).
    if (event.type.startsWith('chase:')) return;
    dirty = true;
    schedule();
  });

  return {
    epoch,
    /** Something may have changed (the clock moved on, another process wrote): bring it up to date. */
    changed() {
      dirty = true;
      schedule();
    },
    /** The shared snapshot, brought up to date first when a change is pending. */
    async snapshot(): Promise<TurnoutSnapshot> {
      if (dirty || !current) {
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          schedule();
        });
      }
      if (!current) throw new Error('The turnout could not be computed.');
      return current;
    },
    subscribe(listener: (update: StreamUpdate) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      unsubscribe();
      clearTimeout(timer);
      await running;
      for (const resolve of waiting) resolve();
    },
  };
}

export type TurnoutStream = ReturnType<typeof createTurnoutStream>;
