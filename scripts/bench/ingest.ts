/**
 * ingest: turnout reports from 200 poll watchers, over HTTP, into the real web app, until they are
 * committed. Relance is served in this process exactly as server/web.ts assembles it (createApp
 * on an http.Server, Socket.io included); the watchers run in a process of their own
 * (ingest-load.ts), so the load does not take the server's CPU for its own.
 *
 * In one run it measures, in order:
 *  1. the db-ceiling rates (measureDbCeiling), on a quiet machine;
 *  2. the HTTP ceiling: a bare Express endpoint that parses the same JSON and answers 201, loaded
 *     the same way as Relance;
 *  3. accepted reports per second with every watcher keeping requests in flight (saturated);
 *  4. acknowledgement latency at a fixed offered rate of 1,000 reports a second (open loop);
 *  5. the database afterwards: every acknowledged report stored exactly once, nothing extra;
 *  6. the watcher page on a slow phone (watcher-page.ts), when the production build is there.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimulationWindow } from '../../server/elections/elections.clock.ts';
import { zonedInstant } from '../../server/elections/elections.time.ts';
import type { Relance } from '../../server/relance.ts';
import type { Services } from '../../server/services.ts';
import { dbCeilingBaseline, measureDbCeiling } from './db-ceiling.ts';
import { drained, serveBareEndpoint, serveRelance } from './ingest-servers.ts';
import type { LoadCommand, LoadIds, LoadMessage, LoadPhase, LoadWatcher, PhaseResult } from './ingest-load.ts';
import type { BenchReport, ReportRow } from './report.ts';
import type { ScenarioOptions } from './scenarios.ts';
import { measureWatcherPage, type WatcherPageResult } from './watcher-page.ts';

export const INGEST_BUDGET = {
  acceptedPerSecond: 2_000,
  /** The fixed offered rate at which latency is measured, and its budget. */
  offeredRate: 1_000,
  p99Ms: 100,
  firstVisitMs: 3_000,
  offlineRepeatMs: 1_000,
};

export const INGEST_DEFAULT_SECONDS = 30;
const STATIONS = 1_000;
const REGISTERED = 1_500;
const WATCHERS = 200;
/** One report in 20 (5 %) is sent twice with the same id and payload. */
const RETRY_EVERY = 20;
/** Requests each watcher keeps in flight while saturating: 400 in all, enough to keep the group commit's batches full. */
const SATURATE_IN_FLIGHT = 2;
const WARM_UP_SECONDS = 3;
/** The pool Relance is opened with: the web process's default (DATABASE_POOL_SIZE). */
export const INGEST_CONNECTIONS = 20;
/** Fewer single-row inserts than db-ceiling's own run: only the batched rate is compared here. */
const DB_CEILING_SINGLE_ROWS = 2_000;

const LOAD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ingest-load.ts');

const stationCode = (index: number) => `B${String(index + 1).padStart(4, '0')}`;

/**
 * The bench election: 1,000 stations of 1,500 registered voters, imported through the import
 * services, and 200 watchers' API tokens of 5 stations each. Its clock is a simulation running at
 * real speed from 10:00 on polling day, so every report is within polling hours whenever the
 * benchmark runs.
 */
async function setUpElection(services: Services): Promise<{ watchers: LoadWatcher[]; clock: SimulationWindow }> {
  const pollingDay = new Date().toISOString().slice(0, 10);
  const election = await services.imports.election(
    { name: 'Ingest benchmark', pollingDay, timezone: 'UTC', opensAt: '08:00', closesAt: '20:00' },
    null,
  );
  await services.imports.areas(
    election.id,
    {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { code: 'BENCH', name: 'Bench town', kind: 'city' }, geometry: null }],
    },
    null,
  );
  const codes = Array.from({ length: STATIONS }, (_, index) => stationCode(index));
  await services.imports.stations(
    election.id,
    {
      geojson: {
        type: 'FeatureCollection',
        features: codes.map((code) => ({
          type: 'Feature',
          properties: { code, name: `Station ${code}`, area_code: 'BENCH', registered_voters: REGISTERED },
          geometry: null,
        })),
      },
    },
    null,
  );
  const perWatcher = STATIONS / WATCHERS;
  const watchers: LoadWatcher[] = [];
  for (let index = 0; index < WATCHERS; index++) {
    const stationCodes = codes.slice(index * perWatcher, (index + 1) * perWatcher);
    const { token } = await services.accounts.createApiToken({ name: `Bench watcher ${index + 1}`, role: 'watcher', stationCodes }, null);
    watchers.push({ token, stationCodes });
  }
  const clock = await services.elections.startSimulation(election.id, {
    startsFrom: zonedInstant(pollingDay, '10:00', 'UTC'),
    endsAt: election.pollsCloseAt,
    speed: 1,
  });
  return { watchers, clock };
}

