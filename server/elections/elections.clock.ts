/**
 * The election's own clock. On a real polling day it is the wall clock. During a simulation
 * (`relance simulate`, and the demo in local mode) the day is replayed faster than real time: the
 * election's "now" starts at `startsFrom` when the simulation starts, runs `speed` times faster,
 * and stops at `endsAt`. Everything that reasons about the hour of polling day (plausibility of a
 * report, expected turnout, stations still open) reads this clock, never the wall clock.
 */
export interface SimulationWindow {
  /** The real instant the simulated clock started. */
  startedAt: Date;
  /** The election's time at `startedAt`. */
  startsFrom: Date;
  endsAt: Date;
  speed: number;
}

export function electionTime(realNow: Date, simulation: SimulationWindow | null): Date {
  if (!simulation) return realNow;
  const elapsed = Math.max(0, realNow.getTime() - simulation.startedAt.getTime());
  const simulated = simulation.startsFrom.getTime() + elapsed * simulation.speed;
  return new Date(Math.min(simulated, simulation.endsAt.getTime()));
}

/** The real instant at which the simulated clock shows `at` (for pacing the simulator). */
export function realTimeOf(at: Date, simulation: SimulationWindow): Date {
  return new Date(simulation.startedAt.getTime() + (at.getTime() - simulation.startsFrom.getTime()) / simulation.speed);
}
