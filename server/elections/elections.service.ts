import type { PrismaClient } from '../db/database.ts';
import type { Election } from '../db/generated/client.ts';
import { InvalidInput, NotFound } from '../errors.ts';

export type { Election };

export function createElections(prisma: PrismaClient) {
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
