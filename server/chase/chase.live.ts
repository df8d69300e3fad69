import type pg from 'pg';
import type { PrismaClient } from '../db/database.ts';
import type { Prisma } from '../db/generated/client.ts';
import { cancelPendingTexts } from '../messaging/sms.outbox.ts';
import type { LiveFeed } from '../realtime/realtime.feed.ts';

/**
 * Live lists: whoever marks a voter as voted (a watcher's strike list, a volunteer's outcome) or
 * makes them do-not-contact (a volunteer, an objection, an import) drops their pending and claimed
 * entries from every list, and cancels the texts still waiting for them, in the same transaction.
 * After it commits, the volunteers holding one of those entries are told at once, and the lists'
 * progress moves (`publishDrops`). So does the closing of a station, for the entries of its voters
 * (`dropEntriesOfClosedStations`).
 */

export type DropReason = 'voted' | 'do_not_contact' | 'closed';

/** How often each web node looks for stations that have closed since (realtime.chase.ts). */
export const CLOSING_CHECK_MS = 15_000;

/**
 * Each closing is looked at by this many checks in a row: a list being built as the station closed,
 * saved after the first check, is caught by the next.
 */
export const CHECKS_PER_CLOSING = 3;

/**
 * Advisory lock key, with an election's id, that keeps a list being built and a voter leaving the
 * lists from missing each other. A build holds it alone while it selects and saves its entries
 * (chase.builder.ts). Whoever drops entries shares it first: a voter marked as voted while a list
 * is being built would otherwise stay on it, the drop not seeing the entries the build has not yet
 * committed. The drop waits for the build to commit, then sees its entries; a build that starts
 * after waits for the drop's transaction, then no longer selects the voter. The voters' deletion
 * trigger shares it too (decision 028; prisma/migrations/20261204300000_voter_deletion_shared_build_lock).
 */
export const BUILD_LOCK = 7_406_101;

