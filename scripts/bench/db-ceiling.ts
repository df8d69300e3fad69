/**
 * db-ceiling: how fast this machine's PostgreSQL takes turnout-report-shaped rows, by the four
 * ways an ingest path can write them. Every other write benchmark divides its figures by these,
 * measured in the same run, so a result reads "x% of what the database allows here" instead of a
 * raw rate that changes with the machine and whatever else it is doing.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export interface DbCeilingOptions {
  /** Rows for the batched insert and COPY measurements. */
  rows?: number;
  /** Rows for the single-row measurements: each is a commit, so far fewer fit in the same time. */
  singleRows?: number;
  batchSize?: number;
  /** Connections for the concurrent single-row inserts; the pool must allow at least this many. */
  concurrency?: number;
  onProgress?: (message: string) => void;
}

export interface Measurement {
  rows: number;
  durationMs: number;
  rowsPerSecond: number;
}

export interface DbCeiling {
  /** One connection, one autocommitted INSERT per row: the cost of a commit (a WAL flush). */
  singleInsert: Measurement;
  /** Several connections doing the same: concurrent commits share WAL flushes. */
  concurrentInsert: Measurement;
  /** One INSERT … SELECT FROM unnest(arrays) per batch, each its own transaction. */
  batchedInsert: Measurement;
  /** One COPY FROM STDIN for all rows, text format. */
  copy: Measurement;
  batchSize: number;
  concurrency: number;
  server: ServerSettings;
}

export interface ServerSettings {
  version: string;
  fsync: string;
  synchronousCommit: string;
  walSyncMethod: string;
}

export const DB_CEILING_DEFAULT_ROWS = 100_000;
const DEFAULT_SINGLE_ROWS = 5_000;
const DEFAULT_BATCH_SIZE = 500;
const DEFAULT_CONCURRENCY = 8;
const COPY_CHUNK_ROWS = 1_000;

const TABLE = 'bench_turnout_report';

// The shape of a turnout report; a logged table, because unlogged writes skip the WAL flush that
// bounds real ingest.
const CREATE_TABLE = `
  CREATE TABLE ${TABLE} (
    id uuid PRIMARY KEY,
    station_id integer NOT NULL,
    voters integer NOT NULL,
    observed_at timestamptz(3) NOT NULL,
    received_at timestamptz(3) NOT NULL DEFAULT now(),
    reporter_id integer,
    source text NOT NULL,
    status text NOT NULL DEFAULT 'accepted',
    note text
  );
  CREATE INDEX ${TABLE}_station_observed ON ${TABLE} (station_id, observed_at);
`;

const COLUMNS = 'id, station_id, voters, observed_at, reporter_id, source, note';

