/**
 * live: the war room's live channel under load. Relance is served in this process as server/web.ts assembles
 * it (Socket.io included), for an election of 1,000 stations; 500 dashboards (live-dashboards.ts, in two
 * processes of their own) stay connected to `/live` with viewer API tokens, while poll watchers
 * (live-reports.ts, another process) post reports through the ingest API at 1,000 a second.
 *
 * In one run it measures, in order:
 *  1. report-to-dashboard latency: from each report's send time to the moment each dashboard's copy of the
 *     turnout shows its count; the share of reports that reached every dashboard; resyncs; this process's CPU
 *     and memory (the web server's);
 *  2. the ceiling: a bare Socket.io server (live-bare.ts, its own process) broadcasting a delta of the mean size
 *     Relance sent, as often as Relance sent them, to as many clients; send-to-receive latency, and the ratios;
 *  3. the dashboard page in Chromium (live-page.ts), when the production build is there: first load with 1,000
 *     stations, then with 10,000 (a second election), and the time it takes to apply one delta.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Relance } from '../../server/relance.ts';
import { DELTA_EVERY_MS } from '../../server/turnout/turnout.stream.ts';
import { startHelper, wallNow, type Helper } from './child.ts';
import { serveRelance } from './ingest-servers.ts';
import type { BareAnswer, BareCommand } from './live-bare.ts';
import type { BareDashboardsResult, DashboardsAnswer, DashboardsCommand, RelanceDashboardsResult } from './live-dashboards.ts';
import { createBenchElection, REGISTERED, viewerTokens, watcherTokens, type BenchElection } from './live-election.ts';
import { launchForDashboard, measureDashboardPage, type DashboardPageResult } from './live-page.ts';
import type { ReportsCommand, ReportsResult } from './live-reports.ts';
import type { BenchReport, ReportRow } from './report.ts';
import type { ScenarioOptions } from './scenarios.ts';
import { mergeHistograms, summarizeHistogram, type Histogram, type LatencySummary } from './stats.ts';

export const LIVE_BUDGET = {
  reportsPerSecond: 1_000,
  dashboards: 500,
  p99Ms: 500,
  firstLoadMs: 1_500,
  deltaMs: 16,
};
export const LIVE_DEFAULT_SECONDS = 20;
/** The pool Relance is opened with: the web process's default (DATABASE_POOL_SIZE). */
export const LIVE_CONNECTIONS = 20;

const STATIONS = 1_000;
const LARGE_STATIONS = 10_000;
const WATCHERS = 200;
const DASHBOARD_PROCESSES = 2;
const WARM_UP_SECONDS = 3;
/** After the last report, how long its update has to reach every dashboard; later, it counts as not delivered. */
const DRAIN_MS = 5_000;
const SAMPLE_EVERY_MS = 500;

const here = path.dirname(fileURLToPath(import.meta.url));
const script = (name: string) => path.join(here, name);

interface Usage {
  /** Mean CPU over the window, in % of one core. */
  cpuPercent: number;
  rssMeanMb: number;
  rssPeakMb: number;
}

