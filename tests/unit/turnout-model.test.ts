import { describe, expect, it } from 'vitest';
import { tallyAreas, turnoutShare } from '../../server/turnout/turnout.model.ts';

const areas = [
  { code: 'city', parentCode: null },
  { code: 'north', parentCode: 'city' },
  { code: 'south', parentCode: 'city' },
  { code: 'north-1', parentCode: 'north' },
];

describe('tallyAreas', () => {
  it('rolls each station up into its neighbourhood, district and city, weighted by registered voters', () => {
    const { areas: tallies, total } = tallyAreas(areas, [
      { code: 'a', areaCode: 'north-1', registered: 1000, voted: 300 },
      { code: 'b', areaCode: 'north-1', registered: 500, voted: null },
      { code: 'c', areaCode: 'south', registered: 2000, voted: 1000 },
    ]);
    expect(tallies.get('north-1')).toEqual({ registered: 1500, voted: 300, stations: 2, reportingStations: 1 });
    expect(tallies.get('north')).toEqual({ registered: 1500, voted: 300, stations: 2, reportingStations: 1 });
    expect(tallies.get('south')).toEqual({ registered: 2000, voted: 1000, stations: 1, reportingStations: 1 });
    expect(tallies.get('city')).toEqual({ registered: 3500, voted: 1300, stations: 3, reportingStations: 2 });
    expect(total).toEqual(tallies.get('city'));
  });

  it('counts a station whose area is unknown in the total only, and survives a loop of parents', () => {
    const { areas: tallies, total } = tallyAreas(
      [
        { code: 'x', parentCode: 'y' },
        { code: 'y', parentCode: 'x' },
      ],
      [
        { code: 'a', areaCode: 'x', registered: 10, voted: 5 },
        { code: 'b', areaCode: 'nowhere', registered: 20, voted: 0 },
      ],
    );
    expect(tallies.get('x')!.registered).toBe(10);
    expect(tallies.get('y')!.registered).toBe(10);
    expect(total).toEqual({ registered: 30, voted: 5, stations: 2, reportingStations: 2 });
  });
});

describe('turnoutShare', () => {
  it('is voters over registered, and null when nobody is registered', () => {
    expect(turnoutShare(250, 1000)).toBe(0.25);
    expect(turnoutShare(0, 0)).toBeNull();
  });
});
