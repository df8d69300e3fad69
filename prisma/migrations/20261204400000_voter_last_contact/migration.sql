-- Each voter's last contact, kept on their row (docs/decisions/030-last-contact-on-the-voter.md).
-- The list builder reads it from voter_chase_idx with the rest of what it selects on, rather than
-- finding every voter's newest contact attempt among the day's and joining it to the voters: that
-- join was a quarter of a preview of 100,000 entries.
ALTER TABLE "voter" ADD COLUMN "last_contact_at" TIMESTAMPTZ(3),
  ADD COLUMN "last_outcome" "contact_outcome";

UPDATE "voter" v SET "last_contact_at" = c."created_at", "last_outcome" = c."outcome"
FROM (
  SELECT DISTINCT ON ("voter_id") "voter_id", "created_at", "outcome" FROM "contact_attempt"
  ORDER BY "voter_id", "created_at" DESC, "id" DESC
) c
WHERE v."id" = c."voter_id";

-- Every contact attempt written moves its voter's last contact, whoever writes it (a volunteer's
-- outcome, a script, a test), once per statement. An attempt older than the last one kept leaves
-- it; of two at the same instant, the later written counts. Whoever writes an attempt has taken
-- the voter's row first (docs/chase-lists.md, Live lists), so this update waits for nobody.
CREATE FUNCTION "voter_keep_last_contact"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "voter" v SET "last_contact_at" = n."created_at", "last_outcome" = n."outcome"
  FROM (
    SELECT DISTINCT ON ("voter_id") "voter_id", "created_at", "outcome" FROM "new_attempts"
    ORDER BY "voter_id", "created_at" DESC, "id" DESC
  ) n
  WHERE v."id" = n."voter_id" AND (v."last_contact_at" IS NULL OR v."last_contact_at" <= n."created_at");
  RETURN NULL;
END
$$;
CREATE TRIGGER "contact_attempt_moves_last_contact" AFTER INSERT ON "contact_attempt"
  REFERENCING NEW TABLE AS "new_attempts" FOR EACH STATEMENT EXECUTE FUNCTION "voter_keep_last_contact"();

-- The builder's index, with the last contact.
DROP INDEX "voter_chase_idx";
CREATE INDEX "voter_chase_idx" ON "voter"("station_id", "support_level")
  INCLUDE ("election_id", "id", "phone", "phone_kind", "sms_consent", "call_consent", "last_contact_at", "last_outcome")
  WHERE "voted_at" IS NULL AND NOT "do_not_contact";
