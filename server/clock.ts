/**
 * Time as the services see it. Injected so that tests and the election-day simulator can run a
 * polling day at any hour (or faster than real time).
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
