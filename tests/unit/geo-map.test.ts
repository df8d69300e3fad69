import { describe, expect, it } from 'vitest';
import { bboxOf, outlineOf } from '../../server/geo/geo.map.ts';

describe('area outlines for the map', () => {
  it('rounds coordinates to five decimals and drops the points rounding repeats', () => {
    const outline = outlineOf({
      type: 'Polygon',
      coordinates: [
        [
          [2.123456789, 48.1],
          [2.123457, 48.100001],
          [2.2, 48.1],
          [2.2, 48.2],
          [2.123456789, 48.1],
        ],
      ],
    });
    expect(outline).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [2.12346, 48.1],
          [2.2, 48.1],
          [2.2, 48.2],
          [2.12346, 48.1],
        ],
      ],
    });
  });

  it('has no outline for a missing, degenerate or non-polygon geometry, and keeps the valid parts of a MultiPolygon', () => {
    const ring = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 0],
    ];
    expect(outlineOf(null)).toBeNull();
    expect(outlineOf({ type: 'Point', coordinates: [2, 48] })).toBeNull();
    expect(
      outlineOf({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [0.000001, 0],
            [0, 0.000001],
            [0, 0],
          ],
        ],
      }),
    ).toBeNull();
    expect(outlineOf({ type: 'MultiPolygon', coordinates: [[ring], [[['x', 0]]]] })).toEqual({
      type: 'MultiPolygon',
      coordinates: [[ring]],
    });
  });

  it('boxes outlines and points, or gives null for nothing', () => {
    const outline = outlineOf({
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 0],
          ],
        ],
        [
          [
            [3, -2],
            [4, -2],
            [4, 0],
            [3, -2],
          ],
        ],
      ],
    })!;
    expect(bboxOf([outline], [[-1, 0.5]])).toEqual([-1, -2, 4, 1]);
    expect(bboxOf([])).toBeNull();
  });
});
