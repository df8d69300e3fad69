/**
 * The turnout curve: the share of the day's final turnout usually reached at each moment of polling day.
 *
 * A curve is kept in "day fractions" (0 at opening, 1 at closing) so that one shape serves elections with
 * different polling hours, and a station that closes later than the others stretches it to its own close.
 * An election's curve is stored by local hour (`election.turnout_curve`, e.g. {"12": 0.3458, "17": 0.8821});
 * between those anchors, and before the first and after the last, it follows the default shape fitted on real
 * hourly data (server/turnout/curves/SOURCES.md), bent to pass through every anchor.
 */
import { ROMANIA_PRESIDENTIAL_SHARES } from './curves/romania-presidential.ts';

export interface CurveKnot {
  /** 0 at opening, 1 at closing. */
  dayFraction: number;
  /** Share of the final turnout reached by then, 0–1. */
  share: number;
}

/** Knots sorted by day fraction, from (0, 0) to (1, 1), shares non-decreasing; linear in between. */
export interface TurnoutCurve {
  knots: readonly CurveKnot[];
}

/** A curve that cannot be used: the message says which value is wrong. */
export class CurveError extends Error {
  override name = 'CurveError';
}

const MINUTES_PER_DAY = 24 * 60;

/** Minutes since midnight of `HH:MM` (or `HH`); NaN when it is not a time of day. */
export function minutesOfDay(time: string): number {
  const match = /^(\d{1,2})(?::(\d{2}))?$/.exec(time.trim());
  if (!match) return Number.NaN;
  const minutes = Number(match[1]) * 60 + Number(match[2] ?? 0);
  return Number(match[2] ?? 0) < 60 && minutes <= MINUTES_PER_DAY ? minutes : Number.NaN;
}

function checkedKnots(knots: readonly CurveKnot[]): CurveKnot[] {
  const sorted = [...knots].sort((a, b) => a.dayFraction - b.dayFraction);
  const all = [{ dayFraction: 0, share: 0 }, ...sorted.filter((k) => k.dayFraction > 0 && k.dayFraction < 1), { dayFraction: 1, share: 1 }];
  for (const knot of sorted) {
    if (!(knot.dayFraction >= 0 && knot.dayFraction <= 1)) throw new CurveError(`A curve point lies outside polling hours.`);
    if (!(knot.share >= 0 && knot.share <= 1)) throw new CurveError(`A curve share must be between 0 and 1 (got ${knot.share}).`);
  }
  for (let i = 1; i < all.length; i++) {
    if (all[i]!.dayFraction === all[i - 1]!.dayFraction) throw new CurveError('Two curve points share the same time.');
    if (all[i]!.share < all[i - 1]!.share)
      throw new CurveError('Turnout cannot go down during the day: the shares must grow with the hour.');
  }
  return all;
}

/** A curve through the given knots (0 at opening and 1 at closing are implied), linear in between. */
export function linearCurve(knots: readonly CurveKnot[]): TurnoutCurve {
  return { knots: checkedKnots(knots) };
}

/** The share of final turnout reached at `dayFraction` (clamped to the polling day). */
export function curveAt(curve: TurnoutCurve, dayFraction: number): number {
  const knots = curve.knots;
  if (!(dayFraction > 0)) return 0;
  if (dayFraction >= 1) return 1;
  let i = 1;
  while (knots[i]!.dayFraction < dayFraction) i++;
  const before = knots[i - 1]!;
  const after = knots[i]!;
  return before.share + ((after.share - before.share) * (dayFraction - before.dayFraction)) / (after.dayFraction - before.dayFraction);
}

/** Polling hours as local times of day (`HH:MM`). */
export interface PollingHours {
  opens: string;
  closes: string;
}

/** Where local time `time` (`HH:MM` or `HH`) falls in the polling day: 0 at opening, 1 at closing. */
export function dayFractionOf(time: string, hours: PollingHours): number {
  const opens = minutesOfDay(hours.opens);
  const closes = minutesOfDay(hours.closes);
  return (minutesOfDay(time) - opens) / (closes - opens);
}

/** The default shape: Romania's presidential first rounds of 2024 and 2025, polls 07:00–21:00 (see curves/SOURCES.md). */
export const DEFAULT_CURVE: TurnoutCurve = linearCurve(
  Object.entries(ROMANIA_PRESIDENTIAL_SHARES).map(([hour, share]) => ({
    dayFraction: dayFractionOf(hour, { opens: '07:00', closes: '21:00' }),
    share,
  })),
);

/**
 * A curve through `anchors` that follows `shape` in between: between two anchors the shape's progress is
 * rescaled to join them. With anchors at 12h and 17h only (official figures), the hours in between keep the
 * shape's rhythm; with an hourly history, the result is that history.
 */
