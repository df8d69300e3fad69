/**
 * The turnout model, pure: for each station, turnout expected now, lag, projected final turnout with an 80 %
 * interval (or an estimate when it has no fresh report), and the same for every area.
 *
 * Method (docs/turnout-model.md): in log scale, a station's count against its expected count at the hour of
 * its report is the sum of four parts — the city's level against its baselines (L), the day's shape against
 * the usual curve (S), the station's own level against its baseline (u), and the station's own rhythm (e).
 * The city's pace is L + S; how much of it is level rather than shape depends on how far into the day we are.
 * A station's difference from the city's pace is u + e; early in the day and in small stations e dominates,
 * so the station is shrunk toward the city (normal–normal partial pooling).
 */
import { type AreaNode } from './turnout.model.ts';
import { expectedShareAt, type TurnoutCurve } from './turnout.curve.ts';

export interface ModelParameters {
  /** Spread (log) of a city's final turnout around its baseline at a comparable past election. Assumed. */
  levelSd: number;
  /** Spread (logit) of the day's shape around the usual curve: log-scale spread at share c is this × (1 − c). */
  dayShapeSd: number;
  /** Spread (log) of a station's share of its final reached by then around the city's: this × (1 − c). */
  stationRhythmSd: number;
  /** Extra variance of a station's rhythm per expected voter so far (counting noise): this / expected voters. */
  countNoise: number;
  /** Spread (log) of a station's final turnout around its own baseline × the city's level. */
  stationLevelSd: number;
  /** The same for a station judged against its area's or the city's baseline (or none). */
  stationLevelSdWithoutBaseline: number;
  /** Extra variance of a station's level per registered voter: this / registered. */
  sizeNoise: number;
}

/**
 * The station-level spreads were fitted on Romania's 2025 presidential first round (1,428 municipalities, the
 * 2024 first round as baseline) by `fitParameters` in turnout.fit.ts. The two others describe how elections
 * differ from each other and cannot be fitted on one election (docs/turnout-model.md): `dayShapeSd` is the
 * spread of the 2024 and 2025 days around their mean curve over 08:00–17:00; `levelSd` is assumed (a
 * comparable election's turnout is usually within ±15 %: France's presidential first rounds moved by −2 % and
 * −5 % from 2012 to 2022, Romania's by +1 % from 2024 to 2025).
 */
export const DEFAULT_PARAMETERS: ModelParameters = {
  levelSd: 0.15,
  dayShapeSd: 0.18,
  stationRhythmSd: 0.29,
  countNoise: 0.25,
  stationLevelSd: 0.055,
  stationLevelSdWithoutBaseline: 0.215,
  sizeNoise: 13,
};

/** z of the 10th and 90th percentiles of a normal distribution: an 80 % interval. */
const Z80 = 1.2815515655446004;

export interface StationInput {
  code: string;
  /** The station's smallest area, or null when it has none. */
  areaCode: string | null;
  registered: number;
  /** The station's final turnout (0–1) at a comparable past election, when known. */
  baselineShare: number | null;
  /** The latest cumulative count reported, or null when the station has not reported. */
  report: { voted: number; observedAt: Date } | null;
  /** When the station closes later than the election. */
  closesAt?: Date | null;
}

export interface DayInput {
  curve: TurnoutCurve;
  opensAt: Date;
  closesAt: Date;
  /** The area tree (a station's area and all its parents). */
  areas: readonly AreaNode[];
  /** A report older than this no longer tells the turnout now: the station's count now is estimated. */
  freshForMinutes?: number;
  parameters?: ModelParameters;
}

export type BaselineSource = 'station' | 'area' | 'city' | 'none';

export interface Projection {
  /** Projected final turnout, share of registered voters. */
  projectedFinal: number;
  /** 80 % interval of the final turnout. */
  low: number;
  high: number;
}

