-- "Next person" in one statement (docs/chase-lists.md).

-- The entries still to call (pending, or claimed with a lease that may run out), in call order: a
-- claim reads the first one of its list from here, skipping the few held now, and finds the top of
-- the list at once however many entries were done before. Rank is the call order within a list (the
-- builder numbers entries by priority; a split numbers them again in the same order). Done and
-- dropped entries leave the index. Partial: Prisma's schema records its columns, this file the rest.
CREATE INDEX "chase_entry_to_call_idx" ON "chase_entry"("list_id", "rank", "id") WHERE "state" IN ('pending', 'claimed');

-- Replaced by the index above: every reader of a list's entries in call order reads those still to call.
DROP INDEX "chase_entry_list_id_state_priority_rank_id_idx";

-- Who holds a call now: only claimed entries, at most one per volunteer at work. Entries enter it
-- when claimed and leave it when done, so building a list of a hundred thousand entries (all
-- pending, with no assignee) no longer writes to it. A user's deletion (rare: the retention
-- purge) reads chase_entry in full to clear their name from done entries.
DROP INDEX "chase_entry_assignee_id_state_idx";
CREATE INDEX "chase_entry_claimed_idx" ON "chase_entry"("assignee_id") WHERE "state" = 'claimed';
