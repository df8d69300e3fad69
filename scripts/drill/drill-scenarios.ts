/**
 * The drill's scenarios: a polling day's burst from the phones (reports and voted marks over HTTP)
 * and war-room screens on /live, something broken in the middle of it and repaired, then the audit.
 * Each scenario says what it breaks and how it repairs it; running one is the same for all.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { electionTime } from '../../server/elections/elections.clock.ts';
import type { Services } from '../../server/services.ts';
import { startHelper, type Helper } from '../bench/child.ts';
import type { ReportRow } from '../bench/report.ts';
import { summarize } from '../bench/stats.ts';
import { auditStored, differences, storedCounts, type StoredAudit } from './drill-audit.ts';
import type { Cluster } from './drill-cluster.ts';
import type { DashboardsAnswer, DashboardsCommand } from './drill-dashboards.ts';
import { REGISTERED, TEXTS, type DrillElection, type DrillSize } from './drill-election.ts';
import { apiAnswers, sampleReadiness, waitUntilReady, type ReadySample } from './drill-monitor.ts';
import type { PhonesCommand, PhonesLoad, PhonesResult } from './drill-phones.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How hard and how long: the short version runs in CI, `--long` is the week-before rehearsal. */
export interface DrillPace {
  size: DrillSize;
  reportsPerSecond: number;
  marksPerSecond: number;
  /** The burst: the fault comes `faultAfterSeconds` into it and lasts `faultSeconds`. */
  loadSeconds: number;
  faultAfterSeconds: number;
  faultSeconds: number;
  /** After the burst, how long phones keep sending what is not acknowledged yet. */
  drainSeconds: number;
  /** The texts' pace (SMS_RATE_PER_SECOND) in kill-worker. */
  textsPerSecond: number;
}

export const SHORT: DrillPace = {
  size: { phones: 40, stationsPerPhone: 2, rollSize: 40, dashboards: 6 },
  reportsPerSecond: 150,
  marksPerSecond: 15,
  loadSeconds: 6,
  faultAfterSeconds: 1.5,
  faultSeconds: 3,
  drainSeconds: 40,
  textsPerSecond: 400,
};

export const LONG: DrillPace = {
  size: { phones: 200, stationsPerPhone: 2, rollSize: 50, dashboards: 50 },
  reportsPerSecond: 1_000,
  marksPerSecond: 50,
  loadSeconds: 60,
  faultAfterSeconds: 15,
  faultSeconds: 20,
  drainSeconds: 120,
  textsPerSecond: 50,
};

/** The screens must show the stored truth within this long of the recovery. */
export const CONVERGE_WITHIN_MS = 5_000;

/** The phones' and the screens' processes, started once for the whole drill. */
export interface DrillClients {
  phones: Helper<PhonesCommand, PhonesResult>;
  dashboards: Helper<DashboardsCommand, DashboardsAnswer>;
}

export function startClients(): DrillClients {
  return {
    phones: startHelper<PhonesCommand, PhonesResult>(path.join(here, 'drill-phones.ts'), 'the phones'),
    dashboards: startHelper<DashboardsCommand, DashboardsAnswer>(path.join(here, 'drill-dashboards.ts'), 'the screens'),
  };
}

export interface DrillContext {
  clients: DrillClients;
  cluster: Cluster;
  services: Services;
  election: DrillElection;
  pace: DrillPace;
  progress: (message: string) => void;
}

interface Fault {
  /** What is broken, for the table. */
  describe(pace: DrillPace): string;
  /** Whether a dependency of every web node is down while broken: /readyz must say so. */
  dependencyDown: boolean;
  /** Web nodes that are down on purpose while broken (their /readyz is not expected to answer). */
  nodesDown?: number[];
  /** Before the burst (the phones' load may be changed). */
  prepare?(context: DrillContext, load: PhonesLoad): Promise<void>;
  /** Breaks it; returns when (ms) it broke, when that is not when it was called. */
  inject(context: DrillContext): Promise<number | void>;
  /**
   * Repairs it, `faultSeconds` after breaking it: from then on, the time to recover is counted.
   * Absent: nothing is repaired, the rest of the system must carry on (counted from the break).
   */
  repair?(context: DrillContext): Promise<void>;
  /** What this fault puts at risk besides reports and marks, checked after the load. */
  audit?(
    context: DrillContext,
    repairedAt: number,
  ): Promise<{ rows: ReportRow[]; metrics: Record<string, number>; ok: boolean; notes: string[] }>;
  /** After the audit: back to a whole cluster for the next scenario. */
  restore?(context: DrillContext): Promise<void>;
}

