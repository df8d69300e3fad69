import type { PrismaClient } from '../db/database.ts';

/** How far a list has been worked: `chase:progress` and GET /api/v1/chase-lists/:id (docs/api.md). */
export interface ListProgress {
  listId: number;
  /** Entries the list was built with (or kept after a split). */
  entries: number;
  /** Still to call: pending, or claimed by a volunteer. */
  remaining: number;
  /** Claimed now, with a lease that has not run out. */
  inCall: number;
  done: number;
  /** Left the list because the voter voted or became do-not-contact first. */
  dropped: number;
  /** People contacted at least once from this list. */
  attempted: number;
  /** People who answered (will vote, already voted, needs a ride, refused, never contact). */
  reached: number;
  /** People who said they will vote (or need a ride to). */
  willVote: number;
  /** People contacted from this list who voted afterwards (as a watcher or an import saw it). */
  votedSinceContact: number;
}

interface ProgressRow {
  id: number;
  entries: bigint;
  remaining: bigint;
  in_call: bigint;
  done: bigint;
  dropped: bigint;
  attempted: bigint | null;
  reached: bigint | null;
  will_vote: bigint | null;
  voted_since_contact: bigint | null;
}

/** The progress of each list of `listIds` (in that order; unknown ids are left out). */
export async function progressOf(prisma: PrismaClient, listIds: readonly number[], now: Date): Promise<ListProgress[]> {
  if (listIds.length === 0) return [];
  const ids = [...listIds];
  const rows = await prisma.$queryRaw<ProgressRow[]>`
    WITH entries AS (
      SELECT l.id,
             count(e.id) AS entries,
             count(e.id) FILTER (WHERE e.state IN ('pending', 'claimed')) AS remaining,
             count(e.id) FILTER (WHERE e.state = 'claimed' AND e.lease_expires_at > ${now}) AS in_call,
             count(e.id) FILTER (WHERE e.state = 'done') AS done,
             count(e.id) FILTER (WHERE e.state = 'dropped') AS dropped
      FROM chase_list l LEFT JOIN chase_entry e ON e.list_id = l.id
      WHERE l.id = ANY(${ids}::int[])
      GROUP BY l.id
    ), contacted AS (
      SELECT c.list_id, c.voter_id, min(c.created_at) AS first_at,
             bool_or(c.outcome IN ('will_vote', 'already_voted', 'needs_ride', 'refused', 'never_contact')) AS reached,
             bool_or(c.outcome IN ('will_vote', 'needs_ride')) AS will_vote
      FROM contact_attempt c
      WHERE c.list_id = ANY(${ids}::int[])
      GROUP BY c.list_id, c.voter_id
    ), attempts AS (
      SELECT k.list_id, count(*) AS attempted, count(*) FILTER (WHERE k.reached) AS reached,
             count(*) FILTER (WHERE k.will_vote) AS will_vote,
             count(*) FILTER (WHERE v.voted_at > k.first_at AND v.voted_source IS DISTINCT FROM 'volunteer') AS voted_since_contact
      FROM contacted k JOIN voter v ON v.id = k.voter_id
      GROUP BY k.list_id
    )
    SELECT e.*, a.attempted, a.reached, a.will_vote, a.voted_since_contact
    FROM entries e LEFT JOIN attempts a ON a.list_id = e.id`;
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids
    .filter((id) => byId.has(id))
    .map((id) => {
      const row = byId.get(id)!;
      return {
        listId: id,
        entries: Number(row.entries),
        remaining: Number(row.remaining),
        inCall: Number(row.in_call),
        done: Number(row.done),
        dropped: Number(row.dropped),
        attempted: Number(row.attempted ?? 0),
        reached: Number(row.reached ?? 0),
        willVote: Number(row.will_vote ?? 0),
        votedSinceContact: Number(row.voted_since_contact ?? 0),
      };
    });
}
