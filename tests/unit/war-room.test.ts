import { describe, expect, it } from 'vitest';
import { projectionPath, curveShareAt } from '../../app/war-room/day-chart.tsx';
import { connectionState, OFFLINE_AFTER_MS, timeLeft } from '../../app/war-room/election-time.ts';
import { LAG_CLASSES, LAG_COLOURS, lagClass } from '../../app/war-room/lag-scale.ts';
import { chaseWeight, laggingAreas, rankedKind } from '../../app/war-room/ranking.ts';
import { areaScope } from '../../app/war-room/selection.ts';
import type { AreaTurnout } from '../../server/turnout/turnout.service.ts';

function area(code: string, fields: Partial<AreaTurnout> = {}): AreaTurnout {
  return {
    code,
    name: `Area ${code}`,
    kind: 'neighbourhood',
    parentCode: 'D1',
    registered: 1000,
    voted: 0,
    turnout: 0,
    stations: 1,
    reportingStations: 0,
    estimatedStations: 1,
    silentStations: 0,
    openFlags: 0,
    supportersLeft: 100,
    baseline: 0.5,
    expected: 0.2,
    current: 0.2,
    lag: 0,
    projected: 0.5,
    low: 0.45,
    high: 0.55,
    ...fields,
  };
}

describe('lagClass', () => {
  it('puts a lag in one of seven classes, symmetric around on track', () => {
    expect([-0.5, -0.15, -0.149, -0.075, -0.05, -0.025, -0.024, 0, 0.024, 0.025, 0.074, 0.075, 0.15, 2].map(lagClass)).toEqual([
      'behind-3',
      'behind-3',
      'behind-2',
      'behind-2',
      'behind-1',
      'behind-1',
      'even',
      'even',
      'even',
      'ahead-1',
      'ahead-1',
      'ahead-2',
      'ahead-3',
      'ahead-3',
    ]);
  });

  it('says none when the model has nothing', () => {
    expect([null, undefined, Number.NaN].map(lagClass)).toEqual(['none', 'none', 'none']);
  });

  it('has a colour for every class, PuOr from orange (behind) to purple (ahead)', () => {
    expect(Object.keys(LAG_COLOURS).sort()).toEqual([...LAG_CLASSES, 'none'].sort());
    expect(LAG_CLASSES.map((name) => LAG_COLOURS[name])).toEqual([
      '#b35806',
      '#f1a340',
      '#fee0b6',
      '#f7f7f7',
      '#d8daeb',
      '#998ec3',
      '#542788',
    ]);
  });
});

describe('laggingAreas', () => {
  it('ranks the neighbourhoods behind by supporters not yet voted × lag, ten at most', () => {
    const areas = [
      area('D1', { kind: 'district', parentCode: null, lag: -0.5, supportersLeft: 10_000 }),
      area('A', { lag: -0.1, supportersLeft: 300 }), // 30
      area('B', { lag: -0.4, supportersLeft: 100 }), // 40
      area('C', { lag: -0.2, supportersLeft: 150 }), // 30, further behind than A
      area('D', { lag: 0.1, supportersLeft: 5000 }),
      area('E', { lag: null, supportersLeft: 5000 }),
      area('F', { lag: 0, supportersLeft: 5000 }),
      ...Array.from({ length: 12 }, (_, i) => area(`Z${String(i).padStart(2, '0')}`, { lag: -0.01, supportersLeft: 10 })),
    ];
    const ranked = laggingAreas(areas);
    expect(ranked.map((entry) => entry.code)).toEqual(['B', 'C', 'A', 'Z00', 'Z01', 'Z02', 'Z03', 'Z04', 'Z05', 'Z06']);
    expect(laggingAreas(areas, 2).map((entry) => entry.code)).toEqual(['B', 'C']);
    expect(chaseWeight(areas[2]!)).toBeCloseTo(40);
    expect(chaseWeight(areas[4]!)).toBe(0);
  });

  it('ranks districts when the election has no neighbourhoods', () => {
    const areas = [
      area('T', { kind: 'city', parentCode: null, lag: -0.5 }),
      area('D1', { kind: 'district', parentCode: 'T', lag: -0.1 }),
      area('D2', { kind: 'district', parentCode: 'T', lag: -0.3 }),
    ];
    expect(rankedKind(areas)).toBe('district');
    expect(laggingAreas(areas).map((entry) => entry.code)).toEqual(['D2', 'D1']);
  });
});

