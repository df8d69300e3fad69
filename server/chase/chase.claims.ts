import type { AuditLog } from '../audit/audit.service.ts';
import type { Principal } from '../auth/auth.roles.ts';
import type { Clock } from '../clock.ts';
import type { PrismaClient } from '../db/database.ts';
import { Prisma } from '../db/generated/client.ts';
import type { Elections } from '../elections/elections.service.ts';
import { Conflict, NotFound } from '../errors.ts';
import { parseInput } from '../fields.ts';
import { suppressionHashes } from '../people/people.suppression.ts';
import type { LiveFeed } from '../realtime/realtime.feed.ts';
import { listIdsOfVolunteer, requireCaller } from './chase.access.ts';
import { dropEntriesOf, publishDrops, type Drops } from './chase.live.ts';
import { progressOf, type ListProgress } from './chase.progress.ts';
import { OutcomeSchema, type ContactOutcomeName } from './chase.schemas.ts';

/** A claim lasts this long; the volunteer's page renews it while the call goes on. */
export const LEASE_MINUTES = 5;

/** The entry was given to someone else after this volunteer's lease ran out. */
export class CallNoLongerYours extends Conflict {
  override name = 'CallNoLongerYours';
  override readonly code = 'call_no_longer_yours';
}

/** The voter voted, or asked never to be contacted, while the call was claimed. */
export class CallDropped extends Conflict {
  override name = 'CallDropped';
  override readonly code = 'call_dropped';
}

export class OutcomeAlreadyRecorded extends Conflict {
  override name = 'OutcomeAlreadyRecorded';
  override readonly code = 'outcome_already_recorded';
}

/** What a volunteer's screen shows for one call: only what the call needs. */
export interface CallView {
  entryId: number;
  listId: number;
  listName: string;
  channel: 'call' | 'sms';
  /** Place in the list: 1 is called first. */
  rank: number;
  state: 'pending' | 'claimed' | 'done' | 'dropped';
  leaseExpiresAt: string | null;
  voter: { firstName: string; lastName: string; phone: string | null };
  station: { code: string; name: string; address: string | null; closesAt: string };
  /** Earlier contacts with this person, from any list, oldest first. */
  attempts: { at: string; channel: string; outcome: string; note: string | null; byYou: boolean }[];
}

export interface Pace {
  /** Calls and texts recorded in the last 60 minutes. */
  lastHour: number;
  /** Recorded today (since the election's polls opened). */
  total: number;
  /** total per hour since this volunteer's first one today. */
  perHour: number;
}

interface Dependencies {
  prisma: PrismaClient;
  clock: Clock;
  elections: Elections;
  feed: LiveFeed;
  audit: AuditLog;
}

/**
 * The volunteer's calling workspace (POST /api/v1/calls/…): "next person" claims the
 * highest-priority entry of the lists assigned to them or their team, with a lease; an outcome
 * closes it. A lease that ran out puts the entry back in the pool.
 */
