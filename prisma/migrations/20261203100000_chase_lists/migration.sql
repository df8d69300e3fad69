-- Chase lists worked by volunteers (docs/chase-lists.md): entries that drop out when their voter
-- votes or asks never to be contacted, the outcomes a volunteer records, teams of volunteers, who
-- works which list, and the rides queue.

-- AlterEnum: an entry whose voter voted or became do-not-contact is dropped, never deleted.
ALTER TYPE "chase_entry_state" ADD VALUE 'dropped';

-- AlterEnum: the outcomes a volunteer records. Earlier values map onto the new ones.
CREATE TYPE "contact_outcome_new" AS ENUM ('will_vote', 'already_voted', 'needs_ride', 'no_answer', 'wrong_number', 'refused', 'never_contact');
ALTER TABLE "contact_attempt" ALTER COLUMN "outcome" TYPE "contact_outcome_new" USING (
  CASE "outcome"::text
    WHEN 'reached' THEN 'will_vote'
    WHEN 'left_message' THEN 'no_answer'
    WHEN 'opted_out' THEN 'never_contact'
    ELSE "outcome"::text
  END::"contact_outcome_new");
ALTER TYPE "contact_outcome" RENAME TO "contact_outcome_old";
ALTER TYPE "contact_outcome_new" RENAME TO "contact_outcome";
DROP TYPE "contact_outcome_old";

-- CreateEnum
CREATE TYPE "ride_status" AS ENUM ('open', 'done');

-- AlterTable
ALTER TABLE "app_user" ADD COLUMN "team_id" INTEGER;

-- AlterTable
ALTER TABLE "chase_list" ADD COLUMN "split_from_id" INTEGER;

-- AlterTable
ALTER TABLE "chase_entry" ADD COLUMN "rank" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "team" (
    "id" SERIAL NOT NULL,
    "election_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "team_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "chase_list_assignment" (
    "id" SERIAL NOT NULL,
    "list_id" INTEGER NOT NULL,
    "user_id" INTEGER,
    "team_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chase_list_assignment_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "chase_list_assignment_one_assignee" CHECK (("user_id" IS NULL) <> ("team_id" IS NULL))
);

-- CreateTable
CREATE TABLE "ride_request" (
    "id" SERIAL NOT NULL,
    "voter_id" INTEGER NOT NULL,
    "list_id" INTEGER,
    "volunteer_id" INTEGER,
    "note" TEXT,
    "status" "ride_status" NOT NULL DEFAULT 'open',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "handled_at" TIMESTAMPTZ(3),
    "handled_by_id" INTEGER,

    CONSTRAINT "ride_request_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "app_user_team_id_idx" ON "app_user"("team_id");

-- CreateIndex
CREATE INDEX "chase_entry_assignee_id_state_idx" ON "chase_entry"("assignee_id", "state");

-- CreateIndex
CREATE UNIQUE INDEX "team_election_id_name_key" ON "team"("election_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "chase_list_assignment_list_id_user_id_key" ON "chase_list_assignment"("list_id", "user_id");

-- CreateIndex
CREATE UNIQUE INDEX "chase_list_assignment_list_id_team_id_key" ON "chase_list_assignment"("list_id", "team_id");

-- CreateIndex
CREATE INDEX "chase_list_assignment_user_id_idx" ON "chase_list_assignment"("user_id");

-- CreateIndex
CREATE INDEX "chase_list_assignment_team_id_idx" ON "chase_list_assignment"("team_id");

-- CreateIndex
CREATE INDEX "ride_request_status_created_at_idx" ON "ride_request"("status", "created_at");

-- CreateIndex
CREATE INDEX "ride_request_voter_id_idx" ON "ride_request"("voter_id");

-- CreateIndex
CREATE INDEX "contact_attempt_volunteer_id_created_at_idx" ON "contact_attempt"("volunteer_id", "created_at");

-- AddForeignKey
ALTER TABLE "app_user" ADD CONSTRAINT "app_user_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chase_list" ADD CONSTRAINT "chase_list_split_from_id_fkey" FOREIGN KEY ("split_from_id") REFERENCES "chase_list"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "team" ADD CONSTRAINT "team_election_id_fkey" FOREIGN KEY ("election_id") REFERENCES "election"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chase_list_assignment" ADD CONSTRAINT "chase_list_assignment_list_id_fkey" FOREIGN KEY ("list_id") REFERENCES "chase_list"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chase_list_assignment" ADD CONSTRAINT "chase_list_assignment_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chase_list_assignment" ADD CONSTRAINT "chase_list_assignment_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ride_request" ADD CONSTRAINT "ride_request_voter_id_fkey" FOREIGN KEY ("voter_id") REFERENCES "voter"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ride_request" ADD CONSTRAINT "ride_request_list_id_fkey" FOREIGN KEY ("list_id") REFERENCES "chase_list"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ride_request" ADD CONSTRAINT "ride_request_volunteer_id_fkey" FOREIGN KEY ("volunteer_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ride_request" ADD CONSTRAINT "ride_request_handled_by_id_fkey" FOREIGN KEY ("handled_by_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
