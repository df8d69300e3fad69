import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { AuditLog } from '../audit/audit.service.ts';
import { requireRole } from '../auth/auth.guards.ts';
import { ACCESS, type Principal } from '../auth/auth.roles.ts';
import type { Clock } from '../clock.ts';
import type { PrismaClient } from '../db/database.ts';
import type { Elections } from '../elections/elections.service.ts';
import { localTimeOf } from '../elections/elections.time.ts';
import { NotFound } from '../errors.ts';
import { safeCsvField } from '../imports/imports.exports.ts';

/**
 * A list for teams calling from paper: a CSV and a printable call sheet, with only what a volunteer
 * needs (no support level, no tags, no address of the person). Every export is in the audit trail.
 */

export const CHASE_CSV_COLUMNS = [
  'rank',
  'first_name',
  'last_name',
  'phone',
  'station_code',
  'station_name',
  'station_address',
  'closes_at',
];

export interface CallSheetRow {
  rank: number;
  firstName: string;
  lastName: string;
  phone: string | null;
  stationCode: string;
  stationName: string;
  stationAddress: string | null;
  /** Local time (HH:MM) the station closes, in the election's timezone. */
  closesAt: string;
}

export interface CallSheet {
  list: { id: number; name: string; channel: 'call' | 'sms' };
  election: { name: string; timezone: string };
  generatedAt: string;
  rows: CallSheetRow[];
}

const BATCH = 2_000;

export function createChaseExports({
  prisma,
  clock,
  elections,
  audit,
}: {
  prisma: PrismaClient;
  clock: Clock;
  elections: Elections;
  audit: AuditLog;
}) {
  async function requireList(listId: number) {
    const election = await elections.requireCurrent();
    const list = await prisma.chaseList.findFirst({ where: { id: listId, electionId: election.id } });
    if (!list) throw new NotFound(`There is no chase list ${listId} in this election.`, 'listId');
    return { election, list };
  }

  /** Entries still to call (pending or claimed), in rank order, a batch at a time. */
  async function* rowsOf(listId: number, timezone: string, pollsCloseAt: Date): AsyncGenerator<CallSheetRow[]> {
    let after = -1;
    for (;;) {
      const batch = await prisma.chaseEntry.findMany({
        where: { listId, state: { in: ['pending', 'claimed'] }, rank: { gt: after } },
        orderBy: [{ rank: 'asc' }],
        take: BATCH,
        select: {
          rank: true,
          voter: {
            select: {
              firstName: true,
              lastName: true,
              phone: true,
              station: { select: { code: true, name: true, address: true, closesAt: true } },
            },
          },
        },
      });
      if (batch.length === 0) return;
      yield batch.map(({ rank, voter }) => ({
        rank,
        firstName: voter.firstName,
        lastName: voter.lastName,
        phone: voter.phone,
        stationCode: voter.station.code,
        stationName: voter.station.name,
        stationAddress: voter.station.address,
        closesAt: localTimeOf(voter.station.closesAt ?? pollsCloseAt, timezone),
      }));
      after = batch.at(-1)!.rank;
    }
  }

  return {
    /** Writes the list as CSV to `out`; the audit entry (who, which list, how many rows) is written first. */
    async csv(principal: Principal | null, listId: number, out: Writable): Promise<{ rows: number }> {
      const actor = requireRole(principal, ACCESS.manageChase);
      const { election, list } = await requireList(listId);
      await prisma.$transaction(async (tx) => {
        const rows = await tx.chaseEntry.count({ where: { listId, state: { in: ['pending', 'claimed'] } } });
        await audit.record(tx, {
          actor,
          action: 'export.chase_list',
          subjectType: 'chase_list',
          subjectId: listId,
          details: { format: 'csv', rows },
        });
      });
      const write = async (text: string) => {
        if (!out.write(text)) await once(out, 'drain');
      };
      await write(CHASE_CSV_COLUMNS.join(',') + '\n');
      let written = 0;
      for await (const batch of rowsOf(list.id, election.timezone, election.pollsCloseAt)) {
        const text = batch
          .map((row) =>
            [row.rank, row.firstName, row.lastName, row.phone, row.stationCode, row.stationName, row.stationAddress, row.closesAt]
              .map(safeCsvField)
              .join(','),
          )
          .join('\n');
        await write(text + '\n');
        written += batch.length;
      }
      return { rows: written };
    },

    /** What a printable call sheet shows (the page lays it out); audited like the CSV. */
    async callSheet(principal: Principal | null, listId: number): Promise<CallSheet> {
      const actor = requireRole(principal, ACCESS.manageChase);
      const { election, list } = await requireList(listId);
      const rows: CallSheetRow[] = [];
      for await (const batch of rowsOf(list.id, election.timezone, election.pollsCloseAt)) rows.push(...batch);
      await prisma.$transaction(async (tx) => {
        await audit.record(tx, {
          actor,
          action: 'export.chase_list',
          subjectType: 'chase_list',
          subjectId: listId,
          details: { format: 'call_sheet', rows: rows.length },
        });
      });
      return {
        list: { id: list.id, name: list.name, channel: list.channel },
        election: { name: election.name, timezone: election.timezone },
        generatedAt: clock.now().toISOString(),
        rows,
      };
    },
  };
}

export type ChaseExports = ReturnType<typeof createChaseExports>;
