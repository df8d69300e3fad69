/**
 * How a polling day fills up: the share of a station's final turnout reached at each point of the
 * day, for the election-day simulator. Not the turnout model (server/turnout/): a fixed curve to
 * play a plausible day, never to judge one.
 *
 * HOURLY_SHARES[h] is the share of the final count reached at the end of hour h + 1 of polling day.
 * Fitted by scripts/demo/derive-simulator.ts from the Romanian presidential first rounds of
 * 24 November 2024 and 4 May 2025 (official hourly counts of every municipality of 19 counties,
 * polls open 07:00–21:00, summed per hour and divided by the count at closing; the two elections
 * averaged). Source and attribution: ../shared/data/real/romania/SOURCES.md (the official hourly
 * feed of Romania's election authority, as stored in the public repository Far-Se/alegeri), and
 * docs/watchers.md. A day of another length (Paris: 08:00–20:00) is played on the same
 * curve stretched to its length: the shape, a slow morning and a steady afternoon, is what matters.
 */
export const HOURLY_SHARES = [
  0.0322, 0.0766, 0.1463, 0.2334, 0.3338, 0.4355, 0.5234, 0.6049, 0.6834, 0.7647, 0.8451, 0.9118, 0.9652, 1,
] as const;

const POINTS = [0, ...HOURLY_SHARES];
const STEP = 1 / HOURLY_SHARES.length;

/** Share of the final turnout reached when `fraction` (0–1) of the polling day has passed. */
export function shareOfDay(fraction: number): number {
  if (fraction <= 0) return 0;
  if (fraction >= 1) return 1;
  const index = Math.floor(fraction / STEP);
  const within = (fraction - index * STEP) / STEP;
  return POINTS[index]! + (POINTS[index + 1]! - POINTS[index]!) * within;
}

/** The fraction of the day by which `share` (0–1) of the final turnout has voted: when a voter votes. */
export function fractionOfDayAtShare(share: number): number {
  if (share <= 0) return 0;
  if (share >= 1) return 1;
  const index = POINTS.findIndex((point) => point >= share) - 1;
  const within = (share - POINTS[index]!) / (POINTS[index + 1]! - POINTS[index]!);
  return (index + within) * STEP;
}
