/**
 * The watchers' side of the ingest benchmark, in a process of its own (forked by ingest.ts, run
 * with `node --import tsx`), so the load's CPU is not the server's: 200 simulated watchers, each
 * with its API token and its own kept-alive connections, posting turnout reports over HTTP.
 *
 * The parent sends `init`, then one `phase` at a time, and answers each with a `result`; `finish`
 * returns every report id sent to Relance and every one acknowledged, for the parent to check in
 * the database. Every phase is bounded in time, and the process exits when its parent goes.
 *
 * Reports are valid so that they are accepted: each station's count goes up by one per report
 * (never past its registered voters) and its observedAt strictly increases, on the election's
 * clock. One report in twenty is sent twice with the same id and payload, as a phone does when an
 * acknowledgement is lost: half of these while the first is still in flight, half once it was
 * answered. Either way the second answer must be 200 with the same report.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { electionTime, type SimulationWindow } from '../../server/elections/elections.clock.ts';
import { summarize, type LatencySummary } from './stats.ts';

export interface LoadWatcher {
  token: string;
  stationCodes: string[];
}

export interface LoadInit {
  type: 'init';
  /** Base URLs: Relance itself, and the bare Express endpoint (the HTTP ceiling). */
  targets: { relance: string; bare: string };
  watchers: LoadWatcher[];
  /** The stations' registered voters: counts stop there, so no report is refused as too high. */
  registered: number;
  /** The election's simulated clock, serialized (dates as ISO strings). */
  clock: { startedAt: string; startsFrom: string; endsAt: string; speed: number };
  /** One report in `retryEvery` is sent twice. */
  retryEvery: number;
}

export interface LoadPhase {
  type: 'phase';
  name: string;
  target: 'relance' | 'bare';
  seconds: number;
  /** `saturate`: each watcher keeps `inFlight` requests going; `rate`: `rate` new reports a second, whatever the answers. */
  mode: { kind: 'saturate'; inFlight: number } | { kind: 'rate'; rate: number };
}

export interface LoadFinish {
  type: 'finish';
}

export type LoadCommand = LoadInit | LoadPhase | LoadFinish;

export interface PhaseResult {
  type: 'result';
  name: string;
  /** From the first request to the end of the sending window (`seconds`). */
  windowMs: number;
  /** New reports acknowledged as stored (201), and those whose answer came within the window. */
  created: number;
  createdInWindow: number;
  /** Of the 201s, those stored as flagged rather than accepted (the benchmark's reports are all valid). */
  flagged: number;
  /** Retries answered 200, and those whose answer was not the first one's report. */
  retriedOk: number;
  retryMismatches: number;
  requests: number;
  newReports: number;
  retries: number;
  /** Answers other than 200/201, and failed requests, by status ("timeout", "network", "abandoned" at the phase's hard stop). */
  errors: Record<string, number>;
  errorSamples: string[];
  /** Acknowledgement latency of every request, in ms; in `rate` mode from its scheduled time. */
  latency: LatencySummary;
  /** CPU time this load process used during the phase (user + system). */
  loadCpuMs: number;
}

export interface LoadIds {
  type: 'ids';
  /** Every report id sent to Relance (each once, retried or not). */
  sent: string[];
  /** Every id Relance acknowledged (201 or 200). */
  acknowledged: string[];
}

export type LoadMessage = { type: 'ready' } | PhaseResult | LoadIds | { type: 'failed'; message: string };

const REQUEST_TIMEOUT_MS = 30_000;
/** In `rate` mode, a watcher whose answers are slow opens more connections, up to this many, as a browser does. */
const MAX_SOCKETS_PER_WATCHER = 6;
/** Well under the server's keep-alive timeout (5 s), even when its event loop lags behind. */
const IDLE_SOCKET_MS = 2_000;

interface Report {
  id: string;
  stationCode: string;
  voters: number;
  observedAt: string;
}

interface Answer {
  status: number | 'timeout' | 'network' | 'abandoned';
  body: string;
}

