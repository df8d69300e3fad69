import { describe, expect, it } from 'vitest';
import { backtestCsv, parseBacktestCsv, runBacktest, timeOfDay } from '../../server/turnout/turnout.backtest.ts';
import { curveFromHourly, linearCurve } from '../../server/turnout/turnout.curve.ts';

const hours = { opens: '08:00', closes: '20:00' };

describe('parseBacktestCsv', () => {
  it('reads units, their counts in time order, HH:MM or ISO times, and an optional baseline', () => {
    const units = parseBacktestCsv(
      [
        'unit_id,registered,observed_at,voted,baseline_share',
        'A,1000,2025-05-04T14:00:00+03:00,300,0.5',
        'A,1000,08:30,10,0.5',
        'B,2000,14:00,500,',
      ].join('\n'),
    );
    expect(units).toEqual([
      {
        unitId: 'A',
        registered: 1000,
        baselineShare: 0.5,
        counts: [
          { minute: 510, voted: 10 },
          { minute: 840, voted: 300 },
        ],
      },
      { unitId: 'B', registered: 2000, baselineShare: null, counts: [{ minute: 840, voted: 500 }] },
    ]);
    expect([timeOfDay('9:05'), timeOfDay('noon')]).toEqual([545, Number.NaN]);
  });

  it('takes the largest count of registered voters of a unit, and accepts a unit without any', () => {
    const units = parseBacktestCsv('unit_id,registered,observed_at,voted\nA,1000,10:00,100\nA,1010,20:00,600\nB,0,10:00,0\nB,0,20:00,3');
    expect(units.map((unit) => [unit.unitId, unit.registered])).toEqual([
      ['A', 1010],
      ['B', 0],
    ]);
    const result = runBacktest(units, { cutoffMinute: 14 * 60, hours, curve: linearCurve([]) });
    expect(result.rows[1]!.observedShare).toBeNull();
    expect(result.errors!.units).toBe(1);
  });

  it('names the line and column of what is wrong', () => {
    expect(() => parseBacktestCsv('unit_id,registered,voted\nA,10,1')).toThrow(
      'Missing column observed_at (line 1 has: unit_id, registered, voted).',
    );
    expect(() => parseBacktestCsv('unit_id,registered,observed_at,voted\nA,10,08:00,1\nA,10,09:00,many')).toThrow(
      'Line 3, column voted: "many" is not a whole number of voters (0 or more).',
    );
    expect(() => parseBacktestCsv('unit_id,registered,observed_at,voted\nA,10,09:00,5\nA,10,10:00,4')).toThrow(
      "Line 3, column voted: unit A's count goes down, from 5 (line 2) to 4; counts are cumulative.",
    );
    expect(() => parseBacktestCsv('unit_id,registered,observed_at,voted\nA,10,9h,5')).toThrow(
      'Line 2, column observed_at: "9h" is not a time (HH:MM or ISO date-time).',
    );
  });
});

describe('runBacktest', () => {
  /** A steady curve: half of the final by 14:00. */
  const curve = linearCurve([]);
  const units = parseBacktestCsv(
    [
      'unit_id,registered,observed_at,voted',
      'A,1000,14:00,300',
      'A,1000,20:00,600',
      'B,1000,14:00,200',
      'B,1000,20:00,500',
      'C,1000,15:00,10',
      'C,1000,20:00,20',
    ].join('\n'),
  );

  it('scores the naive projection (observed / curve at the cutoff) next to the model', () => {
    const result = runBacktest(units, { cutoffMinute: 14 * 60, hours, curve });
    // C has not reported by 14:00: projected, but left out of the scores.
    expect(result.rows.map((row) => [row.unitId, row.observedShare, row.naiveFinalShare, row.finalShare])).toEqual([
      ['A', 0.3, 0.6, 0.6],
      ['B', 0.2, 0.4, 0.5],
      ['C', null, null, 0.02],
    ]);
    expect(result.errors!.units).toBe(2);
    expect(result.errors!.naiveMape).toBeCloseTo((0 + 0.2) / 2, 12);
    expect(result.errors!.naiveWeightedMape).toBeCloseTo(0.1, 12);
    expect(backtestCsv(result.rows).split('\n')[0]).toBe('unit_id,observed_share,projected_final_share,low,high');
    expect(backtestCsv(result.rows).split('\n')[3]).toMatch(/^C,,0\.\d{4},0\.\d{4},0\.\d{4}$/);
  });

  it('refuses a cutoff before the first report, and scores only the units with a final count', () => {
    expect(() => runBacktest(units, { cutoffMinute: 13 * 60, hours, curve })).toThrow(
      'The cutoff is before the first report in the file (14:00): nothing is known yet.',
    );
    const partial = parseBacktestCsv('unit_id,registered,observed_at,voted\nA,1000,14:00,300\nB,1000,14:00,200\nB,1000,20:00,500');
    const scored = runBacktest(partial, { cutoffMinute: 14 * 60, hours, curve: curveFromHourly({ '14': 0.5 }, hours, curve) });
    expect(scored.errors!.units).toBe(1);
    expect(scored.errors!.naiveMape).toBeCloseTo(0.2, 12); // B: 20 % / 0.5 = 40 % for 50 %
    const noFinal = parseBacktestCsv('unit_id,registered,observed_at,voted\nA,1000,14:00,300');
    expect(runBacktest(noFinal, { cutoffMinute: 14 * 60, hours, curve }).errors).toBeNull();
  });
});
