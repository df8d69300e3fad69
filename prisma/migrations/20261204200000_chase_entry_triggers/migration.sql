-- A chase list's entries are kept with their list, voter and volunteer by triggers rather than
-- foreign keys (docs/decisions/028-chase-entries-without-foreign-keys.md). Building a list writes a
-- hundred thousand entries in one statement, and PostgreSQL checks each row's foreign keys one at
-- a time, locking every voter's row: 950 ms of a 1,700 ms build. Entries are only ever written by
-- the list builder, from voters it reads in the same statement, into a list it has just created.

ALTER TABLE "chase_entry" DROP CONSTRAINT "chase_entry_list_id_fkey";
ALTER TABLE "chase_entry" DROP CONSTRAINT "chase_entry_voter_id_fkey";
ALTER TABLE "chase_entry" DROP CONSTRAINT "chase_entry_assignee_id_fkey";

-- A voter is on a list at most once by construction (the builder selects each voter once, a split
-- moves entries). The unique index on (list_id, voter_id) was also the only way to a list's entries
-- in every state: a list's progress, its entries page and its deletion read them. A block range
-- index takes its place: a list's entries are written together, so they fill pages of their own,
-- and the index keeps one summary per range of pages rather than an entry per row. Counting a
-- list's 100,000 entries for its progress read them in 37 ms through it, 75 ms through a B-tree on
-- (list_id, rank), which also cost a build 40 to 60 ms more to write.
DROP INDEX "chase_entry_list_id_voter_id_key";
CREATE INDEX "chase_entry_list_id_idx" ON "chase_entry" USING BRIN ("list_id");

-- ON DELETE CASCADE from chase_list: a deleted list takes its entries (one statement for all of them).
CREATE FUNCTION "chase_entry_delete_with_lists"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "chase_entry" e USING "deleted_lists" d WHERE e."list_id" = d."id";
  RETURN NULL;
END
$$;
CREATE TRIGGER "chase_list_entries_go_with_it" AFTER DELETE ON "chase_list"
  REFERENCING OLD TABLE AS "deleted_lists" FOR EACH STATEMENT EXECUTE FUNCTION "chase_entry_delete_with_lists"();

-- ON DELETE CASCADE from voter. A list being built for the same election when voters are deleted (a
-- purge, an erasure) read them before: the deletion waits for the build's lock (the builder's
-- BUILD_LOCK, server/chase/chase.builder.ts), then sees its entries and deletes them too.
CREATE FUNCTION "chase_entry_delete_with_voters"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7406101, e."election_id")
  FROM (SELECT DISTINCT "election_id" FROM "deleted_voters" ORDER BY "election_id") e;
  DELETE FROM "chase_entry" e USING "deleted_voters" d WHERE e."voter_id" = d."id";
  RETURN NULL;
END
$$;
CREATE TRIGGER "voter_chase_entries_go_with_them" AFTER DELETE ON "voter"
  REFERENCING OLD TABLE AS "deleted_voters" FOR EACH STATEMENT EXECUTE FUNCTION "chase_entry_delete_with_voters"();

-- ON DELETE SET NULL from app_user: the calls a deleted account made or held keep no name.
CREATE FUNCTION "chase_entry_forget_deleted_users"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "chase_entry" e SET "assignee_id" = NULL FROM "deleted_users" d WHERE e."assignee_id" = d."id";
  RETURN NULL;
END
$$;
CREATE TRIGGER "app_user_chase_entries_forget" AFTER DELETE ON "app_user"
  REFERENCING OLD TABLE AS "deleted_users" FOR EACH STATEMENT EXECUTE FUNCTION "chase_entry_forget_deleted_users"();
