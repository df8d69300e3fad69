-- Deleting voters (a purge, an erasure) only needs to wait for a list being built for their election,
-- whose builder holds BUILD_LOCK (server/chase/chase.live.ts) exclusively: the lock is now shared,
-- as every drop of entries takes it. Deletions and watchers' marks no longer wait for each other.
CREATE OR REPLACE FUNCTION "chase_entry_delete_with_voters"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(7406101, e."election_id")
  FROM (SELECT DISTINCT "election_id" FROM "deleted_voters" ORDER BY "election_id") e;
  DELETE FROM "chase_entry" e USING "deleted_voters" d WHERE e."voter_id" = d."id";
  RETURN NULL;
END
$$;
