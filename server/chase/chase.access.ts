import { requireRole } from '../auth/auth.guards.ts';
import { ACCESS, type Principal } from '../auth/auth.roles.ts';
import { staggered } from '../clock.ts';
import type { PrismaClient } from '../db/database.ts';
import type { Elections } from '../elections/elections.service.ts';
import { Forbidden, NotFound } from '../errors.ts';
import type { LiveFeed } from '../realtime/realtime.feed.ts';

/**
 * Who may see which chase list: coordinators and admins every list; a volunteer only the lists
 * assigned to them or to their team. A list that is not theirs is answered as if it did not exist.
 */

export function canManageChase(principal: Principal): boolean {
  return (ACCESS.manageChase as readonly string[]).includes(principal.role);
}

/** A volunteer signed in as a person: calls are recorded under their name, so an API token cannot make them. */
export function requireCaller(principal: Principal | null): Principal & { kind: 'user' } {
  const caller = requireRole(principal, ACCESS.callVoters);
  if (caller.kind !== 'user')
    throw new Forbidden('Calls are made by a volunteer signed in with their own invite link, not with an API token.');
  return caller as Principal & { kind: 'user' };
}

/** The lists of an election assigned to this volunteer or to their team. */
export async function listIdsOfVolunteer(prisma: PrismaClient, userId: number, electionId: number): Promise<number[]> {
  const lists = await prisma.chaseList.findMany({
    where: {
      electionId,
      assignments: { some: { OR: [{ userId }, { team: { members: { some: { id: userId } } } }] } },
    },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  return lists.map((list) => list.id);
}

/**
 * How long a volunteer's lists are trusted before being read again. Every change of who works what
 * (an assignment, a split, a team's members: `chase:assigned`, from any web node) and a new election
 * clear them at once; the time limit only bounds what a change made outside those paths could leave.
 */
export const VOLUNTEER_LISTS_FRESH_MS = 5_000;

/**
 * The current election and the lists of each volunteer in it, kept for a few seconds: "next person"
 * and the /calls socket ask for them on every claim, and they change only when a coordinator
 * reassigns. Time here is the wall clock: staleness is about real seconds, not election time.
 */
export function createVolunteerLists({ prisma, elections, feed }: { prisma: PrismaClient; elections: Elections; feed: LiveFeed }) {
  const known = new Map<number, { electionId: number; listIds: number[]; freshUntil: number }>();
  // A read that began before a change must not store what it read after the change cleared the rest.
  let generation = 0;
  feed.subscribe((event) => {
    if (event.type !== 'chase:assigned' && event.type !== 'election:changed') return;
    known.clear();
    generation++;
  });
  return {
    /** The volunteer's lists in the current election; null when there is no election yet. */
    async of(userId: number): Promise<{ electionId: number; listIds: number[] } | null> {
      const cached = known.get(userId);
      if (cached && Date.now() < cached.freshUntil) return cached;
      const [freshUntil, readIn] = [Date.now() + staggered(VOLUNTEER_LISTS_FRESH_MS), generation];
      const election = await elections.current();
      if (!election) return null;
      const fresh = { electionId: election.id, listIds: await listIdsOfVolunteer(prisma, userId, election.id), freshUntil };
      if (readIn === generation) known.set(userId, fresh);
      return fresh;
    },
  };
}

export type VolunteerLists = ReturnType<typeof createVolunteerLists>;

/** For anything that reads one list: coordinators and admins, or a volunteer it is assigned to. */
export async function requireListAccess(
  prisma: PrismaClient,
  principal: Principal | null,
  listId: number,
  electionId: number,
): Promise<void> {
  const who = requireRole(principal, [...ACCESS.manageChase, ...ACCESS.callVoters]);
  const exists = await prisma.chaseList.count({ where: { id: listId, electionId } });
  if (exists > 0 && canManageChase(who)) return;
  if (exists > 0 && who.kind === 'user' && (await listIdsOfVolunteer(prisma, who.id, electionId)).includes(listId)) return;
  throw new NotFound(`There is no chase list ${listId} among yours. Ask your coordinator which list to work.`, 'listId');
}