export interface ScenarioResult {
  scenario: string;
  rows: ReportRow[];
  metrics: Record<string, number>;
  ok: boolean;
  notes: string[];
}

const killWeb: Fault = {
  describe: () => 'kill -9 of web node 2 of 2, behind the load balancer; started again after the audit',
  dependencyDown: false,
  nodesDown: [1],
  async inject({ cluster }) {
    await cluster.killWeb(1);
  },
  // Nothing is repaired: the load balancer and the clients must carry on with the node left.
  async restore({ cluster }) {
    await cluster.startWeb(1);
  },
};

const restartPostgres: Fault = {
  describe: (pace) => `PostgreSQL stopped (fast shutdown) for ${pace.faultSeconds} s, then started again`,
  dependencyDown: true,
  async inject({ cluster }) {
    await cluster.stopPostgres();
  },
  async repair({ cluster }) {
    await cluster.startPostgres();
  },
};

function killRedis(appendOnly: boolean): Fault {
  return {
    describe: (pace) =>
      `kill -9 of Redis (${appendOnly ? 'append-only file on: data kept' : 'no append-only file: data lost'}), down for ${pace.faultSeconds} s`,
    dependencyDown: true,
    async prepare({ cluster, progress }) {
      progress(`redis: ${appendOnly ? 'with' : 'without'} its append-only file`);
      await cluster.setRedisAppendOnly(appendOnly);
    },
    async inject({ cluster }) {
      await cluster.killRedis();
    },
    async repair({ cluster }) {
      await cluster.startRedis();
    },
  };
}

/** Two simulated hours offline: the election's clock runs faster for the length of the fault. */
const offlinePhones: Fault = {
  describe: (pace) => `10 % of the phones offline for 2 simulated hours (${pace.faultSeconds} s), then flushing their outboxes`,
  dependencyDown: false,
  async prepare({ services, election, pace }, load) {
    const speed = (2 * 3600) / pace.faultSeconds;
    const now = electionTime(new Date(), election.clock);
    election.clock = await services.elections.startSimulation(election.electionId, {
      startsFrom: now,
      endsAt: election.pollsCloseAt,
      speed,
    });
    load.clock = serializeClock(election.clock);
    load.offline = {
      count: Math.max(1, Math.round(load.phones.length / 10)),
      fromMs: pace.faultAfterSeconds * 1000,
      toMs: (pace.faultAfterSeconds + pace.faultSeconds) * 1000,
    };
  },
  async inject() {},
  // The phones come back online: from then on, their outboxes' flush is timed.
  async repair() {},
  async restore({ services, election }) {
    const now = electionTime(new Date(), election.clock);
    election.clock = await services.elections.startSimulation(election.electionId, {
      startsFrom: now,
      endsAt: election.pollsCloseAt,
      speed: 1,
    });
  },
};

const retryStorm: Fault = {
  describe: (pace) => `for ${pace.faultSeconds} s, every request sent three times: two at once, one after a 20 ms client-side timeout`,
  dependencyDown: false,
  async prepare({ pace }, load) {
    load.retryStorm = { timeoutMs: 20, fromMs: pace.faultAfterSeconds * 1000, toMs: (pace.faultAfterSeconds + pace.faultSeconds) * 1000 };
  },
  // The storm ends by itself: from then on, the time to catch up is counted.
  async repair() {},
  async inject() {},
};

/** A person's decision, or Twilio's SID: a text is settled once it is one of these. */
async function settledTexts({ services, election }: DrillContext) {
  const rows = await services.db.prisma.outboundMessage.findMany({
    where: { listId: election.texts!.listId },
    select: { status: true, reviewReason: true, providerSid: true, toPhone: true },
  });
  const unsettled = rows.filter((row) => (row.status === 'pending' || row.status === 'sending') && row.reviewReason === null);
  return { rows, unsettled: unsettled.length };
}

/**
 * The worker killed while a list of texts goes out: after its restart, Twilio's log must hold each text
 * at most once, and every text must be recorded as sent (with the SID Twilio gave it) or left for a
 * person to decide (and then Twilio must not have it).
 */
