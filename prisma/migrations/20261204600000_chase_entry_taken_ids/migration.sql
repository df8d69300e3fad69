-- A chase list's entries are written a hundred thousand at a time, and each index costs about as much
-- to write as the rows themselves (decision 031). The primary key had no use for an entry still
-- pending, and the index of entries to call carried an id its order did not need.

-- The entries' ids are unique by their sequence (only the builder writes entries). An entry is
-- looked up by its id once a volunteer has taken it: to renew its lease, record its outcome or
-- refuse to. An entry still pending is found by its list and rank (the index below), or by its row
-- (ctid) inside the statement that locked it. So the ids are indexed from the moment an entry is
-- claimed: a new list writes nothing here. Prisma's schema records the primary key it stands for
-- (tests/integration/schema-drift.test.ts).
ALTER TABLE "chase_entry" DROP CONSTRAINT "chase_entry_pkey";
CREATE UNIQUE INDEX "chase_entry_taken_idx" ON "chase_entry"("id") WHERE "state" <> 'pending';

-- A list's ranks are its call order, one per entry (the builder numbers them, a split numbers them
-- again): the id added nothing to the order, only bytes to every entry of the index.
DROP INDEX "chase_entry_to_call_idx";
CREATE INDEX "chase_entry_to_call_idx" ON "chase_entry"("list_id", "rank") WHERE "state" IN ('pending', 'claimed');
