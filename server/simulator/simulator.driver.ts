/**
 * Plays a simulated polling day (simulator.plan.ts) over the current election, through the public
 * HTTP API with one watcher token per simulated watcher, exactly as phones do. Used by
 * `relance simulate` and, in local mode, by the web process itself (server/web.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../clock.ts';
import { DEMO_DIR, DEMO_ELECTION } from '../demo/demo.ts';
import { electionTime, realTimeOf, type SimulationWindow } from '../elections/elections.clock.ts';
import type { Election } from '../elections/elections.service.ts';
import { Conflict } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Services } from '../services.ts';
import { MAX_BATCH } from '../watchers/watchers.schemas.ts';
import { planDay, uuidV5, type SimulatedReport, type StationToSimulate, type WatcherAction } from './simulator.plan.ts';
import { simulatedWatchers, type SimulatedWatcher } from './simulator.watchers.ts';

/** Turnout assumed where a station has no known final turnout and no baseline. */
const DEFAULT_TURNOUT = 0.55;
/** Requests in flight at once: a few phones at a time is plenty at 36× and keeps a small machine free. */
const CONCURRENCY = 6;
const RETRIES = 3;
const REQUEST_TIMEOUT_MS = 30_000;

export interface SimulatorOptions {
  /** The running Relance, e.g. http://localhost:3000. */
  baseUrl: string;
  /** Simulated seconds per real second. */
  speed: number;
  log: Logger;
  /** Real time; the services' own clock by default. */
  clock?: Clock;
  /** Waits until the real instant `until` (or until stopped). Tests pass one that moves their clock. */
  waitUntil?: (until: Date, signal: AbortSignal) => Promise<void>;
}

export interface SimulatorRun {
  /** Resolves when the simulated day is over, or when stopped. */
  finished: Promise<SimulationSummary>;
  /** Stops sending, waits for the requests in flight. */
  stop(): Promise<SimulationSummary>;
}

export interface SimulationSummary {
  /** 'ended' when the day was already over at start: nothing was sent. */
  outcome: 'completed' | 'stopped' | 'ended';
  reports: number;
  repeated: number;
  refused: number;
  marks: number;
  flags: number;
  failed: number;
}

