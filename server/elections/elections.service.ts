import type { Clock } from '../clock.ts';
import type { PrismaClient } from '../db/database.ts';
import type { Election } from '../db/generated/client.ts';
import { InvalidInput, NotFound } from '../errors.ts';
import { electionTime, type SimulationWindow } from './elections.clock.ts';

export type { Election };

export interface ElectionClock {
  /** The election's time now: the wall clock, or the simulated day's (elections.clock.ts). */
  now: Date;
  simulation: SimulationWindow | null;
}

export function createElections(prisma: PrismaClient, clock: Clock) {
  return {
    /** The election being run: the one with the latest polling day. */
    async current(): Promise<Election | null> {
      return prisma.election.findFirst({ orderBy: [{ pollingDay: 'desc' }, { id: 'desc' }] });
    },

    async requireCurrent(): Promise<Election> {
      const election = await this.current();
      if (!election) throw new NotFound('No election has been set up yet: import one with `npx relance import election`.');
      return election;
    },

    /** What time it is on the election's own clock (simulated during a simulation). */
    async clockOf(electionId: number): Promise<ElectionClock> {
      const simulation = await prisma.electionSimulation.findUnique({ where: { electionId } });
      return { now: electionTime(clock.now(), simulation), simulation };
    },

    /** What a page needs to tell the election's time by itself, even offline (app/election-clock.ts). */
    async pageClock(electionId: number) {
      const { simulation } = await this.clockOf(electionId);
      return {
        serverNow: clock.now().getTime(),
        simulation: simulation && {
          startedAt: simulation.startedAt.getTime(),
          startsFrom: simulation.startsFrom.getTime(),
          endsAt: simulation.endsAt.getTime(),
          speed: simulation.speed,
        },
      };
    },

    /** Starts (or restarts) a simulated polling day on the election's clock. */
    async startSimulation(electionId: number, window: Omit<SimulationWindow, 'startedAt'>): Promise<SimulationWindow> {
      const simulation = { ...window, startedAt: clock.now() };
      await prisma.electionSimulation.upsert({ where: { electionId }, create: { electionId, ...simulation }, update: simulation });
      return simulation;
    },

    /** Back to the wall clock. */
    async stopSimulation(electionId: number): Promise<void> {
      await prisma.electionSimulation.deleteMany({ where: { electionId } });
    },

    /** Station ids for codes of the given election; an unknown code is an error that names it. */
    async stationIds(electionId: number, codes: readonly string[]): Promise<number[]> {
      if (codes.length === 0) return [];
      const stations = await prisma.pollingStation.findMany({
        where: { electionId, code: { in: [...codes] } },
        select: { id: true, code: true },
      });
      const byCode = new Map(stations.map((station) => [station.code, station.id]));
      const unknown = codes.filter((code) => !byCode.has(code));
      if (unknown.length > 0) {
        throw new InvalidInput(`Unknown station code${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.`, 'stationCodes');
      }
      return codes.map((code) => byCode.get(code)!);
    },
  };
}

export type Elections = ReturnType<typeof createElections>;
