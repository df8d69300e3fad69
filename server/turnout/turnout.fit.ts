/**
 * Fitting the turnout model on past elections, pure: the curve from hourly totals, and the station-level
 * spreads by maximum likelihood (a grid search: a handful of parameters, each on a known scale).
 * Used to build the shipped defaults and by the cross-validation (scripts/model/romania.ts).
 */
import { minutesOfDay } from './turnout.curve.ts';
import { DEFAULT_PARAMETERS, type ModelParameters } from './turnout.projection.ts';

/** One election's cumulative count at each local hour (`HH:MM`), the last hour being the close. */
export type HourlyCounts = Record<string, number>;

/**
 * The mean over elections of each hour's share of that election's final count, to 4 decimals. Every
 * election weighs the same, so that one unusual day moves the curve no more than any other.
 */
export function fitCurveShares(elections: readonly HourlyCounts[]): Record<string, number> {
  const hours = [...new Set(elections.flatMap((counts) => Object.keys(counts)))].sort((a, b) => minutesOfDay(a) - minutesOfDay(b));
  const shares: Record<string, number> = {};
  for (const hour of hours) {
    const values = elections
      .filter((counts) => counts[hour] !== undefined)
      .map(
        (counts) =>
          counts[hour]! /
          Object.entries(counts)
            .sort(([a], [b]) => minutesOfDay(a) - minutesOfDay(b))
            .at(-1)![1],
      );
    shares[hour] = Math.round((values.reduce((sum, value) => sum + value, 0) / values.length) * 10_000) / 10_000;
  }
  return shares;
}

/** A unit of a past election: registered voters, a baseline when known, cumulative counts by hour. */
export interface FitUnit {
  registered: number;
  baselineShare: number | null;
  counts: HourlyCounts;
}

function grid(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let i = 0; from + i * step <= to + 1e-9; i++) values.push(Math.round((from + i * step) * 1e6) / 1e6);
  return values;
}

/** The pair (a, b) that maximises the normal likelihood of `residuals` with variance `variance(a, b, i)`. */
function maximumLikelihood(
  residuals: readonly number[],
  as: readonly number[],
  bs: readonly number[],
  variance: (a: number, b: number, i: number) => number,
): [number, number] {
  let best: [number, number] = [as[0]!, bs[0]!];
  let bestCost = Infinity;
  for (const a of as) {
    for (const b of bs) {
      let cost = 0;
      for (let i = 0; i < residuals.length; i++) {
        const v = variance(a, b, i);
        cost += Math.log(v) + residuals[i]! ** 2 / v;
      }
      if (cost < bestCost) [best, bestCost] = [[a, b], cost];
    }
  }
  return best;
}

/**
 * The station-level parameters of one election's units (the level and day-shape spreads, which describe how
 * elections differ from each other, are kept from `base`):
 * - rhythm: each unit's share of its own final reached at each hour, against all units' share then;
 * - level: each unit's final turnout against its baseline × all units' ratio to their baselines;
 * - level without a baseline: each unit's final turnout against all units' turnout.
 */
export function fitParameters(units: readonly FitUnit[], base: ModelParameters = DEFAULT_PARAMETERS): ModelParameters {
  const finals = units.map(
    (unit) =>
      Object.entries(unit.counts)
        .sort(([a], [b]) => minutesOfDay(a) - minutesOfDay(b))
        .at(-1)![1],
  );
  const usable = units.map((unit, i) => unit.registered > 0 && finals[i]! > 0);
  const hours = [...new Set(units.flatMap((unit) => Object.keys(unit.counts)))]
    .sort((a, b) => minutesOfDay(a) - minutesOfDay(b))
    .slice(0, -1);

  const rhythm: number[] = [];
  const rhythmShare: number[] = [];
  const rhythmVoters: number[] = [];
  for (const hour of hours) {
    let atHour = 0;
    let atClose = 0;
    units.forEach((unit, i) => {
      if (usable[i] && unit.counts[hour] !== undefined) [atHour, atClose] = [atHour + unit.counts[hour]!, atClose + finals[i]!];
    });
    const cityShare = atHour / atClose;
    // The first hours, with a tenth of the day's voters or less, are left out: their counts of a few voters
    // per municipality tell more about counting than about rhythm, and the war room does not project from them.
    if (!(cityShare >= 0.1 && cityShare < 1)) continue;
    units.forEach((unit, i) => {
      if (!usable[i] || unit.counts[hour] === undefined) return;
      const expectedVoters = cityShare * finals[i]!;
      rhythm.push(Math.log((unit.counts[hour]! + 0.5) / (expectedVoters + 0.5)));
      rhythmShare.push(cityShare);
      rhythmVoters.push(Math.max(1, expectedVoters));
    });
  }
  const [stationRhythmSd, countNoise] = maximumLikelihood(
    rhythm,
    grid(0.02, 0.6, 0.01),
    grid(0, 20, 0.25),
    (sd, noise, i) => (sd * (1 - rhythmShare[i]!)) ** 2 + noise / rhythmVoters[i]!,
  );

  const withBaseline = units.flatMap((unit, i) => (usable[i] && unit.baselineShare ? [i] : []));
  const baselineRatio =
    withBaseline.reduce((sum, i) => sum + finals[i]!, 0) /
    withBaseline.reduce((sum, i) => sum + units[i]!.baselineShare! * units[i]!.registered, 0);
  const level = withBaseline.map((i) => Math.log(finals[i]! / (units[i]!.baselineShare! * units[i]!.registered * baselineRatio)));
  const [stationLevelSd, sizeNoise] =
    withBaseline.length > 0
      ? maximumLikelihood(
          level,
          grid(0.005, 0.5, 0.005),
          grid(0, 50, 0.5),
          (sd, noise, k) => sd ** 2 + noise / units[withBaseline[k]!]!.registered,
        )
      : [base.stationLevelSd, base.sizeNoise];

  const all = units.flatMap((_, i) => (usable[i] ? [i] : []));
  const cityTurnout = all.reduce((sum, i) => sum + finals[i]!, 0) / all.reduce((sum, i) => sum + units[i]!.registered, 0);
  const spread = all.map((i) => Math.log(finals[i]! / units[i]!.registered / cityTurnout));
  const [stationLevelSdWithoutBaseline] = maximumLikelihood(
    spread,
    grid(0.01, 1, 0.005),
    [sizeNoise],
    (sd, noise, k) => sd ** 2 + noise / units[all[k]!]!.registered,
  );

  return { ...base, stationRhythmSd, countNoise, stationLevelSd, sizeNoise, stationLevelSdWithoutBaseline };
}
