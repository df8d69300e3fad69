-- The SMS outbox (docs/sms.md): who sent a text and from which template, why a text was canceled or
-- needs a person to decide, opt-outs by keyword, what an inbound text was read as, and the templates.

-- AlterEnum: Twilio's spelling of the state.
ALTER TYPE "message_status" RENAME VALUE 'cancelled' TO 'canceled';

-- CreateEnum
CREATE TYPE "inbound_kind" AS ENUM ('opt_out', 'opt_in', 'help', 'watcher_report', 'reply');

-- AlterTable
ALTER TABLE "voter" ADD COLUMN "sms_opted_out_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "outbound_message" ADD COLUMN "sender_id" INTEGER,
ADD COLUMN "template_id" INTEGER,
ADD COLUMN "cancel_reason" TEXT,
ADD COLUMN "review_reason" TEXT,
ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "inbound_message" ADD COLUMN "kind" "inbound_kind" NOT NULL DEFAULT 'reply',
ADD COLUMN "watcher_id" INTEGER,
ADD COLUMN "volunteer_id" INTEGER,
ADD COLUMN "reply_body" TEXT,
ADD COLUMN "read_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "sms_template" (
    "id" SERIAL NOT NULL,
    "election_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "created_by_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "archived_at" TIMESTAMPTZ(3),

    CONSTRAINT "sms_template_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "sms_template_election_id_idx" ON "sms_template"("election_id");

-- CreateIndex
CREATE INDEX "outbound_message_voter_id_idx" ON "outbound_message"("voter_id");

-- CreateIndex
CREATE INDEX "inbound_message_kind_received_at_idx" ON "inbound_message"("kind", "received_at");

-- AddForeignKey
ALTER TABLE "outbound_message" ADD CONSTRAINT "outbound_message_sender_id_fkey" FOREIGN KEY ("sender_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outbound_message" ADD CONSTRAINT "outbound_message_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "sms_template"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sms_template" ADD CONSTRAINT "sms_template_election_id_fkey" FOREIGN KEY ("election_id") REFERENCES "election"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sms_template" ADD CONSTRAINT "sms_template_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbound_message" ADD CONSTRAINT "inbound_message_watcher_id_fkey" FOREIGN KEY ("watcher_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbound_message" ADD CONSTRAINT "inbound_message_volunteer_id_fkey" FOREIGN KEY ("volunteer_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