const INSERT_ONE = {
  name: 'bench-insert-one-report',
  text: `INSERT INTO ${TABLE} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
};

// Arrays rather than VALUES lists: seven parameters whatever the batch size, and one plan.
const INSERT_BATCH = {
  name: 'bench-insert-batch-report',
  text:
    `INSERT INTO ${TABLE} (${COLUMNS}) ` +
    'SELECT * FROM unnest($1::uuid[], $2::integer[], $3::integer[], $4::timestamptz[], $5::integer[], $6::text[], $7::text[])',
};

interface ReportRowData {
  id: string;
  stationId: number;
  voters: number;
  observedAt: string;
  reporterId: number | null;
  source: string;
  note: string | null;
}

const SOURCES = ['app', 'sms', 'phone'];
const POLLS_OPEN = Date.UTC(2026, 2, 15, 7, 0, 0);

/** Deterministic apart from the ids, which are random like real ones so the primary key sees scattered inserts. */
function makeRows(count: number): ReportRowData[] {
  return Array.from({ length: count }, (_, index) => ({
    id: randomUUID(),
    stationId: (index % 5_000) + 1,
    voters: (index * 37) % 900,
    observedAt: new Date(POLLS_OPEN + index * 250).toISOString(),
    reporterId: index % 7 === 0 ? null : (index % 20_000) + 1,
    source: SOURCES[index % SOURCES.length]!,
    // Some notes carry the characters COPY's text format must escape.
    note: index % 10 === 0 ? `queue\tat door ${index % 4}\\north\nslow` : index % 3 === 0 ? 'ok' : null,
  }));
}

function rowValues(row: ReportRowData): unknown[] {
  return [row.id, row.stationId, row.voters, row.observedAt, row.reporterId, row.source, row.note];
}

function batchValues(rows: ReportRowData[]): unknown[] {
  return [
    rows.map((row) => row.id),
    rows.map((row) => row.stationId),
    rows.map((row) => row.voters),
    rows.map((row) => row.observedAt),
    rows.map((row) => row.reporterId),
    rows.map((row) => row.source),
    rows.map((row) => row.note),
  ];
}

function copyField(value: string | number | null): string {
  if (value === null) return '\\N';
  return String(value).replace(/[\\\t\n\r]/g, (character) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[character]!);
}

function copyText(rows: ReportRowData[]): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < rows.length; start += COPY_CHUNK_ROWS) {
    chunks.push(
      rows
        .slice(start, start + COPY_CHUNK_ROWS)
        .map(
          (row) =>
            `${[row.id, row.stationId, row.voters, row.observedAt, row.reporterId, row.source, row.note].map(copyField).join('\t')}\n`,
        )
        .join(''),
    );
  }
  return chunks;
}

function batches<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

function measurement(rows: number, durationMs: number): Measurement {
  return { rows, durationMs, rowsPerSecond: durationMs > 0 ? rows / (durationMs / 1000) : 0 };
}

/** Callers build their rows and parameters before calling, so only the database work is timed. */
async function timed(rows: number, work: () => Promise<void>): Promise<Measurement> {
  const start = performance.now();
  await work();
  return measurement(rows, performance.now() - start);
}

async function resetTable(pool: pg.Pool): Promise<void> {
  await pool.query(`TRUNCATE ${TABLE}`);
  try {
    // A checkpoint landing mid-measurement would charge one method with WAL written by the one before.
    await pool.query('CHECKPOINT');
  } catch (error) {
    // Needs superuser or pg_checkpoint; without it the figures are only a little noisier.
    if ((error as { code?: string }).code !== '42501') throw error;
  }
}

async function expectRowCount(pool: pg.Pool, expected: number, method: string): Promise<void> {
  const { rows } = await pool.query<{ count: string }>(`SELECT count(*) FROM ${TABLE}`);
  const actual = Number(rows[0]?.count);
  if (actual !== expected) throw new Error(`${method}: expected ${expected} rows in ${TABLE}, found ${actual}`);
}

async function singleInserts(pool: pg.Pool, rows: ReportRowData[]): Promise<Measurement> {
  const client = await pool.connect();
  try {
    return await timed(rows.length, async () => {
      for (const row of rows) await client.query({ ...INSERT_ONE, values: rowValues(row) });
    });
  } finally {
    client.release();
  }
}

async function concurrentInserts(pool: pg.Pool, rows: ReportRowData[], concurrency: number): Promise<Measurement> {
  // Connections are opened before the clock starts: connecting is not what is measured.
  const clients = await Promise.all(Array.from({ length: concurrency }, () => pool.connect()));
  try {
    let next = 0;
    return await timed(rows.length, async () => {
      await Promise.all(
        clients.map(async (client) => {
          while (next < rows.length) {
            const row = rows[next++]!;
            await client.query({ ...INSERT_ONE, values: rowValues(row) });
          }
        }),
      );
    });
  } finally {
    for (const client of clients) client.release();
  }
}

async function batchedInserts(pool: pg.Pool, rows: ReportRowData[], batchSize: number): Promise<Measurement> {
  const parameterSets = batches(rows, batchSize).map(batchValues);
  const client = await pool.connect();
  try {
    return await timed(rows.length, async () => {
      for (const values of parameterSets) await client.query({ ...INSERT_BATCH, values });
    });
  } finally {
    client.release();
  }
}

async function copyRows(pool: pg.Pool, rows: ReportRowData[]): Promise<Measurement> {
  const chunks = copyText(rows);
  const client = await pool.connect();
  try {
    return await timed(rows.length, async () => {
      const stream = client.query(copyFrom(`COPY ${TABLE} (${COLUMNS}) FROM STDIN`));
      await pipeline(Readable.from(chunks), stream);
      if (stream.rowCount !== rows.length) throw new Error(`COPY: wrote ${stream.rowCount} rows, expected ${rows.length}`);
    });
  } finally {
    client.release();
  }
}

async function serverSettings(pool: pg.Pool): Promise<ServerSettings> {
  const { rows } = await pool.query<ServerSettings>(
    `SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync,
            current_setting('synchronous_commit') AS "synchronousCommit", current_setting('wal_sync_method') AS "walSyncMethod"`,
  );
  return rows[0]!;
}

/**
 * Measures the four write paths into a scratch table in the pool's database (created here and
 * dropped at the end). The database should be a throwaway one: the table is dropped if it exists.
 */
export async function measureDbCeiling(pool: pg.Pool, options: DbCeilingOptions = {}): Promise<DbCeiling> {
  const rowCount = options.rows ?? DB_CEILING_DEFAULT_ROWS;
  const singleRowCount = options.singleRows ?? Math.min(rowCount, DEFAULT_SINGLE_ROWS);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const progress = options.onProgress ?? (() => {});
  for (const [name, value] of Object.entries({ rows: rowCount, singleRows: singleRowCount, batchSize, concurrency })) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`measureDbCeiling: ${name} must be a positive integer (got ${value})`);
  }
  // Waiting on its own checked-out clients would hang the run instead of failing it.
  if ((pool.options.max ?? 10) < concurrency) {
    throw new RangeError(
      `measureDbCeiling: the pool allows ${pool.options.max} connections, the concurrent measurement needs ${concurrency}`,
    );
  }

  const server = await serverSettings(pool);
  await pool.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await pool.query(CREATE_TABLE);
  try {
    // Warm-up: opens the connections, prepares the statements, brings the catalog and WAL files in.
    progress('warming up');
    const warmUpRows = Math.min(200, singleRowCount);
    await singleInserts(pool, makeRows(warmUpRows));
    await concurrentInserts(pool, makeRows(warmUpRows), concurrency);
    await batchedInserts(pool, makeRows(batchSize), batchSize);
    await copyRows(pool, makeRows(batchSize));

    progress(`single-row inserts, 1 connection, ${singleRowCount} rows`);
    await resetTable(pool);
    const singleInsert = await singleInserts(pool, makeRows(singleRowCount));
    await expectRowCount(pool, singleRowCount, 'single-row inserts');

    progress(`single-row inserts, ${concurrency} connections, ${singleRowCount} rows`);
    await resetTable(pool);
    const concurrentInsert = await concurrentInserts(pool, makeRows(singleRowCount), concurrency);
    await expectRowCount(pool, singleRowCount, 'concurrent single-row inserts');

    progress(`batched inserts, ${batchSize} rows per statement, ${rowCount} rows`);
    await resetTable(pool);
    const batchedInsert = await batchedInserts(pool, makeRows(rowCount), batchSize);
    await expectRowCount(pool, rowCount, 'batched inserts');

    progress(`COPY FROM STDIN, ${rowCount} rows`);
    await resetTable(pool);
    const copy = await copyRows(pool, makeRows(rowCount));
    await expectRowCount(pool, rowCount, 'COPY');

    return { singleInsert, concurrentInsert, batchedInsert, copy, batchSize, concurrency, server };
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${TABLE}`);
  }
}

/**
 * The raw rates, under the keys every scenario's `baseline` uses: later scenarios call
 * measureDbCeiling in their own run and report this beside (and divide by) their own figures.
 */
export function dbCeilingBaseline(ceiling: DbCeiling): Record<string, number> {
  return {
    singleInsertRowsPerSecond: ceiling.singleInsert.rowsPerSecond,
    concurrentInsertRowsPerSecond: ceiling.concurrentInsert.rowsPerSecond,
    batchedInsertRowsPerSecond: ceiling.batchedInsert.rowsPerSecond,
    copyRowsPerSecond: ceiling.copy.rowsPerSecond,
  };
}