const killWorker: Fault = {
  describe: (pace) =>
    `kill -9 of the worker once a quarter of ${TEXTS.toLocaleString('en-US')} texts went out, started again ${pace.faultSeconds} s later`,
  dependencyDown: false,
  async inject(context) {
    const { cluster, services, election } = context;
    const texts = election.texts!;
    const { queued } = await services.sms.sendListTexts(texts.sender, texts.listId, texts.templateId);
    if (queued !== texts.count) throw new Error(`${queued} texts queued of ${texts.count}`);
    const deadline = Date.now() + 60_000;
    while ((await cluster.textsAccepted()).length < texts.count / 4) {
      if (Date.now() > deadline) throw new Error('the worker did not send a quarter of the texts within a minute');
      await sleep(20);
    }
    await cluster.killWorker();
    return Date.now();
  },
  async repair({ cluster }) {
    await cluster.startWorker();
  },
  async audit(context, repairedAt) {
    const { cluster, election } = context;
    const started = Date.now();
    let settled = await settledTexts(context);
    while (settled.unsettled > 0 && Date.now() - started < 120_000) {
      await sleep(200);
      settled = await settledTexts(context);
    }
    const settledMs = Date.now() - repairedAt;
    const accepted = await cluster.textsAccepted();
    const sent = settled.rows.filter((row) => row.status === 'sent' || row.status === 'delivered');
    const review = settled.rows.filter((row) => row.status === 'sending' && row.reviewReason !== null);
    const acceptedPhones = new Set(accepted.map((text) => text.to));
    const acceptedSids = new Set(accepted.map((text) => text.sid));
    const sentSids = new Set(sent.map((row) => row.providerSid));
    const metrics = {
      textsQueued: settled.rows.length,
      textsSent: sent.length,
      textsForReview: review.length,
      textsOther: settled.rows.length - sent.length - review.length,
      textsUnsettled: settled.unsettled,
      textsTwiceAtTwilio: accepted.length - acceptedPhones.size,
      textsAcceptedNotRecorded: accepted.filter((text) => !sentSids.has(text.sid)).length,
      textsRecordedNotAccepted: sent.filter((row) => !acceptedSids.has(row.providerSid ?? '')).length,
      textsForReviewButSent: review.filter((row) => acceptedPhones.has(row.toPhone)).length,
      textsSettledMs: settledMs,
      settledMs,
    };
    const ok =
      metrics.textsQueued === election.texts!.count &&
      metrics.textsSent + metrics.textsForReview === metrics.textsQueued &&
      metrics.textsUnsettled === 0 &&
      metrics.textsTwiceAtTwilio === 0 &&
      metrics.textsAcceptedNotRecorded === 0 &&
      metrics.textsRecordedNotAccepted === 0 &&
      metrics.textsForReviewButSent === 0;
    return {
      metrics,
      ok,
      notes: ok ? [] : ['texts: not every text was sent exactly once or left for a person to decide (see the texts rows)'],
      rows: [
        { name: 'texts queued', value: metrics.textsQueued, unit: 'texts' },
        { name: '  sent (Twilio SID recorded)', value: metrics.textsSent, unit: 'texts' },
        { name: '  left for a person to decide', value: metrics.textsForReview, unit: 'texts' },
        { name: '  neither (failed, canceled)', value: metrics.textsOther, unit: 'texts' },
        { name: '  still pending or sending', value: metrics.textsUnsettled, unit: 'texts' },
        { name: '  sent twice (Twilio log)', value: metrics.textsTwiceAtTwilio, unit: 'texts' },
        { name: '  in Twilio log, not recorded sent', value: metrics.textsAcceptedNotRecorded, unit: 'texts' },
        { name: '  recorded sent, not in Twilio log', value: metrics.textsRecordedNotAccepted, unit: 'texts' },
        { name: '  left for a person, yet in Twilio log', value: metrics.textsForReviewButSent, unit: 'texts' },
        { name: '  all settled, after the restart', value: metrics.textsSettledMs, unit: 'ms' },
      ],
    };
  },
};

export const FAULTS: Record<string, Fault> = {
  'kill-web': killWeb,
  'restart-postgres': restartPostgres,
  'kill-redis': killRedis(true),
  'kill-redis-no-aof': killRedis(false),
  'offline-phones': offlinePhones,
  'retry-storm': retryStorm,
  'kill-worker': killWorker,
};

/** The scenarios `all` runs, and the names a user may give (kill-redis runs both Redis variants). */
export const SCENARIO_NAMES = ['kill-web', 'restart-postgres', 'kill-redis', 'offline-phones', 'retry-storm', 'kill-worker'];
export const expandScenario = (name: string) => (name === 'kill-redis' ? ['kill-redis', 'kill-redis-no-aof'] : [name]);

