import { describe, expect, it } from 'vitest';
import { fractionOfDayAtShare, HOURLY_SHARES, shareOfDay } from '../../server/simulator/simulator.curve.ts';
import {
  mistyped,
  paceOf,
  pickLaggingAreas,
  planDay,
  planStation,
  reportTimes,
  uuidV5,
  votersAt,
  type SimulatedReport,
  type StationToSimulate,
} from '../../server/simulator/simulator.plan.ts';

/** A Paris station: polls 08:00–20:00 local (07:00–19:00 UTC in March), 500 of its 1,000 voters vote. */
const station: StationToSimulate = {
  code: '0101',
  areaCode: 'N1',
  registered: 1000,
  finalVoters: 500,
  opensAt: new Date('2026-03-15T07:00:00Z'),
  closesAt: new Date('2026-03-15T19:00:00Z'),
  supporterListNumbers: Array.from({ length: 20 }, (_, i) => i + 1),
};

const reportsOf = (actions: ReturnType<typeof planStation>): SimulatedReport[] =>
  actions.flatMap((action) => (action.kind === 'report' ? [action.report] : action.kind === 'flush' ? action.reports : []));

describe('the polling-day curve (fitted on Romanian hourly turnout)', () => {
  it('goes from nothing at opening to the final turnout at closing, through the fitted hours', () => {
    expect(HOURLY_SHARES).toHaveLength(14);
    expect(shareOfDay(0)).toBe(0);
    expect(shareOfDay(0.5)).toBe(0.5234);
    expect(shareOfDay(1)).toBe(1);
    // 12:00 on an 08:00–20:00 day: 30 % of the final turnout.
    expect(shareOfDay(4 / 12)).toBeCloseTo(0.3003, 4);
    for (let i = 1; i < HOURLY_SHARES.length; i++) expect(HOURLY_SHARES[i]!).toBeGreaterThan(HOURLY_SHARES[i - 1]!);
  });

  it('tells when a given share of the voters has voted (its inverse)', () => {
    expect(fractionOfDayAtShare(0.5234)).toBeCloseTo(0.5, 10);
    expect(fractionOfDayAtShare(shareOfDay(0.3))).toBeCloseTo(0.3, 10);
    expect(fractionOfDayAtShare(0)).toBe(0);
    expect(fractionOfDayAtShare(1)).toBe(1);
  });
});

describe('a simulated station', () => {
  it('is read every 10 to 20 minutes, and once more at closing', () => {
    const times = reportTimes('seed', station);
    expect(times).toHaveLength(46);
    expect(times.slice(0, 4).map((at) => at.toISOString())).toEqual([
      '2026-03-15T07:17:00.000Z',
      '2026-03-15T07:35:00.000Z',
      '2026-03-15T07:51:00.000Z',
      '2026-03-15T08:08:00.000Z',
    ]);
    expect(times.at(-1)).toEqual(station.closesAt);
    for (let i = 1; i < times.length - 1; i++) {
      const gap = (times[i]!.getTime() - times[i - 1]!.getTime()) / 60_000;
      expect(gap).toBeGreaterThanOrEqual(10);
      expect(gap).toBeLessThanOrEqual(20);
    }
  });

  it('counts along the curve, a lagging neighbourhood at 75 % of its pace until 16:00, and ends at the final turnout', () => {
    expect(votersAt(station, new Date('2026-03-15T11:00:00Z'), false)).toBe(150);
    expect(votersAt(station, new Date('2026-03-15T11:00:00Z'), true)).toBe(113);
    expect(paceOf(0.5, true)).toBe(0.75);
    expect(paceOf(5 / 6, true)).toBe(0.875);
    expect(votersAt(station, new Date('2026-03-15T17:00:00Z'), true)).toBe(389);
    expect(votersAt(station, station.closesAt, true)).toBe(500);
    expect(votersAt(station, station.closesAt, false)).toBe(500);
  });

  it('mistypes a count into one no station can have, so the API refuses it', () => {
    expect(mistyped(452, 1000, 7)).toBe(4527);
    expect(mistyped(12, 1000, 3)).toBe(12333);
    expect(mistyped(0, 1000, 0)).toBe(10000);
  });

  it('plays the same day from the same seed, to the id', () => {
    expect(uuidV5('seed/0101/report/0')).toBe('20c6dc77-4a4e-50c5-9d2d-5a59fa83bbb3');
    expect(planStation('seed', station, false)).toEqual(planStation('seed', station, false));
    expect(planStation('other seed', station, false)).not.toEqual(planStation('seed', station, false));
  });

  it('sends each reading once (or twice, with the same id), counts that only go up, and queues readings while offline', () => {
    const actions = planStation('seed', station, false);
    expect(actions.map((action) => action.kind + (action.kind === 'report' && action.sendTwice ? '×2' : '')).join(' ')).toBe(
      'report report report marks report report report report report report report report report report marks marks flush marks ' +
        'report report report marks report marks report report report report report report×2 report marks report report report ' +
        'report report report report report report report report×2 report report report report report report marks report',
    );
    const reports = reportsOf(actions);
    expect(reports).toHaveLength(46);
    expect(new Set(reports.map((report) => report.id)).size).toBe(46);
    for (let i = 1; i < reports.length; i++) expect(reports[i]!.voters).toBeGreaterThanOrEqual(reports[i - 1]!.voters);
    expect(reports.at(-1)!.voters).toBe(500);

    const flush = actions.find((action) => action.kind === 'flush')!;
    expect(flush.kind === 'flush' && flush.reports.map((report) => report.observedAt)).toEqual([
      '2026-03-15T10:41:00.000Z',
      '2026-03-15T10:59:00.000Z',
      '2026-03-15T11:11:00.000Z',
      '2026-03-15T11:30:00.000Z',
    ]);
    // Three readings queued while offline, sent with the next one when the phone is back.
    expect(flush.at.toISOString()).toBe('2026-03-15T11:30:00.000Z');
  });

  it('marks about the station turnout share of its supporters, each once, over the day', () => {
    const marked = planStation('seed', station, false).flatMap((action) => (action.kind === 'marks' ? action.mark.listNumbers : []));
    expect(marked.sort((a, b) => a - b)).toEqual([1, 3, 6, 10, 14, 17, 18, 19, 20]);
  });
});

describe('a simulated day', () => {
  it('picks three neighbourhoods to lag, and orders every action by time', () => {
    expect([...pickLaggingAreas('seed', ['A', 'B', 'C', 'D', 'E'])]).toEqual(['D', 'A', 'B']);
    const day = planDay('seed', [station, { ...station, code: '0102', areaCode: 'N2' }]);
    for (let i = 1; i < day.length; i++) expect(day[i]!.at.getTime()).toBeGreaterThanOrEqual(day[i - 1]!.at.getTime());
    expect(new Set(day.map((action) => action.stationCode))).toEqual(new Set(['0101', '0102']));
  });
});
