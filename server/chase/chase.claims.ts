import type { AuditLog } from '../audit/audit.service.ts';
import type { Principal } from '../auth/auth.roles.ts';
import type { Clock } from '../clock.ts';
import type pg from 'pg';
import type { PrismaClient } from '../db/database.ts';
import type { Elections } from '../elections/elections.service.ts';
import { Conflict, NotFound } from '../errors.ts';
import { parseInput } from '../fields.ts';
import { suppressionHashes } from '../people/people.suppression.ts';
import type { Logger } from '../logger.ts';
import type { LiveFeed } from '../realtime/realtime.feed.ts';
import { requireCaller, type VolunteerLists } from './chase.access.ts';
import { dropEntriesOf, publishDrops, type Drops } from './chase.live.ts';
import { progressOf, type ListProgress } from './chase.progress.ts';
import { OutcomeSchema, type ContactOutcomeName } from './chase.schemas.ts';

/** A claim lasts this long; the volunteer's page renews it while the call goes on. */
export const LEASE_MINUTES = 5;

/**
 * Brings PostgreSQL's statistics of the entries up to date once a list is built or split, without
 * making the coordinator wait (ANALYZE reads a sample: 30–80 ms). "Next person" takes a list's first
 * entry from the index of entries to call; with statistics from before the list existed (the day's
 * first list, on a table then empty), the planner expects a handful of entries and sorted the whole
 * list at every claim instead: 40 ms for 100,000 entries against 0.4 ms, until autovacuum analyzed
 * the table a minute or more later.
 */
export function refreshEntryStatistics(prisma: PrismaClient, log: Logger): void {
  prisma.$executeRaw`ANALYZE chase_entry`.catch((error: unknown) => {
    log.warn({ err: { message: (error as Error).message } }, 'could not refresh the statistics of chase entries');
  });
}

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
  /** The driver, for the statements of every call (decision 029). */
  pool: pg.Pool;
  clock: Clock;
  elections: Elections;
  feed: LiveFeed;
  audit: AuditLog;
  volunteerLists: VolunteerLists;
}

/** One row of a call as the claim statement returns it. */
interface CallRow {
  id: number;
  list_id: number;
  election_id: number;
  rank: number;
  state: CallView['state'];
  lease_expires_at: Date | null;
  list_name: string;
  channel: 'call' | 'sms';
  first_name: string;
  last_name: string;
  phone: string | null;
  station_code: string;
  station_name: string;
  station_address: string | null;
  closes_at: Date;
  attempts: { at: string; channel: string; outcome: string; note: string | null; volunteer_id: number | null }[];
}

/**
 * What a call's screen shows, read in the statement that claims it: the list, the voter, their
 * station and every earlier contact (as one JSON array), so that "next person" is one round trip.
 * `claimed` is the data-modifying CTE that returned the entry.
 */
const CALL_VIEW = `
  SELECT k.id, k.list_id, l.election_id, k.rank, k.state::text AS state, k.lease_expires_at, l.name AS list_name,
         l.channel::text AS channel, v.first_name, v.last_name, v.phone, s.code AS station_code, s.name AS station_name,
         s.address AS station_address, coalesce(s.closes_at, el.polls_close_at) AS closes_at,
         coalesce((SELECT json_agg(json_build_object('at', c.created_at, 'channel', c.channel, 'outcome', c.outcome,
                                                     'note', c.note, 'volunteer_id', c.volunteer_id)
                                   ORDER BY c.created_at, c.id)
                   FROM contact_attempt c WHERE c.voter_id = k.voter_id), '[]'::json) AS attempts
  FROM claimed k
  JOIN chase_list l ON l.id = k.list_id
  JOIN election el ON el.id = l.election_id
  JOIN voter v ON v.id = k.voter_id
  JOIN polling_station s ON s.id = v.station_id`;

