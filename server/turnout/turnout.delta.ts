/**
 * What changed between the turnout the screens hold and a newly computed frame, pure. The war room's
 * `turnout:delta` carries:
 * - the stations and areas whose counts, reports, flags or supporters changed, or whose model figures moved by
 *   at least MODEL_DRIFT since the screens last got them — every report moves the model's estimate of every
 *   station a little (the city's pace is pooled), and sending each of those moves would make every delta as
 *   big as a snapshot;
 * - without the fields that do not change during the day (name, place, registered voters…), which screens
 *   have from their snapshot;
 * - the totals, the election's clock, and the open flags when they changed.
 */
import type { AreaTurnout, OpenFlag, StationTurnout, TurnoutFrame } from './turnout.service.ts';

/** A station's model figures reach screens once they moved by this much (shares: 0.5 point). */
export const STATION_MODEL_DRIFT = 0.005;

/** An area's, and the totals', once they moved by this much (0.2 point): areas are what the map colours. */
export const AREA_MODEL_DRIFT = 0.002;

const MODEL_FIELDS = new Set(['baseline', 'expected', 'current', 'lag', 'projected', 'low', 'high']);

const STATION_FIXED = ['name', 'areaCode', 'longitude', 'latitude', 'closesAt', 'registered'] as const;
const AREA_FIXED = ['name', 'kind', 'parentCode', 'registered', 'stations'] as const;

/** A station in a delta: `code` and everything that may change during the day. */
export type StationUpdate = Omit<StationTurnout, (typeof STATION_FIXED)[number]>;
export type AreaUpdate = Omit<AreaTurnout, (typeof AREA_FIXED)[number]>;

export interface TurnoutDelta {
  epoch: string;
  /** One more than the previous delta's, or than the snapshot's it follows. */
  seq: number;
  asOf: string;
  election: TurnoutFrame['election'];
  totals: TurnoutFrame['totals'];
  /** Areas and stations that changed: merge each into the entry with the same code. */
  areas: AreaUpdate[];
  stations: StationUpdate[];
  /** The open flags, when they changed. */
  flags?: OpenFlag[];
}

export type FrameChange =
  /** What to send, and the turnout the screens hold once they applied it. */
  | { kind: 'delta'; delta: Omit<TurnoutDelta, 'epoch' | 'seq'>; held: TurnoutFrame }
  /** Stations or areas were added or removed (an import), or the election or its curve changed: send it whole. */
  | { kind: 'snapshot' }
  | { kind: 'none' };

/** Whether `after` differs from `before` enough to be sent: any field but the model's, or a model figure by `drift`. */
export function moved(before: object, after: object, drift: number): boolean {
  for (const [key, value] of Object.entries(after)) {
    const was: unknown = (before as Record<string, unknown>)[key];
    if (MODEL_FIELDS.has(key) && typeof value === 'number' && typeof was === 'number') {
      if (Math.abs(value - was) >= drift) return true;
    } else if (value !== was) {
      return true;
    }
  }
  return false;
}

function without<T extends object, K extends keyof T>(entry: T, fixed: readonly K[]): Omit<T, K> {
  const update = { ...entry };
  for (const key of fixed) delete update[key];
  return update;
}

function sameCodes(before: readonly { code: string }[], after: readonly { code: string }[]): boolean {
  return before.length === after.length && before.every((entry, i) => entry.code === after[i]!.code);
}

/** The entries of `after` that moved from `held`, and what screens hold once they take them. */
function changes<T extends { code: string }>(held: readonly T[], after: readonly T[], drift: number): { changed: T[]; held: T[] } {
  const changed: T[] = [];
  const next = held.map((entry, i) => {
    if (!moved(entry, after[i]!, drift)) return entry;
    changed.push(after[i]!);
    return after[i]!;
  });
  return { changed, held: next };
}

export function frameChange(held: TurnoutFrame, after: TurnoutFrame): FrameChange {
  if (
    held.election.id !== after.election.id ||
    !sameCodes(held.stations, after.stations) ||
    !sameCodes(held.areas, after.areas) ||
    JSON.stringify(held.curve) !== JSON.stringify(after.curve)
  ) {
    return { kind: 'snapshot' };
  }
  const stations = changes(held.stations, after.stations, STATION_MODEL_DRIFT);
  const areas = changes(held.areas, after.areas, AREA_MODEL_DRIFT);
  const flagsChanged = JSON.stringify(held.flags) !== JSON.stringify(after.flags);
  const totalsMoved = moved(held.totals, after.totals, AREA_MODEL_DRIFT);
  const electionChanged = JSON.stringify(held.election) !== JSON.stringify(after.election);
  if (stations.changed.length === 0 && areas.changed.length === 0 && !flagsChanged && !totalsMoved && !electionChanged) {
    return { kind: 'none' };
  }
  const totals = totalsMoved ? after.totals : held.totals;
  return {
    kind: 'delta',
    delta: {
      asOf: after.asOf,
      election: after.election,
      totals,
      areas: areas.changed.map((area) => without(area, AREA_FIXED)),
      stations: stations.changed.map((station) => without(station, STATION_FIXED)),
      ...(flagsChanged ? { flags: after.flags } : {}),
    },
    held: { ...held, asOf: after.asOf, election: after.election, totals, areas: areas.held, stations: stations.held, flags: after.flags },
  };
}
