import { describe, expect, it } from 'vitest';
import { byPriority, chasePriority, lagScore, priorityTable, urgencyScore } from '../../server/chase/chase.priority.ts';

const base = { lag: -0.1, supportLevel: 1, minutesLeft: 120, lastOutcome: null } as const;

describe('chase priority', () => {
  it('adds support, lag and time left, with exact weights', () => {
    // 50 × 1 + 30 × (0.1 / 0.2) + 20 × ((360 − 120) / 300)
    expect(chasePriority(base)).toBe(50 + 15 + 16);
    expect(chasePriority({ ...base, supportLevel: 2 })).toBe(30 + 15 + 16);
    expect(chasePriority({ ...base, lag: 0.05 })).toBe(50 + 0 + 16);
    expect(chasePriority({ ...base, lag: null, minutesLeft: 600 })).toBe(50);
  });

  it('a lagging area, a near closing time and a stronger supporter each come first', () => {
    expect(chasePriority({ ...base, lag: -0.2 })!).toBeGreaterThan(chasePriority(base)!);
    expect(chasePriority({ ...base, minutesLeft: 45 })!).toBeGreaterThan(chasePriority(base)!);
    expect(chasePriority(base)!).toBeGreaterThan(chasePriority({ ...base, supportLevel: 2 })!);
  });

  it('past outcomes: no answer lowers a little, will vote more; refusals and wrong numbers exclude', () => {
    const fresh = chasePriority(base)!;
    expect(chasePriority({ ...base, lastOutcome: 'no_answer' })).toBe(Math.round(fresh * 0.85 * 10_000) / 10_000);
    expect(chasePriority({ ...base, lastOutcome: 'will_vote' })).toBe(fresh * 0.5);
    for (const outcome of ['refused', 'wrong_number', 'never_contact', 'already_voted'] as const) {
      expect(chasePriority({ ...base, lastOutcome: outcome })).toBeNull();
    }
  });

  it('excludes a station that has closed, and clamps its scores', () => {
    expect(chasePriority({ ...base, minutesLeft: 0 })).toBeNull();
    expect([lagScore(-3), lagScore(0.4), urgencyScore(5), urgencyScore(2000)]).toEqual([1, 0, 1, 0]);
  });

  it('gives a table of every combination for SQL, and orders ties by voter id', () => {
    const now = new Date('2026-03-15T17:00:00Z');
    const table = priorityTable([{ stationId: 7, lag: -0.1, closesAt: new Date('2026-03-15T19:00:00Z') }], 2, now);
    expect(table).toHaveLength(2 * 4);
    expect(table[0]).toEqual({ station_id: 7, support_level: 1, outcome: 'none', priority: 81 });
    const entries = [
      { priority: 10, voterId: 3 },
      { priority: 12, voterId: 9 },
      { priority: 10, voterId: 1 },
    ];
    expect(entries.sort(byPriority).map((entry) => entry.voterId)).toEqual([9, 1, 3]);
  });
});