function send(baseUrl: string, agent: http.Agent, token: string, report: Report, signal: AbortSignal): Promise<Answer> {
  const payload = JSON.stringify(report);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer: Answer) => {
      if (settled) return;
      settled = true;
      resolve(answer);
    };
    const request = http.request(
      `${baseUrl}/api/v1/reports`,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          accept: 'application/json',
        },
        timeout: REQUEST_TIMEOUT_MS,
        signal,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => settle({ status: response.statusCode ?? 0, body }));
        response.on('error', (error) => settle({ status: 'network', body: error.message }));
      },
    );
    request.on('timeout', () => {
      request.destroy();
      settle({ status: 'timeout', body: `no answer within ${REQUEST_TIMEOUT_MS} ms` });
    });
    request.on('error', (error) => settle({ status: signal.aborted ? 'abandoned' : 'network', body: error.message }));
    request.end(payload);
  });
}

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

function reply(message: LoadMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())));
}

let init: LoadInit;
let clock: SimulationWindow;
let agents: { relance: http.Agent[]; bare: http.Agent[] };
const sentIds: string[] = [];
const acknowledgedIds = new Set<string>();
/** Per station: the last count and observedAt sent, so both only ever go up. */
const stationState = new Map<string, { voters: number; observedAt: number }>();
let reportsMade = 0;

function nextReport(watcher: LoadWatcher, sequence: number): Report {
  const stationCode = watcher.stationCodes[sequence % watcher.stationCodes.length]!;
  const state = stationState.get(stationCode) ?? { voters: 0, observedAt: 0 };
  state.voters = Math.min(state.voters + 1, init.registered);
  state.observedAt = Math.max(electionTime(new Date(), clock).getTime(), state.observedAt + 1);
  stationState.set(stationCode, state);
  return { id: randomUUID(), stationCode, voters: state.voters, observedAt: new Date(state.observedAt).toISOString() };
}

