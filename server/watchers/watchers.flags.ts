import type { Principal } from '../auth/auth.roles.ts';
import type { StationFlag } from '../db/generated/client.ts';
import { parseInput } from '../fields.ts';
import { DuplicateReportConflict, type ReportSource } from './watchers.reports.ts';
import { StationFlagSchema } from './watchers.schemas.ts';
import { requireReportableStation, senderOf, type StationWriteDependencies } from './watchers.stations.ts';

export interface StationFlagView {
  id: string;
  stationCode: string;
  category: StationFlag['category'];
  note: string | null;
  observedAt: string;
  receivedAt: string;
  rehearsal: boolean;
}

/** Problems flagged at a station (POST /api/v1/flags), for the war room. Stored once by id. */
export function createStationFlags({ prisma, clock, stations, feed }: StationWriteDependencies) {
  return {
    async submit(principal: Principal, raw: unknown, source: ReportSource): Promise<{ status: 200 | 201; flag: StationFlagView }> {
      const input = parseInput(StationFlagSchema, raw);
      const station = await requireReportableStation(stations, principal, input.stationCode);
      const observedAt = new Date(input.observedAt);
      const { rehearsal } = await prisma.election.findUniqueOrThrow({ where: { id: station.electionId }, select: { rehearsal: true } });
      const [inserted] = await prisma.stationFlag.createManyAndReturn({
        data: [
          {
            id: input.id,
            stationId: station.id,
            category: input.category,
            note: input.note ?? null,
            observedAt,
            receivedAt: clock.now(),
            ...senderOf(principal),
            source,
            rehearsal,
          },
        ],
        skipDuplicates: true,
      });
      const flag = inserted ?? (await prisma.stationFlag.findUniqueOrThrow({ where: { id: input.id } }));
      const same =
        flag.stationId === station.id &&
        flag.category === input.category &&
        flag.note === (input.note ?? null) &&
        flag.observedAt.getTime() === observedAt.getTime();
      if (!same)
        throw new DuplicateReportConflict(`Flag ${input.id} was already received with other details. Send it again with a new id.`, 'id');
      if (inserted && !rehearsal) {
        feed.publish({
          type: 'station:flag',
          electionId: station.electionId,
          stationCode: station.code,
          category: flag.category,
          observedAt: flag.observedAt.toISOString(),
        });
      }
      return {
        status: inserted ? 201 : 200,
        flag: {
          id: flag.id,
          stationCode: station.code,
          category: flag.category,
          note: flag.note,
          observedAt: flag.observedAt.toISOString(),
          receivedAt: flag.receivedAt.toISOString(),
          rehearsal: flag.rehearsal,
        },
      };
    },
  };
}

export type StationFlags = ReturnType<typeof createStationFlags>;