/**
 * "Next person", in one statement ($1 the volunteer, $2 now, $3 their lists, $4 the lease's end): the
 * call this volunteer holds on one of their lists (from the index of held calls, the only index
 * that can give it: decision 032), its lease renewed; else the first entry in call
 * order of each list that is pending or whose lease ran out (read from the partial index of entries
 * still to call, skipping those another claim has locked), the best of them by priority, claimed. The
 * update finds the entry by its row (ctid), as read above: a pending entry has no index by id
 * (decision 031). It checks the state again, so an entry dropped a moment before (the voter voted)
 * is never claimed.
 */
const CLAIM = `
  WITH held AS (
    SELECT ctid FROM chase_entry
    WHERE assignee_id = $1 AND state = 'claimed' AND lease_expires_at > $2 AND list_id = ANY($3::int[])
    ORDER BY id LIMIT 1
  ), free AS (
    SELECT c.ctid FROM unnest($3::int[]) AS l(id)
    CROSS JOIN LATERAL (
      SELECT e.ctid, e.id, e.priority, e.rank FROM chase_entry e
      WHERE e.list_id = l.id AND e.state IN ('pending', 'claimed') AND (e.state = 'pending' OR e.lease_expires_at <= $2)
      ORDER BY e.rank
      LIMIT 1
      FOR UPDATE SKIP LOCKED) c
    WHERE NOT EXISTS (SELECT 1 FROM held)
    ORDER BY c.priority DESC, c.rank, c.id
    LIMIT 1
  ), claimed AS (
    UPDATE chase_entry e SET state = 'claimed', assignee_id = $1, lease_expires_at = $4
    WHERE e.ctid = coalesce((SELECT ctid FROM held), (SELECT ctid FROM free))
      AND (e.state = 'pending' OR (e.state = 'claimed' AND (e.assignee_id = $1 OR e.lease_expires_at <= $2)))
    RETURNING e.id, e.list_id, e.voter_id, e.rank, e.state, e.lease_expires_at
  )
  ${CALL_VIEW}`;

/**
 * A plain outcome (PLAIN_OUTCOMES) in one statement ($1 the entry, $2 the volunteer, $3 the outcome, $4
 * the note, $5 now, $6 an hour ago): the entry locked and checked, the contact attempt written, the
 * entry done, and the volunteer's pace (the statement's snapshot does not see the attempt it writes:
 * the caller adds it). Answers what it found, so that a refusal names the reason. An entry is found
 * by its id once taken (`state <> 'pending'`, decision 031): a pending one was nobody's call.
 */
const RECORD_PLAIN = `
  WITH person AS (
    -- The voter before the entry (the filter below reads it before the entry is locked), the order
    -- in which a mark or a deletion takes them: the attempt then moves the voter's last contact
    -- (a trigger) without waiting for one of them while it waits for this call.
    SELECT id FROM voter WHERE id = (SELECT voter_id FROM chase_entry WHERE id = $1 AND state <> 'pending') FOR NO KEY UPDATE
  ), entry AS (
    SELECT e.ctid, e.id, e.list_id, e.voter_id, e.state, e.assignee_id, l.channel, l.election_id
    FROM chase_entry e JOIN chase_list l ON l.id = e.list_id
    WHERE e.id = $1 AND e.state <> 'pending' AND e.voter_id = (SELECT id FROM person)
    FOR UPDATE OF e
  ), allowed AS (
    -- An entry dropped while this volunteer held it may still be recorded: the call was made.
    SELECT * FROM entry WHERE assignee_id = $2 AND state IN ('claimed', 'dropped')
  ), attempt AS (
    INSERT INTO contact_attempt (voter_id, list_id, volunteer_id, channel, outcome, note, created_at)
    SELECT voter_id, list_id, $2, channel::text::contact_channel, $3::contact_outcome, $4::text, $5::timestamptz
    FROM allowed
    RETURNING id
  ), done AS (
    UPDATE chase_entry e SET state = 'done', done_at = $5, lease_expires_at = NULL
    FROM allowed a WHERE e.ctid = a.ctid AND a.state = 'claimed'
    RETURNING e.id
  ), pace AS (
    SELECT count(*) AS total, count(*) FILTER (WHERE c.created_at > $6) AS last_hour, min(c.created_at) AS first_at
    FROM contact_attempt c JOIN election el ON el.id = (SELECT election_id FROM entry)
    WHERE c.volunteer_id = $2 AND c.created_at >= el.polls_open_at AND c.created_at <= $5
  )
  SELECT EXISTS (SELECT 1 FROM entry) AS found, (SELECT state::text FROM entry) AS state,
         (SELECT assignee_id FROM entry) AS assignee_id, (SELECT list_id FROM entry) AS list_id,
         (SELECT election_id FROM entry) AS election_id,
         EXISTS (SELECT 1 FROM attempt) AS recorded, (SELECT polls_open_at FROM election WHERE id = (SELECT election_id FROM entry)) AS opened_at,
         p.total, p.last_hour, p.first_at
  FROM pace p`;