async function runPhase(phase: LoadPhase): Promise<PhaseResult> {
  const baseUrl = init.targets[phase.target];
  const phaseAgents = agents[phase.target];
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const errorSamples: string[] = [];
  const result = {
    created: 0,
    createdInWindow: 0,
    flagged: 0,
    retriedOk: 0,
    retryMismatches: 0,
    requests: 0,
    newReports: 0,
    retries: 0,
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + phase.seconds * 1000;
  // However far behind the server falls, the phase ends: what is still waiting then is abandoned.
  const abandon = new AbortController();
  setMaxListeners(0, abandon.signal); // one listener per request in flight
  const hardStop = setTimeout(() => abandon.abort(), phase.seconds * 1000 + REQUEST_TIMEOUT_MS);

  const noteError = (key: string, sample: string) => {
    errors[key] = (errors[key] ?? 0) + 1;
    // Two samples of each kind, so a rare kind is not hidden behind a frequent one.
    if (errors[key] <= 2 && errorSamples.length < 12) errorSamples.push(`${key}: ${sample.slice(0, 300)}`);
  };

  /** One request; `since` is when it should have left (its scheduled time in `rate` mode). */
  async function post(watcherIndex: number, report: Report, since = performance.now()): Promise<Answer | null> {
    result.requests++;
    const answer = await send(baseUrl, phaseAgents[watcherIndex]!, init.watchers[watcherIndex]!.token, report, abandon.signal);
    const done = performance.now();
    latencies.push(done - since);
    if (answer.status !== 200 && answer.status !== 201) {
      noteError(String(answer.status), answer.body);
      return null;
    }
    if (phase.target === 'relance') acknowledgedIds.add(report.id);
    if (answer.status === 201) {
      result.created++;
      if (done <= deadline) result.createdInWindow++;
      if (phase.target === 'relance' && (JSON.parse(answer.body) as { status?: string }).status !== 'accepted') result.flagged++;
    }
    return answer;
  }

  /** A report sent again must be answered with the first one: same id, station and count. */
  function checkRetry(report: Report, answer: Answer) {
    const stored = JSON.parse(answer.body) as Partial<Report>;
    if (stored.id === report.id && stored.voters === report.voters && stored.stationCode === report.stationCode) result.retriedOk++;
    else result.retryMismatches++;
  }

  /** A new report, and its retry when it is one of the retried. */
  async function postNew(watcherIndex: number, since?: number): Promise<void> {
    const watcher = init.watchers[watcherIndex]!;
    const report = nextReport(watcher, reportsMade);
    const retried = reportsMade % init.retryEvery === 0;
    const concurrentRetry = retried && (reportsMade / init.retryEvery) % 2 === 0;
    reportsMade++;
    result.newReports++;
    if (phase.target === 'relance') sentIds.push(report.id);
    if (!retried) {
      const answer = await post(watcherIndex, report, since);
      if (answer && answer.status !== 201) noteError(`${answer.status} to a new id`, answer.body);
      return;
    }
    result.retries++;
    if (!concurrentRetry) {
      // Sent again once answered, as when the acknowledgement was lost on the way back.
      const first = await post(watcherIndex, report, since);
      if (first && first.status !== 201) noteError(`${first.status} to a new id`, first.body);
      const again = await post(watcherIndex, report);
      // Unless the first was lost (then the retry may be the one that stores it), it was stored.
      if (again && again.status !== 200 && first) noteError(`${again.status} to a retry`, again.body);
      else if (again?.status === 200) checkRetry(report, again);
      return;
    }
    // Sent again while the first is in flight: whichever the server takes first is stored (201),
    // the other answered 200 with it.
    const answers = await Promise.all([post(watcherIndex, report, since), post(watcherIndex, report, since)]);
    if (answers.some((answer) => answer === null)) return;
    const statuses = answers.map((answer) => answer!.status).sort();
    if (statuses[0] !== 200 || statuses[1] !== 201) noteError(`${statuses.join(' and ')} to an id sent twice at once`, answers[0]!.body);
    else
      checkRetry(
        report,
        answers.find((answer) => answer!.status === 200)!,
      );
  }

  if (phase.mode.kind === 'saturate') {
    const { inFlight } = phase.mode;
    const loops: Promise<void>[] = [];
    for (let watcherIndex = 0; watcherIndex < init.watchers.length; watcherIndex++) {
      for (let slot = 0; slot < inFlight; slot++) {
        loops.push(
          (async () => {
            while (performance.now() < deadline) await postNew(watcherIndex);
          })(),
        );
      }
    }
    await Promise.all(loops);
  } else {
    // Open loop: report n is due at n / rate seconds, sent then whatever became of the earlier
    // ones, and its latency counts from then (a slow answer cannot hide the requests behind it).
    const { rate } = phase.mode;
    const total = Math.floor(phase.seconds * rate);
    const pending: Promise<void>[] = [];
    let next = 0;
    while (next < total) {
      const now = performance.now();
      while (next < total && started + (next * 1000) / rate <= now) {
        pending.push(postNew(next % init.watchers.length, started + (next * 1000) / rate));
        next++;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(pending);
  }
  clearTimeout(hardStop);

  return {
    type: 'result',
    name: phase.name,
    windowMs: phase.seconds * 1000,
    ...result,
    errors,
    errorSamples,
    latency: summarize(latencies),
    loadCpuMs: cpuMs(process.cpuUsage(cpuBefore)),
  };
}

function agentsFor(count: number): http.Agent[] {
  return Array.from(
    { length: count },
    // An idle connection is dropped before the server's keep-alive timeout (5 s) would close it
    // under a request being sent: that race is the client's doing, not the server's.
    () => new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_WATCHER, timeout: IDLE_SOCKET_MS }),
  );
}

async function handle(command: LoadCommand): Promise<void> {
  switch (command.type) {
    case 'init':
      init = command;
      clock = {
        startedAt: new Date(command.clock.startedAt),
        startsFrom: new Date(command.clock.startsFrom),
        endsAt: new Date(command.clock.endsAt),
        speed: command.clock.speed,
      };
      agents = { relance: agentsFor(command.watchers.length), bare: agentsFor(command.watchers.length) };
      await reply({ type: 'ready' });
      return;
    case 'phase':
      await reply(await runPhase(command));
      return;
    case 'finish':
      for (const agent of [...agents.relance, ...agents.bare]) agent.destroy();
      await reply({ type: 'ids', sent: sentIds, acknowledged: [...acknowledgedIds] });
      process.disconnect();
      return;
  }
}

if (!process.send) {
  process.stderr.write('ingest-load.ts is run by the ingest benchmark (npm run bench -- ingest), not on its own.\n');
  process.exit(2);
}
// The benchmark gone (finished, failed or interrupted), nothing is left to measure for.
process.on('disconnect', () => process.exit(0));
process.on('message', (command: LoadCommand) => {
  handle(command).catch(async (error: unknown) => {
    await reply({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }).catch(() => {});
    process.exit(1);
  });
});
