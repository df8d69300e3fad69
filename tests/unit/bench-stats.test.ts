import { describe, expect, it } from 'vitest';
import { percentile, summarize } from '../../scripts/bench/stats.ts';

describe('percentile', () => {
  const hundred = Array.from({ length: 100 }, (_, index) => index + 1);

  it('is the nearest rank: a value measured, never one between two', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 51)).toBe(30);
  });

  it('takes the largest value once p leaves fewer values above it than a whole one', () => {
    // 99 % of 10 values is 9.9: the 10th value is the first that 99 % do not exceed.
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000], 99)).toBe(1000);
    expect(percentile([7], 1)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
  });

  it('is NaN without values, and refuses a p outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts numerically (not as strings) without touching its input', () => {
    const latencies = [120, 9, 80, 1000, 15, 2.5, 30, 45, 60, 10];
    const copy = [...latencies];
    expect(summarize(latencies)).toEqual({ count: 10, p50: 30, p90: 120, p99: 1000, max: 1000, mean: 137.15 });
    expect(latencies).toEqual(copy);
  });

  it('says there is nothing to summarize rather than inventing zeros', () => {
    const empty = summarize([]);
    expect(empty.count).toBe(0);
    expect([empty.p50, empty.p99, empty.max, empty.mean].every(Number.isNaN)).toBe(true);
  });
});
