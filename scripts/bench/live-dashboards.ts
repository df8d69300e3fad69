/**
 * War-room dashboards for the live benchmark, in a process of their own (forked by live.ts, run with
 * `node --import tsx`): socket.io-client connections to `/live`, each with its own viewer API token and its own
 * WebSocket, keeping its copy of the turnout as the dashboard page does (a snapshot, then deltas applied in
 * `seq` order with the page's own functions, a `turnout:resync` on a gap).
 *
 * Each dashboard notes when every station's `voted` count first reached each value: the reports' send times,
 * given afterwards, turn that into report-to-dashboard latencies. Against the bare Socket.io server
 * (live-bare.ts), each dashboard only times the broadcast messages from their send time.
 */
import { io, type Socket } from 'socket.io-client';
import { applyDelta, placeOf } from '../../app/war-room/turnout-deltas.ts';
import type { TurnoutDelta } from '../../server/turnout/turnout.delta.ts';
import type { StationTurnout, TurnoutSnapshot } from '../../server/turnout/turnout.service.ts';
import { serveHelper, wallNow } from './child.ts';
import { addToHistogram, type Histogram } from './stats.ts';

export type DashboardsCommand =
  | { type: 'connect-relance'; url: string; tokens: string[]; stationCodes: string[]; maxCount: number }
  /** `reports`: [station index, count, send time (wall ms)] of every report measured. */
  | { type: 'collect-relance'; reports: [number, number, number][]; from: number; to: number }
  | { type: 'connect-bare'; url: string; count: number }
  | { type: 'collect-bare' }
  | { type: 'close' };

export interface RelanceDashboardsResult {
  type: 'relance-result';
  histogram: [number, number][];
  /** For each report given, how many of this process's dashboards saw it. */
  reachedBy: number[];
  dashboards: number;
  /** Deltas the first dashboard received between `from` and `to`, their mean size (JSON bytes), and one delta of about that size. */
  deltasInWindow: number;
  meanDeltaBytes: number;
  /** A delta of about the mean size; when no delta came, the snapshot (what the screens were sent instead). */
  samplePayload: TurnoutDelta | TurnoutSnapshot | null;
  samplePayloadBytes: number;
  snapshotBytes: number;
  /** From `from` on: `turnout:resync` sent (a gap, or another stream), snapshots received after the first; refusals, drops. */
  resyncs: number;
  laterSnapshots: number;
  refusals: number;
  disconnects: number;
  /** Time this process spent applying deltas (applyDelta and the bookkeeping), per delta per dashboard. */
  applyMsPerDelta: number;
  cpuMs: number;
}

export interface BareDashboardsResult {
  type: 'bare-result';
  histogram: [number, number][];
  received: number;
  disconnects: number;
  cpuMs: number;
}

export type DashboardsAnswer =
  { type: 'connected'; connected: number; failures: string[] } | RelanceDashboardsResult | BareDashboardsResult | { type: 'closed' };

const CONNECT_TIMEOUT_MS = 60_000;
/** Connections opened at once: 500 handshakes together would only measure the server's queue. */
const CONNECT_WAVE = 25;

interface Dashboard {
  socket: Socket;
  snapshot: TurnoutSnapshot | null;
  /** Per station, the last `voted` seen. */
  voted: Int32Array;
  /** Per station and count (station × (maxCount + 1) + count): ms after `base` at which `voted` first reached it. */
  reachedAt: Float32Array;
  awaitingSnapshot: boolean;
  /** When (wall ms) each `turnout:resync` was sent, and each snapshot after the first arrived. */
  resyncs: number[];
  snapshots: number[];
  refusals: number;
  disconnects: number;
}

const base = wallNow();
let dashboards: Dashboard[] = [];
let bareSockets: Socket[] = [];
let stationIndex = new Map<string, number>();
let width = 0;
const firstDeltas: { at: number; bytes: number; delta: TurnoutDelta }[] = [];
let snapshotBytes = 0;
let firstSnapshot: TurnoutSnapshot | null = null;
let applyMs = 0;
let applied = 0;
let bareHistogram: Histogram = new Map();
let bareReceived = 0;
let bareDisconnects = 0;
let cpuBefore = process.cpuUsage();