/** The simulated day cannot run over a real one: it would hide the real reports among simulated ones. */
export class RealPollingDay extends Conflict {
  override name = 'RealPollingDay';
  override readonly code = 'real_polling_day';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The 2026 count of people who voted at each Paris station: where the demo's day ends. */
function demoFinalTurnout(election: Election): Map<string, number> {
  if (election.name !== DEMO_ELECTION.name) return new Map();
  const lines = fs.readFileSync(path.join(DEMO_DIR, 'final-turnout-2026.csv'), 'utf8').trim().split('\n').slice(1);
  return new Map(lines.map((line) => line.split(',') as [string, string]).map(([code, voted]) => [code, Number(voted)]));
}

async function stationsToSimulate(services: Services, election: Election): Promise<StationToSimulate[]> {
  const { prisma } = services.db;
  const [stations, supporters] = await Promise.all([
    prisma.pollingStation.findMany({
      where: { electionId: election.id },
      select: { id: true, code: true, registeredVoters: true, baselineTurnout: true, closesAt: true, area: { select: { code: true } } },
      orderBy: { code: 'asc' },
    }),
    prisma.voter.findMany({
      where: { electionId: election.id, supportLevel: { lte: 2 }, listNumber: { not: null } },
      select: { stationId: true, listNumber: true },
      orderBy: [{ stationId: 'asc' }, { listNumber: 'asc' }],
    }),
  ]);
  const known = demoFinalTurnout(election);
  const supportersOf = new Map<number, number[]>();
  for (const supporter of supporters) {
    const list = supportersOf.get(supporter.stationId) ?? [];
    list.push(supporter.listNumber!);
    supportersOf.set(supporter.stationId, list);
  }
  return stations.map((station) => ({
    code: station.code,
    areaCode: station.area.code,
    registered: station.registeredVoters,
    finalVoters: Math.min(
      station.registeredVoters,
      known.get(station.code) ?? Math.round(station.registeredVoters * (station.baselineTurnout ?? DEFAULT_TURNOUT)),
    ),
    opensAt: election.pollsOpenAt,
    closesAt: station.closesAt ?? election.pollsCloseAt,
    supporterListNumbers: supportersOf.get(station.id) ?? [],
  }));
}

/**
 * The election's simulated clock, started at polls open if no simulated day runs yet, or taken up
 * where it is; a day running at another speed goes on from where it is at the new speed.
 */
async function simulatedClock(
  services: Services,
  election: Election,
  endsAt: Date,
  speed: number,
  realNow: Date,
): Promise<SimulationWindow> {
  const { now, simulation } = await services.elections.clockOf(election.id);
  if (!simulation) {
    if (realNow >= election.pollsOpenAt && realNow <= endsAt) {
      throw new RealPollingDay(
        'Polling day is on: a simulated day would mix simulated reports with real ones. Simulate before or after the day.',
      );
    }
    return services.elections.startSimulation(election.id, { startsFrom: election.pollsOpenAt, endsAt, speed });
  }
  if (simulation.speed !== speed && now < simulation.endsAt) {
    return services.elections.startSimulation(election.id, { startsFrom: now, endsAt: simulation.endsAt, speed });
  }
  return simulation;
}

/** Starts playing the day in the background; `finished` says how it went. */
export async function startSimulator(services: Services, options: SimulatorOptions): Promise<SimulatorRun> {
  const { log, baseUrl, speed } = options;
  const clock = options.clock ?? services.clock;
  const controller = new AbortController();
  const { signal } = controller;
  const waitUntil = options.waitUntil ?? ((until: Date, s: AbortSignal) => sleep(until.getTime() - clock.now().getTime(), s));
  const summary: SimulationSummary = { outcome: 'completed', reports: 0, repeated: 0, refused: 0, marks: 0, flags: 0, failed: 0 };

  const election = await services.elections.requireCurrent();
  const earlier = await services.elections.clockOf(election.id);
  if (earlier.simulation && earlier.now >= earlier.simulation.endsAt) {
    log.info(
      { electionId: election.id },
      'the simulated polling day is over: the election stays at closing time (replay it with `npx relance simulate --restart`)',
    );
    return { finished: Promise.resolve({ ...summary, outcome: 'ended' }), stop: async () => ({ ...summary, outcome: 'ended' }) };
  }
  const stations = await stationsToSimulate(services, election);
  const endsAt = new Date(Math.max(election.pollsCloseAt.getTime(), ...stations.map((station) => station.closesAt.getTime())));
  // The watchers' tokens before the clock: creating them takes a moment, which the day must not lose.
  const watchers = await simulatedWatchers(
    services,
    election.id,
    stations.map((station) => station.code),
  );
  const simulation = await simulatedClock(services, election, endsAt, speed, clock.now());
  const startNow = electionTime(clock.now(), simulation);
  const seed = `relance-simulator/${election.id}`;
  const actions = planDay(seed, stations);
  const watcherOf = new Map<string, SimulatedWatcher>();
  for (const watcher of watchers) for (const code of watcher.stationCodes) watcherOf.set(code, watcher);
  const localTime = new Intl.DateTimeFormat('en-GB', { timeZone: election.timezone, hour: '2-digit', minute: '2-digit' });

  /** One request as a phone makes it; network failures and 5xx are retried, as the phone's queue does. */
  async function send(route: string, stationCode: string, body: unknown): Promise<{ status: number; body: unknown } | null> {
    for (let attempt = 1; attempt <= RETRIES && !signal.aborted; attempt++) {
      // A signal per request: fetch does not let go of the listeners it adds to a long-lived one.
      const request = new AbortController();
      const abort = () => request.abort();
      signal.addEventListener('abort', abort, { once: true });
      const timeout = setTimeout(abort, REQUEST_TIMEOUT_MS);
      try {
        const response = await fetch(`${baseUrl}/api/v1/${route}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${watcherOf.get(stationCode)!.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
          signal: request.signal,
        });
        const answer = { status: response.status, body: await response.json().catch(() => null) };
        if (response.status < 500) return answer;
      } catch (error) {
        if (signal.aborted) return null;
        log.debug({ route, attempt, err: { message: (error as Error).message } }, 'simulator: request failed, retrying');
      } finally {
        clearTimeout(timeout);
        signal.removeEventListener('abort', abort);
      }
      await sleep(500 * attempt, signal);
    }
    if (!signal.aborted) summary.failed++;
    return null;
  }

  function countReport(status: number | undefined) {
    if (status === 201) summary.reports++;
    else if (status === 200) summary.repeated++;
    else if (status === 422) summary.refused++;
    else summary.failed++;
  }

  async function sendBatch(stationCode: string, reports: SimulatedReport[]) {
    for (let i = 0; i < reports.length; i += MAX_BATCH) {
      const answer = await send('reports/batch', stationCode, { reports: reports.slice(i, i + MAX_BATCH) });
      if (!answer) return;
      const results = (answer.body as { results?: { status: number }[] } | null)?.results ?? [];
      for (const result of results) countReport(result.status);
    }
  }

  async function perform(action: WatcherAction) {
    switch (action.kind) {
      case 'report':
      case 'typo': {
        const times = action.kind === 'report' && action.sendTwice ? 2 : 1;
        for (let i = 0; i < times; i++) {
          const answer = await send('reports', action.stationCode, action.report);
          if (answer) countReport(answer.status);
        }
        return;
      }
      case 'flush':
        return sendBatch(action.stationCode, action.reports);
      case 'marks': {
        const answer = await send('marks', action.stationCode, action.mark);
        if (answer?.status === 201 || answer?.status === 200) summary.marks += action.mark.listNumbers.length;
        return;
      }
      case 'flag': {
        const answer = await send('flags', action.stationCode, action.flag);
        if (answer?.status === 201) summary.flags++;
        return;
      }
    }
  }

  /** Each station's actions in order; stations side by side, a few at a time. */
  async function performAll(due: WatcherAction[]) {
    const byStation = new Map<string, WatcherAction[]>();
    for (const action of due) byStation.set(action.stationCode, [...(byStation.get(action.stationCode) ?? []), action]);
    const queues = [...byStation.values()];
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, queues.length) }, async () => {
        for (let queue = queues.shift(); queue && !signal.aborted; queue = queues.shift()) {
          for (const action of queue) if (!signal.aborted) await perform(action);
        }
      }),
    );
  }

  /**
   * Resuming mid-day: what a phone would still hold is sent at once. Each station's latest reading
   * (in one batch per watcher), and the supporters marked so far (already marked ones change nothing).
   * Reports of the hours the simulator was not running stay unsent, as a phone switched off would.
   */
  async function catchUp(past: WatcherAction[]) {
    const latest = new Map<string, SimulatedReport>();
    const marked = new Map<string, number[]>();
    for (const action of past) {
      if (action.kind === 'report') latest.set(action.stationCode, action.report);
      if (action.kind === 'flush') latest.set(action.stationCode, action.reports.at(-1)!);
      if (action.kind === 'marks') marked.set(action.stationCode, [...(marked.get(action.stationCode) ?? []), ...action.mark.listNumbers]);
    }
    const catchUpActions: WatcherAction[] = [];
    for (const watcher of watchers) {
      const reports = watcher.stationCodes.flatMap((code) => (latest.has(code) ? [latest.get(code)!] : []));
      if (reports.length > 0) catchUpActions.push({ kind: 'flush', at: startNow, stationCode: watcher.stationCodes[0]!, reports });
    }
    for (const [stationCode, listNumbers] of marked) {
      for (let i = 0; i < listNumbers.length; i += 1000) {
        const id = uuidV5(`${seed}/${stationCode}/catch-up/${past.length}/${i}`);
        const mark = { id, stationCode, listNumbers: listNumbers.slice(i, i + 1000), markedAt: startNow.toISOString() };
        catchUpActions.push({ kind: 'marks', at: startNow, stationCode, mark });
      }
    }
    await performAll(catchUpActions);
  }

  async function play(): Promise<SimulationSummary> {
    let next = actions.findIndex((action) => action.at > startNow);
    if (next === -1) next = actions.length;
    log.info(
      {
        electionId: election.id,
        stations: stations.length,
        watchers: watchers.length,
        speed: simulation.speed,
        from: localTime.format(startNow),
      },
      'simulator: playing the polling day',
    );
    if (next > 0) await catchUp(actions.slice(0, next));
    let loggedHour = -1;
    while (next < actions.length && !signal.aborted) {
      const due = actions[next]!.at;
      await waitUntil(realTimeOf(due, simulation), signal);
      if (signal.aborted) break;
      // `relance simulate --restart` or `--stop` elsewhere (or another speed) replaced this day: leave it to them.
      const current = (await services.elections.clockOf(election.id)).simulation;
      if (current?.startedAt.getTime() !== simulation.startedAt.getTime()) {
        log.info({ electionId: election.id }, 'simulator: the simulated day was restarted or stopped elsewhere; this simulator stops');
        controller.abort();
        break;
      }
      // Everything due by the election's time now (at least what was waited for: clocks round).
      const now = Math.max(due.getTime(), electionTime(clock.now(), simulation).getTime());
      let end = next;
      while (end < actions.length && actions[end]!.at.getTime() <= now) end++;
      await performAll(actions.slice(next, end));
      next = end;
      const reached = actions[next - 1]!.at;
      const hour = Math.floor((reached.getTime() - election.pollsOpenAt.getTime()) / 3600_000);
      if (hour !== loggedHour) {
        loggedHour = hour;
        const { reports, refused, marks } = summary;
        log.info({ at: localTime.format(reached), reports, refused, marks }, 'simulator: polling day goes on');
      }
    }
    const outcome = signal.aborted ? 'stopped' : 'completed';
    log.info(
      { ...summary, outcome },
      outcome === 'completed' ? 'simulator: polls closed, the simulated day is over' : 'simulator: stopped',
    );
    return { ...summary, outcome };
  }

  const finished = play();
  return {
    finished,
    async stop() {
      controller.abort();
      return finished;
    },
  };
}