/** Samples a process's CPU time and resident memory from /proc (Linux); NaN figures elsewhere. */
function sampleProcess(pid: number): { stop(): Usage } {
  const ticksPerSecond = 100; // USER_HZ: 100 on every Linux architecture Node runs on
  const read = () => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14 and 15 of stat (utime, stime), counted from the state, field 3.
      const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
      return { at: performance.now(), cpuMs, rssMb: rssKb / 1024 };
    } catch {
      return null;
    }
  };
  const first = read();
  const rss: number[] = [];
  const timer = setInterval(() => {
    const sample = read();
    if (sample) rss.push(sample.rssMb);
  }, SAMPLE_EVERY_MS);
  return {
    stop() {
      clearInterval(timer);
      const last = read();
      if (!first || !last) return { cpuPercent: Number.NaN, rssMeanMb: Number.NaN, rssPeakMb: Number.NaN };
      rss.push(last.rssMb);
      return {
        cpuPercent: ((last.cpuMs - first.cpuMs) / (last.at - first.at)) * 100,
        rssMeanMb: rss.reduce((sum, value) => sum + value, 0) / rss.length,
        rssPeakMb: Math.max(...rss),
      };
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Splits `items` into `parts` runs of nearly equal length. */
function split<T>(items: T[], parts: number): T[][] {
  return Array.from({ length: parts }, (_, part) =>
    items.slice(Math.floor((part * items.length) / parts), Math.floor(((part + 1) * items.length) / parts)),
  );
}

interface SocketPart {
  dashboards: number;
  connected: number;
  connectFailures: string[];
  reportsSent: number;
  reportsStored: number;
  reportsFlagged: number;
  reportErrors: Record<string, number>;
  reportErrorSamples: string[];
  acknowledgement: LatencySummary;
  latency: LatencySummary;
  deliveredToAll: number;
  deliveries: number;
  resyncs: number;
  laterSnapshots: number;
  refusals: number;
  disconnects: number;
  deltasPerSecond: number;
  meanDeltaBytes: number;
  barePerSecond: number;
  barePayloadBytes: number;
  snapshotBytes: number;
  clientApplyMs: number;
  dashboardsCpuPercent: number;
  server: Usage;
  bare: {
    latency: LatencySummary;
    connected: number;
    sent: number;
    received: number;
    usage: Usage;
  };
}

async function socketPart(
  relance: Relance,
  election: BenchElection,
  seconds: number,
  progress: (message: string) => void,
): Promise<SocketPart> {
  const { services } = relance;
  const rate = LIVE_BUDGET.reportsPerSecond;
  progress(`API tokens: ${WATCHERS} watchers, ${LIVE_BUDGET.dashboards} dashboards`);
  const watchers = await watcherTokens(services, election.stationCodes, WATCHERS);
  const tokens = await viewerTokens(services, LIVE_BUDGET.dashboards);

  const server = await serveRelance(services);
  const helpers: Helper<unknown, { type: string }>[] = [];
  const start = <C, A extends { type: string }>(name: string, description: string) => {
    const helper = startHelper<C, A>(script(name), description);
    helpers.push(helper as unknown as Helper<unknown, { type: string }>);
    return helper;
  };
  try {
    const bare = start<BareCommand, BareAnswer>('live-bare.ts', 'the bare Socket.io server');
    const reports = start<ReportsCommand, ReportsResult | { type: 'ready' }>('live-reports.ts', 'the watchers process');
    const dashboards = Array.from({ length: DASHBOARD_PROCESSES }, (_, index) =>
      start<DashboardsCommand, DashboardsAnswer>('live-dashboards.ts', `dashboards process ${index + 1}`),
    );
    const bareListening = await bare.ask({ type: 'listen' });
    if (bareListening.type !== 'listening') throw new Error('the bare server did not listen');
    await reports.ask({
      type: 'init',
      url: server.url,
      watchers,
      stationCodes: election.stationCodes,
      registered: REGISTERED,
      clock: {
        startedAt: election.clock.startedAt.toISOString(),
        startsFrom: election.clock.startsFrom.toISOString(),
        endsAt: election.clock.endsAt.toISOString(),
        speed: election.clock.speed,
      },
    });

    progress(`connecting ${LIVE_BUDGET.dashboards} dashboards to /live`);
    const maxCount = Math.ceil(((WARM_UP_SECONDS + seconds) * rate) / election.stationCodes.length) + 2;
    const connections = await Promise.all(
      split(tokens, DASHBOARD_PROCESSES).map((part, index) =>
        dashboards[index]!.ask({ type: 'connect-relance', url: server.url, tokens: part, stationCodes: election.stationCodes, maxCount }),
      ),
    );
    const connected = connections.reduce((sum, answer) => sum + (answer.type === 'connected' ? answer.connected : 0), 0);
    const connectFailures = connections.flatMap((answer) => (answer.type === 'connected' ? answer.failures : []));

    progress(`warm-up: ${rate.toLocaleString('en-US')} reports/s for ${WARM_UP_SECONDS} s`);
    await reports.ask({ type: 'send', rate, seconds: WARM_UP_SECONDS });
    progress(`Relance: ${rate.toLocaleString('en-US')} reports/s for ${seconds} s, ${connected} dashboards`);
    const dashboardPids = dashboards.map((helper) => sampleProcess(helper.child.pid!));
    const serverUsage = sampleProcess(process.pid);
    const from = wallNow();
    const sent = await reports.ask({ type: 'send', rate, seconds });
    const to = wallNow();
    const serverLoad = serverUsage.stop();
    const dashboardsUsage = dashboardPids.map((sampler) => sampler.stop());
    if (sent.type !== 'sent') throw new Error('the watchers process did not send');
    await sleep(DRAIN_MS);

    const results = (await Promise.all(
      dashboards.map((helper) => helper.ask({ type: 'collect-relance', reports: sent.reports, from, to })),
    )) as RelanceDashboardsResult[];
    const histogram: Histogram = new Map();
    for (const result of results) mergeHistograms(histogram, result.histogram);
    const reachedBy = sent.reports.map((_, index) => results.reduce((sum, result) => sum + result.reachedBy[index]!, 0));
    const first = results[0]!;
    await Promise.all(dashboards.map((helper) => helper.ask({ type: 'close' })));

    // The ceiling: the same bytes, as often, to as many clients, from a bare Socket.io server.
    // The ceiling: the same bytes, as often, to as many clients, from a bare Socket.io server. Had no delta
    // reached the first dashboard in the window, the snapshot at the stream's highest rate stands in for them.
    const deltasPerSecond = first.deltasInWindow / seconds;
    const barePerSecond = deltasPerSecond > 0 ? deltasPerSecond : 1000 / DELTA_EVERY_MS;
    const barePayloadBytes = deltasPerSecond > 0 ? first.meanDeltaBytes : first.samplePayloadBytes;
    if (!first.samplePayload) throw new Error('the first dashboard received nothing: nothing to compare the bare server with');
    progress(
      `bare Socket.io: ${barePerSecond.toFixed(1)} messages/s of ${Math.round(barePayloadBytes).toLocaleString('en-US')} bytes for ${seconds} s`,
    );
    const bareConnections = await Promise.all(
      split(tokens, DASHBOARD_PROCESSES).map((part, index) =>
        dashboards[index]!.ask({ type: 'connect-bare', url: bareListening.url, count: part.length }),
      ),
    );
    const bareUsage = sampleProcess(bare.child.pid!);
    const broadcast = await bare.ask({ type: 'broadcast', payload: first.samplePayload, perSecond: barePerSecond, seconds });
    const bareServer = bareUsage.stop();
    await sleep(1_000);
    const bareResults = (await Promise.all(dashboards.map((helper) => helper.ask({ type: 'collect-bare' })))) as BareDashboardsResult[];
    const bareHistogram: Histogram = new Map();
    for (const result of bareResults) mergeHistograms(bareHistogram, result.histogram);

    const errors = Object.values(sent.errors).reduce((sum, count) => sum + count, 0);
    return {
      dashboards: LIVE_BUDGET.dashboards,
      connected,
      connectFailures,
      reportsSent: sent.reports.length + sent.flagged + errors,
      reportsStored: sent.reports.length,
      reportsFlagged: sent.flagged,
      reportErrors: sent.errors,
      reportErrorSamples: sent.errorSamples,
      acknowledgement: sent.acknowledgement,
      latency: summarizeHistogram(histogram),
      deliveredToAll: reachedBy.filter((count) => count === LIVE_BUDGET.dashboards).length,
      deliveries: reachedBy.reduce((sum, count) => sum + count, 0),
      resyncs: results.reduce((sum, result) => sum + result.resyncs, 0),
      laterSnapshots: results.reduce((sum, result) => sum + result.laterSnapshots, 0),
      refusals: results.reduce((sum, result) => sum + result.refusals, 0),
      disconnects: results.reduce((sum, result) => sum + result.disconnects, 0),
      deltasPerSecond,
      meanDeltaBytes: first.meanDeltaBytes,
      barePerSecond,
      barePayloadBytes,
      snapshotBytes: first.snapshotBytes,
      clientApplyMs: results.reduce((sum, result) => sum + result.applyMsPerDelta, 0) / results.length,
      dashboardsCpuPercent: dashboardsUsage.reduce((sum, usage) => sum + usage.cpuPercent, 0),
      server: serverLoad,
      bare: {
        latency: summarizeHistogram(bareHistogram),
        connected: bareConnections.reduce((sum, answer) => sum + (answer.type === 'connected' ? answer.connected : 0), 0),
        sent: broadcast.type === 'broadcast-done' ? broadcast.sent : 0,
        received: bareResults.reduce((sum, result) => sum + result.received, 0),
        usage: bareServer,
      },
    };
  } finally {
    for (const helper of helpers) helper.stop();
    await server.close();
  }
}

interface PagePart {
  small: DashboardPageResult;
  large: DashboardPageResult;
}

async function pagePart(relance: Relance, small: BenchElection, progress: (message: string) => void): Promise<PagePart> {
  const launched = await launchForDashboard();
  if ('skipped' in launched) {
    const skipped = { kind: 'skipped' as const, reason: launched.skipped };
    return { small: skipped, large: skipped };
  }
  const server = await serveRelance(relance.services);
  try {
    progress(`dashboard page, ${STATIONS.toLocaleString('en-US')} stations`);
    const smallResult = await measureDashboardPage(relance.services, launched.browser, {
      baseUrl: server.url,
      stationCodes: small.stationCodes,
      clock: small.clock,
      onProgress: progress,
    });
    progress(`setting up a second election of ${LARGE_STATIONS.toLocaleString('en-US')} stations`);
    const large = await createBenchElection(relance.services, { name: 'Live benchmark, large', stations: LARGE_STATIONS });
    progress(`dashboard page, ${LARGE_STATIONS.toLocaleString('en-US')} stations`);
    const largeResult = await measureDashboardPage(relance.services, launched.browser, {
      baseUrl: server.url,
      stationCodes: large.stationCodes,
      clock: large.clock,
      onProgress: progress,
    });
    return { small: smallResult, large: largeResult };
  } finally {
    await launched.browser.close();
    await server.close();
  }
}

export async function runLive(relance: Relance, options: ScenarioOptions): Promise<BenchReport> {
  const seconds = options.seconds ?? LIVE_DEFAULT_SECONDS;
  const started = performance.now();
  const progress = (message: string) => options.onProgress(`[${Math.round((performance.now() - started) / 1000)} s] ${message}`);
  progress(`setting up an election of ${STATIONS.toLocaleString('en-US')} stations`);
  const election = await createBenchElection(relance.services, { name: 'Live benchmark', stations: STATIONS });
  const sockets = await socketPart(relance, election, seconds, progress);
  const pages = await pagePart(relance, election, progress);
  return buildReport(seconds, sockets, pages);
}

function pageRows(
  label: string,
  key: string,
  result: DashboardPageResult,
  metrics: Record<string, number>,
  rows: ReportRow[],
  notes: string[],
) {
  if (result.kind === 'measured') {
    rows.push(
      { name: `dashboard, ${label}: first load until its live figures show`, value: result.firstLoadMs, unit: 'ms' },
      { name: `dashboard, ${label}: one delta applied (median of ${result.deltas})`, value: result.deltaMs, unit: 'ms' },
      { name: `dashboard, ${label}: one delta applied, longest`, value: result.deltaMaxMs, unit: 'ms' },
      { name: `dashboard, ${label}: longest task while deltas landed`, value: result.longestTaskMs, unit: 'ms' },
    );
    Object.assign(metrics, {
      [`${key}FirstLoadMs`]: result.firstLoadMs,
      [`${key}DeltaMs`]: result.deltaMs,
      [`${key}DeltaMaxMs`]: result.deltaMaxMs,
      [`${key}LongestTaskMs`]: result.longestTaskMs,
      [`${key}ReadyAttribute`]: result.readyAttribute ? 1 : 0,
      [`${key}DeltaFromMarks`]: result.deltaMethod === 'marks' ? 1 : 0,
    });
    if (!result.readyAttribute)
      notes.push(`dashboard, ${label}: the page does not set data-war-room-ready: timed to its first visible .figure`);
    if (result.deltaMethod !== 'marks')
      notes.push(
        `dashboard, ${label}: no war-room:delta-received/applied marks: a delta timed as the longest frame while it landed, less one frame`,
      );
  } else {
    notes.push(`dashboard, ${label}: ${result.kind === 'skipped' ? 'skipped' : 'FAILED'}: ${result.reason}`);
  }
  metrics[`${key}Measured`] = result.kind === 'skipped' ? 0 : 1;
}

function buildReport(seconds: number, s: SocketPart, pages: PagePart): BenchReport {
  const rate = LIVE_BUDGET.reportsPerSecond;
  const deliveredShare = s.reportsStored > 0 ? s.deliveredToAll / s.reportsStored : Number.NaN;
  const p99Ratio = s.latency.p99 / s.bare.latency.p99;
  const p50Ratio = s.latency.p50 / s.bare.latency.p50;
  const reportErrors = Object.values(s.reportErrors).reduce((sum, count) => sum + count, 0);
  const metrics: Record<string, number> = {
    seconds,
    stations: STATIONS,
    dashboards: s.dashboards,
    dashboardsConnected: s.connected,
    offeredPerSecond: rate,
    reportsSent: s.reportsSent,
    reportsStored: s.reportsStored,
    reportsFlagged: s.reportsFlagged,
    reportErrors,
    acknowledgementP99Ms: s.acknowledgement.p99,
    p50Ms: s.latency.p50,
    p90Ms: s.latency.p90,
    p99Ms: s.latency.p99,
    maxMs: s.latency.max,
    deliveredToAllShare: deliveredShare,
    deliveries: s.deliveries,
    resyncs: s.resyncs,
    laterSnapshots: s.laterSnapshots,
    refusals: s.refusals,
    disconnects: s.disconnects,
    deltasPerSecond: s.deltasPerSecond,
    meanDeltaBytes: s.meanDeltaBytes,
    snapshotBytes: s.snapshotBytes,
    serverCpuPercent: s.server.cpuPercent,
    serverRssMeanMb: s.server.rssMeanMb,
    serverRssPeakMb: s.server.rssPeakMb,
    dashboardsCpuPercent: s.dashboardsCpuPercent,
    clientApplyMsPerDelta: s.clientApplyMs,
    ratioP99ToBare: p99Ratio,
    ratioP50ToBare: p50Ratio,
  };
  const baseline = {
    bareP50Ms: s.bare.latency.p50,
    bareP90Ms: s.bare.latency.p90,
    bareP99Ms: s.bare.latency.p99,
    bareMaxMs: s.bare.latency.max,
    bareMessagesPerSecond: s.barePerSecond,
    barePayloadBytes: s.barePayloadBytes,
    bareClients: s.bare.connected,
    bareSent: s.bare.sent,
    bareReceivedShare: s.bare.sent > 0 && s.bare.connected > 0 ? s.bare.received / (s.bare.sent * s.bare.connected) : Number.NaN,
    bareCpuPercent: s.bare.usage.cpuPercent,
    bareRssPeakMb: s.bare.usage.rssPeakMb,
  };
  const rows: ReportRow[] = [
    { name: 'dashboards connected to /live', value: s.connected, unit: `of ${s.dashboards}` },
    { name: `reports stored (${rate.toLocaleString('en-US')}/s offered, ${seconds} s)`, value: s.reportsStored, unit: 'reports' },
    { name: '  acknowledgement p99', value: s.acknowledgement.p99, unit: 'ms' },
    { name: 'report → dashboard p50', value: s.latency.p50, unit: 'ms' },
    { name: 'report → dashboard p90', value: s.latency.p90, unit: 'ms' },
    { name: `report → dashboard p99 (budget ≤ ${LIVE_BUDGET.p99Ms})`, value: s.latency.p99, unit: 'ms' },
    { name: 'report → dashboard max', value: s.latency.max, unit: 'ms' },
    { name: `reports that reached every dashboard (within ${DRAIN_MS / 1000} s of the last)`, value: deliveredShare * 100, unit: '%' },
    { name: 'resyncs asked (gaps)', value: s.resyncs, unit: '' },
    { name: 'snapshots after the first (after a gap or a drop)', value: s.laterSnapshots, unit: '' },
    { name: 'connections dropped', value: s.disconnects, unit: '' },
    { name: 'events refused (too many)', value: s.refusals, unit: '' },
    { name: 'deltas sent', value: s.deltasPerSecond, unit: 'per second' },
    { name: '  mean delta size', value: s.meanDeltaBytes / 1024, unit: 'KiB' },
    { name: 'snapshot size', value: s.snapshotBytes / 1024, unit: 'KiB' },
    { name: 'web process CPU (load window)', value: s.server.cpuPercent, unit: '% of a core' },
    { name: 'web process memory, mean / peak', value: s.server.rssMeanMb, unit: `MB / ${Math.round(s.server.rssPeakMb)} MB` },
    { name: 'dashboards processes CPU', value: s.dashboardsCpuPercent, unit: '% of a core' },
    { name: 'bare Socket.io: send → receive p50', value: s.bare.latency.p50, unit: 'ms' },
    { name: 'bare Socket.io: send → receive p99', value: s.bare.latency.p99, unit: 'ms' },
    { name: 'bare Socket.io: server CPU', value: s.bare.usage.cpuPercent, unit: '% of a core' },
    { name: 'ratio: Relance p99 ÷ bare p99', value: p99Ratio, unit: '' },
    { name: 'ratio: Relance p50 ÷ bare p50', value: p50Ratio, unit: '' },
  ];
  const notes = [
    `${s.dashboards} dashboards (viewer tokens, one WebSocket each) in ${DASHBOARD_PROCESSES} processes; ${WATCHERS} watchers posting single reports in another; ${STATIONS.toLocaleString('en-US')} stations`,
    `bare Socket.io: ${s.barePerSecond.toFixed(1)} messages/s of ${(s.barePayloadBytes / 1024).toFixed(0)} KiB (${s.deltasPerSecond > 0 ? 'the mean delta' : 'no delta came: the snapshot'}) to ${s.bare.connected} clients, ${s.bare.sent} sent, ${(baseline.bareReceivedShare * 100).toFixed(1)} % received`,
    `budgets: p99 ≤ ${LIVE_BUDGET.p99Ms} ms with ${LIVE_BUDGET.dashboards} dashboards at ${rate.toLocaleString('en-US')} reports/s, every report on every dashboard; first load ≤ ${LIVE_BUDGET.firstLoadMs} ms with ${STATIONS.toLocaleString('en-US')} stations (${LARGE_STATIONS.toLocaleString('en-US')} loads); ≤ ${LIVE_BUDGET.deltaMs} ms per delta`,
  ];
  if (s.connectFailures.length > 0) notes.push(`dashboards that could not connect: ${s.connectFailures.join('; ')}`);
  if (reportErrors > 0)
    notes.push(
      `failed reports: ${Object.entries(s.reportErrors)
        .map(([status, count]) => `${count} × ${status}`)
        .join(', ')}`,
      ...s.reportErrorSamples.map((sample) => `  e.g. ${sample}`),
    );
  if (s.reportsFlagged > 0) notes.push(`${s.reportsFlagged} reports were stored flagged: the benchmark's reports should all be accepted`);

  pageRows(`${STATIONS.toLocaleString('en-US')} stations`, 'page1k', pages.small, metrics, rows, notes);
  pageRows(`${LARGE_STATIONS.toLocaleString('en-US')} stations`, 'page10k', pages.large, metrics, rows, notes);
  const pageOk = (result: DashboardPageResult, firstLoadBudget: number) =>
    result.kind === 'skipped' ||
    (result.kind === 'measured' && result.firstLoadMs <= firstLoadBudget && result.deltaMs <= LIVE_BUDGET.deltaMs);

  const ok =
    s.connected === s.dashboards &&
    s.latency.p99 <= LIVE_BUDGET.p99Ms &&
    deliveredShare === 1 &&
    reportErrors === 0 &&
    pageOk(pages.small, LIVE_BUDGET.firstLoadMs) &&
    // 10,000 stations has no budget of its own, only "still usable": it loads and shows its figures.
    pages.large.kind !== 'failed';
  return { scenario: 'live', rows, metrics, baseline, ok, notes };
}