function connectSocket(url: string, token?: string): Socket {
  // forceNew: a connection of its own for each dashboard, as separate screens have (not one shared WebSocket).
  return io(`${url}/live`, { transports: ['websocket'], forceNew: true, ...(token ? { auth: { token } } : {}) });
}

function noteCounts(dashboard: Dashboard, stations: readonly Pick<StationTurnout, 'code' | 'voted'>[], at: number) {
  for (const station of stations) {
    const index = stationIndex.get(station.code);
    if (index === undefined) continue;
    const before = dashboard.voted[index]!;
    if (station.voted <= before) continue;
    const top = Math.min(station.voted, width - 1);
    for (let count = before + 1; count <= top; count++) dashboard.reachedAt[index * width + count] = at;
    dashboard.voted[index] = station.voted;
  }
}

async function inWaves<T>(count: number, open: (index: number) => Promise<T>): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = [];
  for (let start = 0; start < count; start += CONNECT_WAVE) {
    const wave = Array.from({ length: Math.min(CONNECT_WAVE, count - start) }, (_, offset) => open(start + offset));
    results.push(...(await Promise.allSettled(wave)));
  }
  return results;
}

function until(socket: Socket, event: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
    socket.once(event, () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (error: Error) => {
      clearTimeout(timer);
      reject(new Error(`connection refused: ${error.message}`));
    });
  });
}

async function connectRelance(command: Extract<DashboardsCommand, { type: 'connect-relance' }>) {
  stationIndex = new Map(command.stationCodes.map((code, index) => [code, index]));
  width = command.maxCount + 1;
  const results = await inWaves(command.tokens.length, async (index) => {
    const dashboard: Dashboard = {
      socket: connectSocket(command.url, command.tokens[index]),
      snapshot: null,
      voted: new Int32Array(command.stationCodes.length),
      reachedAt: new Float32Array(command.stationCodes.length * width).fill(Number.NaN),
      awaitingSnapshot: false,
      resyncs: [],
      snapshots: [],
      refusals: 0,
      disconnects: 0,
    };
    dashboards.push(dashboard);
    const { socket } = dashboard;
    const first = index === 0 && dashboards.length === 1;
    socket.on('turnout:snapshot', (snapshot: TurnoutSnapshot) => {
      const at = wallNow() - base;
      dashboard.awaitingSnapshot = false;
      if (dashboard.snapshot) dashboard.snapshots.push(base + at);
      else if (first) {
        snapshotBytes = JSON.stringify(snapshot).length;
        firstSnapshot = snapshot;
      }
      dashboard.snapshot = snapshot;
      noteCounts(dashboard, snapshot.stations, at);
    });
    socket.on('turnout:delta', (delta: TurnoutDelta) => {
      const received = wallNow();
      const place = placeOf(dashboard.snapshot, delta);
      if (place === 'skip') return;
      if (place === 'resync') {
        if (!dashboard.awaitingSnapshot) {
          dashboard.resyncs.push(received);
          socket.emit('turnout:resync');
        }
        dashboard.awaitingSnapshot = true;
        return;
      }
      dashboard.snapshot = applyDelta(dashboard.snapshot!, delta);
      noteCounts(dashboard, delta.stations, received - base);
      applyMs += wallNow() - received;
      applied++;
      if (first) {
        firstDeltas.push({ at: received, bytes: JSON.stringify(delta).length, delta });
        // The deltas themselves are kept only for the last stretch, to pick a typical one.
        if (firstDeltas.length > 50) firstDeltas[firstDeltas.length - 51]!.delta = null as unknown as TurnoutDelta;
      }
    });
    socket.on('error:refused', () => {
      dashboard.refusals++;
      dashboard.awaitingSnapshot = false;
    });
    socket.on('disconnect', () => dashboard.disconnects++);
    await until(socket, 'turnout:snapshot', 'snapshot');
  });
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [(result.reason as Error).message] : []));
  cpuBefore = process.cpuUsage();
  return { type: 'connected' as const, connected: results.length - failures.length, failures: [...new Set(failures)].slice(0, 5) };
}

