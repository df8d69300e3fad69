import { describe, expect, it } from 'vitest';
import { linearCurve } from '../../server/turnout/turnout.curve.ts';
import {
  projectDay,
  type DayInput,
  type ModelParameters,
  type StationInput,
  type StationProjection,
} from '../../server/turnout/turnout.projection.ts';

const at = (hhmm: string) => new Date(`2026-03-15T${hhmm}:00Z`);

/** Round parameters, no counting or size noise, so that the figures below can be checked by hand. */
const parameters: ModelParameters = {
  levelSd: 0.1,
  dayShapeSd: 0.2,
  stationRhythmSd: 0.2,
  countNoise: 0,
  stationLevelSd: 0.1,
  stationLevelSdWithoutBaseline: 0.2,
  sizeNoise: 0,
};

/** Polls 08:00–20:00 and a steady curve: half the final is expected at 14:00. */
const day: DayInput = {
  curve: linearCurve([]),
  opensAt: at('08:00'),
  closesAt: at('20:00'),
  areas: [
    { code: 'city', parentCode: null },
    { code: 'north', parentCode: 'city' },
    { code: 'south', parentCode: 'city' },
  ],
  parameters,
};

const stations: StationInput[] = [
  { code: 'a', areaCode: 'north', registered: 1000, baselineShare: 0.5, report: { voted: 300, observedAt: at('14:00') } },
  { code: 'b', areaCode: 'north', registered: 3000, baselineShare: 0.6, report: { voted: 800, observedAt: at('14:00') } },
  { code: 'c', areaCode: 'south', registered: 2000, baselineShare: null, report: null },
  { code: 'd', areaCode: 'north', registered: 1000, baselineShare: 0.5, report: { voted: 150, observedAt: at('11:00') } },
];

describe('projectDay: stations', () => {
  const result = projectDay(stations, day, at('14:00'));
  const [a, b, c, d] = result.stations as [StationProjection, StationProjection, StationProjection, StationProjection];

  it('expects baseline × curve now, and measures the lag at the hour of the report', () => {
    expect([a.expectedShare, b.expectedShare]).toEqual([0.25, 0.3]);
    expect(a.lag).toBeCloseTo(0.2, 12); // 30 % against 25 % expected
    expect(b.lag).toBeCloseTo(-1 / 9, 12); // 26.7 % against 30 %
    expect(d.lag).toBeCloseTo(0.2, 12); // 15 % at 11:00 against 12.5 %
    // The city: 1,250 voters against 1,275 expected at the hours of the reports.
    expect(result.cityLag).toBeCloseTo(1250 / 1275 - 1, 12);
  });

  it('projects the final from the station shrunk toward the city, with an 80 % interval', () => {
    // City: pace log(1250/1275); 45.5 % of the day's voters expected by then, so shape variance (0.2 × 0.5446)²,
    // and 0.4573 of the pace is read as level. Station a: half its own lead is kept (equal variances 0.01).
    expect(a.projectedFinal).toBeCloseTo(0.548094, 6);
    expect([a.low, a.high].map((x) => Number(x.toFixed(6)))).toEqual([0.480865, 0.624722]);
    expect(b.projectedFinal).toBeCloseTo(0.566183, 6);
    expect([a.estimated, b.estimated]).toEqual([false, false]);
    expect(a.currentShare).toBe(0.3);
  });

  it('estimates a station that has not reported from its area, and says so', () => {
    // No baseline of its own nor in its area: the city's, 0.56 (registered-weighted); level from the city area.
    expect([c.baselineShare, c.baselineSource, c.estimated, c.lag, c.observedShare]).toEqual([0.56, 'area', true, null, null]);
    expect(c.projectedFinal).toBeCloseTo(0.556732, 6);
    expect(c.currentShare).toBeCloseTo(0.556732 / 2, 6);
    expect([c.low, c.high].map((x) => Number(x.toFixed(6)))).toEqual([0.423664, 0.731595]);
  });

  it('marks a station with an old report as estimated, and estimates its count now', () => {
    expect(d.estimated).toBe(true);
    expect(d.observedShare).toBe(0.15);
    expect(d.projectedFinal).toBeCloseTo(0.527178, 6);
    expect(d.currentShare).toBeCloseTo(0.527178 / 2, 6);
  });
});

