import type { Relance } from '../../server/relance.ts';
import { CHASE_BUDGET } from './chase-report.ts';
import { CHASE_CONNECTIONS, CHASE_DEFAULT_SECONDS, runChase } from './chase.ts';
import { DB_CEILING_DEFAULT_ROWS, dbCeilingBaseline, measureDbCeiling, type Measurement } from './db-ceiling.ts';
import { IMPORT_DEFAULT_ROWS, measureImport } from './import-voters.ts';
import { INGEST_BUDGET, INGEST_CONNECTIONS, INGEST_DEFAULT_SECONDS, runIngest } from './ingest.ts';
import { LIVE_BUDGET, LIVE_CONNECTIONS, LIVE_DEFAULT_SECONDS, runLive } from './live.ts';
import type { BenchReport, ReportRow } from './report.ts';
import { runSms, SMS_BUDGET, SMS_CONNECTIONS, SMS_DEFAULT_ROWS, SMS_DEFAULT_SECONDS } from './sms.ts';

export interface ScenarioOptions {
  /** --rows: the scenario's main size; each scenario documents what it counts. */
  rows?: number;
  /** --seconds: how long each timed phase of a load scenario lasts. */
  seconds?: number;
  /** Progress for the person waiting; goes to stderr so stdout stays the table and the JSON line. */
  onProgress: (message: string) => void;
}

export interface Scenario {
  description: string;
  /** The pool the harness opens for it holds this many connections. */
  connections: number;
  /** Relance, opened on a scratch database with a pool of `connections`. */
  run(relance: Relance, options: ScenarioOptions): Promise<BenchReport>;
}

const DB_CEILING_CONCURRENCY = 8;

function isPositiveRate(measurement: Measurement): boolean {
  return Number.isFinite(measurement.rowsPerSecond) && measurement.rowsPerSecond > 0;
}

/**
 * This scenario is the baseline itself, so it has no budget: ok means every measurement completed
 * at a positive rate. `baseline` holds the raw rates (what later scenarios divide by); `metrics`
 * holds the same rates plus each measurement's row count and duration, to judge how much to trust them.
 */
const dbCeiling: Scenario = {
  description: `PostgreSQL write rates for report-shaped rows: single-row, concurrent, batched INSERT and COPY (--rows, default ${DB_CEILING_DEFAULT_ROWS.toLocaleString('en-US')})`,
  connections: DB_CEILING_CONCURRENCY,
  async run(relance, options) {
    const ceiling = await measureDbCeiling(relance.db.pool, {
      rows: options.rows,
      concurrency: DB_CEILING_CONCURRENCY,
      onProgress: options.onProgress,
    });
    const measurements = [
      ['singleInsert', 'single-row INSERT, 1 connection', ceiling.singleInsert],
      ['concurrentInsert', `single-row INSERT, ${ceiling.concurrency} connections`, ceiling.concurrentInsert],
      ['batchedInsert', `batched INSERT, ${ceiling.batchSize} rows per statement`, ceiling.batchedInsert],
      ['copy', 'COPY FROM STDIN', ceiling.copy],
    ] as const;

    const rows: ReportRow[] = [];
    const metrics: Record<string, number> = { ...dbCeilingBaseline(ceiling) };
    for (const [key, label, measurement] of measurements) {
      rows.push({ name: label, value: measurement.rowsPerSecond, unit: 'rows/s' });
      rows.push({ name: `  ${measurement.rows.toLocaleString('en-US')} rows in`, value: measurement.durationMs, unit: 'ms' });
      metrics[`${key}Rows`] = measurement.rows;
      metrics[`${key}Ms`] = measurement.durationMs;
    }

    const { server } = ceiling;
    const notes = [
      `PostgreSQL ${server.version}: fsync=${server.fsync}, synchronous_commit=${server.synchronousCommit}, wal_sync_method=${server.walSyncMethod}`,
    ];
    if (server.fsync !== 'on' || server.synchronousCommit === 'off') {
      notes.push('warning: this server does not flush commits to disk, so these rates overstate the durable ceiling');
    }

    return {
      scenario: 'db-ceiling',
      rows,
      metrics,
      baseline: dbCeilingBaseline(ceiling),
      ok: measurements.every(([, , measurement]) => isPositiveRate(measurement)),
      notes,
    };
  },
};

