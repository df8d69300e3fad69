import type { Principal } from '../auth/auth.roles.ts';
import type { VoteMark } from '../db/generated/client.ts';
import { z } from 'zod';
import { dropEntriesOf, publishDrops, type Drops } from '../chase/chase.live.ts';
import { parseInput, PlainTextSchema } from '../fields.ts';
import { DuplicateReportConflict, type ReportSource } from './watchers.reports.ts';
import { VoteMarkSchema } from './watchers.schemas.ts';
import { requireReportableStation, senderOf, type StationWriteDependencies } from './watchers.stations.ts';

export interface VoteMarkView {
  id: string;
  stationCode: string;
  listNumbers: number[];
  action: 'mark' | 'undo';
  markedAt: string;
  receivedAt: string;
  rehearsal: boolean;
  /** List numbers no voter of the campaign's file has at this station (marked nobody). */
  unknownListNumbers: number[];
}

export interface VoterOnRoll {
  listNumber: number;
  firstName: string;
  lastName: string;
  votedAt: string | null;
}

const VoterSearchSchema = z.object({
  q: PlainTextSchema.pipe(z.string().min(2, 'must have at least 2 letters of the name').max(60, 'must be at most 60 characters')),
});

const VOTE_SOURCE = { web: 'watcher', sms: 'sms', api: 'api' } as const;

interface MarkCommit {
  mark: VoteMark;
  created: boolean;
  changed: number;
  drops?: Drops;
}

function sameMark(mark: VoteMark, stationId: number, input: { listNumbers: number[]; action: string; markedAt: string }): boolean {
  return (
    mark.stationId === stationId &&
    mark.action === input.action &&
    mark.markedAt.getTime() === new Date(input.markedAt).getTime() &&
    mark.listNumbers.length === input.listNumbers.length &&
    mark.listNumbers.every((number, index) => number === input.listNumbers[index])
  );
}

/**
 * The strike list (POST /api/v1/marks): list numbers of people seen voting at a station. A mark
 * sets their voted time, unless they were already known to have voted; an undo takes back what
 * watchers' marks set. Stored once by id, like reports; during a rehearsal, stored and not applied.
 */
export function createVoteMarks({ prisma, clock, stations, feed }: StationWriteDependencies) {
  return {
    /**
     * People of a station's roll whose name contains `query`, for a watcher who hears a name rather
     * than reads a list number. At most 20, and only of the caller's stations.
     */
    async search(principal: Principal, stationCode: string, query: unknown): Promise<VoterOnRoll[]> {
      const { q } = parseInput(VoterSearchSchema, { q: query });
      const station = await requireReportableStation(stations, principal, stationCode);
      const words = q.split(/\s+/);
      const voters = await prisma.voter.findMany({
        where: {
          stationId: station.id,
          listNumber: { not: null },
          AND: words.map((word) => ({
            OR: [
              { lastName: { contains: word, mode: 'insensitive' as const } },
              { firstName: { contains: word, mode: 'insensitive' as const } },
            ],
          })),
        },
        orderBy: [{ lastName: 'asc' }, { firstName: 'asc' }],
        take: 20,
        select: { listNumber: true, firstName: true, lastName: true, votedAt: true },
      });
      return voters.map((voter) => ({ ...voter, listNumber: voter.listNumber!, votedAt: voter.votedAt?.toISOString() ?? null }));
    },

    async submit(principal: Principal, raw: unknown, source: ReportSource): Promise<{ status: 200 | 201; mark: VoteMarkView }> {
      const input = parseInput(VoteMarkSchema, raw);
      const station = await requireReportableStation(stations, principal, input.stationCode);
      const listNumbers = [...new Set(input.listNumbers)].sort((a, b) => a - b);
      const markedAt = new Date(input.markedAt);

      const { mark, created, changed, drops } = await prisma.$transaction(async (tx): Promise<MarkCommit> => {
        const { rehearsal } = await tx.election.findUniqueOrThrow({ where: { id: station.electionId }, select: { rehearsal: true } });
        const [inserted] = await tx.voteMark.createManyAndReturn({
          data: [
            {
              id: input.id,
              stationId: station.id,
              listNumbers,
              action: input.action,
              markedAt,
              receivedAt: clock.now(),
              ...senderOf(principal),
              source: VOTE_SOURCE[source],
              rehearsal,
            },
          ],
          skipDuplicates: true,
        });
        if (!inserted) {
          const earlier = await tx.voteMark.findUniqueOrThrow({ where: { id: input.id } });
          if (!sameMark(earlier, station.id, { ...input, listNumbers })) {
            throw new DuplicateReportConflict(
              `Mark ${input.id} was already received with other list numbers. Send it again with a new id.`,
              'id',
            );
          }
          return { mark: earlier, created: false, changed: 0 };
        }
        if (rehearsal) return { mark: inserted, created: true, changed: 0 };
        if (input.action === 'mark') {
          const marked = await tx.$queryRaw<{ id: number }[]>`
            UPDATE voter SET voted_at = ${markedAt}, voted_source = ${VOTE_SOURCE[source]}::vote_source, updated_at = ${clock.now()}
            WHERE station_id = ${station.id} AND list_number = ANY(${listNumbers}::int[]) AND voted_at IS NULL
            RETURNING id`;
          // Whoever votes leaves every chase list in this same transaction (docs/chase-lists.md).
          const drops = await dropEntriesOf(
            tx,
            station.electionId,
            marked.map((voter) => voter.id),
            'voted',
            clock.now(),
          );
          return { mark: inserted, created: true, changed: marked.length, drops };
        }
        // An undo does not bring back dropped chase entries: the next list built includes the person again.
        const unmarked = await tx.voter.updateMany({
          where: { stationId: station.id, listNumber: { in: listNumbers }, votedSource: { in: ['watcher', 'sms', 'api'] } },
          data: { votedAt: null, votedSource: null },
        });
        return { mark: inserted, created: true, changed: unmarked.count };
      });

      if (drops) publishDrops(feed, station.electionId, drops);
      if (changed > 0) {
        feed.publish({
          type: 'voters:marked',
          electionId: station.electionId,
          stationCode: station.code,
          marked: mark.action === 'mark' ? changed : 0,
          unmarked: mark.action === 'undo' ? changed : 0,
        });
      }
      const known = await prisma.voter.findMany({
        where: { stationId: station.id, listNumber: { in: mark.listNumbers } },
        select: { listNumber: true },
      });
      const knownNumbers = new Set(known.map((voter) => voter.listNumber));
      return {
        status: created ? 201 : 200,
        mark: {
          id: mark.id,
          stationCode: station.code,
          listNumbers: mark.listNumbers,
          action: mark.action,
          markedAt: mark.markedAt.toISOString(),
          receivedAt: mark.receivedAt.toISOString(),
          rehearsal: mark.rehearsal,
          unknownListNumbers: mark.listNumbers.filter((number) => !knownNumbers.has(number)),
        },
      };
    },
  };
}

export type VoteMarks = ReturnType<typeof createVoteMarks>;
