/**
 * Backtesting the turnout model on a past election, pure: hourly cumulative counts per unit (station or
 * municipality) in, projections at a cutoff out, and, when the file holds the final counts, the model's errors
 * next to the naive projection's (count / curve(cutoff)), computed in the same run.
 */
import { parse } from 'csv-parse/sync';
import { curveAt, minutesOfDay, type PollingHours, type TurnoutCurve } from './turnout.curve.ts';
import { projectDay, type ModelParameters, type StationInput } from './turnout.projection.ts';

/** A backtest file that cannot be read: the message names the line and column to fix. */
export class BacktestInputError extends Error {
  override name = 'BacktestInputError';
}

export interface BacktestCount {
  /** Minutes since local midnight. */
  minute: number;
  voted: number;
}

export interface BacktestUnit {
  unitId: string;
  registered: number;
  baselineShare: number | null;
  /** Cumulative counts, by time of day. */
  counts: BacktestCount[];
}

const REQUIRED = ['unit_id', 'registered', 'observed_at', 'voted'] as const;

/** Time of day, in minutes, of `HH:MM` or of an ISO date-time as written (its local wall-clock time). */
export function timeOfDay(value: string): number {
  const iso = /^\d{4}-\d{2}-\d{2}[T ](\d{2}):(\d{2})/.exec(value.trim());
  return iso ? Number(iso[1]) * 60 + Number(iso[2]) : /^\d{1,2}:\d{2}$/.test(value.trim()) ? minutesOfDay(value) : Number.NaN;
}

/**
 * The units of a backtest file: columns `unit_id, registered, observed_at, voted` (cumulative) and optionally
 * `baseline_share` (0–1), one row per unit and time. Every problem names its line (1 is the header).
 */
export function parseBacktestCsv(text: string): BacktestUnit[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
  } catch (error) {
    throw new BacktestInputError(`The file is not valid CSV: ${(error as Error).message}`);
  }
  const header = (records[0] ?? []).map((name) => name.toLowerCase());
  const missing = REQUIRED.filter((name) => !header.includes(name));
  if (missing.length > 0) {
    throw new BacktestInputError(
      `Missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (line 1 has: ${header.join(', ') || 'nothing'}).`,
    );
  }
  const column = (name: string) => header.indexOf(name);
  const baselineColumn = column('baseline_share');
  const units = new Map<string, BacktestUnit & { lines: number[] }>();

  for (const [index, record] of records.slice(1).entries()) {
    const line = index + 2;
    const cell = (name: string) => record[column(name)] ?? '';
    const number = (name: string, check: (n: number) => boolean, what: string) => {
      const raw = cell(name);
      const value = raw === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(value) || !check(value)) throw new BacktestInputError(`Line ${line}, column ${name}: "${raw}" is not ${what}.`);
      return value;
    };
    const unitId = cell('unit_id');
    if (unitId === '') throw new BacktestInputError(`Line ${line}, column unit_id: empty.`);
    const registered = number('registered', (n) => Number.isInteger(n) && n >= 0, 'a whole number of registered voters');
    const voted = number('voted', (n) => Number.isInteger(n) && n >= 0, 'a whole number of voters (0 or more)');
    const minute = timeOfDay(cell('observed_at'));
    if (Number.isNaN(minute))
      throw new BacktestInputError(`Line ${line}, column observed_at: "${cell('observed_at')}" is not a time (HH:MM or ISO date-time).`);
    const baselineRaw = baselineColumn >= 0 ? (record[baselineColumn] ?? '') : '';
    // A share above 1 is real where people may vote away from their own list (Romania's supplementary lists).
    const baselineShare =
      baselineRaw === '' ? null : number('baseline_share', (n) => n >= 0 && n <= 10, 'a share of registered voters (0.65 for 65 %)');

    const unit = units.get(unitId) ?? { unitId, registered, baselineShare, counts: [], lines: [] };
    // Lists can grow during the day (voters added on the spot): the largest count of registered voters is the unit's.
    unit.registered = Math.max(unit.registered, registered);
    // A past turnout of 0 tells nothing to scale from: the unit is judged against the city's baseline instead.
    unit.baselineShare ??= baselineShare || null;
    unit.counts.push({ minute, voted });
    unit.lines.push(line);
    units.set(unitId, unit);
  }
  if (units.size === 0) throw new BacktestInputError('The file has a header but no rows.');

  return [...units.values()].map(({ lines, ...unit }) => {
    const order = unit.counts.map((count, i) => ({ ...count, line: lines[i]! })).sort((a, b) => a.minute - b.minute);
    for (let i = 1; i < order.length; i++) {
      const [before, after] = [order[i - 1]!, order[i]!];
      if (after.minute === before.minute)
        throw new BacktestInputError(`Line ${after.line}: unit ${unit.unitId} has two counts at the same time (see line ${before.line}).`);
      if (after.voted < before.voted) {
        throw new BacktestInputError(
          `Line ${after.line}, column voted: unit ${unit.unitId}'s count goes down, from ${before.voted} (line ${before.line}) to ${after.voted}; counts are cumulative.`,
        );
      }
    }
    return { ...unit, counts: order.map(({ minute, voted }) => ({ minute, voted })) };
  });
}

