import type { Principal } from '../auth/auth.roles.ts';
import type { PrismaClient } from '../db/database.ts';
import type { Elections } from '../elections/elections.service.ts';

export interface StationSummary {
  id: number;
  code: string;
  name: string;
  address: string | null;
  areaName: string;
  registeredVoters: number;
}

/** Polling stations and the areas they belong to. */
export function createGeo({ prisma, elections }: { prisma: PrismaClient; elections: Elections }) {
  return {
    /** The stations a person may act on: a watcher's assigned ones, everyone else's all. */
    async stationsInScope(principal: Principal): Promise<StationSummary[]> {
      const election = await elections.current();
      if (!election) return [];
      const stations = await prisma.pollingStation.findMany({
        where: {
          electionId: election.id,
          ...(principal.stations === 'all' ? {} : { id: { in: [...principal.stations] } }),
        },
        select: { id: true, code: true, name: true, address: true, registeredVoters: true, area: { select: { name: true } } },
        orderBy: { code: 'asc' },
      });
      return stations.map(({ area, ...station }) => ({ ...station, areaName: area.name }));
    },
  };
}

export type Geo = ReturnType<typeof createGeo>;
