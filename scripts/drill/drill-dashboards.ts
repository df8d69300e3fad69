/**
 * War-room screens of a fault drill, in a process of their own (forked by drill.ts): socket.io-client
 * connections to `/live` through the drill's load balancer, each keeping its copy of the turnout as
 * the dashboard page does (app/war-room/live-turnout.ts): a snapshot, deltas applied in `seq` order,
 * a `turnout:resync` on a gap or another node's stream, Socket.io's own reconnection, and a new
 * attempt 5 s after a connection the server could not check.
 */
import { io, type Socket } from 'socket.io-client';
import { RETRY_REFUSED_AFTER_MS } from '../../app/war-room/live-turnout.ts';
import { applyDelta, placeOf } from '../../app/war-room/turnout-deltas.ts';
import type { TurnoutDelta } from '../../server/turnout/turnout.delta.ts';
import type { TurnoutSnapshot } from '../../server/turnout/turnout.service.ts';
import { serveHelper } from '../bench/child.ts';

export type DashboardsCommand = { type: 'connect'; url: string; tokens: string[] } | { type: 'state' } | { type: 'close' };

export interface DashboardState {
  connected: boolean;
  epoch: string | null;
  /** Station code → voted, as this screen shows it. */
  voted: Record<string, number>;
  disconnects: number;
  resyncs: number;
}

export type DashboardsAnswer =
  { type: 'connected'; connected: number; failures: string[] } | { type: 'state'; dashboards: DashboardState[] } | { type: 'closed' };

interface Dashboard {
  socket: Socket;
  snapshot: TurnoutSnapshot | null;
  awaitingSnapshot: boolean;
  disconnects: number;
  resyncs: number;
  retry?: ReturnType<typeof setTimeout>;
}

let dashboards: Dashboard[] = [];

function open(url: string, token: string): Promise<Dashboard> {
  const socket = io(`${url}/live`, { transports: ['websocket'], forceNew: true, auth: { token } });
  const dashboard: Dashboard = { socket, snapshot: null, awaitingSnapshot: false, disconnects: 0, resyncs: 0 };
  socket.on('connect', () => (dashboard.awaitingSnapshot = false));
  socket.on('disconnect', () => dashboard.disconnects++);
  socket.on('connect_error', () => {
    // As the page does: Socket.io retries by itself unless the server's middleware refused.
    if (!socket.active) dashboard.retry = setTimeout(() => socket.connect(), RETRY_REFUSED_AFTER_MS);
  });
  socket.on('error:refused', () => (dashboard.awaitingSnapshot = false));
  socket.on('turnout:snapshot', (snapshot: TurnoutSnapshot) => {
    dashboard.awaitingSnapshot = false;
    dashboard.snapshot = snapshot;
  });
  socket.on('turnout:delta', (delta: TurnoutDelta) => {
    const place = placeOf(dashboard.snapshot, delta);
    if (place === 'skip') return;
    if (place === 'resync') {
      if (!dashboard.awaitingSnapshot) {
        dashboard.resyncs++;
        socket.emit('turnout:resync');
      }
      dashboard.awaitingSnapshot = true;
      return;
    }
    dashboard.snapshot = applyDelta(dashboard.snapshot!, delta);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no snapshot within 30 s')), 30_000);
    socket.once('turnout:snapshot', () => {
      clearTimeout(timer);
      resolve(dashboard);
    });
  });
}

async function handle(command: DashboardsCommand): Promise<DashboardsAnswer> {
  switch (command.type) {
    case 'connect': {
      const results = await Promise.allSettled(command.tokens.map((token) => open(command.url, token)));
      dashboards = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      const failures = results.flatMap((result) => (result.status === 'rejected' ? [(result.reason as Error).message] : []));
      return { type: 'connected', connected: dashboards.length, failures: [...new Set(failures)] };
    }
    case 'state':
      return {
        type: 'state',
        dashboards: dashboards.map((dashboard) => ({
          connected: dashboard.socket.connected,
          epoch: dashboard.snapshot?.epoch ?? null,
          voted: Object.fromEntries((dashboard.snapshot?.stations ?? []).map((station) => [station.code, station.voted])),
          disconnects: dashboard.disconnects,
          resyncs: dashboard.resyncs,
        })),
      };
    case 'close':
      for (const dashboard of dashboards) {
        clearTimeout(dashboard.retry);
        dashboard.socket.disconnect();
      }
      dashboards = [];
      return { type: 'closed' };
  }
}

serveHelper<DashboardsCommand, DashboardsAnswer>('drill-dashboards.ts', handle);