describe('projectDay: intervals and closing times', () => {
  const alone = (report: StationInput['report'], closesAt?: Date) =>
    projectDay(
      [
        { code: 'x', areaCode: 'north', registered: 1000, baselineShare: 0.5, report, closesAt },
        { code: 'y', areaCode: 'north', registered: 9000, baselineShare: 0.5, report: { voted: 2250, observedAt: at('14:00') } },
      ],
      day,
      at('14:00'),
    ).stations[0]!;

  it('widens the interval as the report gets older, at the same pace', () => {
    const width = (s: { low: number; high: number; projectedFinal: number }) => Number(((s.high - s.low) / s.projectedFinal).toFixed(6));
    const fresh = alone({ voted: 275, observedAt: at('14:00') });
    const hourOld = alone({ voted: 229, observedAt: at('13:00') });
    const threeHoursOld = alone({ voted: 138, observedAt: at('11:00') });
    expect([width(fresh), width(hourOld), width(threeHoursOld)]).toEqual([0.257012, 0.267742, 0.283661]);
    expect([fresh.estimated, hourOld.estimated, threeHoursOld.estimated]).toEqual([false, false, true]);
  });

  it('stretches the curve for a station that closes later', () => {
    const late = alone({ voted: 250, observedAt: at('14:00') }, at('22:00'));
    // At 14:00 a station open until 22:00 is 6/14 of the way through its day, not half.
    expect(late.expectedShare).toBeCloseTo((0.5 * 6) / 14, 12);
    expect(late.lag).toBeCloseTo(0.25 / ((0.5 * 6) / 14) - 1, 12);
  });

  it('does not project below the count already reported', () => {
    const early = projectDay(
      [{ code: 'x', areaCode: null, registered: 100, baselineShare: 0.1, report: { voted: 90, observedAt: at('19:00') } }],
      day,
      at('19:00'),
    ).stations[0]!;
    expect(early.projectedFinal).toBeGreaterThanOrEqual(0.9);
    expect(early.low).toBeGreaterThanOrEqual(0.9);
  });
});

describe('projectDay: areas', () => {
  const result = projectDay(stations, day, at('14:00'));

  it('weighs stations by registered voters, with an interval narrower than its stations’', () => {
    const north = result.areas.get('north')!;
    const s = result.stations;
    expect(north.registered).toBe(5000);
    expect(north.projectedFinal).toBeCloseTo(
      (s[0]!.projectedFinal * 1000 + s[1]!.projectedFinal * 3000 + s[3]!.projectedFinal * 1000) / 5000,
      12,
    );
    expect(north.projectedFinal).toBeCloseTo(0.554764, 6);
    expect([north.low, north.high].map((x) => Number(x.toFixed(6)))).toEqual([0.495589, 0.621005]);
    expect(north.expectedShare).toBeCloseTo(0.28, 12);
    expect(north.lag).toBeCloseTo((0.3 * 1000 + 0.8 * 1000 + s[3]!.currentShare * 1000) / (0.28 * 5000) - 1, 12);
    expect([north.stations, north.estimatedStations]).toEqual([3, 1]);
  });

  it('rolls areas up into their parents and the whole election', () => {
    expect(result.areas.get('city')!.registered).toBe(7000);
    expect(result.total.projectedFinal).toBeCloseTo(result.areas.get('city')!.projectedFinal, 12);
    expect(result.areas.get('south')!.estimatedStations).toBe(1);
  });

  it('without any baseline, judges stations against the city’s own pace', () => {
    const none = projectDay(
      stations.map((station) => ({ ...station, baselineShare: null })),
      day,
      at('14:00'),
    );
    const [a] = none.stations;
    expect(a!.baselineSource).toBe('none');
    expect(none.cityLag).toBeNull();
    // 1,250 voters where 2,250 would have voted by then if everyone did: the city heads for 55.6 %.
    expect(a!.baselineShare).toBeCloseTo(1250 / 2250, 12);
    expect(a!.lag).toBeCloseTo(0.3 / (0.5 * (1250 / 2250)) - 1, 12);
  });
});
