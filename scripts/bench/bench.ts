/**
 * npm run bench -- <scenario> [--json] [--rows <n>]
 *
 * Runs one benchmark scenario and prints its figures as a table; with --json, the last line of
 * stdout is {"scenario", "metrics", "baseline", "ok"}. Benchmarks print figures, they are not
 * timed tests: each also measures its raw building block in the same run, so figures from a
 * shared, noisy machine still compare as ratios.
 *
 * The database is a scratch one, never the user's data: with DATABASE_URL, a relance_bench_<random>
 * database created on that server and dropped afterwards; without it, an embedded PostgreSQL in a
 * temporary folder, removed afterwards. Both keep PostgreSQL's durable settings: the commit path
 * is what is measured.
 *
 * Exit status: 0 when the scenario met its budget, 1 when it did not (or failed), 2 on a usage or
 * configuration error.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { startLocalPostgres } from '../../server/db/local-postgres.ts';
import { printReport } from './report.ts';
import { SCENARIOS, type Scenario } from './scenarios.ts';

class UsageError extends Error {}

function usage(): string {
  const names = Object.keys(SCENARIOS);
  const width = Math.max(...names.map((name) => name.length));
  return [
    'usage: npm run bench -- <scenario> [--json] [--rows <n>]',
    '',
    'scenarios:',
    ...names.map((name) => `  ${name.padEnd(width)}  ${SCENARIOS[name]!.description}`),
    '',
    '  --json      print the result as one JSON object on the last line of stdout',
    "  --rows <n>  the scenario's size (rows written)",
  ].join('\n');
}

interface CommandLine {
  scenarioName: string;
  scenario: Scenario;
  json: boolean;
  rows?: number;
}

function parseCommandLine(args: string[]): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { json: { type: 'boolean', default: false }, rows: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) throw new UsageError('');
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? 'No scenario given.' : `One scenario at a time (got ${positionals.join(', ')}).`);
  const scenarioName = positionals[0]!;
  const scenario = SCENARIOS[scenarioName];
  if (!scenario) throw new UsageError(`Unknown scenario "${scenarioName}".`);
  let rows: number | undefined;
  if (values.rows !== undefined) {
    rows = Number(values.rows);
    if (!/^\d+$/.test(values.rows) || !Number.isSafeInteger(rows) || rows < 1)
      throw new UsageError(`--rows must be a positive integer (got "${values.rows}").`);
  }
  return { scenarioName, scenario, json: values.json, rows };
}

interface ScratchDatabase {
  url: string;
  /** Idempotent: the normal end of the run and an interrupt may both call it. */
  discard(): Promise<void>;
}

function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action());
}

/** A throwaway database on the user's server; the user's own database is only used to create and drop it. */
async function scratchDatabaseOn(serverUrl: string): Promise<ScratchDatabase> {
  const name = `relance_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    if ((error as { code?: string }).code === '42501') {
      throw new Error(`The DATABASE_URL role may not create databases; benchmarks need CREATEDB to work in a scratch database.`);
    }
    throw error;
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    discard: once(async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    }),
  };
}

/** A server of its own in a temporary folder, with PostgreSQL's default (durable) settings. */
async function embeddedScratchDatabase(): Promise<ScratchDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-bench-'));
  // As root, PostgreSQL runs as the unprivileged postgres user, which must be able to enter the folder.
  fs.chmodSync(dataDir, 0o755);
  try {
    const server = await startLocalPostgres({ dataDir, exclusive: true });
    return {
      url: server.url,
      discard: once(async () => {
        await server.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }),
    };
  } catch (error) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

/** Set on SIGINT/SIGTERM: the queries that then fail are the interrupt's doing, not worth reporting. */
let interrupted = false;

async function main(args: string[]): Promise<number> {
  let commandLine: CommandLine;
  let databaseUrl: string | undefined;
  try {
    commandLine = parseCommandLine(args);
    databaseUrl = loadConfig().databaseUrl;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      if (error.message) process.stderr.write(`${error.message}\n\n`);
      process.stderr.write(`${usage()}\n`);
      return 2;
    }
    throw error;
  }
  const { scenarioName, scenario, json, rows } = commandLine;

  progress(
    databaseUrl ? 'creating a scratch database on the DATABASE_URL server' : 'starting an embedded PostgreSQL in a temporary folder',
  );
  const opening = databaseUrl ? scratchDatabaseOn(databaseUrl) : embeddedScratchDatabase();
  // Ctrl-C must not leave a scratch database or a PostgreSQL server behind, even while it is still
  // being set up. The pool is not ended first: it would wait for the query in flight, which
  // discarding the database cuts short anyway.
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    progress(`${signal}: discarding the scratch database`);
    void opening
      .then((opened) => opened.discard())
      .catch(() => {})
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const scratch = await opening;

  const pool = new pg.Pool({ connectionString: scratch.url, max: scenario.connections });
  // An interrupt kills the connections under their clients, checked out or idle; unheard, the
  // clients' 'error' events would crash the process before the cleanup finishes. A failure during
  // a normal run still reaches the scenario, as the rejection of its next query.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    progress(`running ${scenarioName}`);
    const report = await scenario.run(pool, { rows, onProgress: progress });
    printReport(report, { json });
    return report.ok ? 0 : 1;
  } finally {
    await pool.end();
    await scratch.discard();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!interrupted) process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
