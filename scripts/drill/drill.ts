/**
 * npm run drill -- <scenario|all> [--json] [--long]
 *
 * Game day: a polling day at peak rate against real processes this command starts on free ports
 * (PostgreSQL, Redis, two web nodes behind a load balancer, a worker), something broken in the
 * middle of the burst and repaired, then an audit: every report and mark a phone had acknowledged
 * stored exactly once, nothing stored that no phone sent, the war room's screens showing the stored
 * counts within 5 s of the recovery, /readyz telling the outage, how long the recovery took and how
 * many requests failed with a clear, retryable answer meanwhile. See docs/operations.md.
 *
 * Prints one table per scenario; with --json, the last line of stdout is one object
 * `{ "scenario", "metrics", "baseline", "ok" }` (the benchmarks' contract, DESIGN.md), `ok` true
 * when nothing acknowledged was lost or stored twice and the server misbehaved nowhere.
 *
 * Exit status: 0 ok, 1 not ok (or failed), 2 on a usage error.
 */
import { parseConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { openRelance } from '../../server/relance.ts';
import { parseOptions, UsageError } from '../cli/args.ts';
import { formatTable, jsonLine, type BenchReport } from '../bench/report.ts';
import { startCluster, type Cluster } from './drill-cluster.ts';
import { createDrillElection } from './drill-election.ts';
import {
  expandScenario,
  LONG,
  runScenario,
  SCENARIO_NAMES,
  SHORT,
  startClients,
  type DrillClients,
  type ScenarioResult,
} from './drill-scenarios.ts';

const DESCRIPTIONS: Record<string, string> = {
  'kill-web': 'kill -9 of one of two web nodes (sharing the live feed through Redis) during a burst of reports',
  'restart-postgres': 'PostgreSQL stopped for 3 s (20 s with --long) and started again',
  'kill-redis': 'Redis killed and started again, with its append-only file (data kept), then without (data lost)',
  'offline-phones': '10 % of the phones offline for two simulated hours, then flushing their outboxes in batches',
  'retry-storm': 'every request sent three times, one of them after a client-side timeout',
  'kill-worker': 'kill -9 of the worker in the middle of sending 2,000 texts to a Twilio stand-in, then started again',
};

function usage(): string {
  const width = Math.max(...SCENARIO_NAMES.map((name) => name.length));
  return [
    'usage: npm run drill -- <scenario|all> [--json] [--long]',
    '',
    'scenarios:',
    ...SCENARIO_NAMES.map((name) => `  ${name.padEnd(width)}  ${DESCRIPTIONS[name]}`),
    `  ${'all'.padEnd(width)}  every scenario, one after the other`,
    '',
    '  --json  print the result as one JSON object on the last line of stdout',
    '  --long  realistic durations and rates: the rehearsal a campaign runs the week before',
  ].join('\n');
}

const began = performance.now();
const progress = (message: string) =>
  process.stderr.write(`drill: ${((performance.now() - began) / 1000).toFixed(1).padStart(5)} s  ${message}\n`);

function report(result: ScenarioResult): BenchReport {
  return {
    scenario: result.scenario,
    rows: result.rows,
    metrics: result.metrics,
    baseline: {},
    ok: result.ok,
    notes: result.notes,
  };
}

let cluster: Cluster | undefined;
let clients: DrillClients | undefined;
let interrupted = false;

async function main(args: string[]): Promise<number> {
  let names: string[];
  let json: boolean;
  let long: boolean;
  try {
    const { values, positionals } = parseOptions(args, {
      json: { type: 'boolean', default: false },
      long: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) throw new UsageError('');
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'No scenario given.' : 'One scenario, or all.');
    const name = positionals[0]!;
    if (name !== 'all' && !SCENARIO_NAMES.includes(name)) throw new UsageError(`Unknown scenario "${name}".`);
    names = (name === 'all' ? SCENARIO_NAMES : [name]).flatMap(expandScenario);
    json = values.json;
    long = values.long;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) process.stderr.write(`${error.message}\n\n`);
    process.stderr.write(`${usage()}\n`);
    return 2;
  }
  const pace = long ? LONG : SHORT;
  const scenarioName = names.length > 1 ? 'all' : names[0]!;

  // The phones' and screens' processes start meanwhile: they only wait for commands.
  clients = startClients();
  progress('starting PostgreSQL and Redis on free ports');
  cluster = await startCluster({
    redisAppendOnly: true,
    sms: names.includes('kill-worker') ? { ratePerSecond: pace.textsPerSecond } : undefined,
  });
  progress(`processes' logs in ${cluster.logDir}`);
  const relance = await openRelance({
    // The nodes' queues (the default prefix): the texts this process queues are the worker's to send.
    config: parseConfig({ DATABASE_URL: cluster.databaseUrl, REDIS_URL: cluster.redisUrl, ...cluster.smsEnv() }),
    log: createLogger('silent'),
    poolSize: 4,
  });
  try {
    progress('setting up the polling day: stations, voters, phones and screens');
    const election = await createDrillElection(relance.services, names, pace.size);
    progress('starting two web nodes, a worker and the load balancer');
    await cluster.startRelance();

    const results: ScenarioResult[] = [];
    let ok = false;
    try {
      for (const name of names) {
        if (interrupted) break;
        const result = await runScenario(name, { clients: clients!, cluster, services: relance.services, election, pace, progress });
        results.push(result);
        process.stdout.write(`${formatTable(report(result)).join('\n')}\n\n`);
      }
      ok = results.every((result) => result.ok);
    } finally {
      // Kept too when the drill itself failed: they say what the processes did until then.
      if (!ok) {
        cluster.keepLogs();
        progress(`the processes' logs are kept in ${cluster.logDir}`);
      }
    }
    if (json) {
      const metrics: Record<string, number> = {};
      for (const result of results) {
        for (const [key, value] of Object.entries(result.metrics)) metrics[names.length > 1 ? `${result.scenario}.${key}` : key] = value;
        if (names.length > 1) metrics[`${result.scenario}.ok`] = result.ok ? 1 : 0;
      }
      const baseline = {
        reportsPerSecond: pace.reportsPerSecond,
        marksPerSecond: pace.marksPerSecond,
        phones: pace.size.phones,
        screens: pace.size.dashboards,
        loadSeconds: pace.loadSeconds,
        faultSeconds: pace.faultSeconds,
      };
      process.stdout.write(`${jsonLine({ scenario: scenarioName, rows: [], metrics, baseline, ok })}\n`);
    }
    return ok ? 0 : 1;
  } finally {
    clients?.phones.stop();
    clients?.dashboards.stop();
    await relance.close().catch(() => {});
    await cluster.stop();
  }
}

// Ctrl-C: every process the drill started is stopped, then it exits.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    progress(`${signal}: stopping every process the drill started`);
    clients?.phones.stop();
    clients?.dashboards.stop();
    void (cluster?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!interrupted) process.stderr.write(`drill failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
process.stdout.write('', () => process.exit());
