import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FRANCE_PRESIDENTIAL_2022_R1, ROMANIA_PRESIDENTIAL_SHARES } from '../../server/turnout/curves/romania-presidential.ts';
import {
  curveAt,
  curveFromHourly,
  curveThrough,
  CurveError,
  DEFAULT_CURVE,
  expectedShareAt,
  linearCurve,
  sharesFromHistory,
  sharesFromOfficialFigures,
} from '../../server/turnout/turnout.curve.ts';
import { fitCurveShares } from '../../server/turnout/turnout.fit.ts';

const at = (hhmm: string) => new Date(`2026-03-15T${hhmm}:00Z`);
/** The same share of the final at every minute: handy to check the arithmetic by hand. */
const steady = linearCurve([]);
const paris = { opens: '08:00', closes: '20:00' };

describe('the curve', () => {
  it('interpolates linearly between its points, 0 at opening and 1 at closing, clamped outside', () => {
    const curve = linearCurve([{ dayFraction: 0.5, share: 0.4 }]);
    expect(curveAt(curve, 0.25)).toBeCloseTo(0.2, 12);
    expect(curveAt(curve, 0.75)).toBeCloseTo(0.7, 12);
    expect([curveAt(curve, -1), curveAt(curve, 0), curveAt(curve, 1), curveAt(curve, 2)]).toEqual([0, 0, 1, 1]);
  });

  it('passes through official figures and follows the shape in between', () => {
    const curve = curveFromHourly(sharesFromOfficialFigures({ '12': 25.48, '17': 65.0 }, 73.69), paris, steady);
    expect(expectedShareAt(curve, at('12:00'), at('08:00'), at('20:00'))).toBeCloseTo(0.3458, 12);
    expect(expectedShareAt(curve, at('17:00'), at('08:00'), at('20:00'))).toBeCloseTo(0.8821, 12);
    expect(expectedShareAt(curve, at('10:00'), at('08:00'), at('20:00'))).toBeCloseTo(0.1729, 12);
    // 14:30 is halfway from 12h to 17h: halfway from 0.3458 to 0.8821.
    expect(expectedShareAt(curve, at('14:30'), at('08:00'), at('20:00'))).toBeCloseTo(0.61395, 12);
  });

  it('bends a shape to an anchor: the hours after it keep the shape’s progress toward the close', () => {
    const slowMorning = linearCurve([{ dayFraction: 0.5, share: 0.25 }]);
    const curve = curveThrough([{ dayFraction: 0.25, share: 0.2 }], slowMorning);
    // At 0.5 the shape has done (0.25 − 0.125) / (1 − 0.125) = 1/7 of its way from the anchor to the close.
    expect(curveAt(curve, 0.5)).toBeCloseTo(0.2 + 0.8 / 7, 12);
    expect(curveAt(curve, 0.125)).toBeCloseTo(0.1, 12);
  });

  it('turns the French 2022 first-round figures into shares of the final', () => {
    const { turnoutByHour, finalTurnout, opens, closes } = FRANCE_PRESIDENTIAL_2022_R1;
    const shares = sharesFromOfficialFigures(turnoutByHour, finalTurnout);
    expect(shares).toEqual({ '12': 0.3458, '17': 0.8821 });
    // 10h is a sixth of a Paris polling day; the default shape has done 0.0998 / 0.3003 of its way to 12h by then.
    expect(curveAt(curveFromHourly(shares, { opens, closes }), 2 / 12)).toBeCloseTo(0.3458 * (0.09983 / 0.30027), 4);
  });

  it('turns an hourly history into shares, the last hour being the final', () => {
    expect(sharesFromHistory({ '08:00': 100, '12:00': 400, '20:00': 1000 })).toEqual({ '08:00': 0.1, '12:00': 0.4, '20:00': 1 });
    expect(() => sharesFromHistory({ '08:00': 100, '12:00': 90, '20:00': 1000 })).toThrow(
      'The count at 12:00 (90) is lower than the one before it (100).',
    );
  });

  it('refuses shares that go down, or hours outside polling hours', () => {
    expect(() => curveFromHourly({ '12': 0.5, '17': 0.4 }, paris)).toThrow(CurveError);
    expect(() => curveFromHourly({ '21': 0.9 }, paris)).toThrow('21 is outside polling hours (08:00–20:00).');
  });

  it('stretches to a station’s own closing time', () => {
    expect(expectedShareAt(steady, at('14:00'), at('08:00'), at('20:00'))).toBeCloseTo(0.5, 12);
    expect(expectedShareAt(steady, at('14:00'), at('08:00'), at('22:00'))).toBeCloseTo(6 / 14, 12);
    expect(expectedShareAt(steady, at('20:00'), at('08:00'), at('22:00'))).toBeCloseTo(12 / 14, 12);
  });

  it('ships the default shape fitted from the Romanian hourly totals it was made from', () => {
    const file = fs.readFileSync(new URL('../../server/turnout/curves/romania-presidential-hourly.csv', import.meta.url), 'utf8');
    const elections = new Map<string, Record<string, number>>();
    for (const line of file.trim().split('\n').slice(1)) {
      const [election, hour, , voted] = line.split(',') as [string, string, string, string];
      elections.set(election, { ...elections.get(election), [hour]: Number(voted) });
    }
    expect(fitCurveShares([...elections.values()])).toEqual(ROMANIA_PRESIDENTIAL_SHARES);
    expect(curveAt(DEFAULT_CURVE, 3 / 14)).toBeCloseTo(0.1463, 12);
  });
});
