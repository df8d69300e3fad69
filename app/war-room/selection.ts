import type { AreaTurnout, StationTurnout, TurnoutSnapshot } from '../../server/turnout/turnout.service.ts';

/** What the war room's panel shows: an area or a polling station, picked on the map, a list or the table. */
export interface WarRoomSelection {
  kind: 'area' | 'station';
  code: string;
}

/** The codes of an area and of every area beneath it. */
export function areaScope(areas: readonly Pick<AreaTurnout, 'code' | 'parentCode'>[], code: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const area of areas) {
    if (area.parentCode === null) continue;
    children.set(area.parentCode, [...(children.get(area.parentCode) ?? []), area.code]);
  }
  const scope = new Set<string>();
  const queue = [code];
  while (queue.length > 0) {
    const next = queue.pop()!;
    if (scope.has(next)) continue;
    scope.add(next);
    queue.push(...(children.get(next) ?? []));
  }
  return scope;
}

export type SelectedUnit = { kind: 'area'; area: AreaTurnout } | { kind: 'station'; station: StationTurnout; area: AreaTurnout | null };

export function selectedUnit(snapshot: TurnoutSnapshot, selection: WarRoomSelection | null): SelectedUnit | null {
  if (!selection) return null;
  if (selection.kind === 'area') {
    const area = snapshot.areas.find((entry) => entry.code === selection.code);
    return area ? { kind: 'area', area } : null;
  }
  const station = snapshot.stations.find((entry) => entry.code === selection.code);
  if (!station) return null;
  return { kind: 'station', station, area: snapshot.areas.find((entry) => entry.code === station.areaCode) ?? null };
}
