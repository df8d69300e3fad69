import type { AuditLog } from '../audit/audit.service.ts';
import type { Principal } from '../auth/auth.roles.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { PrismaClient } from '../db/database.ts';
import type { Election } from '../db/generated/client.ts';
import { AlreadyPurged, ElectionNotOver, InvalidInput, NotFound } from '../errors.ts';

/** What a purge deleted, per kind of record: shown to the admin and kept in the audit trail. */
export interface PurgeCounts {
  voters: number;
  voteMarks: number;
  chaseEntries: number;
  contactAttempts: number;
  /** The rides queue's requests (who needed a ride, and the volunteer's note). */
  rideRequests: number;
  outboundMessages: number;
  inboundMessages: number;
  /** Free-text notes of turnout reports and station flags, emptied. */
  reportNotes: number;
  invites: number;
  sessions: number;
  accounts: number;
}

/** Where an election stands with the retention of its personal data. */
export interface RetentionStatus {
  electionId: number;
  electionName: string;
  /** The election's IANA zone, in which its dates are shown. */
  timezone: string;
  /** When the last polling station closed. */
  closedAt: Date;
  /** Whether the polls have closed (a purge is refused before). */
  over: boolean;
  /** The day by which its personal data should be purged. */
  purgeBy: Date;
  overdue: boolean;
  purgedAt: Date | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

interface Dependencies {
  prisma: PrismaClient;
  clock: Clock;
  config: Config;
  audit: AuditLog;
}

/**
 * The retention purge: once an election is over, its personal data is deleted (docs/decisions/019).
 * What remains is what the war room counted — areas, stations, turnout reports — and the audit trail.
 */
export function createElectionPurge({ prisma, clock, config, audit }: Dependencies) {
  /** The last closing time of the election: a station may close later than the election. */
  async function closedAt(election: Election): Promise<Date> {
    const latest = await prisma.pollingStation.aggregate({ where: { electionId: election.id }, _max: { closesAt: true } });
    const stationClose = latest._max.closesAt;
    return stationClose && stationClose > election.pollsCloseAt ? stationClose : election.pollsCloseAt;
  }

  async function requireElection(electionId: number): Promise<Election> {
    const election = await prisma.election.findUnique({ where: { id: electionId } });
    if (!election) throw new NotFound(`No election with id ${electionId}.`, 'electionId');
    return election;
  }

  async function retention(election: Election): Promise<RetentionStatus> {
    const closed = await closedAt(election);
    const now = clock.now();
    const purgeBy = new Date(closed.getTime() + config.personalDataRetentionDays * DAY_MS);
    return {
      electionId: election.id,
      electionName: election.name,
      timezone: election.timezone,
      closedAt: closed,
      over: now >= closed,
      purgeBy,
      overdue: election.purgedAt === null && now >= purgeBy,
      purgedAt: election.purgedAt,
    };
  }

  return {
    /** Every election with its retention status, latest polling day first. */
    async retentionOfAll(): Promise<RetentionStatus[]> {
      const elections = await prisma.election.findMany({ orderBy: [{ pollingDay: 'desc' }, { id: 'desc' }] });
      return Promise.all(elections.map(retention));
    },

    async retention(electionId: number): Promise<RetentionStatus> {
      return retention(await requireElection(electionId));
    },

    /**
     * Deletes the election's personal data, all or nothing, in one transaction with its audit entry:
     * voters (and with them their chase entries, contact attempts, ride requests and outbound messages), their
     * inbound messages, the vote marks, the notes on turnout reports, and the accounts of the
     * watchers and volunteers made for it (their sign-in links, sessions and station assignments
     * deleted, the account row kept nameless so that the audit trail still says "account 12").
     * `confirmation` is the election's name, typed by the person asking.
     */
    async purge(electionId: number, confirmation: string, actor: Principal | null): Promise<PurgeCounts> {
      const election = await requireElection(electionId);
      if (confirmation.trim() !== election.name) {
        throw new InvalidInput(`Type the election's name exactly ("${election.name}") to confirm.`, 'confirmation');
      }
      const status = await retention(election);
      if (!status.over) {
        throw new ElectionNotOver(
          `The polls of ${election.name} close at ${status.closedAt.toISOString()}: its data can be purged only after they close.`,
        );
      }
      return prisma.$transaction(
        async (tx) => {
          // The row lock makes two purges of the same election wait for each other.
          const [locked] = await tx.$queryRaw<{ purged_at: Date | null }[]>`
            SELECT purged_at FROM election WHERE id = ${electionId} FOR UPDATE`;
          if (locked?.purged_at) {
            throw new AlreadyPurged(`The personal data of ${election.name} was already purged on ${locked.purged_at.toISOString()}.`);
          }
          const count = async (query: Promise<{ count: bigint }[]>) => Number((await query)[0]!.count);
          const accounts = (
            await tx.$queryRaw<{ id: number }[]>`
              SELECT u.id FROM app_user u
              WHERE u.role IN ('watcher', 'volunteer') AND u.disabled_at IS NULL AND (
                u.election_id = ${electionId}
                OR (u.election_id IS NULL
                  AND EXISTS (SELECT 1 FROM station_assignment a JOIN polling_station s ON s.id = a.station_id
                              WHERE a.user_id = u.id AND s.election_id = ${electionId})
                  AND NOT EXISTS (SELECT 1 FROM station_assignment a JOIN polling_station s ON s.id = a.station_id
                                  WHERE a.user_id = u.id AND s.election_id <> ${electionId})))`
          ).map((row) => row.id);

          const chaseEntries = await count(tx.$queryRaw`
            SELECT count(*) FROM chase_entry e JOIN voter v ON v.id = e.voter_id WHERE v.election_id = ${electionId}`);
          const contactAttempts = await count(tx.$queryRaw`
            SELECT count(*) FROM contact_attempt c JOIN voter v ON v.id = c.voter_id WHERE v.election_id = ${electionId}`);
          const rideRequests = await count(tx.$queryRaw`
            SELECT count(*) FROM ride_request r JOIN voter v ON v.id = r.voter_id WHERE v.election_id = ${electionId}`);
          const outboundMessages = await count(tx.$queryRaw`
            SELECT count(*) FROM outbound_message m JOIN voter v ON v.id = m.voter_id WHERE v.election_id = ${electionId}`);
          // Replies from the election's voters: linked to one, or unlinked but from one's number (and
          // from no voter of another election, whose replies stay with that election); and the reports
          // its watchers texted from their own phones.
          const inboundMessages = await tx.$executeRaw`
            DELETE FROM inbound_message m
            WHERE m.voter_id IN (SELECT id FROM voter WHERE election_id = ${electionId})
              OR m.watcher_id = ANY(${accounts}::int[])
              OR (m.voter_id IS NULL
                AND m.from_phone IN (SELECT phone FROM voter WHERE election_id = ${electionId} AND phone IS NOT NULL)
                AND m.from_phone NOT IN (SELECT phone FROM voter WHERE election_id <> ${electionId} AND phone IS NOT NULL))`;
          // Contact attempts, ride requests and outbound messages go with their voter (ON DELETE CASCADE), chase
          // entries too (a trigger: decision 028).
          const voters = await tx.$executeRaw`DELETE FROM voter WHERE election_id = ${electionId}`;
          const voteMarks = await tx.$executeRaw`
            DELETE FROM vote_mark WHERE station_id IN (SELECT id FROM polling_station WHERE election_id = ${electionId})`;
          // A report's figures and a flag's category stay; their free-text notes may name someone.
          const reportNotes =
            (await tx.$executeRaw`
              UPDATE turnout_report SET note = NULL
              WHERE note IS NOT NULL AND station_id IN (SELECT id FROM polling_station WHERE election_id = ${electionId})`) +
            (await tx.$executeRaw`
              UPDATE station_flag SET note = NULL
              WHERE note IS NOT NULL AND station_id IN (SELECT id FROM polling_station WHERE election_id = ${electionId})`);
          await tx.$executeRaw`
            DELETE FROM station_assignment WHERE station_id IN (SELECT id FROM polling_station WHERE election_id = ${electionId})`;
          // Which volunteer worked which list goes too; lists and teams (no one's data) remain.
          await tx.$executeRaw`
            DELETE FROM chase_list_assignment
            WHERE user_id IS NOT NULL AND list_id IN (SELECT id FROM chase_list WHERE election_id = ${electionId})`;

          const emails = (await tx.user.findMany({ where: { id: { in: accounts }, email: { not: null } }, select: { email: true } })).map(
            (user) => user.email!,
          );
          const invites = (await tx.invite.deleteMany({ where: { userId: { in: accounts } } })).count;
          const sessions = (await tx.session.deleteMany({ where: { userId: { in: accounts } } })).count;
          await tx.stationAssignment.deleteMany({ where: { userId: { in: accounts } } });
          if (emails.length > 0) await tx.signInThrottle.deleteMany({ where: { email: { in: emails } } });
          const now = clock.now();
          await tx.user.updateMany({
            where: { id: { in: accounts } },
            data: {
              name: 'Deleted account',
              email: null,
              phone: null,
              passwordHash: null,
              locale: null,
              lockedUntil: null,
              disabledAt: now,
            },
          });
          await tx.election.update({ where: { id: electionId }, data: { purgedAt: now } });

          const counts: PurgeCounts = {
            voters,
            voteMarks,
            chaseEntries,
            contactAttempts,
            rideRequests,
            outboundMessages,
            inboundMessages,
            reportNotes,
            invites,
            sessions,
            accounts: accounts.length,
          };
          await audit.record(tx, {
            actor,
            action: 'election.purge',
            subjectType: 'election',
            subjectId: electionId,
            details: { ...counts },
          });
          return counts;
        },
        // A whole voter file is deleted at once: far longer than Prisma's 5-second default.
        { timeout: 10 * 60_000, maxWait: 30_000 },
      );
    },
  };
}

export type ElectionPurge = ReturnType<typeof createElectionPurge>;
