/**
 * The turnout model on Romania's hourly turnout by municipality (UAT): builds the backtest input, fits the
 * parameters, and cross-validates by county. Needs the two files described in
 * server/turnout/curves/SOURCES.md (`presidential_2025-05-04_r1_uat_hourly_long.csv` and the 2024 one).
 *
 *   node --import tsx scripts/model/romania.ts input --current <2025.csv> [--baseline <2024.csv>] [--out <file>]
 *   node --import tsx scripts/model/romania.ts fit --current <2025.csv> --baseline <2024.csv>
 *   node --import tsx scripts/model/romania.ts crossvalidate --current <2025.csv> --baseline <2024.csv> [--folds 5]
 *
 * `input` writes `unit_id, registered, observed_at, voted[, baseline_share]`, the baseline being the
 * municipality's final turnout in the 2024 file (joined on county and name).
 */
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { parseOptions, UsageError } from '../cli/args.ts';
import { linearCurve, dayFractionOf, type TurnoutCurve } from '../../server/turnout/turnout.curve.ts';
import { fitCurveShares, fitParameters, type FitUnit, type HourlyCounts } from '../../server/turnout/turnout.fit.ts';
import { runBacktest, scoreBacktest, type BacktestRow, type BacktestUnit } from '../../server/turnout/turnout.backtest.ts';
import { DEFAULT_PARAMETERS, type ModelParameters } from '../../server/turnout/turnout.projection.ts';

const HOURS = { opens: '07:00', closes: '21:00' };
const CUTOFFS = ['10:00', '13:00', '17:00'];

interface Municipality {
  key: string;
  county: string;
  name: string;
  registered: number;
  counts: HourlyCounts;
}