export interface BacktestRow {
  unitId: string;
  registered: number;
  /** Reported turnout at the last count up to the cutoff, or null when the unit had not reported. */
  observedShare: number | null;
  projectedFinalShare: number;
  low: number;
  high: number;
  /** Naive projection: observed share / curve(cutoff). */
  naiveFinalShare: number | null;
  /** Turnout at the close, when the file has it. */
  finalShare: number | null;
}

export interface BacktestErrors {
  /** Units compared: those with a report by the cutoff and a final count above 0. */
  units: number;
  /** Mean absolute percentage error of the projected final turnout, plain and weighted by registered voters. */
  mape: number;
  weightedMape: number;
  /** Share of units whose 80 % interval holds the final turnout. */
  coverage: number;
  naiveMape: number;
  naiveWeightedMape: number;
}

export interface BacktestResult {
  rows: BacktestRow[];
  /** Null when the file holds no final count (a count at or after the close) at all. */
  errors: BacktestErrors | null;
}

export interface BacktestOptions {
  cutoffMinute: number;
  hours: PollingHours;
  curve: TurnoutCurve;
  parameters?: ModelParameters;
}

/** Projects every unit from its counts up to the cutoff and, when finals are known, scores model and naive. */
export function runBacktest(units: readonly BacktestUnit[], options: BacktestOptions): BacktestResult {
  const firstReport = Math.min(...units.map((unit) => unit.counts[0]!.minute));
  if (options.cutoffMinute < firstReport) {
    const hhmm = `${String(Math.floor(firstReport / 60)).padStart(2, '0')}:${String(firstReport % 60).padStart(2, '0')}`;
    throw new BacktestInputError(`The cutoff is before the first report in the file (${hhmm}): nothing is known yet.`);
  }
  const closesMinute = minutesOfDay(options.hours.closes);
  const opensMinute = minutesOfDay(options.hours.opens);
  const day = new Date(Date.UTC(2000, 0, 1));
  const at = (minute: number) => new Date(day.getTime() + minute * 60_000);

  const stations: StationInput[] = units.map((unit) => {
    const last = unit.counts.filter((count) => count.minute <= options.cutoffMinute).at(-1);
    return {
      code: unit.unitId,
      areaCode: null,
      registered: unit.registered,
      baselineShare: unit.baselineShare,
      report: last ? { voted: last.voted, observedAt: at(last.minute) } : null,
    };
  });
  const projection = projectDay(
    stations,
    {
      curve: options.curve,
      opensAt: at(opensMinute),
      closesAt: at(closesMinute),
      areas: [],
      parameters: options.parameters,
    },
    at(options.cutoffMinute),
  );
  const cutoffShare = curveAt(options.curve, (options.cutoffMinute - opensMinute) / (closesMinute - opensMinute));

  const rows = units.map((unit, i): BacktestRow => {
    const station = projection.stations[i]!;
    const last = unit.counts.at(-1)!;
    // A unit without registered voters has no turnout: it is listed, and left out of the scores.
    const share = (voted: number) => (unit.registered > 0 ? voted / unit.registered : null);
    const observedShare = stations[i]!.report ? share(stations[i]!.report!.voted) : null;
    return {
      unitId: unit.unitId,
      registered: unit.registered,
      observedShare,
      projectedFinalShare: station.projectedFinal,
      low: station.low,
      high: station.high,
      naiveFinalShare: observedShare !== null && cutoffShare > 0 ? observedShare / cutoffShare : null,
      finalShare: last.minute >= closesMinute ? share(last.voted) : null,
    };
  });
  // Units whose count at the close is missing are projected but left out of the scores.
  const hasFinals = options.cutoffMinute < closesMinute && units.some((unit) => unit.counts.at(-1)!.minute >= closesMinute);
  return { rows, errors: hasFinals ? scoreBacktest(rows) : null };
}

/** Errors of the model and of the naive projection over units with a report and a final above 0. */
export function scoreBacktest(rows: readonly BacktestRow[]): BacktestErrors {
  const scored = rows.filter((row) => row.finalShare !== null && row.finalShare > 0 && row.naiveFinalShare !== null);
  let [mape, naiveMape, weightedMape, naiveWeightedMape, covered, registered] = [0, 0, 0, 0, 0, 0];
  for (const row of scored) {
    const final = row.finalShare!;
    const error = Math.abs(row.projectedFinalShare - final) / final;
    const naiveError = Math.abs(row.naiveFinalShare! - final) / final;
    mape += error;
    naiveMape += naiveError;
    weightedMape += error * row.registered;
    naiveWeightedMape += naiveError * row.registered;
    registered += row.registered;
    if (row.low <= final && final <= row.high) covered += 1;
  }
  const n = scored.length || 1;
  return {
    units: scored.length,
    mape: mape / n,
    weightedMape: weightedMape / (registered || 1),
    coverage: covered / n,
    naiveMape: naiveMape / n,
    naiveWeightedMape: naiveWeightedMape / (registered || 1),
  };
}

/** The output file: `unit_id, observed_share, projected_final_share, low, high`, shares to 4 decimals. */
export function backtestCsv(rows: readonly BacktestRow[]): string {
  const share = (value: number | null) => (value === null ? '' : value.toFixed(4));
  const quote = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const lines = rows.map((row) =>
    [quote(row.unitId), share(row.observedShare), share(row.projectedFinalShare), share(row.low), share(row.high)].join(','),
  );
  return ['unit_id,observed_share,projected_final_share,low,high', ...lines].join('\n') + '\n';
}
