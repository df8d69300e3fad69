import type { Clock } from '../../server/clock.ts';

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  private readonly start: Date;
  private current: Date;

  constructor(start = '2026-03-15T09:00:00Z') {
    this.start = new Date(start);
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

  /** Back to the time it started at: a test that moves the clock leaves the next one at the same "now". */
  reset() {
    this.current = new Date(this.start);
  }
}
