/**
 * Time as the services see it. Injected so that tests and the election-day simulator can run a
 * polling day at any hour (or faster than real time).
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * Between 80 % and all of `ms`, at random: how long to keep something read for many people at once
 * (a phone bank's sessions, its volunteers' lists), so that they are not all read again in the same instant.
 */
export function staggered(ms: number): number {
  return ms * (1 - Math.random() / 5);
}
