import { useEffect, useRef, useState } from 'react';
import type { ListProgress } from '../../server/chase/chase.progress.ts';

/** `chase:voted` on /calls: the person this volunteer holds has just voted, asked not to be contacted, or their station has closed. */
export interface VotedNotice {
  entryId: number;
  listId: number;
  reason: 'voted' | 'do_not_contact' | 'closed';
}

export interface ChaseSocketHandlers {
  progress?: (progress: ListProgress) => void;
  voted?: (notice: VotedNotice) => void;
}

/**
 * Chase lists, live over Socket.io with the page's session cookie: `/calls` for a volunteer (their
 * lists' progress, and word when the person they hold votes), `/live` for coordinators (every
 * list's progress). The client library loads after the page, as the war room's does.
 */
export function useChaseSocket(namespace: '/calls' | '/live', handlers: ChaseSocketHandlers): 'connecting' | 'connected' | 'offline' {
  const [status, setStatus] = useState<'connecting' | 'connected' | 'offline'>('connecting');
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    let closed = false;
    let disconnect = () => {};
    void import('socket.io-client').then(({ io }) => {
      if (closed) return;
      const socket = io(namespace, { transports: ['websocket'], withCredentials: true });
      // On joining (and so after a reconnection) /calls sends the progress of each of the volunteer's lists.
      socket.on('connect', () => setStatus('connected'));
      socket.on('disconnect', () => setStatus('offline'));
      socket.on('connect_error', () => setStatus('offline'));
      socket.on('chase:progress', (progress: ListProgress) => latest.current.progress?.(progress));
      socket.on('chase:voted', (notice: VotedNotice) => latest.current.voted?.(notice));
      disconnect = () => socket.disconnect();
    });
    return () => {
      closed = true;
      disconnect();
    };
  }, [namespace]);
  return status;
}