export function curveThrough(anchors: readonly CurveKnot[], shape: TurnoutCurve = DEFAULT_CURVE): TurnoutCurve {
  const fixed = checkedKnots(anchors);
  const knots: CurveKnot[] = [...fixed];
  for (const knot of shape.knots) {
    const next = fixed.findIndex((anchor) => anchor.dayFraction >= knot.dayFraction);
    if (next <= 0 || fixed[next]!.dayFraction === knot.dayFraction) continue;
    const a = fixed[next - 1]!;
    const b = fixed[next]!;
    const shapeA = curveAt(shape, a.dayFraction);
    const shapeB = curveAt(shape, b.dayFraction);
    const progress =
      shapeB > shapeA ? (knot.share - shapeA) / (shapeB - shapeA) : (knot.dayFraction - a.dayFraction) / (b.dayFraction - a.dayFraction);
    knots.push({ dayFraction: knot.dayFraction, share: a.share + (b.share - a.share) * progress });
  }
  return { knots: knots.sort((x, y) => x.dayFraction - y.dayFraction) };
}

/** Shares by local hour, as stored in `election.turnout_curve`: {"12": 0.3458, "17": 0.8821}. */
export type HourlyShares = Record<string, number>;

/** The curve of an election from its stored shares by local hour (or the default shape when it has none). */
export function curveFromHourly(
  hourly: HourlyShares | null | undefined,
  hours: PollingHours,
  shape: TurnoutCurve = DEFAULT_CURVE,
): TurnoutCurve {
  if (!hourly || Object.keys(hourly).length === 0) return shape;
  const anchors = Object.entries(hourly).map(([time, share]) => {
    const dayFraction = dayFractionOf(time, hours);
    if (Number.isNaN(dayFraction)) throw new CurveError(`"${time}" is not a time of day (HH or HH:MM).`);
    if (dayFraction <= 0 || dayFraction > 1) throw new CurveError(`${time} is outside polling hours (${hours.opens}–${hours.closes}).`);
    return { dayFraction, share };
  });
  return curveThrough(anchors, shape);
}

/**
 * Shares of the final from official turnout figures of a comparable past election, all in percent of
 * registered voters: France 2022, first round, {"12": 25.48, "17": 65.00} with final 73.69 gives
 * {"12": 0.3458, "17": 0.8821}. Rounded to 4 decimals, as stored.
 */
export function sharesFromOfficialFigures(turnoutByHour: Record<string, number>, finalTurnout: number): HourlyShares {
  if (!(finalTurnout > 0 && finalTurnout <= 100))
    throw new CurveError(`The final turnout must be a percentage above 0 (got ${finalTurnout}).`);
  const shares: HourlyShares = {};
  for (const [hour, turnout] of Object.entries(turnoutByHour)) {
    if (!(turnout >= 0 && turnout <= finalTurnout)) {
      throw new CurveError(`The turnout at ${hour}h (${turnout} %) must be between 0 and the final turnout (${finalTurnout} %).`);
    }
    shares[hour] = Math.round((turnout / finalTurnout) * 10_000) / 10_000;
  }
  return shares;
}

/**
 * Shares of the final from an hourly history of cumulative counts (or percentages) of one past election:
 * the last hour is the final. {"08": 100, "12": 400, "20": 1000} gives {"08": 0.1, "12": 0.4, "20": 1}.
 */
export function sharesFromHistory(cumulativeByHour: Record<string, number>): HourlyShares {
  const entries = Object.entries(cumulativeByHour).sort(([a], [b]) => minutesOfDay(a) - minutesOfDay(b));
  const final = entries.at(-1)?.[1];
  if (final === undefined || !(final > 0)) throw new CurveError('The history needs a final count above 0 at its last hour.');
  const shares: HourlyShares = {};
  let previous = 0;
  for (const [hour, count] of entries) {
    if (Number.isNaN(minutesOfDay(hour))) throw new CurveError(`"${hour}" is not a time of day (HH or HH:MM).`);
    if (!(count >= previous)) throw new CurveError(`The count at ${hour} (${count}) is lower than the one before it (${previous}).`);
    previous = count;
    shares[hour] = Math.round((count / final) * 10_000) / 10_000;
  }
  return shares;
}

/**
 * The expected share of final turnout reached at instant `at`, for a station open from `opensAt` to
 * `closesAt`: a station that closes later than the others has its day, and so the curve, stretched to its close.
 */
export function expectedShareAt(curve: TurnoutCurve, at: Date, opensAt: Date, closesAt: Date): number {
  const length = closesAt.getTime() - opensAt.getTime();
  if (!(length > 0)) return at >= closesAt ? 1 : 0;
  return curveAt(curve, (at.getTime() - opensAt.getTime()) / length);
}
