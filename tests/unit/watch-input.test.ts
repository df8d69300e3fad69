import { describe, expect, it } from 'vitest';
import { parseListNumbers } from '../../app/watch/list-numbers.ts';
import { reportWarnings } from '../../app/watch/report-checks.ts';

describe('list numbers as a watcher types them', () => {
  it('reads single numbers, ranges and lists, sorted and without repeats', () => {
    expect(parseListNumbers('12, 15, 18')).toEqual({ ok: true, numbers: [12, 15, 18] });
    expect(parseListNumbers('120-125')).toEqual({ ok: true, numbers: [120, 121, 122, 123, 124, 125] });
    expect(parseListNumbers(' 7 3-5;3 ,, 7 ')).toEqual({ ok: true, numbers: [3, 4, 5, 7] });
  });

  it('says which part is wrong', () => {
    expect(parseListNumbers('  ')).toEqual({ ok: false, problem: 'empty', part: '' });
    expect(parseListNumbers('12, 1a')).toEqual({ ok: false, problem: 'not_a_number', part: '1a' });
    expect(parseListNumbers('0')).toEqual({ ok: false, problem: 'not_a_number', part: '0' });
    expect(parseListNumbers('125-120')).toEqual({ ok: false, problem: 'range_backwards', part: '125-120' });
    expect(parseListNumbers('120-1250')).toEqual({ ok: false, problem: 'range_too_long', part: '120-1250' });
    expect(parseListNumbers('1-200')).toMatchObject({ ok: true });
  });
});

describe('second thoughts before a report is sent', () => {
  const hour = 3_600_000;
  const station = { registered: 1000, last: { voters: 300, observedAt: 10 * hour } };

  it('has none for a count that grows at a usual pace', () => {
    expect(reportWarnings(400, station, 11 * hour)).toEqual([]);
    expect(reportWarnings(50, { registered: 1000, last: null }, 9 * hour)).toEqual([]);
  });

  it('asks to confirm a lower count, one above the registered voters, and a rush', () => {
    expect(reportWarnings(290, station, 11 * hour)).toEqual(['lower_than_last']);
    expect(reportWarnings(1001, { registered: 1000, last: null }, 11 * hour)).toEqual(['above_registered']);
    // 251 more in an hour is more than a quarter of the registered voters.
    expect(reportWarnings(551, station, 11 * hour)).toEqual(['faster_than_usual']);
    // Two minutes apart count as a quarter of an hour: 62 more is fine, 63 is a rush.
    expect(reportWarnings(362, station, 10 * hour + 120_000)).toEqual([]);
    expect(reportWarnings(363, station, 10 * hour + 120_000)).toEqual(['faster_than_usual']);
  });
});
