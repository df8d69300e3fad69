import { describe, expect, it } from 'vitest';
import {
  CONNECTION_LOST_AFTER_MS,
  connectionLostSince,
  hoursAndMinutes,
  WALL_LAGGING_AREAS,
  timeLeftMs,
} from '../../app/war-room/wall-figures.ts';
import { laggingAreas } from '../../app/war-room/ranking.ts';
import type { AreaTurnout } from '../../server/turnout/turnout.service.ts';

function area(code: string, kind: AreaTurnout['kind'], lag: number | null, supportersLeft: number): AreaTurnout {
  return {
    code,
    name: `Area ${code}`,
    kind,
    parentCode: kind === 'city' ? null : 'city',
    registered: 1000,
    voted: 300,
    turnout: 0.3,
    baseline: 0.6,
    expected: 0.35,
    current: 0.3,
    lag,
    projected: 0.55,
    low: 0.5,
    high: 0.6,
    stations: 2,
    reportingStations: 2,
    estimatedStations: 0,
    silentStations: 0,
    openFlags: 0,
    supportersLeft,
  };
}

describe('wall screen figures', () => {
  it('counts the time left before polls close by the election’s clock, and never below zero', () => {
    const election = { now: '2026-03-15T16:45:30Z', pollsCloseAt: '2026-03-15T19:00:00Z' };
    expect(hoursAndMinutes(timeLeftMs(election))).toEqual({ hours: 2, minutes: 14 });
    expect(timeLeftMs({ ...election, now: '2026-03-15T19:30:00Z' })).toBe(0);
    expect(hoursAndMinutes(59_999)).toEqual({ hours: 0, minutes: 0 });
  });

  it('ranks the finest areas behind expected by supporters not yet voted × lag, and keeps the top 8', () => {
    const areas = [
      area('city', 'city', -0.5, 10_000),
      area('D1', 'district', -0.5, 5000),
      area('N1', 'neighbourhood', -0.1, 1000), // 100
      area('N2', 'neighbourhood', -0.4, 200), // 80
      area('N3', 'neighbourhood', -0.2, 500), // 100, further behind than N1
      area('N4', 'neighbourhood', 0.05, 5000), // ahead
      area('N5', 'neighbourhood', null, 5000), // nothing to go on
      ...Array.from({ length: 8 }, (_, i) => area(`M${i}`, 'neighbourhood', -0.01, 10 + i)),
    ];
    const ranked = laggingAreas(areas, WALL_LAGGING_AREAS).map((a) => a.code);
    expect(ranked).toEqual(['N3', 'N1', 'N2', 'M7', 'M6', 'M5', 'M4', 'M3']);
    // Without neighbourhoods, districts.
    expect(laggingAreas([area('city', 'city', -0.5, 1), area('D1', 'district', -0.1, 10)]).map((a) => a.code)).toEqual(['D1']);
  });

  it('greys a screen out once its connection has been lost for CONNECTION_LOST_AFTER_MS', () => {
    expect(connectionLostSince(null, 50_000)).toBeNull();
    expect(connectionLostSince(1000, 1000 + CONNECTION_LOST_AFTER_MS - 1)).toBeNull();
    expect(connectionLostSince(1000, 1000 + CONNECTION_LOST_AFTER_MS)).toBe(1000);
  });
});
