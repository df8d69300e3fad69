/**
 * How a screen keeps its copy of the war room's turnout in step with the `/live` stream, as pure functions
 * (no React, no socket): the dashboard's hook uses them, and so does the live benchmark's dashboards.
 */
import type { TurnoutDelta } from '../../server/turnout/turnout.delta.ts';
import type { TurnoutSnapshot } from '../../server/turnout/turnout.service.ts';

/** The snapshot with a delta's entries merged into those with the same code (docs/api.md, /live). */
export function applyDelta(snapshot: TurnoutSnapshot, delta: TurnoutDelta): TurnoutSnapshot {
  const replace = <T extends { code: string }>(entries: T[], changed: readonly Partial<T>[]): T[] => {
    if (changed.length === 0) return entries;
    const byCode = new Map(changed.map((entry) => [entry.code, entry]));
    return entries.map((entry) => {
      const update = byCode.get(entry.code);
      return update ? { ...entry, ...update } : entry;
    });
  };
  return {
    ...snapshot,
    seq: delta.seq,
    asOf: delta.asOf,
    election: delta.election,
    totals: delta.totals,
    areas: replace(snapshot.areas, delta.areas),
    stations: replace(snapshot.stations, delta.stations),
    flags: delta.flags ?? snapshot.flags,
  };
}

/** What to do with a delta: apply it, skip it (already included), or ask for a snapshot (a gap, or another node's stream). */
export function placeOf(snapshot: TurnoutSnapshot | null, delta: TurnoutDelta): 'apply' | 'skip' | 'resync' {
  if (!snapshot || delta.epoch !== snapshot.epoch) return 'resync';
  if (delta.seq <= snapshot.seq) return 'skip';
  return delta.seq === snapshot.seq + 1 ? 'apply' : 'resync';
}