function serializeClock(clock: DrillElection['clock']) {
  return {
    startedAt: clock.startedAt.toISOString(),
    startsFrom: clock.startsFrom.toISOString(),
    endsAt: clock.endsAt.toISOString(),
    speed: clock.speed,
  };
}

/** Failures by what they were (a status, a network error's code), most frequent first. */
function tally(failures: [number, string, string][]): [string, number][] {
  const counts = new Map<string, number>();
  for (const [, , what] of failures) counts.set(what, (counts.get(what) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** Within [from, to]: whether every node in `nodes` answered 503 at least once (from, to: wall ms). */
function saidNotReady(samples: ReadySample[], nodes: number[], from: number, to: number): boolean {
  return nodes.every((node) =>
    samples.some((sample) => sample.node === node && sample.at >= from && sample.at <= to && sample.status === 503),
  );
}

export async function runScenario(name: string, context: DrillContext): Promise<ScenarioResult> {
  const fault = FAULTS[name]!;
  const { cluster, election, pace, progress } = context;
  const block = election.blocks.get(name)!;
  const nodes = cluster.webUrls.map((_, index) => index);
  const liveNodes = nodes.filter((node) => !fault.nodesDown?.includes(node));

  const load: PhonesLoad = {
    type: 'load',
    url: cluster.balancerUrl,
    phones: block.phones,
    rollSize: pace.size.rollSize,
    registered: REGISTERED,
    clock: serializeClock(election.clock),
    seconds: pace.loadSeconds,
    reportsPerSecond: pace.reportsPerSecond,
    marksPerSecond: pace.marksPerSecond,
    drainSeconds: pace.drainSeconds,
  };
  await fault.prepare?.(context, load);
  await waitUntilReady(cluster.webUrls, 60_000);

  const { phones, dashboards } = context.clients;
  const pool = new pg.Pool({ connectionString: cluster.databaseUrl, max: 2 });
  pool.on('error', () => {});
  try {
    progress(`${name}: ${pace.size.dashboards} screens on /live`);
    const connected = await dashboards.ask({ type: 'connect', url: cluster.balancerUrl, tokens: election.viewerTokens });
    if (connected.type !== 'connected' || connected.connected !== election.viewerTokens.length) {
      throw new Error(`screens could not connect: ${JSON.stringify(connected)}`);
    }
    const before = await apiAnswers(cluster.webUrls);
    const readiness = sampleReadiness(cluster.webUrls);
    progress(
      `${name}: ${pace.reportsPerSecond} reports/s and ${pace.marksPerSecond} marks/s from ${block.phones.length} phones for ${pace.loadSeconds} s`,
    );
    const startedAt = Date.now();
    const running = phones.ask(load);
    running.catch(() => {});

    await sleep(pace.faultAfterSeconds * 1000);
    progress(`${name}: ${fault.describe(pace)}`);
    const injectedAt = Date.now();
    const brokenAt = (await fault.inject(context)) ?? injectedAt;
    let during = await apiAnswers(cluster.webUrls);
    if (fault.repair) {
      await sleep(Math.max(0, brokenAt + pace.faultSeconds * 1000 - Date.now()));
      during = await apiAnswers(cluster.webUrls);
      await fault.repair(context);
    }
    const repairedAt = fault.repair ? Date.now() : brokenAt;
    progress(`${name}: repaired; waiting for the phones to send everything`);

    const result = await running;
    const samples = await readiness.stop(repairedAt, liveNodes);
    const after = await apiAnswers(cluster.webUrls);

    // Recovered: every live node ready again, and everything the phones made before the repair acknowledged.
    const readyAgainAt =
      samples.find(
        (sample, index) =>
          sample.at >= repairedAt && liveNodes.every((node) => samples.slice(index).find((later) => later.node === node)?.status === 200),
      )?.at ?? Number.NaN;
    const backlogAt = Math.max(repairedAt, ...result.items.filter(([made]) => made <= repairedAt).map(([, acknowledged]) => acknowledged));
    const recoveredAt = Math.max(readyAgainAt, backlogAt);
    const lastAcknowledged = Math.max(...result.items.map(([, acknowledged]) => acknowledged).filter(Number.isFinite));

    progress(`${name}: auditing`);
    const stored: StoredAudit = await auditStored(pool, election.electionId, block.stationCodes, result);

    // The screens and the API, against the stored counts: polled until they agree, up to 3 × the budget.
    const settledAt = Math.max(Number.isFinite(recoveredAt) ? recoveredAt : 0, lastAcknowledged);
    let convergedMs = Number.NaN;
    let screensDiffering = 0;
    let apiDiffering = 0;
    while (Date.now() - settledAt <= 3 * CONVERGE_WITHIN_MS) {
      const truth = await storedCounts(pool, election.electionId);
      const state = await dashboards.ask({ type: 'state' });
      if (state.type !== 'state') throw new Error('the screens did not answer');
      screensDiffering = state.dashboards.filter((screen) => differences(screen.voted, truth) > 0).length;
      apiDiffering = 0;
      for (const node of liveNodes) {
        // A connection the node closed as it was reused (its keep-alive ran out) is asked again at the next poll.
        const response = await fetch(`${cluster.webUrls[node]}/api/v1/turnout`, {
          headers: { authorization: `Bearer ${election.viewerTokens[0]}` },
        }).catch(() => null);
        if (!response?.ok) {
          apiDiffering++;
          continue;
        }
        const snapshot = (await response.json()) as { stations: { code: string; voted: number }[] };
        const shown = Object.fromEntries(snapshot.stations.map((station) => [station.code, station.voted]));
        if (differences(shown, truth) > 0) apiDiffering++;
      }
      if (screensDiffering === 0 && apiDiffering === 0) {
        convergedMs = Math.max(0, Date.now() - settledAt);
        break;
      }
      await sleep(200);
    }
    const extra = await fault.audit?.(context, repairedAt);
    const screens = await dashboards.ask({ type: 'state' });
    const screenStats = screens.type === 'state' ? screens.dashboards : [];

    const duringFault = (at: number) => at >= brokenAt && at <= recoveredAt;
    const failuresOf = (kind: string) => result.failures.filter(([, failure]) => failure === kind);
    const retryable = failuresOf('retryable');
    const notRetryable = failuresOf('not_retryable');
    const noAnswer = failuresOf('no_answer');
    const gaveUp = failuresOf('gave_up');
    const readyzHonest = fault.dependencyDown
      ? saidNotReady(samples, liveNodes, brokenAt, repairedAt) && Number.isFinite(readyAgainAt)
      : // Nothing is down: a live node must never say it is not ready (a slow answer on a busy machine is no lie).
        samples.every((sample) => !liveNodes.includes(sample.node) || sample.status !== 503);
    // What the fault put at risk besides (the texts) counts too: recovered once that is settled as well.
    const recoveryMs = Math.max(recoveredAt - repairedAt, extra?.metrics.settledMs ?? 0);
    // From when an item was made to its acknowledgement: the time it waited in a phone's outbox included.
    const waited = summarize(
      result.items.filter(([, acknowledged]) => Number.isFinite(acknowledged)).map(([made, acknowledged]) => acknowledged - made),
    );

    const metrics: Record<string, number> = {
      loadSeconds: pace.loadSeconds,
      faultSeconds: pace.faultSeconds,
      reportsPerSecond: pace.reportsPerSecond,
      marksPerSecond: pace.marksPerSecond,
      phones: block.phones.length,
      screens: screenStats.length,
      requests: result.requests,
      sent: stored.sent,
      acknowledged: stored.acknowledged,
      stored: stored.stored,
      duplicates: stored.duplicates,
      storedNotSent: stored.extra,
      lost: stored.lost,
      unacknowledged: stored.unacknowledged,
      markedNotVoted: stored.markedNotVoted,
      refused: result.refusals.length,
      recoveryMs,
      readyAgainMs: readyAgainAt - repairedAt,
      acknowledgedP50Ms: waited.p50,
      acknowledgedP99Ms: waited.p99,
      acknowledgedMaxMs: waited.max,
      failedRetryable: retryable.length,
      failedRetryableDuringFault: retryable.filter(([at]) => duringFault(at)).length,
      failedNotRetryable: notRetryable.length,
      noAnswer: noAnswer.length,
      gaveUp: gaveUp.length,
      readyzHonest: readyzHonest ? 1 : 0,
      readyz503Samples: samples.filter((sample) => sample.status === 503).length,
      metrics5xxDuringFault: during.serverErrors - before.serverErrors,
      metrics5xx: after.serverErrors - before.serverErrors,
      convergedMs,
      screensDiffering,
      apiDiffering,
      screenDisconnects: screenStats.reduce((sum, screen) => sum + screen.disconnects, 0),
      screenResyncs: screenStats.reduce((sum, screen) => sum + screen.resyncs, 0),
      phonesCpuMs: result.cpuMs,
      seconds: (Date.now() - startedAt) / 1000,
    };
    Object.assign(metrics, extra?.metrics);
    const ok =
      (extra?.ok ?? true) &&
      stored.lost === 0 &&
      stored.duplicates === 0 &&
      stored.extra === 0 &&
      stored.unacknowledged === 0 &&
      stored.markedNotVoted === 0 &&
      result.refusals.length === 0 &&
      notRetryable.length === 0 &&
      noAnswer.length === 0 &&
      readyzHonest &&
      convergedMs <= CONVERGE_WITHIN_MS;

    const notes = [
      `fault: ${fault.describe(pace)}`,
      ...(extra?.notes ?? []),
      ...result.refusals.slice(0, 5).map((refusal) => `refused: ${refusal}`),
      ...tally(retryable).map(([what, count]) => `failed, retryable: ${count} × ${what}`),
      ...tally(notRetryable).map(([what, count]) => `failed without a retryable signal: ${count} × ${what}`),
      ...[...new Set(noAnswer.map(([, , what]) => what))].map((what) => `no answer: ${what}`),
      ...(readyzHonest ? [] : ['/readyz did not tell the outage as it happened (503 while down, 200 after)']),
      ...(convergedMs <= CONVERGE_WITHIN_MS
        ? []
        : [
            `the screens did not show the stored counts within ${CONVERGE_WITHIN_MS / 1000} s (${screensDiffering} screens, ${apiDiffering} nodes' API differ)`,
          ]),
    ];
    const rows: ReportRow[] = [
      { name: 'load: reports offered', value: pace.reportsPerSecond, unit: '/s' },
      { name: 'load: voted marks offered', value: pace.marksPerSecond, unit: '/s' },
      { name: 'load: phones / screens', value: block.phones.length, unit: `phones, ${screenStats.length} screens` },
      { name: 'load: burst', value: pace.loadSeconds, unit: 's' },
      { name: 'fault: lasted', value: pace.faultSeconds, unit: 's' },
      { name: 'requests sent', value: result.requests, unit: 'requests' },
      { name: 'items sent (reports and marks)', value: stored.sent, unit: 'items' },
      { name: 'acknowledged (2xx)', value: stored.acknowledged, unit: 'items' },
      { name: 'stored', value: stored.stored, unit: 'rows' },
      { name: 'duplicates stored', value: stored.duplicates, unit: 'rows' },
      { name: 'stored, never sent', value: stored.extra, unit: 'rows' },
      { name: 'lost (acknowledged, not stored once)', value: stored.lost, unit: 'items' },
      { name: 'never acknowledged', value: stored.unacknowledged, unit: 'items' },
      { name: 'marked voters not voted', value: stored.markedNotVoted, unit: 'voters' },
      { name: 'made → acknowledged p50', value: waited.p50, unit: 'ms' },
      { name: 'made → acknowledged p99', value: waited.p99, unit: 'ms' },
      { name: 'made → acknowledged max', value: waited.max, unit: 'ms' },
      { name: 'recovery time', value: recoveryMs, unit: 'ms' },
      { name: '  /readyz 200 on every node again', value: readyAgainAt - repairedAt, unit: 'ms' },
      { name: 'failed, retryable (503/429 + Retry-After, refused)', value: retryable.length, unit: 'requests' },
      { name: 'failed, not retryable (500, …)', value: notRetryable.length, unit: 'requests' },
      { name: 'no answer (hung)', value: noAnswer.length, unit: 'requests' },
      { name: 'given up by the phone (client-side timeout)', value: gaveUp.length, unit: 'requests' },
      { name: '/readyz 503 samples', value: metrics.readyz503Samples!, unit: `samples (${readyzHonest ? 'honest' : 'NOT honest'})` },
      { name: '/metrics: API 5xx counted during the fault', value: metrics.metrics5xxDuringFault!, unit: 'answers' },
      { name: 'screens show the stored counts after', value: convergedMs, unit: 'ms' },
      { name: 'screens reconnected / resynced', value: metrics.screenDisconnects!, unit: `disconnects, ${metrics.screenResyncs} resyncs` },
      ...(extra?.rows ?? []),
    ];
    return { scenario: name, rows, metrics, ok, notes };
  } finally {
    await dashboards.ask({ type: 'close' }).catch(() => {});
    await pool.end().catch(() => {});
    await fault.restore?.(context);
  }
}