/** Waits for a list being built for the election to be saved (BUILD_LOCK), in `tx`. */
async function waitForBuilds(tx: Prisma.TransactionClient, electionId: number): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock_shared(${BUILD_LOCK}::int, ${electionId}::int)`;
}

/** An entry dropped while a volunteer held it: they are told (Socket.io /calls, `chase:voted`). */
export interface DroppedClaim {
  entryId: number;
  listId: number;
  voterId: number;
  assigneeId: number;
}

export interface Drops {
  reason: DropReason;
  /** Entries dropped. */
  entries: number;
  /** Texts still waiting that were canceled. */
  texts: number;
  /** Lists that lost an entry. */
  listIds: number[];
  claims: DroppedClaim[];
}

interface DroppedRow {
  id: number;
  list_id: number;
  voter_id: number;
  assignee_id: number | null;
  was_claimed: boolean;
}

function dropsOf(rows: DroppedRow[], reason: DropReason, texts: number): Drops {
  return {
    reason,
    entries: rows.length,
    texts,
    listIds: [...new Set(rows.map((row) => row.list_id))].sort((a, b) => a - b),
    claims: rows
      .filter((row) => row.was_claimed && row.assignee_id !== null)
      .map((row) => ({ entryId: row.id, listId: row.list_id, voterId: row.voter_id, assigneeId: row.assignee_id! })),
  };
}

/**
 * Drops every pending or claimed entry of `voterIds` (voters of `electionId`), in `tx`, and cancels
 * their pending texts. Once a list being built is saved (BUILD_LOCK), the rows are locked, so a claim
 * committed a moment before is seen as claimed and its volunteer told. Each row is updated where the
 * lock found it (ctid): entries still pending have no index by id (decision 031).
 */
export async function dropEntriesOf(
  tx: Prisma.TransactionClient,
  electionId: number,
  voterIds: readonly number[],
  reason: DropReason,
  now: Date,
): Promise<Drops> {
  if (voterIds.length === 0) return { reason, entries: 0, texts: 0, listIds: [], claims: [] };
  await waitForBuilds(tx, electionId);
  const rows = await tx.$queryRaw<DroppedRow[]>`
    WITH active AS (
      SELECT ctid, id, state FROM chase_entry
      -- Through the index of voters' entries still to call, whose condition this repeats (decision 033).
      WHERE voter_id = ANY(${[...voterIds]}::int[]) AND state IN ('pending', 'claimed')
      ORDER BY id FOR UPDATE)
    UPDATE chase_entry e SET state = 'dropped', done_at = ${now}, lease_expires_at = NULL
    FROM active a WHERE e.ctid = a.ctid
    RETURNING e.id, e.list_id, e.voter_id, e.assignee_id, a.state = 'claimed' AS was_claimed`;
  const texts = await cancelPendingTexts(tx, voterIds, reason, now);
  return dropsOf(rows, reason, texts);
}

/**
 * The same for a voter import (it runs on the driver, in the transaction that holds its COPY):
 * entries of the election's voters who are now do-not-contact are dropped, and their pending texts canceled.
 */
export async function dropUncontactableEntries(client: pg.ClientBase, electionId: number): Promise<Drops> {
  // As waitForBuilds, on the import's own connection.
  await client.query('SELECT 1 FROM pg_advisory_xact_lock_shared($1::int, $2::int)', [BUILD_LOCK, electionId]);
  const { rows } = await client.query<DroppedRow>(
    `WITH active AS (
       SELECT e.ctid, e.id, e.state FROM chase_entry e JOIN voter v ON v.id = e.voter_id
       WHERE v.election_id = $1 AND (v.do_not_contact OR v.voted_at IS NOT NULL) AND e.state IN ('pending', 'claimed')
       ORDER BY e.id FOR UPDATE OF e)
     UPDATE chase_entry e SET state = 'dropped', done_at = now(), lease_expires_at = NULL
     FROM active a WHERE e.ctid = a.ctid
     RETURNING e.id, e.list_id, e.voter_id, e.assignee_id, a.state = 'claimed' AS was_claimed`,
    [electionId],
  );
  const texts = await client.query(
    `UPDATE outbound_message m SET status = 'canceled', cancel_reason = CASE WHEN v.do_not_contact THEN 'do_not_contact' ELSE 'voted' END,
       updated_at = now()
     FROM voter v WHERE v.id = m.voter_id AND v.election_id = $1 AND (v.do_not_contact OR v.voted_at IS NOT NULL) AND m.status = 'pending'`,
    [electionId],
  );
  return dropsOf(rows, 'do_not_contact', texts.rowCount ?? 0);
}

/**
 * Stations close at different times, and a call after a voter's station has closed is of no use.
 * Drops the pending and claimed entries of the election's voters whose station closed after `after`
 * and by `until`, on the election's clock (simulated during a simulation). Builds never select them;
 * this takes those already on lists when their station closes. Their texts are not canceled here:
 * the outbox does not send after a station has closed (sms.guards.ts).
 */
export async function dropEntriesOfClosedStations(
  prisma: PrismaClient,
  electionId: number,
  closed: { after: Date; until: Date },
  now: Date,
): Promise<Drops> {
  const stations = await prisma.$queryRaw<{ id: number }[]>`
    SELECT s.id FROM polling_station s JOIN election el ON el.id = s.election_id
    WHERE s.election_id = ${electionId}
      AND coalesce(s.closes_at, el.polls_close_at) > ${closed.after} AND coalesce(s.closes_at, el.polls_close_at) <= ${closed.until}`;
  if (stations.length === 0) return dropsOf([], 'closed', 0);
  const rows = await prisma.$queryRaw<DroppedRow[]>`
    WITH active AS (
      SELECT e.ctid, e.id, e.state FROM voter v JOIN chase_entry e ON e.voter_id = v.id
      WHERE v.station_id = ANY(${stations.map((station) => station.id)}::int[]) AND e.state IN ('pending', 'claimed')
      ORDER BY e.id FOR UPDATE OF e)
    UPDATE chase_entry e SET state = 'dropped', done_at = ${now}, lease_expires_at = NULL
    FROM active a WHERE e.ctid = a.ctid
    RETURNING e.id, e.list_id, e.voter_id, e.assignee_id, a.state = 'claimed' AS was_claimed`;
  return dropsOf(rows, 'closed', 0);
}

/** Once the transaction that dropped entries has committed: tells their holders, moves the lists' progress. */
export function publishDrops(feed: LiveFeed, electionId: number, drops: Drops): void {
  if (drops.claims.length > 0) feed.publish({ type: 'chase:dropped', electionId, reason: drops.reason, claims: drops.claims });
  if (drops.listIds.length > 0) feed.publish({ type: 'chase:changed', electionId, listIds: drops.listIds });
}
