/**
 * The election's time on the phone. On polling day it is the phone's own clock (the server files a
 * report from a phone whose clock runs far ahead at its received time). During a simulation, the
 * day runs faster than real time, from the window the server sent with the page
 * (server/elections/elections.clock.ts), set against the server's clock.
 */
export interface PageClock {
  /** The server's wall clock when it made the page, in ms. */
  serverNow: number;
  simulation: { startedAt: number; startsFrom: number; endsAt: number; speed: number } | null;
}

export function electionNow(clock: PageClock, pageLoadedAt: number, phoneNow: number = Date.now()): number {
  const { simulation } = clock;
  if (!simulation) return phoneNow;
  const serverNow = clock.serverNow + (phoneNow - pageLoadedAt);
  const simulated = simulation.startsFrom + Math.max(0, serverNow - simulation.startedAt) * simulation.speed;
  return Math.min(simulated, simulation.endsAt);
}
