import type { ElectionSummary } from '../../server/turnout/turnout.service.ts';

/**
 * A wall screen that has had no connection for this long greys out and says since when: its figures
 * may be out of date. Shorter drops (a server restart, a Wi-Fi hiccup) pass unnoticed.
 */
export const CONNECTION_LOST_AFTER_MS = 10_000;

/** How many lagging areas a wall screen lists: what reads from across a room. */
export const WALL_LAGGING_AREAS = 8;

/** Time left before polls close, by the election's own clock (a simulated day's, in a simulation); never negative. */
export function timeLeftMs(election: Pick<ElectionSummary, 'now' | 'pollsCloseAt'>): number {
  return Math.max(0, Date.parse(election.pollsCloseAt) - Date.parse(election.now));
}

/** Whole hours and the minutes beyond them, rounded down: "1 h 59" until the full two hours have passed. */
export function hoursAndMinutes(ms: number): { hours: number; minutes: number } {
  const totalMinutes = Math.floor(Math.max(0, ms) / 60_000);
  return { hours: Math.floor(totalMinutes / 60), minutes: totalMinutes % 60 };
}

/**
 * Since when a screen has been without a connection, once that has lasted CONNECTION_LOST_AFTER_MS; null while
 * it is live. `lostAt` is when the connection dropped, cleared only once fresh figures arrive after it.
 */
export function connectionLostSince(lostAt: number | null, now: number): number | null {
  return lostAt !== null && now - lostAt >= CONNECTION_LOST_AFTER_MS ? lostAt : null;
}