/** The call this volunteer holds on one of their lists ($1 the volunteer, $2 now, $3 their lists), if any. */
const HELD_CALL = `
  WITH claimed AS (
    SELECT id, list_id, voter_id, rank, state, lease_expires_at FROM chase_entry
    WHERE assignee_id = $1 AND state = 'claimed' AND lease_expires_at > $2 AND list_id = ANY($3::int[])
    ORDER BY id LIMIT 1
  )
  ${CALL_VIEW}`;

/** A volunteer's pace ($1 the volunteer, $2 the polls' opening, $3 now, $4 an hour ago): calls recorded today, in the last hour, and the first. */
const PACE = `
  SELECT count(*) AS total, count(*) FILTER (WHERE created_at > $4) AS last_hour, min(created_at) AS first_at
  FROM contact_attempt
  WHERE volunteer_id = $1 AND created_at >= $2 AND created_at <= $3`;

/** Keeps a call for LEASE_MINUTES more ($1 the entry, $2 the volunteer, $3 the lease's end). */
const RENEW = `UPDATE chase_entry SET lease_expires_at = $3 WHERE id = $1 AND assignee_id = $2 AND state = 'claimed'`;

/**
 * The three statements of a volunteer's call, named so that each database connection prepares them
 * once (decision 029). The chase benchmark also runs them straight on PostgreSQL: the ceiling that
 * claims over HTTP are compared with.
 */
export const CALL_STATEMENTS = {
  claim: { name: 'chase.claim', text: CLAIM },
  renew: { name: 'chase.renew', text: RENEW },
  outcome: { name: 'chase.outcome', text: RECORD_PLAIN },
} as const;

function callViewOf(row: CallRow, userId: number): CallView {
  return {
    entryId: row.id,
    listId: row.list_id,
    listName: row.list_name,
    channel: row.channel,
    rank: row.rank,
    state: row.state,
    leaseExpiresAt: row.lease_expires_at?.toISOString() ?? null,
    voter: { firstName: row.first_name, lastName: row.last_name, phone: row.phone },
    station: { code: row.station_code, name: row.station_name, address: row.station_address, closesAt: row.closes_at.toISOString() },
    attempts: row.attempts.map((attempt) => ({
      at: new Date(attempt.at).toISOString(),
      channel: attempt.channel,
      outcome: attempt.outcome,
      note: attempt.note,
      byYou: attempt.volunteer_id === userId,
    })),
  };
}

/** Outcomes that change nothing but the entry and the record of the call: recorded in one statement. */
const PLAIN_OUTCOMES: ReadonlySet<ContactOutcomeName> = new Set(['will_vote', 'no_answer', 'wrong_number', 'refused']);

