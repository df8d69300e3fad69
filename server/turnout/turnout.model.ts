/**
 * Turnout arithmetic, pure: stations roll up into their neighbourhood, district and city.
 * Areas weigh their stations by registered voters (a sum of voters over a sum of registered).
 */

export interface StationCount {
  code: string;
  areaCode: string;
  registered: number;
  /** Latest cumulative count reported, or null when the station has not reported. */
  voted: number | null;
}

export interface AreaNode {
  code: string;
  parentCode: string | null;
}

export interface Tally {
  registered: number;
  voted: number;
  stations: number;
  reportingStations: number;
}

export function emptyTally(): Tally {
  return { registered: 0, voted: 0, stations: 0, reportingStations: 0 };
}

function add(tally: Tally, station: StationCount) {
  tally.registered += station.registered;
  tally.voted += station.voted ?? 0;
  tally.stations += 1;
  if (station.voted !== null) tally.reportingStations += 1;
}

/** Share of registered voters who have voted, or null with no registered voters. */
export function turnoutShare(voted: number, registered: number): number | null {
  return registered > 0 ? voted / registered : null;
}

/** The tally of every area (its stations and all its sub-areas' stations) and of the whole election. */
export function tallyAreas(areas: readonly AreaNode[], stations: readonly StationCount[]): { areas: Map<string, Tally>; total: Tally } {
  const parentOf = new Map(areas.map((area) => [area.code, area.parentCode]));
  const tallies = new Map(areas.map((area) => [area.code, emptyTally()]));
  const total = emptyTally();
  for (const station of stations) {
    add(total, station);
    const seen = new Set<string>();
    for (let code: string | null | undefined = station.areaCode; code && !seen.has(code); code = parentOf.get(code)) {
      seen.add(code);
      const tally = tallies.get(code);
      if (tally) add(tally, station);
    }
  }
  return { areas: tallies, total };
}