export interface StationProjection extends Projection {
  code: string;
  registered: number;
  /** The final turnout the station is judged against, and where it comes from. */
  baselineShare: number;
  baselineSource: BaselineSource;
  /** Turnout expected now: baseline × curve now. */
  expectedShare: number;
  /** Turnout now: the report when it is fresh, else estimated (projected final × curve now). */
  currentShare: number;
  /** True when `currentShare` is not a fresh report. */
  estimated: boolean;
  /** Reported turnout at the last report, or null. */
  observedShare: number | null;
  observedAt: Date | null;
  /** Reported against expected at the hour of the report, minus 1 (−0.1 = 10 % behind); null without a report. */
  lag: number | null;
}

export interface AreaProjection extends Projection {
  code: string;
  registered: number;
  expectedShare: number;
  currentShare: number;
  /** Current against expected, minus 1. */
  lag: number;
  stations: number;
  estimatedStations: number;
}

export interface DayProjection {
  stations: StationProjection[];
  areas: Map<string, AreaProjection>;
  total: AreaProjection;
  /** The city's pace against its baselines: reported against expected over all reports, minus 1; null without baselines. */
  cityLag: number | null;
}

/** Internal per-station state shared by the station and area projections. */
interface StationState {
  input: StationInput;
  baseline: number;
  /** What the model multiplies by the levels: the baseline, or 1 when no station has one. */
  anchor: number;
  source: BaselineSource;
  closesAt: Date;
  expectedShareOfFinalAtReport: number;
  /** Station's own level (log), posterior mean and variance. */
  level: number;
  levelVariance: number;
}

function weightedMean(pairs: readonly (readonly [value: number, weight: number])[]): number | null {
  let sum = 0;
  let weights = 0;
  for (const [value, weight] of pairs) {
    sum += value * weight;
    weights += weight;
  }
  return weights > 0 ? sum / weights : null;
}

function parentsOf(areas: readonly AreaNode[]) {
  const parentOf = new Map(areas.map((area) => [area.code, area.parentCode]));
  return (code: string | null): string[] => {
    const chain: string[] = [];
    for (let at: string | null | undefined = code; at && !chain.includes(at); at = parentOf.get(at)) chain.push(at);
    return chain;
  };
}

/**
 * Each station's baseline: its own, else its area's (nearest area with one), else the city's. A baseline of 0
 * (nobody voted, or not recorded) gives nothing to scale from and counts as unknown.
 */
function baselines(stations: readonly StationInput[], chainOf: (code: string | null) => string[]) {
  const known = (station: StationInput) => station.baselineShare !== null && station.baselineShare > 0;
  const byArea = new Map<string, [number, number][]>();
  const city: [number, number][] = [];
  for (const station of stations) {
    if (!known(station) || !(station.registered > 0)) continue;
    city.push([station.baselineShare!, station.registered]);
    for (const code of chainOf(station.areaCode)) {
      const list = byArea.get(code) ?? [];
      list.push([station.baselineShare!, station.registered]);
      byArea.set(code, list);
    }
  }
  const cityBaseline = weightedMean(city);
  return stations.map((station): { baseline: number | null; source: BaselineSource } => {
    if (known(station)) return { baseline: station.baselineShare!, source: 'station' };
    for (const code of chainOf(station.areaCode)) {
      const areaBaseline = weightedMean(byArea.get(code) ?? []);
      if (areaBaseline !== null) return { baseline: areaBaseline, source: 'area' };
    }
    return cityBaseline !== null ? { baseline: cityBaseline, source: 'city' } : { baseline: null, source: 'none' };
  });
}

