import type { AuditLog } from '../audit/audit.service.ts';
import { requireRole } from '../auth/auth.guards.ts';
import { ACCESS, type Principal } from '../auth/auth.roles.ts';
import type { Clock } from '../clock.ts';
import type { PrismaClient } from '../db/database.ts';
import type { Elections } from '../elections/elections.service.ts';
import { Conflict, InvalidInput, NotFound } from '../errors.ts';
import { parseInput } from '../fields.ts';
import type { Logger } from '../logger.ts';
import type { LiveFeed } from '../realtime/realtime.feed.ts';
import { canManageChase, listIdsOfVolunteer, requireListAccess } from './chase.access.ts';
import { refreshEntryStatistics } from './chase.claims.ts';
import { CHECKS_PER_CLOSING, dropEntriesOfClosedStations, publishDrops } from './chase.live.ts';
import { progressOf, type ListProgress } from './chase.progress.ts';
import { AssignSchema, EntriesQuerySchema, SplitSchema, TeamMembersSchema, TeamSchema } from './chase.schemas.ts';

export interface ChaseListSummary {
  id: number;
  name: string;
  channel: 'call' | 'sms';
  createdAt: string;
  splitFromId: number | null;
  /** What it was built from (areaCodes, maxSupport, limit…). */
  criteria: unknown;
  progress: ListProgress;
  /** Who works it (shown to coordinators; a volunteer sees only that it is theirs). */
  assignees: { users: { id: number; name: string }[]; teams: { id: number; name: string }[] };
}

export interface ChaseEntryRow {
  entryId: number;
  rank: number;
  priority: number;
  state: 'pending' | 'claimed' | 'done' | 'dropped';
  assigneeId: number | null;
  leaseExpiresAt: string | null;
  doneAt: string | null;
  voter: { firstName: string; lastName: string; phone: string | null };
  station: { code: string; name: string };
  areaCode: string;
  lastOutcome: string | null;
}

interface Dependencies {
  prisma: PrismaClient;
  clock: Clock;
  elections: Elections;
  feed: LiveFeed;
  audit: AuditLog;
  log: Logger;
}

