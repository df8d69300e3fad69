-- The index from voters to their chase entries holds only the entries still to call (pending or
-- claimed): decision 033.
--
-- A list's entries are all written into it when the list is built, and the B-tree grew with every
-- entry of the day, called or dropped, though a voter's entries are looked up only to drop those
-- still to call (a mark, an outcome, a station closing). With 600,000 entries of earlier lists in
-- the table, building a list of 100,000 took 505–512 ms in psql, against 466–473 ms with this
-- index. Entries leave it as they are called or dropped, so a list built late in the day writes
-- into an index as small as the morning's.
--
-- Reading every entry of a voter (a subject access request, a voter's deletion) now reads the
-- table: these are rare, and a deleted account's calls were already found that way.
DROP INDEX "chase_entry_voter_id_idx";
CREATE INDEX "chase_entry_voter_id_idx" ON "chase_entry" ("voter_id") WHERE "state" IN ('pending', 'claimed');
