import { describe, expect, it } from 'vitest';
import { CLIENT_EVENT_BURST, CLIENT_EVENT_INTERVAL_MS, eventBudget } from '../../server/realtime/realtime.events.ts';
import { TestClock } from '../setup/clock.ts';

describe("a connection's event budget", () => {
  it('lets a burst through, then one event per interval, never saving up more than the burst', () => {
    const clock = new TestClock();
    const budget = eventBudget(clock);
    const takes = (n: number) => Array.from({ length: n }, () => budget.take()).filter(Boolean).length;
    expect(takes(30)).toBe(CLIENT_EVENT_BURST);
    clock.advance(CLIENT_EVENT_INTERVAL_MS / 2);
    expect(budget.take()).toBe(false);
    clock.advance(CLIENT_EVENT_INTERVAL_MS / 2);
    expect(takes(3)).toBe(1);
    clock.advance(60 * 60_000);
    expect(takes(30)).toBe(CLIENT_EVENT_BURST);
  });

  it('gives nothing back when the clock is set back', () => {
    const clock = new TestClock('2026-03-15T12:00:00Z');
    const budget = eventBudget(clock, 1, 1000);
    expect(budget.take()).toBe(true);
    clock.set('2026-03-15T11:00:00Z');
    expect(budget.take()).toBe(false);
  });
});