/** Chase lists as coordinators see and arrange them: progress, who works which, splits, teams and rides. */
export function createChaseLists({ prisma, clock, elections, feed, audit, log }: Dependencies) {
  /** The election's time at the last closing checks of this process (dropClosedStations), oldest first. */
  let closingChecks: { electionId: number; at: Date[] } = { electionId: 0, at: [] };

  async function summaries(listIds: number[], showAssignees: boolean): Promise<ChaseListSummary[]> {
    const [lists, progress] = await Promise.all([
      prisma.chaseList.findMany({
        where: { id: { in: listIds } },
        include: {
          assignments: { include: { user: { select: { id: true, name: true } }, team: { select: { id: true, name: true } } } },
        },
      }),
      progressOf(prisma, listIds, clock.now()),
    ]);
    const progressOfList = new Map(progress.map((figures) => [figures.listId, figures]));
    const order = new Map(listIds.map((id, index) => [id, index]));
    lists.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
    return lists.map((list) => ({
      id: list.id,
      name: list.name,
      channel: list.channel,
      createdAt: list.createdAt.toISOString(),
      splitFromId: list.splitFromId,
      criteria: list.criteria,
      progress: progressOfList.get(list.id)!,
      assignees: showAssignees
        ? {
            users: list.assignments.flatMap((a) => (a.user ? [a.user] : [])),
            teams: list.assignments.flatMap((a) => (a.team ? [a.team] : [])),
          }
        : { users: [], teams: [] },
    }));
  }

  async function requireList(listId: number, electionId: number) {
    const list = await prisma.chaseList.findFirst({ where: { id: listId, electionId } });
    if (!list) throw new NotFound(`There is no chase list ${listId} in this election.`, 'listId');
    return list;
  }

  /** Checks that ids are volunteers and teams of this election; names the first that is not. */
  async function requireAssignees(electionId: number, userIds: number[], teamIds: number[]) {
    const users = await prisma.user.findMany({ where: { id: { in: userIds }, role: 'volunteer', disabledAt: null }, select: { id: true } });
    const missingUser = userIds.find((id) => !users.some((user) => user.id === id));
    if (missingUser !== undefined) throw new InvalidInput(`userIds: ${missingUser} is not an active volunteer's id.`, 'userIds');
    const teams = await prisma.team.findMany({ where: { id: { in: teamIds }, electionId }, select: { id: true } });
    const missingTeam = teamIds.find((id) => !teams.some((team) => team.id === id));
    if (missingTeam !== undefined) throw new InvalidInput(`teamIds: there is no team ${missingTeam} in this election.`, 'teamIds');
  }

  return {
    /** Every list of the current election for coordinators; a volunteer's own lists for them. Latest first. */
    async list(principal: Principal | null): Promise<ChaseListSummary[]> {
      const who = requireRole(principal, [...ACCESS.manageChase, ...ACCESS.callVoters]);
      const election = await elections.requireCurrent();
      if (canManageChase(who)) {
        const lists = await prisma.chaseList.findMany({
          where: { electionId: election.id },
          select: { id: true },
          orderBy: { id: 'desc' },
        });
        return summaries(
          lists.map((list) => list.id),
          true,
        );
      }
      return who.kind === 'user' ? summaries((await listIdsOfVolunteer(prisma, who.id, election.id)).reverse(), false) : [];
    },

    async get(principal: Principal | null, listId: number): Promise<ChaseListSummary> {
      const election = await elections.requireCurrent();
      await requireListAccess(prisma, principal, listId, election.id);
      return (await summaries([listId], canManageChase(principal!)))[0]!;
    },

    /**
     * Takes the voters of stations that have just closed off the current election's lists
     * (chase.live.ts), tells the volunteers holding one, and moves the lists' progress. Answers how
     * many left. The first check of a process, or one after the election's clock went back (a
     * simulation started again), looks at every station closed so far.
     */
    async dropClosedStations(): Promise<number> {
      const election = await elections.current();
      if (!election) return 0;
      const { now } = await elections.clockOf(election.id);
      if (closingChecks.electionId !== election.id || now < (closingChecks.at.at(-1) ?? now)) {
        closingChecks = { electionId: election.id, at: [] };
      }
      const after = closingChecks.at.length === CHECKS_PER_CLOSING ? closingChecks.at[0]! : new Date(0);
      const drops = await dropEntriesOfClosedStations(prisma, election.id, { after, until: now }, clock.now());
      closingChecks.at = [...closingChecks.at, now].slice(-CHECKS_PER_CLOSING);
      publishDrops(feed, election.id, drops);
      return drops.entries;
    },

    /** Progress of lists, for `chase:progress` (callers have checked who may see them). */
    progress(listIds: number[]): Promise<ListProgress[]> {
      return progressOf(prisma, listIds, clock.now());
    },

    /** A page of a list's entries in rank order, for coordinators. */
    async entries(
      principal: Principal | null,
      listId: number,
      query: unknown,
    ): Promise<{ entries: ChaseEntryRow[]; nextAfter: number | null }> {
      requireRole(principal, ACCESS.manageChase);
      const { after, take } = parseInput(EntriesQuerySchema, query);
      const election = await elections.requireCurrent();
      await requireList(listId, election.id);
      const rows = await prisma.chaseEntry.findMany({
        where: { listId, rank: { gt: after } },
        orderBy: [{ rank: 'asc' }, { id: 'asc' }],
        take,
        select: {
          id: true,
          rank: true,
          priority: true,
          state: true,
          assigneeId: true,
          leaseExpiresAt: true,
          doneAt: true,
          voter: {
            select: {
              firstName: true,
              lastName: true,
              phone: true,
              station: { select: { code: true, name: true, area: { select: { code: true } } } },
              lastOutcome: true,
            },
          },
        },
      });
      return {
        entries: rows.map((row) => ({
          entryId: row.id,
          rank: row.rank,
          priority: row.priority,
          state: row.state,
          assigneeId: row.assigneeId,
          leaseExpiresAt: row.leaseExpiresAt?.toISOString() ?? null,
          doneAt: row.doneAt?.toISOString() ?? null,
          voter: { firstName: row.voter.firstName, lastName: row.voter.lastName, phone: row.voter.phone },
          station: { code: row.voter.station.code, name: row.voter.station.name },
          areaCode: row.voter.station.area.code,
          lastOutcome: row.voter.lastOutcome,
        })),
        nextAfter: rows.length === take ? rows.at(-1)!.rank : null,
      };
    },

    /**
     * Gives a list to volunteers and teams: `replace` moves it to them alone (an empty set
     * unassigns it), `add` adds them to those already on it. Calls in progress finish under their lease.
     */
    async assign(principal: Principal | null, listId: number, raw: unknown): Promise<ChaseListSummary> {
      const actor = requireRole(principal, ACCESS.manageChase);
      const input = parseInput(AssignSchema, raw);
      const election = await elections.requireCurrent();
      await requireList(listId, election.id);
      const userIds = [...new Set(input.userIds)];
      const teamIds = [...new Set(input.teamIds)];
      await requireAssignees(election.id, userIds, teamIds);
      await prisma.$transaction(async (tx) => {
        if (input.mode === 'replace') await tx.chaseListAssignment.deleteMany({ where: { listId } });
        await tx.chaseListAssignment.createMany({
          data: [...userIds.map((userId) => ({ listId, userId })), ...teamIds.map((teamId) => ({ listId, teamId }))],
          skipDuplicates: true,
        });
        await audit.record(tx, {
          actor,
          action: 'chase.assign',
          subjectType: 'chase_list',
          subjectId: listId,
          details: { mode: input.mode, userIds, teamIds },
        });
      });
      feed.publish({ type: 'chase:assigned', electionId: election.id });
      return (await summaries([listId], true))[0]!;
    },

    /**
     * Splits the entries still pending into new lists, by area or into `parts` lists dealt like
     * cards in rank order (each part gets its share of the most useful calls). Claimed, done and
     * dropped entries stay on the original list. New lists start unassigned.
     */
    async split(principal: Principal | null, listId: number, raw: unknown): Promise<ChaseListSummary[]> {
      const actor = requireRole(principal, ACCESS.manageChase);
      const input = parseInput(SplitSchema, raw);
      const election = await elections.requireCurrent();
      const list = await requireList(listId, election.id);
      const created = await prisma.$transaction(
        async (tx) => {
          // Locks the list's pending entries: a claim waits, or skips them, until the split commits.
          const pending = await tx.$queryRaw<{ rank: number; area_code: string; area_name: string }[]>`
            SELECT e.rank, a.code AS area_code, a.name AS area_name
            FROM chase_entry e
            JOIN voter v ON v.id = e.voter_id
            JOIN polling_station s ON s.id = v.station_id
            JOIN area a ON a.id = s.area_id
            WHERE e.list_id = ${listId} AND e.state = 'pending'
            ORDER BY e.priority DESC, e.rank
            FOR UPDATE OF e`;
          if (pending.length === 0) throw new Conflict('This list has no pending entry left to split.', 'listId');
          // Each part's entries, by their rank in this list (one entry per rank).
          const groups = new Map<string, { name: string; ranks: number[] }>();
          pending.forEach((entry, index) => {
            const key = input.by === 'area' ? entry.area_code : String(index % input.parts);
            const name =
              input.by === 'area' ? `${list.name} — ${entry.area_name}` : `${list.name} (${(index % input.parts) + 1}/${input.parts})`;
            const group = groups.get(key) ?? { name: name.length > 100 ? `${name.slice(0, 99)}…` : name, ranks: [] };
            group.ranks.push(entry.rank);
            groups.set(key, group);
          });
          if (groups.size < 2) throw new Conflict('Every pending entry of this list is in one area: split it by rank instead.', 'by');
          const ids: number[] = [];
          for (const [, group] of [...groups].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) {
            const part = await tx.chaseList.create({
              data: {
                electionId: election.id,
                name: group.name,
                channel: list.channel,
                criteria: list.criteria ?? {},
                createdById: actor.kind === 'user' ? actor.id : null,
                splitFromId: listId,
                entryCount: group.ranks.length,
              },
            });
            // Entries move with their priority; ranks are numbered again within the new list. Found
            // by list and rank (the index of entries to call), then where that found them (ctid).
            await tx.$executeRaw`
              UPDATE chase_entry e SET list_id = ${part.id}, rank = r.rank
              FROM (SELECT ctid, row_number() OVER (ORDER BY priority DESC, rank) AS rank
                    FROM chase_entry WHERE list_id = ${listId} AND state = 'pending' AND rank = ANY(${group.ranks}::int[])) r
              WHERE e.ctid = r.ctid`;
            ids.push(part.id);
          }
          await tx.chaseList.update({ where: { id: listId }, data: { entryCount: { decrement: pending.length } } });
          await audit.record(tx, {
            actor,
            action: 'chase.split',
            subjectType: 'chase_list',
            subjectId: listId,
            details: { by: input.by, lists: ids, entries: pending.length },
          });
          return ids;
        },
        { timeout: 30_000, maxWait: 10_000 },
      );
      refreshEntryStatistics(prisma, log);
      feed.publish({ type: 'chase:changed', electionId: election.id, listIds: [listId, ...created] });
      feed.publish({ type: 'chase:assigned', electionId: election.id });
      return summaries(created, true);
    },

    /** The election's teams with their members, and the volunteers a list can be assigned to. */
    async teams(principal: Principal | null) {
      requireRole(principal, ACCESS.manageChase);
      const election = await elections.requireCurrent();
      const [teams, volunteers] = await Promise.all([
        prisma.team.findMany({ where: { electionId: election.id }, orderBy: { name: 'asc' }, select: { id: true, name: true } }),
        prisma.user.findMany({
          where: { role: 'volunteer', disabledAt: null, OR: [{ electionId: election.id }, { electionId: null }] },
          orderBy: { name: 'asc' },
          select: { id: true, name: true, teamId: true },
        }),
      ]);
      return { teams, volunteers };
    },

    /** Creates a team, with its first members (a volunteer is in one team at a time). */
    async createTeam(principal: Principal | null, raw: unknown): Promise<{ id: number; name: string; memberIds: number[] }> {
      const actor = requireRole(principal, ACCESS.manageChase);
      const input = parseInput(TeamSchema, raw);
      const election = await elections.requireCurrent();
      await requireAssignees(election.id, input.memberIds, []);
      const team = await prisma.$transaction(async (tx) => {
        const exists = await tx.team.count({ where: { electionId: election.id, name: input.name } });
        if (exists > 0) throw new Conflict(`There is already a team called ${input.name}. Choose another name.`, 'name');
        const team = await tx.team.create({ data: { electionId: election.id, name: input.name } });
        await tx.user.updateMany({ where: { id: { in: input.memberIds } }, data: { teamId: team.id } });
        await audit.record(tx, {
          actor,
          action: 'team.create',
          subjectType: 'team',
          subjectId: team.id,
          details: { members: input.memberIds.length },
        });
        return team;
      });
      feed.publish({ type: 'chase:assigned', electionId: election.id });
      return { id: team.id, name: team.name, memberIds: input.memberIds };
    },

    /** Sets a team's members: those named join it (leaving any other team), the others leave it. */
    async setTeamMembers(
      principal: Principal | null,
      teamId: number,
      raw: unknown,
    ): Promise<{ id: number; name: string; memberIds: number[] }> {
      const actor = requireRole(principal, ACCESS.manageChase);
      const { memberIds } = parseInput(TeamMembersSchema, raw);
      const election = await elections.requireCurrent();
      const team = await prisma.team.findFirst({ where: { id: teamId, electionId: election.id } });
      if (!team) throw new NotFound(`There is no team ${teamId} in this election.`, 'teamId');
      await requireAssignees(election.id, memberIds, []);
      await prisma.$transaction(async (tx) => {
        await tx.user.updateMany({ where: { teamId, id: { notIn: memberIds } }, data: { teamId: null } });
        await tx.user.updateMany({ where: { id: { in: memberIds } }, data: { teamId } });
        await audit.record(tx, {
          actor,
          action: 'team.members',
          subjectType: 'team',
          subjectId: teamId,
          details: { members: memberIds.length },
        });
      });
      feed.publish({ type: 'chase:assigned', electionId: election.id });
      return { id: team.id, name: team.name, memberIds };
    },

    /** The rides queue, open requests first, oldest first. */
    async rides(principal: Principal | null) {
      requireRole(principal, ACCESS.manageChase);
      const election = await elections.requireCurrent();
      const rides = await prisma.rideRequest.findMany({
        where: { voter: { electionId: election.id } },
        orderBy: [{ status: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }],
        select: {
          id: true,
          status: true,
          note: true,
          createdAt: true,
          handledAt: true,
          listId: true,
          volunteer: { select: { id: true, name: true } },
          voter: {
            select: {
              firstName: true,
              lastName: true,
              phone: true,
              address: true,
              votedAt: true,
              station: { select: { code: true, name: true, address: true, closesAt: true } },
            },
          },
        },
      });
      return rides.map((ride) => ({
        id: ride.id,
        status: ride.status,
        note: ride.note,
        createdAt: ride.createdAt.toISOString(),
        handledAt: ride.handledAt?.toISOString() ?? null,
        listId: ride.listId,
        volunteer: ride.volunteer,
        voter: {
          firstName: ride.voter.firstName,
          lastName: ride.voter.lastName,
          phone: ride.voter.phone,
          address: ride.voter.address,
          voted: ride.voter.votedAt !== null,
        },
        station: {
          code: ride.voter.station.code,
          name: ride.voter.station.name,
          address: ride.voter.station.address,
          closesAt: (ride.voter.station.closesAt ?? election.pollsCloseAt).toISOString(),
        },
      }));
    },

    /** A coordinator marks a ride handled. */
    async rideDone(principal: Principal | null, rideId: number): Promise<{ id: number; status: 'done'; handledAt: string }> {
      const actor = requireRole(principal, ACCESS.manageChase);
      const now = clock.now();
      const updated = await prisma.rideRequest.updateMany({
        where: { id: rideId, status: 'open' },
        data: { status: 'done', handledAt: now, handledById: actor.kind === 'user' ? actor.id : null },
      });
      if (updated.count === 0) {
        const ride = await prisma.rideRequest.findUnique({ where: { id: rideId }, select: { handledAt: true } });
        if (!ride) throw new NotFound(`There is no ride request ${rideId}.`, 'rideId');
        return { id: rideId, status: 'done', handledAt: ride.handledAt!.toISOString() };
      }
      return { id: rideId, status: 'done', handledAt: now.toISOString() };
    },
  };
}

export type ChaseLists = ReturnType<typeof createChaseLists>;