function readMunicipalities(file: string): Map<string, Municipality> {
  const rows = parse(fs.readFileSync(file), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const byKey = new Map<string, Municipality>();
  for (const row of rows) {
    const key = `${row.county}:${row.uat}`;
    const hour = `${String(row.hour).padStart(2, '0')}:00`;
    const unit = byKey.get(key) ?? { key, county: row.county!, name: row.uat!, registered: Number(row.registered_permanent), counts: {} };
    unit.counts[hour] = Number(row.voted_total);
    byKey.set(key, unit);
  }
  return byKey;
}

function finalOf(counts: HourlyCounts): number {
  return counts['21:00'] ?? 0;
}

function baselineOf(unit: Municipality, past: Map<string, Municipality> | null): number | null {
  const before = past?.get(unit.key);
  return before && before.registered > 0 && finalOf(before.counts) > 0 ? finalOf(before.counts) / before.registered : null;
}

function backtestUnits(units: readonly Municipality[], past: Map<string, Municipality> | null): BacktestUnit[] {
  return units.map((unit) => ({
    unitId: unit.key,
    registered: unit.registered,
    baselineShare: baselineOf(unit, past),
    counts: Object.entries(unit.counts)
      .map(([hour, voted]) => ({ minute: Number(hour.slice(0, 2)) * 60, voted }))
      .sort((a, b) => a.minute - b.minute),
  }));
}

function totals(units: Iterable<Municipality>): HourlyCounts {
  const sum: HourlyCounts = {};
  for (const unit of units) for (const [hour, count] of Object.entries(unit.counts)) sum[hour] = (sum[hour] ?? 0) + count;
  return sum;
}

function curveOf(shares: Record<string, number>): TurnoutCurve {
  return linearCurve(Object.entries(shares).map(([hour, share]) => ({ dayFraction: dayFractionOf(hour, HOURS), share })));
}

function fitUnits(units: readonly Municipality[], past: Map<string, Municipality>): FitUnit[] {
  return units
    .filter((unit) => unit.registered > 0)
    .map((unit) => ({ registered: unit.registered, baselineShare: baselineOf(unit, past), counts: unit.counts }));
}

function files(args: string[]) {
  const { values } = parseOptions(args, {
    current: { type: 'string' },
    baseline: { type: 'string' },
    out: { type: 'string' },
    folds: { type: 'string' },
  });
  if (!values.current) throw new UsageError('Give --current <file>: the election to backtest.');
  return {
    current: readMunicipalities(values.current),
    baseline: values.baseline ? readMunicipalities(values.baseline) : null,
    out: values.out,
    folds: Number(values.folds ?? 5),
  };
}

const percent = (value: number) => `${(value * 100).toFixed(2)} %`;

const COMMANDS: Record<string, (args: string[]) => void> = {
  input(args) {
    const { current, baseline, out } = files(args);
    const lines = [`unit_id,registered,observed_at,voted${baseline ? ',baseline_share' : ''}`];
    for (const unit of current.values()) {
      const share = baselineOf(unit, baseline);
      for (const [hour, voted] of Object.entries(unit.counts)) {
        const id = /[",]/.test(unit.key) ? `"${unit.key.replace(/"/g, '""')}"` : unit.key;
        lines.push([id, unit.registered, hour, voted, ...(baseline ? [share === null ? '' : share.toFixed(4)] : [])].join(','));
      }
    }
    if (out) fs.writeFileSync(out, lines.join('\n') + '\n');
    else console.log(lines.join('\n'));
  },

  fit(args) {
    const { current, baseline } = files(args);
    if (!baseline) throw new UsageError('Give --baseline <file>: the comparable past election.');
    console.log('curve', JSON.stringify(fitCurveShares([totals(baseline.values()), totals(current.values())])));
    console.log('parameters', JSON.stringify(fitParameters(fitUnits([...current.values()], baseline))));
  },

  crossvalidate(args) {
    const { current, baseline, folds } = files(args);
    if (!baseline) throw new UsageError('Give --baseline <file>: the comparable past election.');
    const counties = [...new Set([...current.values()].map((unit) => unit.county))].sort();
    const foldOf = new Map(counties.map((county, i) => [county, i % folds]));
    const parametersOf = Array.from({ length: folds }, (_, fold) =>
      fitParameters(
        fitUnits(
          [...current.values()].filter((unit) => foldOf.get(unit.county) !== fold),
          baseline,
        ),
        DEFAULT_PARAMETERS,
      ),
    );
    for (const [fold, parameters] of parametersOf.entries()) console.log(`fold ${fold + 1}: ${JSON.stringify(parameters)}`);
    const variants = [
      { name: 'curve from 2024 and 2025 (as shipped)', years: 'both' },
      { name: 'curve from 2024 only (the past election)', years: 'past' },
    ] as const;
    for (const variant of variants) {
      console.log(`\n${folds}-fold cross-validation by county, ${variant.name}; fitted on the other folds' counties\n`);
      console.log('| cutoff | baseline | units | model MAPE | naive MAPE | model weighted | naive weighted | 80 % coverage |');
      console.log('|---|---|---|---|---|---|---|---|');
      for (const cutoff of CUTOFFS) {
        for (const withBaseline of [true, false]) {
          const rows: BacktestRow[] = [];
          for (let fold = 0; fold < folds; fold++) {
            const train = [...current.values()].filter((unit) => foldOf.get(unit.county) !== fold);
            const test = [...current.values()].filter((unit) => foldOf.get(unit.county) === fold);
            const trainPast = [...baseline.values()].filter((unit) => foldOf.get(unit.county) !== fold);
            const shares = fitCurveShares(variant.years === 'both' ? [totals(trainPast), totals(train)] : [totals(trainPast)]);
            const parameters: ModelParameters = parametersOf[fold]!;
            const result = runBacktest(backtestUnits(test, withBaseline ? baseline : null), {
              cutoffMinute: Number(cutoff.slice(0, 2)) * 60,
              hours: HOURS,
              curve: curveOf(shares),
              parameters,
            });
            rows.push(...result.rows);
          }
          const e = scoreBacktest(rows);
          console.log(
            `| ${cutoff} | ${withBaseline ? 'yes' : 'no'} | ${e.units} | ${percent(e.mape)} | ${percent(e.naiveMape)} | ${percent(e.weightedMape)} | ${percent(e.naiveWeightedMape)} | ${percent(e.coverage)} |`,
          );
        }
      }
    }
  },
};

const [name, ...rest] = process.argv.slice(2);
const command = COMMANDS[name ?? ''];
if (!command) {
  console.error('Usage: romania.ts input|fit|crossvalidate --current <file> [--baseline <file>] [--out <file>] [--folds <n>]');
  process.exit(2);
}
try {
  command(rest);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(error.message);
  process.exit(2);
}