const importVoters: Scenario = {
  description: `a Windows-1252, ;-separated voter file (--rows, default ${IMPORT_DEFAULT_ROWS.toLocaleString('en-US')}) through relance import voters in its own process, against a raw COPY of the same file`,
  connections: 2,
  run: (relance, options) => measureImport(relance, options),
};

/** Reports over HTTP into the real web app, from 200 watchers in another process; see ingest.ts. */
const ingest: Scenario = {
  description:
    `200 watchers posting reports over HTTP: accepted/s saturated (≥ ${INGEST_BUDGET.acceptedPerSecond.toLocaleString('en-US')}), ` +
    `p99 at ${INGEST_BUDGET.offeredRate.toLocaleString('en-US')}/s (≤ ${INGEST_BUDGET.p99Ms} ms), duplicates (0), vs db and bare HTTP ceilings; ` +
    `the watcher page on a slow phone when build/ exists (--seconds per phase, default ${INGEST_DEFAULT_SECONDS}; --rows for the db ceiling)`,
  connections: INGEST_CONNECTIONS,
  run: runIngest,
};

/** The war room's live channel under load, and the dashboard page in Chromium; see live.ts. */
const live: Scenario = {
  description:
    `${LIVE_BUDGET.dashboards} dashboards on /live while reports arrive at ${LIVE_BUDGET.reportsPerSecond.toLocaleString('en-US')}/s: ` +
    `report → dashboard p99 (≤ ${LIVE_BUDGET.p99Ms} ms), share delivered, server CPU and memory, vs a bare Socket.io broadcast; ` +
    `the dashboard page's first load (≤ ${LIVE_BUDGET.firstLoadMs} ms, 1,000 and 10,000 stations) and one delta (≤ ${LIVE_BUDGET.deltaMs} ms) ` +
    `when build/ exists (--seconds of load, default ${LIVE_DEFAULT_SECONDS})`,
  connections: LIVE_CONNECTIONS,
  run: runLive,
};

/** The one-click chase list on a city of a million voters, and volunteers claiming from it; see chase.ts. */
const chase: Scenario = {
  description:
    `a chase list of about 100,000 entries from 1,000,000 voters: preview (≤ ${CHASE_BUDGET.previewMs} ms, against a hand-written count) ` +
    `and build and save (≤ ${CHASE_BUDGET.buildMs} ms, ≤ ${CHASE_BUDGET.buildRatio} × a hand-written INSERT … SELECT), p50 and p95 of 7 runs; ` +
    `50 volunteers claiming over HTTP (≥ ${CHASE_BUDGET.claimsPerSecond} claims/s, p99 ≤ ${CHASE_BUDGET.claimP99Ms} ms; against the same ` +
    `statements straight on PostgreSQL); ` +
    `marked as voted → off every list (--seconds of claims, default ${CHASE_DEFAULT_SECONDS})`,
  connections: CHASE_CONNECTIONS,
  run: runChase,
};

/** The SMS outbox on both queue backends: queuing, pacing, a worker killed mid-list; see sms.ts. */
const sms: Scenario = {
  description:
    `the SMS outbox on PostgreSQL and Redis queues: a list of --rows texts queued (default ${SMS_DEFAULT_ROWS.toLocaleString('en-US')}, ` +
    `≥ ${SMS_BUDGET.enqueuedPerSecond.toLocaleString('en-US')}/s, vs bare BullMQ addBulk), a worker node's pace at 50/s to a fake Twilio ` +
    `(±${SMS_BUDGET.pacingTolerance * 100} %, --seconds, default ${SMS_DEFAULT_SECONDS}), and duplicates after it is killed (0)`,
  connections: SMS_CONNECTIONS,
  run: runSms,
};

export const SCENARIOS: Record<string, Scenario> = {
  'db-ceiling': dbCeiling,
  chase,
  import: importVoters,
  // The name the budget table uses for the same scenario.
  'import-voters': importVoters,
  ingest,
  live,
  sms,
};