/**
 * The volunteer's calling workspace (POST /api/v1/calls/…): "next person" claims the
 * highest-priority entry of the lists assigned to them or their team, with a lease; an outcome
 * closes it. A lease that ran out puts the entry back in the pool.
 */
export function createChaseCalls({ prisma, pool, clock, elections, feed, audit, volunteerLists }: Dependencies) {
  const leaseEnd = () => new Date(clock.now().getTime() + LEASE_MINUTES * 60_000);

  /** The volunteer's lists now (kept a few seconds: chase.access.ts); none without an election. */
  async function listsOf(userId: number): Promise<{ electionId: number; listIds: number[] }> {
    return (await volunteerLists.of(userId)) ?? { electionId: 0, listIds: [] };
  }

  /** Claims the volunteer's next call (CLAIM); undefined when nobody is left, or the entry was dropped meanwhile. */
  async function claim(userId: number, listIds: number[]): Promise<CallRow | undefined> {
    const now = clock.now();
    const { rows } = await pool.query<CallRow>({ ...CALL_STATEMENTS.claim, values: [userId, now, listIds, leaseEnd()] });
    return rows[0];
  }

  async function pace(userId: number): Promise<Pace> {
    const election = await elections.requireCurrent();
    const now = clock.now();
    const hourAgo = new Date(now.getTime() - 3_600_000);
    const { rows } = await pool.query<{ total: string; last_hour: string; first_at: Date | null }>({
      name: 'chase.pace',
      text: PACE,
      values: [userId, election.pollsOpenAt, now, hourAgo],
    });
    const row = rows[0]!;
    return paceOf(row, now);
  }

  function paceOf(row: { total: string | number; last_hour: string | number; first_at: Date | null }, now: Date): Pace {
    const total = Number(row.total);
    const hours = row.first_at ? Math.max(1, (now.getTime() - row.first_at.getTime()) / 3_600_000) : 1;
    return { lastHour: Number(row.last_hour), total, perHour: Math.round((total / hours) * 10) / 10 };
  }

  /** An entry a volunteer has taken (claimed, done or dropped), by its id: decision 031. */
  async function takenEntry(entryId: number): Promise<{ state: string; assigneeId: number | null } | null> {
    const [entry] = await prisma.$queryRaw<{ state: string; assignee_id: number | null }[]>`
      SELECT state::text, assignee_id FROM chase_entry WHERE id = ${entryId} AND state <> 'pending'`;
    return entry ? { state: entry.state, assigneeId: entry.assignee_id } : null;
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

  /** Records a plain outcome (RECORD_PLAIN), or throws the refusal that names why it could not. */
  async function recordPlain(
    userId: number,
    entryId: number,
    input: { outcome: ContactOutcomeName; note?: string | null },
  ): Promise<{ entry: { state: string; assigneeId: number | null; listId: number; electionId: number } | null; pace: Pace }> {
    const now = clock.now();
    const hourAgo = new Date(now.getTime() - 3_600_000);
    const { rows } = await pool.query<{
      found: boolean;
      state: string | null;
      assignee_id: number | null;
      list_id: number | null;
      election_id: number | null;
      recorded: boolean;
      opened_at: Date | null;
      total: string;
      last_hour: string;
      first_at: Date | null;
    }>({ ...CALL_STATEMENTS.outcome, values: [entryId, userId, input.outcome, input.note ?? null, now, hourAgo] });
    const row = rows[0]!;
    const recorded = row.recorded;
    const entry = row.found ? { state: row.state!, assigneeId: row.assignee_id, listId: row.list_id!, electionId: row.election_id! } : null;
    if (!recorded) throw refusal(entry, entryId, userId);
    // The attempt just written, which the statement's snapshot could not count.
    const counted = row.opened_at !== null && row.opened_at <= now ? 1 : 0;
    const firstAt = row.first_at ?? (counted ? now : null);
    return {
      entry,
      pace: paceOf({ total: Number(row.total) + counted, last_hour: Number(row.last_hour) + counted, first_at: firstAt }, now),
    };
  }

  return {
    /**
     * "Next person": the volunteer's current call if they hold one (its lease renewed), else the
     * highest-priority entry of their lists that is pending or whose lease ran out, claimed for
     * LEASE_MINUTES. Two volunteers asking at once never get the same entry (FOR UPDATE SKIP LOCKED).
     * One statement in the usual case. Null when nobody is left.
     */
    async next(principal: Principal | null): Promise<CallView | null> {
      const caller = requireCaller(principal);
      const { electionId, listIds } = await listsOf(caller.id);
      if (listIds.length === 0) {
        await elections.requireCurrent();
        return null;
      }
      // An entry dropped between the choice and the update is not claimed: ask once more.
      const claimed = (await claim(caller.id, listIds)) ?? (await claim(caller.id, listIds));
      if (!claimed) return null;
      feed.publish({ type: 'chase:changed', electionId, listIds: [claimed.list_id] });
      return callViewOf(claimed, caller.id);
    },

    /** Keeps the call for LEASE_MINUTES more. */
    async renew(principal: Principal | null, entryId: number): Promise<{ entryId: number; leaseExpiresAt: string }> {
      const caller = requireCaller(principal);
      const until = leaseEnd();
      const { rowCount: renewed } = await pool.query({ ...CALL_STATEMENTS.renew, values: [entryId, caller.id, until] });
      if (renewed === 0) {
        throw refusal(await takenEntry(entryId), entryId, caller.id);
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
      if (PLAIN_OUTCOMES.has(input.outcome)) {
        const { entry, pace: figures } = await recordPlain(caller.id, entryId, input);
        feed.publish({ type: 'chase:changed', electionId: entry!.electionId, listIds: [entry!.listId] });
        return { entryId, outcome: input.outcome, pace: figures };
      }
      const now = clock.now();
      const { electionId, listId, drops, stationCode } = await prisma.$transaction(async (tx) => {
        // The voter first, then the entry: the order in which a watcher's mark takes them (the voter,
        // then their entries). Taken the other way round, an outcome and a mark of the same person at
        // the same moment would each wait for the other, and PostgreSQL would fail one of them.
        await tx.$queryRaw`
          SELECT 1 FROM voter WHERE id = (SELECT voter_id FROM chase_entry WHERE id = ${entryId} AND state <> 'pending') FOR NO KEY UPDATE`;
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
          WHERE e.id = ${entryId} AND e.state <> 'pending'
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
          await tx.$executeRaw`UPDATE chase_entry SET state = 'done', done_at = ${now}, lease_expires_at = NULL WHERE id = ${entry.id} AND state = 'claimed'`;
        }
        let drops: Drops | null = null;
        let marked = false;
        if (input.outcome === 'already_voted') {
          const voted = await tx.voter.updateMany({
            where: { id: entry.voter_id, votedAt: null },
            data: { votedAt: now, votedSource: 'volunteer' },
          });
          marked = voted.count > 0;
          drops = await dropEntriesOf(tx, entry.election_id, [entry.voter_id], 'voted', now);
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
          drops = await dropEntriesOf(tx, entry.election_id, [entry.voter_id], 'do_not_contact', now);
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
      const { listIds } = await listsOf(caller.id);
      if (listIds.length === 0) await elections.requireCurrent();
      const now = clock.now();
      const [held, lists, progress] = await Promise.all([
        listIds.length === 0
          ? []
          : pool.query<CallRow>({ text: HELD_CALL, values: [caller.id, now, listIds] }).then((result) => result.rows),
        prisma.chaseList.findMany({ where: { id: { in: listIds } }, select: { id: true, name: true, channel: true } }),
        progressOf(prisma, listIds, now),
      ]);
      const names = new Map(lists.map((list) => [list.id, list]));
      return {
        call: held[0] ? callViewOf(held[0], caller.id) : null,
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
