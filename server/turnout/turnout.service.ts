import type { Clock } from '../clock.ts';
import type { PrismaClient } from '../db/database.ts';
import type { Elections } from '../elections/elections.service.ts';
import { tallyAreas, turnoutShare, type Tally } from './turnout.model.ts';

export interface TurnoutFigures {
  registered: number;
  voted: number;
  /** voted / registered, or null. */
  turnout: number | null;
}

export interface StationTurnout extends TurnoutFigures {
  code: string;
  name: string;
  areaCode: string;
  /** When the latest accepted report was read at the station; null before the first report. */
  reportedAt: string | null;
}

export interface AreaTurnout extends TurnoutFigures {
  code: string;
  name: string;
  kind: 'city' | 'district' | 'neighbourhood';
  parentCode: string | null;
  stations: number;
  reportingStations: number;
}

/** GET /api/v1/turnout and the `turnout:snapshot` event (docs/api.md). */
export interface TurnoutSnapshot {
  /** The last delta included; clients apply deltas with a higher seq. */
  seq: number;
  asOf: string;
  election: {
    id: number;
    name: string;
    pollingDay: string;
    timezone: string;
    pollsOpenAt: string;
    pollsCloseAt: string;
    /** The election's own time: the wall clock, or a simulated polling day's (elections.clock.ts). */
    now: string;
    simulated: boolean;
    rehearsal: boolean;
  };
  totals: TurnoutFigures & { stations: number; reportingStations: number };
  areas: AreaTurnout[];
  stations: StationTurnout[];
}

interface StationRow {
  code: string;
  name: string;
  area_code: string;
  registered_voters: number;
  voted: number | null;
  observed_at: Date | null;
}

function figures(tally: Tally): TurnoutFigures & { stations: number; reportingStations: number } {
  return { ...tally, turnout: turnoutShare(tally.voted, tally.registered) };
}

export function createTurnout({ prisma, clock, elections }: { prisma: PrismaClient; clock: Clock; elections: Elections }) {
  // Deltas are not broadcast yet: the feed's sequence starts at 0 and stays there until they are.
  const seq = 0;

  return {
    async snapshot(): Promise<TurnoutSnapshot> {
      const election = await elections.requireCurrent();
      const [areas, stations, electionClock] = await Promise.all([
        prisma.area.findMany({
          where: { electionId: election.id },
          select: { code: true, name: true, kind: true, parent: { select: { code: true } } },
          orderBy: { code: 'asc' },
        }),
        // The count that stands at each station (server/watchers/watchers.rules.ts), kept with each report.
        prisma.$queryRaw<StationRow[]>`
          SELECT s.code, s.name, a.code AS area_code, s.registered_voters, s.reported_voters AS voted, s.reported_at AS observed_at
          FROM polling_station s
          JOIN area a ON a.id = s.area_id
          WHERE s.election_id = ${election.id}
          ORDER BY s.code`,
        elections.clockOf(election.id),
      ]);
      const counts = stations.map((s) => ({ code: s.code, areaCode: s.area_code, registered: s.registered_voters, voted: s.voted }));
      const tallies = tallyAreas(
        areas.map((area) => ({ code: area.code, parentCode: area.parent?.code ?? null })),
        counts,
      );
      return {
        seq,
        asOf: clock.now().toISOString(),
        election: {
          id: election.id,
          name: election.name,
          pollingDay: election.pollingDay.toISOString().slice(0, 10),
          timezone: election.timezone,
          pollsOpenAt: election.pollsOpenAt.toISOString(),
          pollsCloseAt: election.pollsCloseAt.toISOString(),
          now: electionClock.now.toISOString(),
          simulated: electionClock.simulation !== null,
          rehearsal: election.rehearsal,
        },
        totals: figures(tallies.total),
        areas: areas.map((area) => ({
          code: area.code,
          name: area.name,
          kind: area.kind,
          parentCode: area.parent?.code ?? null,
          ...figures(tallies.areas.get(area.code)!),
        })),
        stations: stations.map((s) => ({
          code: s.code,
          name: s.name,
          areaCode: s.area_code,
          registered: s.registered_voters,
          voted: s.voted ?? 0,
          turnout: turnoutShare(s.voted ?? 0, s.registered_voters),
          reportedAt: s.observed_at?.toISOString() ?? null,
        })),
      };
    },
  };
}

export type Turnout = ReturnType<typeof createTurnout>;
