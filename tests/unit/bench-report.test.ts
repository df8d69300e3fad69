import { describe, expect, it } from 'vitest';
import { formatNumber, renderReport, type BenchReport } from '../../scripts/bench/report.ts';

const report: BenchReport = {
  scenario: 'db-ceiling',
  rows: [
    { name: 'COPY FROM STDIN', value: 192_257.08, unit: 'rows/s' },
    { name: 'single-row INSERT', value: 1_392.2, unit: 'rows/s' },
    { name: 'duration', value: 71.42, unit: 'ms' },
  ],
  metrics: { copyRowsPerSecond: 192_257.08, copyMs: 71.42 },
  baseline: { copyRowsPerSecond: 192_257.08 },
  ok: true,
  notes: ['PostgreSQL 16.14: fsync=on'],
};

describe('formatNumber', () => {
  it('groups thousands and keeps fewer decimals as numbers grow', () => {
    expect(formatNumber(192_257.08)).toBe('192,257');
    expect(formatNumber(1_234_567)).toBe('1,234,567');
    expect(formatNumber(999.5)).toBe('1,000');
    expect(formatNumber(71.42)).toBe('71.4');
    expect(formatNumber(1.25)).toBe('1.25');
    expect(formatNumber(2)).toBe('2');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(-12_345)).toBe('-12,345');
  });
});

describe('renderReport', () => {
  it('prints the rows as aligned columns, then the result and the notes', () => {
    expect(renderReport(report, { json: false })).toEqual([
      'db-ceiling',
      '  COPY FROM STDIN    192,257  rows/s',
      '  single-row INSERT    1,392  rows/s',
      '  duration              71.4  ms',
      '  result: ok',
      '  PostgreSQL 16.14: fsync=on',
    ]);
  });

  it('says when the budget was not met', () => {
    expect(renderReport({ ...report, ok: false, notes: undefined }, { json: false }).at(-1)).toBe('  result: budget NOT met');
  });

  it('with json, ends with one line holding exactly the contract fields', () => {
    const lines = renderReport(report, { json: true });
    expect(lines.slice(0, -1)).toEqual(renderReport(report, { json: false }));
    const last = JSON.parse(lines.at(-1)!) as unknown;
    expect(last).toEqual({
      scenario: 'db-ceiling',
      metrics: { copyRowsPerSecond: 192_257.08, copyMs: 71.42 },
      baseline: { copyRowsPerSecond: 192_257.08 },
      ok: true,
    });
  });
});