function collectRelance(command: Extract<DashboardsCommand, { type: 'collect-relance' }>): RelanceDashboardsResult {
  const histogram: Histogram = new Map();
  const reachedBy = command.reports.map(([station, count, sentAt]) => {
    if (count >= width) return 0;
    let reached = 0;
    for (const dashboard of dashboards) {
      const at = dashboard.reachedAt[station * width + count]!;
      if (Number.isNaN(at)) continue;
      addToHistogram(histogram, base + at - sentAt);
      reached++;
    }
    return reached;
  });
  const inWindow = firstDeltas.filter((delta) => delta.at >= command.from && delta.at <= command.to);
  const meanDeltaBytes = inWindow.length > 0 ? inWindow.reduce((sum, delta) => sum + delta.bytes, 0) / inWindow.length : Number.NaN;
  const kept = firstDeltas.filter((delta) => delta.delta !== null);
  const sample = kept.reduce<(typeof kept)[number] | null>(
    (best, delta) => (!best || Math.abs(delta.bytes - meanDeltaBytes) < Math.abs(best.bytes - meanDeltaBytes) ? delta : best),
    null,
  );
  const sum = (pick: (dashboard: Dashboard) => number) => dashboards.reduce((total, dashboard) => total + pick(dashboard), 0);
  const usage = process.cpuUsage(cpuBefore);
  return {
    type: 'relance-result',
    histogram: [...histogram.entries()],
    reachedBy,
    dashboards: dashboards.length,
    deltasInWindow: inWindow.length,
    meanDeltaBytes,
    samplePayload: inWindow.length > 0 && sample ? sample.delta : firstSnapshot,
    samplePayloadBytes: inWindow.length > 0 && sample ? sample.bytes : snapshotBytes,
    snapshotBytes,
    resyncs: sum((dashboard) => dashboard.resyncs.filter((at) => at >= command.from).length),
    laterSnapshots: sum((dashboard) => dashboard.snapshots.filter((at) => at >= command.from).length),
    refusals: sum((dashboard) => dashboard.refusals),
    disconnects: sum((dashboard) => dashboard.disconnects),
    applyMsPerDelta: applied > 0 ? applyMs / applied : Number.NaN,
    cpuMs: (usage.user + usage.system) / 1000,
  };
}

async function connectBare(command: Extract<DashboardsCommand, { type: 'connect-bare' }>) {
  const results = await inWaves(command.count, async () => {
    const socket = connectSocket(command.url);
    bareSockets.push(socket);
    socket.on('bench:delta', (sentAt: number) => {
      addToHistogram(bareHistogram, wallNow() - sentAt);
      bareReceived++;
    });
    socket.on('disconnect', () => bareDisconnects++);
    await until(socket, 'connect', 'connection');
  });
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [(result.reason as Error).message] : []));
  bareHistogram = new Map();
  bareReceived = 0;
  cpuBefore = process.cpuUsage();
  return { type: 'connected' as const, connected: results.length - failures.length, failures: [...new Set(failures)].slice(0, 5) };
}

function close() {
  for (const dashboard of dashboards) dashboard.socket.disconnect();
  for (const socket of bareSockets) socket.disconnect();
  dashboards = [];
  bareSockets = [];
}

serveHelper<DashboardsCommand, DashboardsAnswer>('live-dashboards.ts', async (command) => {
  switch (command.type) {
    case 'connect-relance':
      return connectRelance(command);
    case 'collect-relance':
      return collectRelance(command);
    case 'connect-bare':
      return connectBare(command);
    case 'collect-bare': {
      const usage = process.cpuUsage(cpuBefore);
      return {
        type: 'bare-result',
        histogram: [...bareHistogram.entries()],
        received: bareReceived,
        disconnects: bareDisconnects,
        cpuMs: (usage.user + usage.system) / 1000,
      };
    }
    case 'close':
      close();
      return { type: 'closed' };
  }
});
