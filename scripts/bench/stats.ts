/**
 * Latency figures for the benchmarks, as pure functions: what a scenario's load measured, reduced
 * to the few numbers its table prints.
 */

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The p-th percentile (0 < p ≤ 100) of values sorted in ascending order, by the nearest-rank
 * method: the smallest value that at least p % of the values do not exceed. Always one of the
 * values measured, never an interpolation between two; NaN when there are none.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile: p must be in (0, 100] (got ${p})`);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Count, median, p90, p99, maximum and mean of unsorted values (left as they are). */
export function summarize(values: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  let total = 0;
  for (const value of sorted) total += value;
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
    mean: sorted.length > 0 ? total / sorted.length : Number.NaN,
  };
}

/** Width of a latency histogram's buckets, in ms. */
export const BUCKET_MS = 0.1;

/**
 * Latencies counted by bucket of BUCKET_MS, for measurements too many to keep one by one (every report
 * at every dashboard): bucket index → count. Merged by adding counts.
 */
export type Histogram = Map<number, number>;

export function addToHistogram(histogram: Histogram, ms: number, count = 1): void {
  const bucket = Math.max(0, Math.ceil(ms / BUCKET_MS));
  histogram.set(bucket, (histogram.get(bucket) ?? 0) + count);
}

export function mergeHistograms(into: Histogram, entries: Iterable<[number, number]>): Histogram {
  for (const [bucket, count] of entries) into.set(bucket, (into.get(bucket) ?? 0) + count);
  return into;
}

/**
 * The same figures as `summarize`, from a histogram: each latency counts as its bucket's upper edge, so
 * percentiles are exact to BUCKET_MS and never lower than measured.
 */
export function summarizeHistogram(histogram: Histogram): LatencySummary {
  const buckets = [...histogram.entries()].filter(([, count]) => count > 0).sort((a, b) => a[0] - b[0]);
  const count = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (count === 0) return { count: 0, p50: Number.NaN, p90: Number.NaN, p99: Number.NaN, max: Number.NaN, mean: Number.NaN };
  const at = (p: number) => {
    const rank = Math.max(1, Math.ceil((p / 100) * count));
    let seen = 0;
    for (const [bucket, n] of buckets) {
      seen += n;
      if (seen >= rank) return bucket * BUCKET_MS;
    }
    return buckets[buckets.length - 1]![0] * BUCKET_MS;
  };
  const total = buckets.reduce((sum, [bucket, n]) => sum + bucket * BUCKET_MS * n, 0);
  return { count, p50: at(50), p90: at(90), p99: at(99), max: buckets[buckets.length - 1]![0] * BUCKET_MS, mean: total / count };
}
