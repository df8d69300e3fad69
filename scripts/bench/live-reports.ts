/**
 * The poll watchers of the live benchmark, in a process of their own (forked by live.ts): turnout reports
 * posted one by one through the ingest API (`POST /api/v1/reports`, as ingest-load.ts sends them) at a fixed
 * rate, open loop. Report n goes to station n mod S, each station's count one more than its last, so a
 * station's count names the report that set it; each report's send time is its scheduled time (a slow answer
 * cannot hide the reports behind it).
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { electionTime, type SimulationWindow } from '../../server/elections/elections.clock.ts';
import { serveHelper, wallNow } from './child.ts';
import { summarize, type LatencySummary } from './stats.ts';

export type ReportsCommand =
  | {
      type: 'init';
      url: string;
      watchers: { token: string; stationCodes: string[] }[];
      /** Every station, in the snapshot's order: reports are sent as [index, count]. */
      stationCodes: string[];
      registered: number;
      clock: { startedAt: string; startsFrom: string; endsAt: string; speed: number };
    }
  | { type: 'send'; rate: number; seconds: number };

export interface ReportsResult {
  type: 'sent';
  /** [station index, count, scheduled send time (wall ms)] of every report acknowledged as stored (201). */
  reports: [number, number, number][];
  /** Reports not acknowledged, by status. */
  errors: Record<string, number>;
  errorSamples: string[];
  /** Acknowledgement latency (from the scheduled time). */
  acknowledgement: LatencySummary;
  /** Reports stored flagged rather than accepted: they change no count, so they cannot reach a dashboard. */
  flagged: number;
  cpuMs: number;
}

/**
 * Far past the ingest budget (p99 ≤ 100 ms): a report not acknowledged by then, counting from when it was due
 * (a wait for a free connection included), counts as failed, and the phase ends by then whatever the server does.
 */
const REQUEST_TIMEOUT_MS = 10_000;

let init: Extract<ReportsCommand, { type: 'init' }>;
let clock: SimulationWindow;
let owners: { token: string; agent: http.Agent }[] = [];
let counts: Int32Array;
let lastObservedAt: Float64Array;
let made = 0;

/** `deadline` (a signal) aborts the request however far it got, waiting for a connection included. */
function post(stationIndex: number, count: number, deadline: AbortSignal): Promise<{ status: number | string; body: string }> {
  const observedAt = Math.max(electionTime(new Date(), clock).getTime(), lastObservedAt[stationIndex]! + 1);
  lastObservedAt[stationIndex] = observedAt;
  const payload = JSON.stringify({
    id: randomUUID(),
    stationCode: init.stationCodes[stationIndex],
    voters: count,
    observedAt: new Date(observedAt).toISOString(),
  });
  const owner = owners[stationIndex]!;
  return new Promise((resolve) => {
    const request = http.request(
      `${init.url}/api/v1/reports`,
      {
        method: 'POST',
        agent: owner.agent,
        headers: {
          authorization: `Bearer ${owner.token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          accept: 'application/json',
        },
        signal: deadline,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        response.on('error', (error) => resolve({ status: 'network', body: error.message }));
      },
    );
    request.on('error', (error) =>
      resolve(
        deadline.aborted
          ? { status: 'timeout', body: `no answer within ${REQUEST_TIMEOUT_MS} ms of its send time` }
          : { status: 'network', body: error.message },
      ),
    );
    request.end(payload);
  });
}

async function send(rate: number, seconds: number): Promise<ReportsResult> {
  const cpuBefore = process.cpuUsage();
  const reports: [number, number, number][] = [];
  const errors: Record<string, number> = {};
  const errorSamples: string[] = [];
  const latencies: number[] = [];
  let flagged = 0;
  const total = Math.floor(rate * seconds);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  let next = 0;
  while (next < total) {
    const now = performance.now();
    while (next < total && started + (next * 1000) / rate <= now) {
      const scheduled = started + (next * 1000) / rate;
      const stationIndex = made % init.stationCodes.length;
      made++;
      next++;
      const count = Math.min(counts[stationIndex]! + 1, init.registered);
      counts[stationIndex] = count;
      pending.push(
        post(stationIndex, count, AbortSignal.timeout(REQUEST_TIMEOUT_MS)).then(({ status, body }) => {
          latencies.push(performance.now() - scheduled);
          if (status === 201) {
            if ((JSON.parse(body) as { status?: string }).status === 'accepted')
              reports.push([stationIndex, count, performance.timeOrigin + scheduled]);
            else flagged++;
            return;
          }
          const key = String(status);
          errors[key] = (errors[key] ?? 0) + 1;
          if (errors[key] <= 2 && errorSamples.length < 8) errorSamples.push(`${key}: ${body.slice(0, 300)}`);
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  const usage = process.cpuUsage(cpuBefore);
  return {
    type: 'sent',
    reports,
    errors,
    errorSamples,
    acknowledgement: summarize(latencies),
    flagged,
    cpuMs: (usage.user + usage.system) / 1000,
  };
}

serveHelper<ReportsCommand, ReportsResult | { type: 'ready'; at: number }>('live-reports.ts', async (command) => {
  if (command.type === 'init') {
    init = command;
    clock = {
      startedAt: new Date(command.clock.startedAt),
      startsFrom: new Date(command.clock.startsFrom),
      endsAt: new Date(command.clock.endsAt),
      speed: command.clock.speed,
    };
    const byCode = new Map<string, { token: string; agent: http.Agent }>();
    for (const watcher of command.watchers) {
      // Each watcher's own kept-alive connections, dropped when idle well before the server's keep-alive timeout.
      const owner = { token: watcher.token, agent: new http.Agent({ keepAlive: true, maxSockets: 6, timeout: 2_000 }) };
      for (const code of watcher.stationCodes) byCode.set(code, owner);
    }
    owners = command.stationCodes.map((code) => {
      const owner = byCode.get(code);
      if (!owner) throw new Error(`no watcher for station ${code}`);
      return owner;
    });
    counts = new Int32Array(command.stationCodes.length);
    lastObservedAt = new Float64Array(command.stationCodes.length);
    return { type: 'ready', at: wallNow() };
  }
  return send(command.rate, command.seconds);
});