/** The watchers' process, and a way to ask it one thing at a time. */
function startLoad(): { child: ChildProcess; ask(command: LoadCommand): Promise<LoadMessage> } {
  const child = fork(LOAD_SCRIPT, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let waiting: { resolve: (message: LoadMessage) => void; reject: (error: Error) => void } | null = null;
  child.on('message', (message: LoadMessage) => {
    const current = waiting;
    waiting = null;
    if (message.type === 'failed') current?.reject(new Error(`the load process failed: ${message.message}`));
    else current?.resolve(message);
  });
  child.on('exit', (code, signal) => {
    waiting?.reject(new Error(`the load process exited (${signal ?? code}) before answering`));
    waiting = null;
  });
  return {
    child,
    ask(command) {
      if (waiting) throw new Error('the load process is already busy');
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        child.send(command);
      });
    },
  };
}

/** What the database holds after the run, against what was sent and acknowledged. */
async function checkStored(relance: Relance, ids: LoadIds) {
  const { rows } = await relance.db.pool.query<{ id: string; status: string }>('SELECT id::text, status::text FROM turnout_report');
  const stored = new Map<string, number>();
  for (const row of rows) stored.set(row.id, (stored.get(row.id) ?? 0) + 1);
  const sent = new Set(ids.sent);
  // A row beyond one per id sent: a report stored twice, or a row no watcher sent.
  let extra = 0;
  for (const [id, count] of stored) extra += sent.has(id) ? count - 1 : count;
  const notStoredOnce = ids.acknowledged.filter((id) => stored.get(id) !== 1).length;
  return {
    rowsStored: rows.length,
    distinctIdsSent: sent.size,
    extraRows: extra,
    acknowledgedNotStoredOnce: notStoredOnce,
    flaggedRows: rows.filter((row) => row.status !== 'accepted').length,
  };
}

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

/** A phase's result, with the CPU time this (the server's) process spent meanwhile. */
type Phase = PhaseResult & { serverCpuMs: number };

const errorCount = (result: PhaseResult) => Object.values(result.errors).reduce((sum, count) => sum + count, 0);

function describeErrors(name: string, result: PhaseResult): string[] {
  if (errorCount(result) === 0) return [];
  const byStatus = Object.entries(result.errors)
    .map(([status, count]) => `${count} × ${status}`)
    .join(', ');
  return [`${name}: failed requests ${byStatus}`, ...result.errorSamples.map((sample) => `  e.g. ${sample}`)];
}

export async function runIngest(relance: Relance, options: ScenarioOptions): Promise<BenchReport> {
  const seconds = options.seconds ?? INGEST_DEFAULT_SECONDS;
  const progress = options.onProgress;
  const { services } = relance;

  progress(`setting up ${STATIONS.toLocaleString('en-US')} stations and ${WATCHERS} watchers' API tokens`);
  const { watchers, clock } = await setUpElection(services);

  progress('db-ceiling: PostgreSQL write rates, for the ratio');
  const ceiling = await measureDbCeiling(relance.db.pool, {
    rows: options.rows,
    singleRows: DB_CEILING_SINGLE_ROWS,
    concurrency: 8,
    onProgress: (message) => progress(`db-ceiling: ${message}`),
  });

  const relanceServer = await serveRelance(services);
  const bare = await serveBareEndpoint();
  const load = startLoad();
  try {
    await load.ask({
      type: 'init',
      targets: { relance: relanceServer.url, bare: bare.url },
      watchers,
      registered: REGISTERED,
      clock: {
        startedAt: clock.startedAt.toISOString(),
        startsFrom: clock.startsFrom.toISOString(),
        endsAt: clock.endsAt.toISOString(),
        speed: clock.speed,
      },
      retryEvery: RETRY_EVERY,
    });
    const servers = { relance: relanceServer, bare };
    const phase = async (spec: Omit<LoadPhase, 'type'>): Promise<Phase> => {
      progress(`${spec.name}: ${spec.seconds} s`);
      const cpuBefore = process.cpuUsage();
      const answer = await load.ask({ type: 'phase', ...spec });
      if (answer.type !== 'result') throw new Error(`the load process answered ${answer.type} to a phase`);
      // Requests the load gave up on (timed out) may still be on their way to a commit.
      await drained(servers[spec.target]);
      return { ...answer, serverCpuMs: cpuMs(process.cpuUsage(cpuBefore)) };
    };
    const saturate = { kind: 'saturate', inFlight: SATURATE_IN_FLIGHT } as const;
    // Each warm-up (connections, the principal and station caches, the JIT; not counted) right
    // before its measurement, so no kept-alive connection sits idle in between.
    await phase({ name: 'warm-up, bare endpoint', target: 'bare', seconds: WARM_UP_SECONDS, mode: saturate });
    const httpCeiling = await phase({ name: 'HTTP ceiling (bare Express endpoint), saturated', target: 'bare', seconds, mode: saturate });
    await phase({ name: 'warm-up, Relance', target: 'relance', seconds: WARM_UP_SECONDS, mode: saturate });
    const saturated = await phase({ name: 'Relance, saturated', target: 'relance', seconds, mode: saturate });
    const fixed = await phase({
      name: `Relance, ${INGEST_BUDGET.offeredRate.toLocaleString('en-US')} reports/s offered`,
      target: 'relance',
      seconds,
      mode: { kind: 'rate', rate: INGEST_BUDGET.offeredRate },
    });
    const ids = await load.ask({ type: 'finish' });
    if (ids.type !== 'ids') throw new Error(`the load process answered ${ids.type} to finish`);

    progress('checking the stored reports against those sent and acknowledged');
    const stored = await checkStored(relance, ids);

    progress('watcher page on a slow phone');
    const page = await measureWatcherPage(services, { baseUrl: relanceServer.url, stationCode: stationCode(0), onProgress: progress });

    return buildReport({ seconds, ceiling: dbCeilingBaseline(ceiling), httpCeiling, saturated, fixed, stored, page });
  } finally {
    if (load.child.exitCode === null && load.child.signalCode === null) load.child.kill();
    await bare.close();
    await relanceServer.close();
  }
}

