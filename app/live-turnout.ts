import { useEffect, useState } from 'react';
import type { TurnoutSnapshot } from '../server/turnout/turnout.service.ts';

export type LiveStatus = 'connecting' | 'connected' | 'offline';

/**
 * Keeps a turnout snapshot live over Socket.io (/live): the server sends `turnout:snapshot` on
 * connection and on `turnout:resync`. The client library loads after the page, off the first paint.
 */
export function useLiveTurnout<T>(initial: T, select: (snapshot: TurnoutSnapshot) => T): { value: T; status: LiveStatus } {
  const [value, setValue] = useState(initial);
  const [status, setStatus] = useState<LiveStatus>('connecting');
  useEffect(() => {
    let closed = false;
    let disconnect = () => {};
    void import('socket.io-client').then(({ io }) => {
      if (closed) return;
      const socket = io('/live', { transports: ['websocket'], withCredentials: true });
      socket.on('connect', () => setStatus('connected'));
      socket.on('disconnect', () => setStatus('offline'));
      socket.on('connect_error', () => setStatus('offline'));
      socket.on('turnout:snapshot', (snapshot: TurnoutSnapshot) => setValue(select(snapshot)));
      disconnect = () => socket.disconnect();
    });
    return () => {
      closed = true;
      disconnect();
    };
    // `select` is a pure projection chosen once by the page.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return { value, status };
}
