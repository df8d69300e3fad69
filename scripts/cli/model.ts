/**
 * `relance model …`: the turnout model from the command line.
 *
 * `model backtest` is a file in, file out: it opens no database, so it runs anywhere on past data.
 */
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import {
  backtestCsv,
  parseBacktestCsv,
  runBacktest,
  BacktestInputError,
  type BacktestErrors,
} from '../../server/turnout/turnout.backtest.ts';
import {
  curveFromHourly,
  DEFAULT_CURVE,
  minutesOfDay,
  sharesFromHistory,
  CurveError,
  type HourlyShares,
  type PollingHours,
  type TurnoutCurve,
} from '../../server/turnout/turnout.curve.ts';
import type { CurveSource } from '../../server/turnout/turnout.curves.ts';
import { parseOptions, UsageError } from './args.ts';
import { withServices } from './open.ts';

/** The polling hours of the default curve (Romania, where it was fitted): see server/turnout/curves/SOURCES.md. */
const DEFAULT_HOURS: PollingHours = { opens: '07:00', closes: '21:00' };

function timeOption(name: string, value: unknown, fallback?: string): string {
  const text = value === undefined ? fallback : String(value);
  if (text === undefined) throw new UsageError(`Give --${name} <HH:MM>.`);
  if (!/^\d{1,2}:\d{2}$/.test(text) || Number.isNaN(minutesOfDay(text)))
    throw new UsageError(`--${name} must be a time such as 10:00 (got ${text}).`);
  return text;
}

/** Cumulative counts (or percentages) by local hour from a CSV with columns `hour, voted`. */
export function readHistory(file: string): Record<string, number> {
  if (!fs.existsSync(file)) throw new UsageError(`No file ${file}.`);
  const rows = parse(fs.readFileSync(file, 'utf8'), {
    columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()),
    skip_empty_lines: true,
    trim: true,
    bom: true,
  }) as Record<string, string>[];
  const history: Record<string, number> = {};
  for (const [index, row] of rows.entries()) {
    if (row.hour === undefined || row.voted === undefined) throw new CurveError(`${file}: the history needs the columns hour and voted.`);
    const voted = Number(row.voted);
    if (row.voted === '' || !Number.isFinite(voted))
      throw new CurveError(`${file}, line ${index + 2}, column voted: "${row.voted}" is not a number.`);
    history[row.hour] = voted;
  }
  return history;
}

/** Hourly shares from a file: JSON shares by hour ({"12": 0.3458, "17": 0.8821}), or a CSV history (`hour, voted`). */
export function readHourlyShares(file: string): HourlyShares {
  if (!fs.existsSync(file)) throw new UsageError(`No file ${file}.`);
  const text = fs.readFileSync(file, 'utf8');
  if (!/^\s*\{/.test(text)) return sharesFromHistory(readHistory(file));
  const parsed = JSON.parse(text) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Object.values(parsed).some((v) => typeof v !== 'number')) {
    throw new CurveError(`${file}: expected shares by hour, such as {"12": 0.3458, "17": 0.8821}.`);
  }
  return parsed as HourlyShares;
}

const percent = (value: number) => `${(value * 100).toFixed(2)} %`;

function summary(cutoff: string, errors: BacktestErrors): string {
  const row = (label: string, model: string, naive: string) => `${label.padEnd(36)}${model.padStart(10)}${naive.padStart(10)}`;
  return [
    `Projected final turnout at ${cutoff}, ${errors.units} unit${errors.units === 1 ? '' : 's'} with a report and a final count:`,
    row('', 'model', 'naive'),
    row('mean absolute % error', percent(errors.mape), percent(errors.naiveMape)),
    row('same, weighted by registered voters', percent(errors.weightedMape), percent(errors.naiveWeightedMape)),
    row('80 % interval holds the final', percent(errors.coverage), '—'),
  ].join('\n');
}

export async function modelBacktest(args: string[]) {
  const { values } = parseOptions(args, {
    input: { type: 'string' },
    cutoff: { type: 'string' },
    out: { type: 'string' },
    opens: { type: 'string' },
    closes: { type: 'string' },
    curve: { type: 'string' },
  });
  if (!values.input) throw new UsageError('Give --input <file.csv>.');
  if (!fs.existsSync(values.input)) throw new UsageError(`No file ${values.input}.`);
  const cutoff = timeOption('cutoff', values.cutoff);
  const hours = {
    opens: timeOption('opens', values.opens, DEFAULT_HOURS.opens),
    closes: timeOption('closes', values.closes, DEFAULT_HOURS.closes),
  };
  if (minutesOfDay(hours.closes) <= minutesOfDay(hours.opens)) throw new UsageError('--closes must be after --opens.');
  const curve: TurnoutCurve = values.curve ? curveFromHourly(readHourlyShares(values.curve), hours) : DEFAULT_CURVE;

  const units = parseBacktestCsv(fs.readFileSync(values.input, 'utf8'));
  const result = runBacktest(units, { cutoffMinute: minutesOfDay(cutoff), hours, curve });
  const report = result.errors
    ? summary(cutoff, result.errors)
    : `Projected ${result.rows.length} units at ${cutoff}; the file has no count at the close (${hours.closes}), so no errors are computed.`;
  if (values.out) {
    fs.writeFileSync(values.out, backtestCsv(result.rows));
    console.log(`${report}\nWrote ${values.out}.`);
  } else {
    // The projections go to standard output, the summary to standard error, so that the CSV can be piped.
    process.stdout.write(backtestCsv(result.rows));
    console.error(report);
  }
}

function percentOption(name: string, value: unknown): number {
  const number = Number(value);
  if (value === undefined || !Number.isFinite(number))
    throw new UsageError(`--${name} must be a percentage such as 25.48 (got ${String(value ?? 'nothing')}).`);
  return number;
}

/** `relance model curve`: sets the turnout curve of an election (the current one unless --election). */
export async function modelCurve(args: string[]) {
  const { values } = parseOptions(args, {
    election: { type: 'string' },
    noon: { type: 'string' },
    'five-pm': { type: 'string' },
    final: { type: 'string' },
    hourly: { type: 'string' },
    default: { type: 'boolean' },
  });
  const official = values.noon !== undefined || values['five-pm'] !== undefined || values.final !== undefined;
  if ([official, values.hourly !== undefined, values.default === true].filter(Boolean).length !== 1) {
    throw new UsageError('Give either --noon, --five-pm and --final (percentages), or --hourly <file.csv>, or --default.');
  }
  const source: CurveSource | null = official
    ? {
        noon: percentOption('noon', values.noon),
        fivePm: percentOption('five-pm', values['five-pm']),
        final: percentOption('final', values.final),
      }
    : values.hourly
      ? { history: readHistory(values.hourly) }
      : null;
  const electionId = values.election === undefined ? null : Number(values.election);
  if (electionId !== null && !Number.isInteger(electionId))
    throw new UsageError(`--election must be an election id (got ${values.election}).`);
  await withServices(async (services) => {
    const id = electionId ?? (await services.elections.requireCurrent()).id;
    const result = await services.turnoutCurves.set(id, source, null);
    const shares = result.shares
      ? Object.entries(result.shares)
          .map(([hour, share]) => `${hour.includes(':') ? hour : `${hour}h`} ${(share * 100).toFixed(2)} %`)
          .join(', ')
      : null;
    console.log(
      shares
        ? `Turnout curve of ${result.election} (polls ${result.hours.opens}–${result.hours.closes}): ${shares} of the final.`
        : `${result.election} now uses the default turnout curve.`,
    );
  });
}

export { BacktestInputError, CurveError };
