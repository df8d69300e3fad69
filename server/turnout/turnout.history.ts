/**
 * The turnout of one area or station through polling day, for the war room's chart of the day
 * (GET /api/v1/turnout/history, docs/api.md): the count standing at each time a report was read.
 * For an area, the sum over its stations of each one's latest accepted count at that time.
 */
import { z } from 'zod';
import type { PrismaClient } from '../db/database.ts';
import type { Elections } from '../elections/elections.service.ts';
import { NotFound } from '../errors.ts';
import { parseInput } from '../fields.ts';
import { turnoutShare } from './turnout.model.ts';

export const TurnoutHistoryQuerySchema = z
  .strictObject({ area: z.string().min(1).max(64).optional(), station: z.string().min(1).max(64).optional() })
  .refine((query) => (query.area === undefined) !== (query.station === undefined), {
    message: 'give either area or station (one code)',
    path: ['area'],
  });
export type TurnoutHistoryQuery = z.infer<typeof TurnoutHistoryQuerySchema>;

export interface TurnoutHistoryPoint {
  at: string;
  /** Voters counted by then: the sum of the stations' standing counts. */
  voted: number;
  /** voted / registered, to 0.1 %; null where nobody is registered. */
  turnout: number | null;
}

export interface TurnoutHistory {
  kind: 'area' | 'station';
  code: string;
  name: string;
  registered: number;
  points: TurnoutHistoryPoint[];
}

/** How much the standing count moved within one minute, and the last time a report in it was read. */
export interface HistoryChange {
  at: Date;
  change: number;
}

/**
 * The standing count after each minute's changes, pure: the changes come in time order, each being
 * a station's new count minus its previous one (the first report counts in full).
 */
export function historyPoints(changes: readonly HistoryChange[], registered: number): TurnoutHistoryPoint[] {
  let voted = 0;
  return changes.map(({ at, change }) => {
    voted += change;
    const share = turnoutShare(voted, registered);
    return { at: at.toISOString(), voted, turnout: share === null ? null : Math.round(share * 1000) / 1000 };
  });
}

export function createTurnoutHistory({ prisma, elections }: { prisma: PrismaClient; elections: Elections }) {
  return {
    async history(query: unknown): Promise<TurnoutHistory> {
      const input = parseInput(TurnoutHistoryQuerySchema, query);
      const election = await elections.requireCurrent();
      const kind = input.area !== undefined ? 'area' : 'station';
      const code = (input.area ?? input.station)!;

      const [unit] =
        kind === 'area'
          ? await prisma.$queryRaw<{ name: string; registered: number; station_ids: number[] }[]>`
              WITH RECURSIVE scope AS (
                SELECT id FROM area WHERE election_id = ${election.id} AND code = ${code}
                UNION ALL
                SELECT a.id FROM area a JOIN scope ON a.parent_id = scope.id
              )
              SELECT (SELECT name FROM area WHERE election_id = ${election.id} AND code = ${code}) AS name,
                     coalesce(sum(s.registered_voters), 0)::int AS registered,
                     coalesce(array_agg(s.id) FILTER (WHERE s.id IS NOT NULL), '{}') AS station_ids
              FROM scope LEFT JOIN polling_station s ON s.area_id = scope.id
              HAVING count(scope.id) > 0`
          : await prisma.$queryRaw<{ name: string; registered: number; station_ids: number[] }[]>`
              SELECT name, registered_voters AS registered, ARRAY[id] AS station_ids
              FROM polling_station WHERE election_id = ${election.id} AND code = ${code}`;
      if (!unit) {
        throw new NotFound(`No ${kind} ${code} in the current election. Codes are in GET /api/v1/turnout.`, kind);
      }
      if (unit.station_ids.length === 0) return { kind, code, name: unit.name, registered: unit.registered, points: [] };

      // Each accepted report moves its station's standing count from the previous one read before it;
      // the changes are summed per minute, so that a city's history stays a few hundred points.
      // Rehearsal reports count only while the election is itself in rehearsal.
      const changes = await prisma.$queryRaw<HistoryChange[]>`
        WITH moves AS (
          SELECT r.observed_at,
                 r.voters - coalesce(lag(r.voters) OVER (PARTITION BY r.station_id ORDER BY r.observed_at, r.received_at, r.id), 0) AS change
          FROM turnout_report r
          WHERE r.station_id = ANY(${unit.station_ids}::int[]) AND r.status = 'accepted'
            AND (NOT r.rehearsal OR ${election.rehearsal})
        )
        SELECT max(observed_at) AS at, sum(change)::int AS change
        FROM moves
        GROUP BY date_trunc('minute', observed_at)
        ORDER BY 1`;
      return { kind, code, name: unit.name, registered: unit.registered, points: historyPoints(changes, unit.registered) };
    },
  };
}

export type TurnoutHistoryService = ReturnType<typeof createTurnoutHistory>;