export function createChaseCalls({ prisma, clock, elections, feed, audit }: Dependencies) {
  const leaseEnd = () => new Date(clock.now().getTime() + LEASE_MINUTES * 60_000);

  async function viewOf(entryId: number, userId: number): Promise<CallView> {
    const entry = await prisma.chaseEntry.findUniqueOrThrow({
      where: { id: entryId },
      select: {
        id: true,
        rank: true,
        state: true,
        leaseExpiresAt: true,
        list: { select: { id: true, name: true, channel: true, election: { select: { pollsCloseAt: true } } } },
        voter: {
          select: {
            firstName: true,
            lastName: true,
            phone: true,
            station: { select: { code: true, name: true, address: true, closesAt: true } },
            contactAttempts: {
              orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
              select: { createdAt: true, channel: true, outcome: true, note: true, volunteerId: true },
            },
          },
        },
      },
    });
    const { voter, list } = entry;
    return {
      entryId: entry.id,
      listId: list.id,
      listName: list.name,
      channel: list.channel,
      rank: entry.rank,
      state: entry.state,
      leaseExpiresAt: entry.leaseExpiresAt?.toISOString() ?? null,
      voter: { firstName: voter.firstName, lastName: voter.lastName, phone: voter.phone },
      station: {
        code: voter.station.code,
        name: voter.station.name,
        address: voter.station.address,
        closesAt: (voter.station.closesAt ?? list.election.pollsCloseAt).toISOString(),
      },
      attempts: voter.contactAttempts.map((attempt) => ({
        at: attempt.createdAt.toISOString(),
        channel: attempt.channel,
        outcome: attempt.outcome,
        note: attempt.note,
        byYou: attempt.volunteerId === userId,
      })),
    };
  }

  /** The entry this volunteer holds now (a lease not run out) on one of their lists, if any. */
  async function currentClaim(userId: number, listIds: number[]): Promise<number | null> {
    const held = await prisma.chaseEntry.findFirst({
      where: { assigneeId: userId, state: 'claimed', leaseExpiresAt: { gt: clock.now() }, listId: { in: listIds } },
      orderBy: { id: 'asc' },
      select: { id: true },
    });
    return held?.id ?? null;
  }

  async function pace(userId: number): Promise<Pace> {
    const election = await elections.requireCurrent();
    const now = clock.now();
    const hourAgo = new Date(now.getTime() - 3_600_000);
    const [row] = await prisma.$queryRaw<[{ total: bigint; last_hour: bigint; first_at: Date | null }]>`
      SELECT count(*) AS total, count(*) FILTER (WHERE created_at > ${hourAgo}) AS last_hour, min(created_at) AS first_at
      FROM contact_attempt
      WHERE volunteer_id = ${userId} AND created_at >= ${election.pollsOpenAt} AND created_at <= ${now}`;
    const total = Number(row.total);
    const hours = row.first_at ? Math.max(1, (now.getTime() - row.first_at.getTime()) / 3_600_000) : 1;
    return { lastHour: Number(row.last_hour), total, perHour: Math.round((total / hours) * 10) / 10 };
  }

  /** Finds why an entry cannot be renewed or closed by this volunteer, as the error to answer. */
  function refusal(entry: { state: string; assigneeId: number | null } | null, entryId: number, userId: number): Error {
    if (!entry || (entry.assigneeId !== userId && entry.state !== 'claimed')) {
      return new NotFound(`There is no call ${entryId} of yours. Take the next person instead.`, 'entryId');
    }
    if (entry.assigneeId !== userId) {
      return new CallNoLongerYours('Your hold on this person ran out and another volunteer has them now. Take the next person.', 'entryId');
    }
    if (entry.state === 'dropped') {
      return new CallDropped('This person has just voted, or asked not to be contacted: no need to call. Take the next person.', 'entryId');
    }
    return new OutcomeAlreadyRecorded('The outcome of this call is already recorded. Take the next person.', 'entryId');
  }

  return {
    /**
     * "Next person": the volunteer's current call if they hold one, else the highest-priority entry
     * of their lists that is pending or whose lease ran out, claimed for LEASE_MINUTES. Two volunteers
     * asking at once never get the same entry (FOR UPDATE SKIP LOCKED). Null when nobody is left.
     */
    async next(principal: Principal | null): Promise<CallView | null> {
      const caller = requireCaller(principal);
      const election = await elections.requireCurrent();
      const listIds = await listIdsOfVolunteer(prisma, caller.id, election.id);
      if (listIds.length === 0) return null;
      const held = await currentClaim(caller.id, listIds);
      if (held !== null) return viewOf(held, caller.id);
      const now = clock.now();
      // An entry whose lease ran out goes back first in line (it was near the top when it was taken);
      // then the pending entries, in call order. Two short statements rather than one whose OR would
      // sort every pending entry. With one list (the usual case), each reads the first entry of the
      // (list_id, state, priority DESC, rank, id) index and stops there; with several, their entries
      // of that state are sorted by priority across the lists.
      const lists = listIds.length === 1 ? Prisma.sql`list_id = ${listIds[0]}` : Prisma.sql`list_id = ANY(${listIds}::int[])`;
      const claim = (state: Prisma.Sql) => prisma.$queryRaw<{ id: number; list_id: number }[]>`
        UPDATE chase_entry SET state = 'claimed', assignee_id = ${caller.id}, lease_expires_at = ${leaseEnd()}
        WHERE id = (
          SELECT id FROM chase_entry
          WHERE ${lists} AND ${state}
          ORDER BY priority DESC, rank, id
          LIMIT 1
          FOR UPDATE SKIP LOCKED)
        RETURNING id, list_id`;
      const claimed =
        (await claim(Prisma.sql`state = 'claimed' AND lease_expires_at < ${now}`))[0] ?? (await claim(Prisma.sql`state = 'pending'`))[0];
      if (!claimed) return null;
      feed.publish({ type: 'chase:changed', electionId: election.id, listIds: [claimed.list_id] });
      return viewOf(claimed.id, caller.id);
    },

    /** Keeps the call for LEASE_MINUTES more. */
    async renew(principal: Principal | null, entryId: number): Promise<{ entryId: number; leaseExpiresAt: string }> {
      const caller = requireCaller(principal);
      const until = leaseEnd();
      const renewed = await prisma.chaseEntry.updateMany({
        where: { id: entryId, assigneeId: caller.id, state: 'claimed' },
        data: { leaseExpiresAt: until },
      });
      if (renewed.count === 0) {
        throw refusal(
          await prisma.chaseEntry.findUnique({ where: { id: entryId }, select: { state: true, assigneeId: true } }),
          entryId,
          caller.id,
        );
      }
      return { entryId, leaseExpiresAt: until.toISOString() };
    },

    /**
     * Records how the call went, in one transaction: the contact attempt, the entry done, and what
     * the outcome implies — already voted marks the voter as voted and drops them from every list;
     * never contact makes them do-not-contact for good (and on the suppression list, so that an
     * import does not bring them back); needs a ride queues a ride for coordinators.
     */
    async outcome(
      principal: Principal | null,
      entryId: number,
      raw: unknown,
    ): Promise<{ entryId: number; outcome: ContactOutcomeName; pace: Pace }> {
      const caller = requireCaller(principal);
      const input = parseInput(OutcomeSchema, raw);
      const now = clock.now();
      const { electionId, listId, drops, stationCode } = await prisma.$transaction(async (tx) => {
        const [entry] = await tx.$queryRaw<
          {
            id: number;
            list_id: number;
            voter_id: number;
            state: string;
            assignee_id: number | null;
            channel: 'call' | 'sms';
            election_id: number;
            station_code: string;
          }[]
        >`
          SELECT e.id, e.list_id, e.voter_id, e.state::text, e.assignee_id, l.channel::text, l.election_id, s.code AS station_code
          FROM chase_entry e
          JOIN chase_list l ON l.id = e.list_id
          JOIN voter v ON v.id = e.voter_id
          JOIN polling_station s ON s.id = v.station_id
          WHERE e.id = ${entryId}
          FOR UPDATE OF e`;
        // An entry dropped while this volunteer held it may still be recorded: the call was made.
        if (!entry || entry.assignee_id !== caller.id || (entry.state !== 'claimed' && entry.state !== 'dropped')) {
          throw refusal(entry ? { state: entry.state, assigneeId: entry.assignee_id } : null, entryId, caller.id);
        }
        await tx.contactAttempt.create({
          data: {
            voterId: entry.voter_id,
            listId: entry.list_id,
            volunteerId: caller.id,
            channel: entry.channel,
            outcome: input.outcome,
            note: input.note ?? null,
            createdAt: now,
          },
        });
        if (entry.state === 'claimed') {
          await tx.chaseEntry.update({ where: { id: entry.id }, data: { state: 'done', doneAt: now, leaseExpiresAt: null } });
        }
        let drops: Drops | null = null;
        let marked = false;
        if (input.outcome === 'already_voted') {
          const voted = await tx.voter.updateMany({
            where: { id: entry.voter_id, votedAt: null },
            data: { votedAt: now, votedSource: 'volunteer' },
          });
          marked = voted.count > 0;
          drops = await dropEntriesOf(tx, [entry.voter_id], 'voted', now);
        } else if (input.outcome === 'never_contact') {
          const voter = await tx.voter.update({
            where: { id: entry.voter_id },
            data: { doNotContact: true, smsConsent: false, callConsent: false },
            select: { phone: true, email: true, externalId: true },
          });
          const hashes = suppressionHashes(voter);
          await tx.suppression.createMany({
            data: hashes.map((hash) => ({ hash, reason: 'objection' as const, createdAt: now })),
            skipDuplicates: true,
          });
          drops = await dropEntriesOf(tx, [entry.voter_id], 'do_not_contact', now);
          await audit.record(tx, {
            actor: caller,
            action: 'chase.never_contact',
            subjectType: 'chase_entry',
            subjectId: entry.id,
            details: { listId: entry.list_id, hashes: hashes.length },
          });
        } else if (input.outcome === 'needs_ride') {
          await tx.rideRequest.create({
            data: { voterId: entry.voter_id, listId: entry.list_id, volunteerId: caller.id, note: input.note ?? null, createdAt: now },
          });
        }
        return { electionId: entry.election_id, listId: entry.list_id, drops, stationCode: marked ? entry.station_code : null };
      });
      if (drops) publishDrops(feed, electionId, drops);
      feed.publish({ type: 'chase:changed', electionId, listIds: [listId] });
      if (stationCode) feed.publish({ type: 'voters:marked', electionId, stationCode, marked: 1, unmarked: 0 });
      return { entryId, outcome: input.outcome, pace: await pace(caller.id) };
    },

    /** The volunteer's current call, their lists with their progress, and their pace. */
    async mine(
      principal: Principal | null,
    ): Promise<{ call: CallView | null; lists: (ListProgress & { name: string; channel: string })[]; pace: Pace }> {
      const caller = requireCaller(principal);
      const election = await elections.requireCurrent();
      const listIds = await listIdsOfVolunteer(prisma, caller.id, election.id);
      const [held, lists, progress] = await Promise.all([
        currentClaim(caller.id, listIds),
        prisma.chaseList.findMany({ where: { id: { in: listIds } }, select: { id: true, name: true, channel: true } }),
        progressOf(prisma, listIds, clock.now()),
      ]);
      const names = new Map(lists.map((list) => [list.id, list]));
      return {
        call: held === null ? null : await viewOf(held, caller.id),
        lists: progress.map((figures) => ({
          ...figures,
          name: names.get(figures.listId)!.name,
          channel: names.get(figures.listId)!.channel,
        })),
        pace: await pace(caller.id),
      };
    },
  };
}

export type ChaseCalls = ReturnType<typeof createChaseCalls>;
