-- Data protection: the purge of an election's personal data, the accounts made for an election,
-- and the suppression list of people erased or objecting (server/people/).

-- AlterTable
ALTER TABLE "election" ADD COLUMN "purged_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "app_user" ADD COLUMN "election_id" INTEGER;

-- CreateIndex
CREATE INDEX "app_user_election_id_idx" ON "app_user"("election_id");

-- AddForeignKey
ALTER TABLE "app_user" ADD CONSTRAINT "app_user_election_id_fkey" FOREIGN KEY ("election_id") REFERENCES "election"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- CreateEnum
CREATE TYPE "suppression_reason" AS ENUM ('erasure', 'objection');

-- CreateTable
CREATE TABLE "suppression" (
    "hash" TEXT NOT NULL,
    "reason" "suppression_reason" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "suppression_pkey" PRIMARY KEY ("hash","reason")
);
