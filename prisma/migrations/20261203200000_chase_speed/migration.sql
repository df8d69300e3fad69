-- Faster chase lists (docs/chase-lists.md).

-- The builder reads the voters still to chase from this index alone (an index-only scan): those who
-- have not voted and are not do-not-contact, by station and support level, with every column the
-- selection uses. Partial, with INCLUDE: Prisma's schema records its columns, this file the rest.
CREATE INDEX "voter_chase_idx" ON "voter"("station_id", "support_level")
  INCLUDE ("election_id", "id", "phone", "phone_kind", "sms_consent", "call_consent")
  WHERE "voted_at" IS NULL AND NOT "do_not_contact";

-- "Next person" takes the first entry of a list in call order (priority, then rank, then id) straight
-- from this index, rather than reading every entry that shares the top priority.
DROP INDEX "chase_entry_list_id_state_priority_idx";
CREATE INDEX "chase_entry_list_id_state_priority_rank_id_idx" ON "chase_entry"("list_id", "state", "priority" DESC, "rank", "id");
