import { useEffect, useRef, useState } from 'react';
import type { TurnoutDelta } from '../../server/turnout/turnout.delta.ts';
import type { TurnoutSnapshot } from '../../server/turnout/turnout.service.ts';
import { applyDelta, placeOf } from './turnout-deltas.ts';

export { applyDelta, placeOf };

export type LiveStatus = 'connecting' | 'connected' | 'offline';

export interface LiveTurnout {
  snapshot: TurnoutSnapshot | null;
  status: LiveStatus;
  /** When (this device's clock, ms) the connection last dropped; null while connected. */
  offlineSince: number | null;
  /** When (this device's clock, ms) the last snapshot or delta arrived. */
  receivedAt: number | null;
  /** The last delta applied, for views that update only what it changed (the map). */
  lastDelta: TurnoutDelta | null;
  /**
   * Why the server turned this screen away for good (a revoked link, a signed-out session): it does not
   * try again. Null while it is let in, or merely cannot reach the server.
   */
  refusal: { code: string; message: string } | null;
}

/** Refusals that trying again cannot change: who the screen is, or what it may see. */
const FINAL_REFUSALS = new Set(['unauthenticated', 'forbidden']);

/** A connection refused for another reason (the server could not check who this is) is tried again after this. */
export const RETRY_REFUSED_AFTER_MS = 5_000;

/**
 * Keeps the war room's turnout live over Socket.io (/live): a snapshot on joining, then deltas applied in
 * `seq` order; on a gap, or a delta from another web node's stream, it asks for a snapshot (`turnout:resync`).
 * Signs in with the page's session cookie, or with `token` (a wall screen's link). The client library
 * loads after the page, off the first paint.
 */
export function useLiveTurnout(initial: TurnoutSnapshot | null, { token }: { token?: string } = {}): LiveTurnout {
  const [live, setLive] = useState<LiveTurnout>({
    snapshot: initial,
    status: 'connecting',
    offlineSince: null,
    receivedAt: null,
    lastDelta: null,
    refusal: null,
  });
  // The latest snapshot, read by the socket's handlers between renders.
  const latest = useRef(initial);
  useEffect(() => {
    let closed = false;
    let disconnect = () => {};
    let retry: ReturnType<typeof setTimeout> | undefined;
    void import('socket.io-client').then(({ io }) => {
      if (closed) return;
      const socket = io('/live', { transports: ['websocket'], withCredentials: true, ...(token ? { auth: { token } } : {}) });
      let awaitingSnapshot = false;
      socket.on('connect', () => {
        awaitingSnapshot = false;
        setLive((state) => ({ ...state, status: 'connected', offlineSince: null, refusal: null }));
      });
      const offline = () => setLive((state) => ({ ...state, status: 'offline', offlineSince: state.offlineSince ?? Date.now() }));
      const refused = (refusal: { code: string; message: string }) =>
        setLive((state) => ({ ...state, status: 'offline', offlineSince: state.offlineSince ?? Date.now(), refusal }));
      // A resync refused for going over the connection's budget is asked again at the next gap; a session or
      // link no longer valid is followed by the server closing the connection.
      socket.on('error:refused', (refusal: { code: string; message: string }) => {
        awaitingSnapshot = false;
        if (FINAL_REFUSALS.has(refusal.code)) refused(refusal);
      });
      socket.on('disconnect', offline);
      // Socket.io tries again by itself when the server cannot be reached, not when its middleware refused.
      socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
        const code = error.data?.code;
        if (code && FINAL_REFUSALS.has(code)) return refused({ code, message: error.message });
        offline();
        if (!socket.active) retry = setTimeout(() => socket.connect(), RETRY_REFUSED_AFTER_MS);
      });
      socket.on('turnout:snapshot', (snapshot: TurnoutSnapshot) => {
        awaitingSnapshot = false;
        latest.current = snapshot;
        setLive((state) => ({ ...state, snapshot, receivedAt: Date.now(), lastDelta: null }));
      });
      socket.on('turnout:delta', (delta: TurnoutDelta) => {
        // With 'war-room:delta-applied' (the page, once on screen): how long a delta takes to show (npm run bench -- live).
        performance.mark('war-room:delta-received');
        const place = placeOf(latest.current, delta);
        if (place === 'skip') return;
        if (place === 'resync') {
          if (!awaitingSnapshot) socket.emit('turnout:resync');
          awaitingSnapshot = true;
          return;
        }
        const snapshot = applyDelta(latest.current!, delta);
        latest.current = snapshot;
        setLive((state) => ({ ...state, snapshot, receivedAt: Date.now(), lastDelta: delta }));
      });
      disconnect = () => socket.disconnect();
    });
    return () => {
      closed = true;
      clearTimeout(retry);
      disconnect();
    };
  }, [token]);
  return live;
}
