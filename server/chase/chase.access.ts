import { requireRole } from '../auth/auth.guards.ts';
import { ACCESS, type Principal } from '../auth/auth.roles.ts';
import type { PrismaClient } from '../db/database.ts';
import { Forbidden, NotFound } from '../errors.ts';

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
