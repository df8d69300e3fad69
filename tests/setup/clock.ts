import type { Clock } from '../../server/clock.ts';

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  private current: Date;

  constructor(start = '2026-03-15T09:00:00Z') {
    this.current = new Date(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  set(iso: string) {
    this.current = new Date(iso);
  }

  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}