describe('the polls’ clock', () => {
  const election = { pollsOpenAt: '2026-03-15T07:00:00.000Z', pollsCloseAt: '2026-03-15T19:00:00.000Z' };
  it('counts the minutes before opening, then before closing, rounded up', () => {
    expect(timeLeft(Date.parse('2026-03-15T06:30:00Z'), election)).toEqual({ phase: 'before', minutes: 30 });
    expect(timeLeft(Date.parse('2026-03-15T07:00:00Z'), election)).toEqual({ phase: 'open', minutes: 720 });
    expect(timeLeft(Date.parse('2026-03-15T15:47:30Z'), election)).toEqual({ phase: 'open', minutes: 193 });
    expect(timeLeft(Date.parse('2026-03-15T18:59:59Z'), election)).toEqual({ phase: 'open', minutes: 1 });
    expect(timeLeft(Date.parse('2026-03-15T19:00:00Z'), election)).toEqual({ phase: 'closed' });
  });

  it('says reconnecting at first, then offline after 10 s without a connection', () => {
    expect(connectionState('connected', null, 0)).toBe('connected');
    expect(connectionState('connecting', null, 0)).toBe('connecting');
    expect(connectionState('offline', 1000, 1000 + OFFLINE_AFTER_MS - 1)).toBe('reconnecting');
    expect(connectionState('offline', 1000, 1000 + OFFLINE_AFTER_MS)).toBe('offline');
  });
});

describe('the chart of the day', () => {
  const curve = [
    { at: '2026-03-15T07:00:00.000Z', share: 0 },
    { at: '2026-03-15T13:00:00.000Z', share: 0.5 },
    { at: '2026-03-15T19:00:00.000Z', share: 1 },
  ];
  it('reads the curve between its points', () => {
    expect(curveShareAt(curve, Date.parse('2026-03-15T10:00:00Z'))).toBe(0.25);
    expect(curveShareAt(curve, Date.parse('2026-03-15T06:00:00Z'))).toBe(0);
    expect(curveShareAt(curve, Date.parse('2026-03-15T20:00:00Z'))).toBe(1);
  });

  it('draws the projection from turnout now to the projected final along the rest of the curve', () => {
    const path = projectionPath(curve, Date.parse('2026-03-15T13:00:00Z'), { current: 0.3, projected: 0.6, low: 0.5, high: 0.7 });
    expect(path.map((point) => [new Date(point.at).toISOString(), point.projected, point.low, point.high])).toEqual([
      ['2026-03-15T13:00:00.000Z', 0.3, 0.3, 0.3],
      ['2026-03-15T19:00:00.000Z', 0.6, 0.5, 0.7],
    ]);
    expect(projectionPath(curve, Date.parse('2026-03-15T19:00:00Z'), { current: 0.3, projected: 0.6, low: 0.5, high: 0.7 })).toEqual([]);
    expect(projectionPath(curve, Date.parse('2026-03-15T13:00:00Z'), { current: null, projected: null, low: null, high: null })).toEqual(
      [],
    );
  });
});

describe('areaScope', () => {
  it('gathers an area and everything beneath it', () => {
    const areas = [
      area('T', { parentCode: null }),
      area('D1', { parentCode: 'T' }),
      area('N1', { parentCode: 'D1' }),
      area('D2', { parentCode: 'T' }),
    ];
    expect([...areaScope(areas, 'D1')].sort()).toEqual(['D1', 'N1']);
    expect([...areaScope(areas, 'T')].sort()).toEqual(['D1', 'D2', 'N1', 'T']);
  });
});
