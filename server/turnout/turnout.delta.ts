/**
 * What changed between two turnout frames, pure: the war room's `turnout:delta` carries only the stations and
 * areas whose figures changed (figures are rounded to 0.1 %, so a frame recomputed with nothing new gives no
 * delta), and the totals, the election's clock and the open flags.
 */
import type { AreaTurnout, OpenFlag, StationTurnout, TurnoutFrame } from './turnout.service.ts';

export interface TurnoutDelta {
  epoch: string;
  /** One more than the previous delta's, or than the snapshot's it follows. */
  seq: number;
  asOf: string;
  election: TurnoutFrame['election'];
  totals: TurnoutFrame['totals'];
  /** Areas and stations whose figures changed: replace the entries with the same code. */
  areas: AreaTurnout[];
  stations: StationTurnout[];
  /** The open flags, when they changed. */
  flags?: OpenFlag[];
}

export type FrameChange =
  /** The same stations and areas: the entries that changed. */
  | { kind: 'delta'; delta: Omit<TurnoutDelta, 'epoch' | 'seq'> }
  /** Stations or areas were added or removed (an import), or the election changed: clients need the whole frame. */
  | { kind: 'snapshot' }
  | { kind: 'none' };

function sameCodes(before: readonly { code: string }[], after: readonly { code: string }[]): boolean {
  return before.length === after.length && before.every((entry, i) => entry.code === after[i]!.code);
}

function changedEntries<T extends { code: string }>(before: readonly T[], after: readonly T[]): T[] {
  return after.filter((entry, i) => JSON.stringify(entry) !== JSON.stringify(before[i]));
}

export function frameChange(before: TurnoutFrame, after: TurnoutFrame): FrameChange {
  if (before.election.id !== after.election.id || !sameCodes(before.stations, after.stations) || !sameCodes(before.areas, after.areas)) {
    return { kind: 'snapshot' };
  }
  const stations = changedEntries(before.stations, after.stations);
  const areas = changedEntries(before.areas, after.areas);
  const flagsChanged = JSON.stringify(before.flags) !== JSON.stringify(after.flags);
  const totalsChanged = JSON.stringify(before.totals) !== JSON.stringify(after.totals);
  const electionChanged = JSON.stringify(before.election) !== JSON.stringify(after.election);
  const curveChanged = JSON.stringify(before.curve) !== JSON.stringify(after.curve);
  if (curveChanged) return { kind: 'snapshot' };
  if (stations.length === 0 && areas.length === 0 && !flagsChanged && !totalsChanged && !electionChanged) return { kind: 'none' };
  return {
    kind: 'delta',
    delta: {
      asOf: after.asOf,
      election: after.election,
      totals: after.totals,
      areas,
      stations,
      ...(flagsChanged ? { flags: after.flags } : {}),
    },
  };
}
