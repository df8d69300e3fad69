/**
 * npm run bench -- <scenario> [--json] [--rows <n>] [--seconds <n>]
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
import { ConfigError, loadConfig, parseConfig } from '../../server/config.ts';
import { createScratchDatabase, startScratchServer } from '../../server/db/scratch-database.ts';
import { freePort } from '../../server/free-port.ts';
import { createLogger } from '../../server/logger.ts';
import { openRelance } from '../../server/relance.ts';
import { parseOptions, UsageError } from '../cli/args.ts';
import { printReport } from './report.ts';
import { SCENARIOS, type Scenario } from './scenarios.ts';

function usage(): string {
  const names = Object.keys(SCENARIOS);
  const width = Math.max(...names.map((name) => name.length));
  return [
    'usage: npm run bench -- <scenario> [--json] [--rows <n>] [--seconds <n>]',
    '',
    'scenarios:',
    ...names.map((name) => `  ${name.padEnd(width)}  ${SCENARIOS[name]!.description}`),
    '',
    '  --json         print the result as one JSON object on the last line of stdout',
    "  --rows <n>     the scenario's size (rows written)",
    '  --seconds <n>  how long each timed phase of a load scenario lasts',
  ].join('\n');
}

interface CommandLine {
  scenarioName: string;
  scenario: Scenario;
  json: boolean;
  rows?: number;
  seconds?: number;
}

/** A positive whole number given to `--name`, or undefined when the option was not given. */
function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < 1)
    throw new UsageError(`--${name} must be a positive integer (got "${value}").`);
  return number;
}

function parseCommandLine(args: string[]): CommandLine {
  const { values, positionals } = parseOptions(args, {
    json: { type: 'boolean', default: false },
    rows: { type: 'string' },
    seconds: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) throw new UsageError('');
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? 'No scenario given.' : `One scenario at a time (got ${positionals.join(', ')}).`);
  const scenarioName = positionals[0]!;
  const scenario = SCENARIOS[scenarioName];
  if (!scenario) throw new UsageError(`Unknown scenario "${scenarioName}".`);
  return {
    scenarioName,
    scenario,
    json: values.json,
    rows: positiveInteger('rows', values.rows),
    seconds: positiveInteger('seconds', values.seconds),
  };
}

const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

/** Set on SIGINT/SIGTERM: the queries that then fail are the interrupt's doing, not worth reporting. */
let interrupted = false;

async function main(args: string[]): Promise<number> {
  let commandLine: CommandLine;
  let databaseUrl: string | undefined;
  let redisUrl: string | undefined;
  try {
    commandLine = parseCommandLine(args);
    ({ databaseUrl, redisUrl } = loadConfig());
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      if (error.message) process.stderr.write(`${error.message}\n\n`);
      process.stderr.write(`${usage()}\n`);
      return 2;
    }
    throw error;
  }
  const { scenarioName, scenario, json, rows, seconds } = commandLine;

  progress(
    databaseUrl ? 'creating a scratch database on the DATABASE_URL server' : 'starting an embedded PostgreSQL in a temporary folder',
  );
  const opening = databaseUrl
    ? createScratchDatabase(databaseUrl, { prefix: 'relance_bench' })
    : startScratchServer({ durable: true, prefix: 'relance-bench' });
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

  // Relance opened on the scratch database as the web process opens it: migrated, with its queues
  // and services, so a scenario measures the production code path.
  const relance = await openRelance({
    // A free port, for the scenarios that serve the web app: its allowed origins follow from it.
    config: parseConfig({ DATABASE_URL: scratch.url, REDIS_URL: redisUrl, PORT: String(await freePort()) }),
    log: createLogger('silent'),
    poolSize: scenario.connections,
    queuePrefix: 'relance-bench',
  });
  const { pool } = relance.db;
  // An interrupt kills the connections under their clients, checked out or idle; unheard, the
  // clients' 'error' events would crash the process before the cleanup finishes. A failure during
  // a normal run still reaches the scenario, as the rejection of its next query.
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    progress(`running ${scenarioName}`);
    const report = await scenario.run(relance, { rows, seconds, onProgress: progress });
    printReport(report, { json });
    return report.ok ? 0 : 1;
  } finally {
    await relance.close();
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
// Everything is closed by now, yet a module loaded late through tsx's loader hooks (the pages'
// production build, Playwright) can leave the hooks' MessagePort holding the process open: exit
// once what was printed has been written.
process.stdout.write('', () => process.exit());