interface Measured {
  seconds: number;
  ceiling: Record<string, number>;
  httpCeiling: Phase;
  saturated: Phase;
  fixed: Phase;
  stored: Awaited<ReturnType<typeof checkStored>>;
  page: WatcherPageResult;
}

/** CPU milliseconds per request sent: steadier than rates on a machine others are using too. */
const cpuPerRequest = (cpu: number, phase: PhaseResult) => (phase.requests > 0 ? cpu / phase.requests : Number.NaN);

function buildReport({ seconds, ceiling, httpCeiling, saturated, fixed, stored, page }: Measured): BenchReport {
  const perSecond = (result: PhaseResult) => result.createdInWindow / (result.windowMs / 1000);
  const accepted = perSecond(saturated);
  const bareRate = perSecond(httpCeiling);
  const dbRate = ceiling.batchedInsertRowsPerSecond!;
  const errors = errorCount(saturated) + errorCount(fixed);
  const retryMismatches = saturated.retryMismatches + fixed.retryMismatches;
  const flagged = saturated.flagged + fixed.flagged;

  const metrics: Record<string, number> = {
    seconds,
    watchers: WATCHERS,
    stations: STATIONS,
    acceptedPerSecond: accepted,
    saturatedP50Ms: saturated.latency.p50,
    saturatedP99Ms: saturated.latency.p99,
    saturatedInFlight: WATCHERS * SATURATE_IN_FLIGHT,
    httpCeilingPerSecond: bareRate,
    ratioToDbBatchedInsert: accepted / dbRate,
    ratioToBareHttp: accepted / bareRate,
    offeredPerSecond: INGEST_BUDGET.offeredRate,
    fixedRateAcceptedPerSecond: perSecond(fixed),
    p50Ms: fixed.latency.p50,
    p90Ms: fixed.latency.p90,
    p99Ms: fixed.latency.p99,
    maxMs: fixed.latency.max,
    reportsSent: stored.distinctIdsSent,
    retriesSent: saturated.retries + fixed.retries,
    rowsStored: stored.rowsStored,
    duplicatesStored: stored.extraRows,
    acknowledgedNotStoredOnce: stored.acknowledgedNotStoredOnce,
    retryMismatches,
    failedRequests: errors,
    flaggedReports: flagged,
    serverCpuMsPerRequest: cpuPerRequest(saturated.serverCpuMs, saturated),
    bareCpuMsPerRequest: cpuPerRequest(httpCeiling.serverCpuMs, httpCeiling),
    loadCpuMsPerRequest: cpuPerRequest(saturated.loadCpuMs, saturated),
  };
  const rows: ReportRow[] = [
    { name: `accepted reports, saturated (${WATCHERS * SATURATE_IN_FLIGHT} requests in flight)`, value: accepted, unit: 'reports/s' },
    { name: '  acknowledgement p50, saturated', value: saturated.latency.p50, unit: 'ms' },
    { name: '  acknowledgement p99, saturated', value: saturated.latency.p99, unit: 'ms' },
    { name: 'HTTP ceiling: bare Express endpoint, saturated', value: bareRate, unit: 'requests/s' },
    { name: 'db ceiling: batched INSERT, 500 rows per statement', value: dbRate, unit: 'rows/s' },
    { name: 'ratio: accepted ÷ db batched insert', value: accepted / dbRate, unit: '' },
    { name: 'ratio: accepted ÷ bare HTTP', value: accepted / bareRate, unit: '' },
    {
      name: `at ${INGEST_BUDGET.offeredRate.toLocaleString('en-US')} reports/s offered: accepted`,
      value: perSecond(fixed),
      unit: 'reports/s',
    },
    { name: '  acknowledgement p50', value: fixed.latency.p50, unit: 'ms' },
    { name: '  acknowledgement p99', value: fixed.latency.p99, unit: 'ms' },
    { name: '  acknowledgement max', value: fixed.latency.max, unit: 'ms' },
    { name: 'reports sent (distinct ids)', value: stored.distinctIdsSent, unit: 'reports' },
    { name: 'retries sent (same id and payload)', value: saturated.retries + fixed.retries, unit: 'requests' },
    { name: 'rows stored', value: stored.rowsStored, unit: 'rows' },
    { name: 'duplicates stored', value: stored.extraRows, unit: 'rows' },
    { name: 'acknowledged, not stored exactly once', value: stored.acknowledgedNotStoredOnce, unit: 'reports' },
    { name: 'failed requests', value: errors, unit: 'requests' },
    { name: 'CPU per request, Relance process (saturated)', value: cpuPerRequest(saturated.serverCpuMs, saturated), unit: 'ms' },
    { name: 'CPU per request, bare endpoint', value: cpuPerRequest(httpCeiling.serverCpuMs, httpCeiling), unit: 'ms' },
    { name: 'CPU per request, load process (saturated)', value: cpuPerRequest(saturated.loadCpuMs, saturated), unit: 'ms' },
  ];

  const notes = [
    `${WATCHERS} watchers (own API token, 5 stations each, kept-alive connections) in a separate process; ${seconds} s per phase; 1 report in ${RETRY_EVERY} sent twice`,
    `budgets: ≥ ${INGEST_BUDGET.acceptedPerSecond.toLocaleString('en-US')} reports/s; p99 ≤ ${INGEST_BUDGET.p99Ms} ms at ${INGEST_BUDGET.offeredRate.toLocaleString('en-US')}/s; 0 duplicates; keypad ≤ ${INGEST_BUDGET.firstVisitMs / 1000} s first visit, ≤ ${INGEST_BUDGET.offlineRepeatMs / 1000} s offline repeat`,
    ...describeErrors('saturated', saturated),
    ...describeErrors(`at ${INGEST_BUDGET.offeredRate}/s`, fixed),
  ];
  if (retryMismatches > 0) notes.push(`${retryMismatches} retries were not answered with the first report`);
  if (flagged > 0) notes.push(`${flagged} reports were stored flagged: the benchmark's reports should all be accepted`);

  let pageOk = true;
  if (page.kind === 'measured') {
    rows.push(
      { name: 'watcher page: keypad ready, first visit (3G, CPU 4×)', value: page.firstVisitMs, unit: 'ms' },
      { name: 'watcher page: keypad ready, repeat visit offline', value: page.offlineRepeatMs, unit: 'ms' },
      { name: `watcher page: JavaScript gzipped (${page.jsFiles} files)`, value: page.jsGzipBytes / 1024, unit: 'KiB' },
    );
    Object.assign(metrics, {
      watcherFirstVisitMs: page.firstVisitMs,
      watcherOfflineRepeatMs: page.offlineRepeatMs,
      watcherJsGzipBytes: page.jsGzipBytes,
    });
    pageOk = page.firstVisitMs <= INGEST_BUDGET.firstVisitMs && page.offlineRepeatMs <= INGEST_BUDGET.offlineRepeatMs;
  } else if (page.kind === 'failed') {
    pageOk = false;
    if (page.firstVisitMs !== undefined) {
      rows.push({ name: 'watcher page: keypad ready, first visit (3G, CPU 4×)', value: page.firstVisitMs, unit: 'ms' });
      metrics.watcherFirstVisitMs = page.firstVisitMs;
    }
    if (page.jsGzipBytes !== undefined) metrics.watcherJsGzipBytes = page.jsGzipBytes;
    notes.push(`watcher page: FAILED: ${page.reason}`);
  } else {
    notes.push(`watcher page: skipped: ${page.reason}`);
  }
  metrics.watcherPageMeasured = page.kind === 'skipped' ? 0 : 1;

  const ok =
    accepted >= INGEST_BUDGET.acceptedPerSecond &&
    fixed.latency.p99 <= INGEST_BUDGET.p99Ms &&
    stored.extraRows === 0 &&
    stored.acknowledgedNotStoredOnce === 0 &&
    retryMismatches === 0 &&
    errors === 0 &&
    pageOk;
  return {
    scenario: 'ingest',
    rows,
    metrics,
    baseline: { ...ceiling, bareHttpRequestsPerSecond: bareRate },
    ok,
    notes,
  };
}
