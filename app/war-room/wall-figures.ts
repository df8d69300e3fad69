import type { AreaTurnout, ElectionSummary } from '../../server/turnout/turnout.service.ts';

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

/** What chasing an area is worth now: its supporters not yet voted × how far behind it is (0 when not behind). */
export function chaseWeight(area: Pick<AreaTurnout, 'supportersLeft' | 'lag'>): number {
  // Rounded so that equal weights compare equal, whatever the floating-point product's last digits.
  return area.lag !== null && area.lag < 0 ? Math.round(area.supportersLeft * -area.lag * 1000) / 1000 : 0;
}

/**
 * The areas behind their expected turnout, of the finest kind there is (neighbourhoods, else districts),
 * most worth chasing first: supporters not yet voted × lag. Ties go to the area further behind, then by code.
 */
export function laggingAreas(areas: readonly AreaTurnout[], limit = WALL_LAGGING_AREAS): AreaTurnout[] {
  const finest = areas.some((area) => area.kind === 'neighbourhood') ? 'neighbourhood' : 'district';
  return areas
    .filter((area) => area.kind === finest && area.lag !== null && area.lag < 0)
    .sort((a, b) => chaseWeight(b) - chaseWeight(a) || a.lag! - b.lag! || a.code.localeCompare(b.code))
    .slice(0, limit);
}

/**
 * Since when a screen has been without a connection, once that has lasted CONNECTION_LOST_AFTER_MS; null while
 * it is live. `lostAt` is when the connection dropped, cleared only once fresh figures arrive after it.
 */
export function connectionLostSince(lostAt: number | null, now: number): number | null {
  return lostAt !== null && now - lostAt >= CONNECTION_LOST_AFTER_MS ? lostAt : null;
}