/** Project every station and area at instant `now`. */
export function projectDay(stations: readonly StationInput[], day: DayInput, now: Date): DayProjection {
  const p = day.parameters ?? DEFAULT_PARAMETERS;
  const freshMs = (day.freshForMinutes ?? 60) * 60_000;
  const chainOf = parentsOf(day.areas);
  const closesOf = (station: StationInput) => (station.closesAt && station.closesAt > day.closesAt ? station.closesAt : day.closesAt);
  const shareOfFinal = (station: StationInput, at: Date) => expectedShareAt(day.curve, at, day.opensAt, closesOf(station));

  // Reports usable as evidence: made by now, after opening, with registered voters.
  const usable = (station: StationInput) =>
    station.report !== null &&
    station.registered > 0 &&
    station.report.observedAt <= now &&
    shareOfFinal(station, station.report.observedAt) > 0;

  const found = baselines(stations, chainOf);
  const anyBaseline = found.some((b) => b.baseline !== null);
  // Without any baseline, every station is judged against the city's own naive projection (set below).
  const provisional = found.map((b) => b.baseline ?? 1);

  // The city's pace: all reported counts over all expected counts at the hour of each report.
  let reported = 0;
  let expectedAtReports = 0;
  let weightOfExpectedShare = 0;
  for (const [i, station] of stations.entries()) {
    if (!usable(station)) continue;
    const c = shareOfFinal(station, station.report!.observedAt);
    reported += station.report!.voted;
    expectedAtReports += c * provisional[i]! * station.registered;
    weightOfExpectedShare += provisional[i]! * station.registered;
  }
  const hasEvidence = reported > 0 && expectedAtReports > 0;
  const cityPace = hasEvidence ? Math.log(reported / expectedAtReports) : 0;
  const cityShareOfFinal = hasEvidence ? expectedAtReports / weightOfExpectedShare : 0;

  // How much of the city's pace is level (final turnout against baselines) rather than the day's shape:
  // early in the day a city ahead of its baselines is mostly a city voting earlier than usual.
  const shapeVariance = (p.dayShapeSd * (1 - cityShareOfFinal)) ** 2;
  let cityLevel: number;
  let cityLevelVariance: number;
  if (!hasEvidence) {
    cityLevel = 0;
    cityLevelVariance = anyBaseline ? p.levelSd ** 2 : p.dayShapeSd ** 2;
  } else if (anyBaseline) {
    const weight = p.levelSd ** 2 / (p.levelSd ** 2 + shapeVariance);
    cityLevel = weight * cityPace;
    cityLevelVariance = weight * shapeVariance;
  } else {
    cityLevel = cityPace;
    cityLevelVariance = shapeVariance;
  }
  const baselineOf = (i: number) => (anyBaseline ? found[i]!.baseline! : hasEvidence ? Math.exp(cityPace) : 0);

  const states: StationState[] = stations.map((station, i) => {
    const source = found[i]!.source;
    const priorVariance =
      (source === 'station' ? p.stationLevelSd ** 2 : p.stationLevelSdWithoutBaseline ** 2) + p.sizeNoise / Math.max(1, station.registered);
    const state: StationState = {
      input: station,
      baseline: baselineOf(i),
      anchor: provisional[i]!,
      source,
      closesAt: closesOf(station),
      expectedShareOfFinalAtReport: 0,
      level: 0,
      levelVariance: priorVariance,
    };
    if (!usable(station) || !hasEvidence) return state;
    const c = shareOfFinal(station, station.report!.observedAt);
    const expectedVoters = c * provisional[i]! * station.registered * Math.exp(cityPace);
    // +0.5 keeps a station with no voter yet finite, and weighs little against hundreds.
    const difference = Math.log((station.report!.voted + 0.5) / (c * provisional[i]! * station.registered + 0.5)) - cityPace;
    const rhythmVariance = (p.stationRhythmSd * (1 - c)) ** 2 + p.countNoise / Math.max(1, expectedVoters);
    const weight = priorVariance / (priorVariance + rhythmVariance);
    state.expectedShareOfFinalAtReport = c;
    state.level = weight * difference;
    state.levelVariance = weight * rhythmVariance;
    return state;
  });

  // A station without a report takes the mean level of the reporting stations of its nearest area that has any.
  const areaLevels = new Map<string, [number, number][]>();
  for (const state of states) {
    if (state.expectedShareOfFinalAtReport === 0) continue;
    for (const code of chainOf(state.input.areaCode)) {
      const list = areaLevels.get(code) ?? [];
      list.push([state.level, state.input.registered]);
      areaLevels.set(code, list);
    }
  }
  for (const state of states) {
    if (state.expectedShareOfFinalAtReport > 0) continue;
    for (const code of chainOf(state.input.areaCode)) {
      const level = weightedMean(areaLevels.get(code) ?? []);
      if (level !== null) {
        state.level = level;
        break;
      }
    }
  }

  const projections = states.map((state): StationProjection => {
    const { input } = state;
    const observedShare = input.report && input.registered > 0 ? input.report.voted / input.registered : null;
    const reported = input.report && input.report.observedAt <= now ? input.report : null;
    const nowShareOfFinal = expectedShareAt(day.curve, now, day.opensAt, state.closesAt);
    const sd = Math.sqrt(cityLevelVariance + state.levelVariance);
    const floor = reported && observedShare !== null ? observedShare : 0;
    const projectedFinal = Math.max(floor, state.anchor * Math.exp(cityLevel + state.level));
    const fresh = reported !== null && now.getTime() - reported.observedAt.getTime() <= freshMs;
    return {
      code: input.code,
      registered: input.registered,
      baselineShare: state.baseline,
      baselineSource: state.source,
      expectedShare: state.baseline * nowShareOfFinal,
      currentShare: fresh && observedShare !== null ? observedShare : Math.max(floor, projectedFinal * nowShareOfFinal),
      estimated: !fresh,
      observedShare: reported ? observedShare : null,
      observedAt: reported ? reported.observedAt : null,
      lag:
        reported && observedShare !== null && state.expectedShareOfFinalAtReport > 0 && state.baseline > 0
          ? observedShare / (state.baseline * state.expectedShareOfFinalAtReport) - 1
          : null,
      projectedFinal,
      low: Math.max(floor, projectedFinal * Math.exp(-Z80 * sd)),
      high: projectedFinal * Math.exp(Z80 * sd),
    };
  });

  // Areas: sums weighted by registered voters. The city's level is shared by every station, so it does not
  // average out; the stations' own levels are independent and do.
  const members = new Map<string, number[]>(day.areas.map((area) => [area.code, []]));
  for (const [i, state] of states.entries()) {
    for (const code of chainOf(state.input.areaCode)) members.get(code)?.push(i);
  }
  const aggregate = (code: string, indices: readonly number[]): AreaProjection => {
    let registered = 0;
    let final = 0;
    let expected = 0;
    let current = 0;
    let estimatedStations = 0;
    for (const i of indices) {
      const station = projections[i]!;
      registered += station.registered;
      final += station.projectedFinal * station.registered;
      expected += station.expectedShare * station.registered;
      current += station.currentShare * station.registered;
      if (station.estimated) estimatedStations += 1;
    }
    let ownVariance = 0;
    for (const i of indices) {
      const share = (projections[i]!.projectedFinal * projections[i]!.registered) / (final || 1);
      ownVariance += share ** 2 * states[i]!.levelVariance;
    }
    const projectedFinal = registered > 0 ? final / registered : 0;
    const currentShare = registered > 0 ? current / registered : 0;
    const sd = Math.sqrt(cityLevelVariance + ownVariance);
    return {
      code,
      registered,
      expectedShare: registered > 0 ? expected / registered : 0,
      currentShare,
      lag: expected > 0 ? current / expected - 1 : 0,
      stations: indices.length,
      estimatedStations,
      projectedFinal,
      low: Math.max(currentShare * (estimatedStations === 0 ? 1 : 0), projectedFinal * Math.exp(-Z80 * sd)),
      high: projectedFinal * Math.exp(Z80 * sd),
    };
  };

  const areas = new Map([...members].map(([code, indices]) => [code, aggregate(code, indices)]));
  return {
    stations: projections,
    areas,
    total: aggregate(
      '',
      states.map((_, i) => i),
    ),
    cityLag: hasEvidence && anyBaseline ? Math.exp(cityPace) - 1 : null,
  };
}
