import type { Principal } from '../auth/auth.roles.ts';
import type { PrismaClient } from '../db/database.ts';
import type { Elections } from '../elections/elections.service.ts';
import { bboxOf, outlineOf, type AreaFeature, type MapGeometry } from './geo.map.ts';

export interface StationSummary {
  id: number;
  code: string;
  name: string;
  address: string | null;
  areaName: string;
  registeredVoters: number;
  /** ISO time: its own closing time, else the election's. */
  closesAt: string;
  /** The count that stands, and when it was read; null before the first report. */
  reportedVoters: number | null;
  reportedAt: string | null;
}

const SUMMARY_FIELDS = {
  id: true,
  code: true,
  name: true,
  address: true,
  registeredVoters: true,
  closesAt: true,
  reportedVoters: true,
  reportedAt: true,
  area: { select: { name: true } },
} as const;

/** Polling stations and the areas they belong to. */
export function createGeo({ prisma, elections }: { prisma: PrismaClient; elections: Elections }) {
  async function inScope(principal: Principal, code?: string): Promise<StationSummary[]> {
    const election = await elections.current();
    if (!election) return [];
    const stations = await prisma.pollingStation.findMany({
      where: {
        electionId: election.id,
        ...(code === undefined ? {} : { code }),
        ...(principal.stations === 'all' ? {} : { id: { in: [...principal.stations] } }),
      },
      select: SUMMARY_FIELDS,
      orderBy: { code: 'asc' },
    });
    return stations.map(({ area, closesAt, reportedAt, ...station }) => ({
      ...station,
      areaName: area.name,
      closesAt: (closesAt ?? election.pollsCloseAt).toISOString(),
      reportedAt: reportedAt?.toISOString() ?? null,
    }));
  }

  return {
    /** The stations a person may act on: a watcher's assigned ones, everyone else's all. */
    stationsInScope: (principal: Principal) => inScope(principal),

    /** One of them by its code, or null when it is not theirs (or does not exist). */
    async stationInScope(principal: Principal, code: string): Promise<StationSummary | null> {
      return (await inScope(principal, code))[0] ?? null;
    },

    /** The current election's area boundaries for the war room's map (stations come with the live turnout). */
    async mapGeometry(): Promise<MapGeometry> {
      const election = await elections.current();
      if (!election) return { electionId: null, areas: { type: 'FeatureCollection', features: [] }, bbox: null };
      const [areas, stations] = await Promise.all([
        prisma.area.findMany({
          where: { electionId: election.id },
          select: { code: true, name: true, kind: true, geometry: true, parent: { select: { code: true } } },
          orderBy: { code: 'asc' },
        }),
        prisma.pollingStation.aggregate({
          where: { electionId: election.id },
          _min: { longitude: true, latitude: true },
          _max: { longitude: true, latitude: true },
        }),
      ]);
      const features: AreaFeature[] = [];
      for (const area of areas) {
        const geometry = outlineOf(area.geometry);
        if (!geometry) continue;
        features.push({
          type: 'Feature',
          properties: { code: area.code, name: area.name, kind: area.kind, parentCode: area.parent?.code ?? null },
          geometry,
        });
      }
      const { _min: min, _max: max } = stations;
      const corners: [number, number][] =
        min.longitude === null || min.latitude === null || max.longitude === null || max.latitude === null
          ? []
          : [
              [min.longitude, min.latitude],
              [max.longitude, max.latitude],
            ];
      return {
        electionId: election.id,
        areas: { type: 'FeatureCollection', features },
        bbox: bboxOf(
          features.map((feature) => feature.geometry),
          corners,
        ),
      };
    },
  };
}

export type Geo = ReturnType<typeof createGeo>;
