-- Relance initial schema. Hand-written to match prisma/schema.prisma (checked by
-- tests/integration/schema-drift.test.ts); see docs/decisions/004-sql-migrations.md.

-- CreateEnum
CREATE TYPE "role" AS ENUM ('admin', 'coordinator', 'watcher', 'volunteer', 'viewer');
CREATE TYPE "area_kind" AS ENUM ('city', 'district', 'neighbourhood');
CREATE TYPE "report_source" AS ENUM ('web', 'sms', 'api');
CREATE TYPE "report_status" AS ENUM ('accepted', 'flagged', 'superseded');
CREATE TYPE "vote_source" AS ENUM ('watcher', 'sms', 'api', 'volunteer', 'import');
CREATE TYPE "mark_action" AS ENUM ('mark', 'undo');
CREATE TYPE "chase_channel" AS ENUM ('call', 'sms');
CREATE TYPE "chase_entry_state" AS ENUM ('pending', 'claimed', 'done');
CREATE TYPE "contact_channel" AS ENUM ('call', 'sms', 'door');
CREATE TYPE "contact_outcome" AS ENUM ('reached', 'already_voted', 'will_vote', 'no_answer', 'left_message', 'wrong_number', 'refused', 'opted_out');
CREATE TYPE "message_status" AS ENUM ('pending', 'sending', 'sent', 'delivered', 'failed', 'undelivered', 'cancelled');

-- CreateTable
CREATE TABLE "election" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "polling_day" DATE NOT NULL,
    "timezone" TEXT NOT NULL,
    "polls_open_at" TIMESTAMPTZ(3) NOT NULL,
    "polls_close_at" TIMESTAMPTZ(3) NOT NULL,
    "turnout_curve" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "election_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "area" (
    "id" SERIAL NOT NULL,
    "election_id" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "area_kind" NOT NULL,
    "parent_id" INTEGER,
    "geometry" JSONB,

    CONSTRAINT "area_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "polling_station" (
    "id" SERIAL NOT NULL,
    "election_id" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "address" TEXT,
    "area_id" INTEGER NOT NULL,
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    "geometry" JSONB,
    "registered_voters" INTEGER NOT NULL,
    "baseline_turnout" DOUBLE PRECISION,
    "baseline_hourly" JSONB,
    "closes_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "polling_station_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "voter" (
    "id" SERIAL NOT NULL,
    "election_id" INTEGER NOT NULL,
    "external_id" TEXT NOT NULL,
    "first_name" TEXT NOT NULL,
    "last_name" TEXT NOT NULL,
    "phone" TEXT,
    "email" TEXT,
    "address" TEXT,
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    "station_id" INTEGER NOT NULL,
    "list_number" INTEGER,
    "support_level" SMALLINT,
    "sms_consent" BOOLEAN NOT NULL DEFAULT false,
    "call_consent" BOOLEAN NOT NULL DEFAULT false,
    "do_not_contact" BOOLEAN NOT NULL DEFAULT false,
    "voted_at" TIMESTAMPTZ(3),
    "voted_source" "vote_source",
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "voter_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "turnout_report" (
    "id" UUID NOT NULL,
    "station_id" INTEGER NOT NULL,
    "voters" INTEGER NOT NULL,
    "observed_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reporter_id" INTEGER,
    "api_token_id" INTEGER,
    "source" "report_source" NOT NULL,
    "status" "report_status" NOT NULL DEFAULT 'accepted',
    "flag_reason" TEXT,
    "note" TEXT,

    CONSTRAINT "turnout_report_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "vote_mark" (
    "id" UUID NOT NULL,
    "station_id" INTEGER NOT NULL,
    "list_numbers" INTEGER[],
    "action" "mark_action" NOT NULL DEFAULT 'mark',
    "marked_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reporter_id" INTEGER,
    "api_token_id" INTEGER,
    "source" "vote_source" NOT NULL,

    CONSTRAINT "vote_mark_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "chase_list" (
    "id" SERIAL NOT NULL,
    "election_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "channel" "chase_channel" NOT NULL,
    "criteria" JSONB NOT NULL,
    "entry_count" INTEGER NOT NULL DEFAULT 0,
    "created_by_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chase_list_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "chase_entry" (
    "id" SERIAL NOT NULL,
    "list_id" INTEGER NOT NULL,
    "voter_id" INTEGER NOT NULL,
    "priority" DOUBLE PRECISION NOT NULL,
    "state" "chase_entry_state" NOT NULL DEFAULT 'pending',
    "assignee_id" INTEGER,
    "lease_expires_at" TIMESTAMPTZ(3),
    "done_at" TIMESTAMPTZ(3),

    CONSTRAINT "chase_entry_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "contact_attempt" (
    "id" SERIAL NOT NULL,
    "voter_id" INTEGER NOT NULL,
    "list_id" INTEGER,
    "volunteer_id" INTEGER,
    "channel" "contact_channel" NOT NULL,
    "outcome" "contact_outcome" NOT NULL,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contact_attempt_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "outbound_message" (
    "id" SERIAL NOT NULL,
    "list_id" INTEGER,
    "voter_id" INTEGER NOT NULL,
    "to_phone" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" "message_status" NOT NULL DEFAULT 'pending',
    "provider_sid" TEXT,
    "error_code" TEXT,
    "error_message" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbound_message_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "inbound_message" (
    "id" SERIAL NOT NULL,
    "provider_sid" TEXT NOT NULL,
    "from_phone" TEXT NOT NULL,
    "to_phone" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "voter_id" INTEGER,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbound_message_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "app_user" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "phone" TEXT,
    "role" "role" NOT NULL,
    "password_hash" TEXT,
    "locale" TEXT,
    "failed_login_count" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),
    "disabled_at" TIMESTAMPTZ(3),
    "last_login_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "app_user_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "station_assignment" (
    "user_id" INTEGER NOT NULL,
    "station_id" INTEGER NOT NULL,

    CONSTRAINT "station_assignment_pkey" PRIMARY KEY ("user_id","station_id")
);

CREATE TABLE "invite" (
    "id" SERIAL NOT NULL,
    "token_hash" TEXT NOT NULL,
    "user_id" INTEGER NOT NULL,
    "pin_hash" TEXT,
    "failed_pin_count" INTEGER NOT NULL DEFAULT 0,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_by_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invite_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "session" (
    "id" SERIAL NOT NULL,
    "token_hash" TEXT NOT NULL,
    "user_id" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "session_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "api_token" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "role" "role" NOT NULL,
    "created_by_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_token_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "api_token_station" (
    "token_id" INTEGER NOT NULL,
    "station_id" INTEGER NOT NULL,

    CONSTRAINT "api_token_station_pkey" PRIMARY KEY ("token_id","station_id")
);

CREATE TABLE "login_attempt" (
    "id" SERIAL NOT NULL,
    "ip" TEXT NOT NULL,
    "succeeded" BOOLEAN NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "login_attempt_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "audit_event" (
    "id" SERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_user_id" INTEGER,
    "actor_token_id" INTEGER,
    "action" TEXT NOT NULL,
    "subject_type" TEXT,
    "subject_id" TEXT,
    "details" JSONB,

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "area_election_id_code_key" ON "area"("election_id", "code");
CREATE INDEX "area_parent_id_idx" ON "area"("parent_id");
CREATE UNIQUE INDEX "polling_station_election_id_code_key" ON "polling_station"("election_id", "code");
CREATE INDEX "polling_station_area_id_idx" ON "polling_station"("area_id");
CREATE UNIQUE INDEX "voter_election_id_external_id_key" ON "voter"("election_id", "external_id");
CREATE UNIQUE INDEX "voter_station_id_list_number_key" ON "voter"("station_id", "list_number");
CREATE INDEX "voter_station_id_support_level_voted_at_sms_consent_call_co_idx" ON "voter"("station_id", "support_level", "voted_at", "sms_consent", "call_consent");
CREATE INDEX "voter_phone_idx" ON "voter"("phone");
CREATE INDEX "turnout_report_station_id_observed_at_idx" ON "turnout_report"("station_id", "observed_at");
CREATE INDEX "turnout_report_received_at_idx" ON "turnout_report"("received_at");
CREATE INDEX "vote_mark_station_id_marked_at_idx" ON "vote_mark"("station_id", "marked_at");
CREATE INDEX "chase_list_election_id_created_at_idx" ON "chase_list"("election_id", "created_at");
CREATE UNIQUE INDEX "chase_entry_list_id_voter_id_key" ON "chase_entry"("list_id", "voter_id");
CREATE INDEX "chase_entry_list_id_state_priority_idx" ON "chase_entry"("list_id", "state", "priority");
CREATE INDEX "chase_entry_voter_id_idx" ON "chase_entry"("voter_id");
CREATE INDEX "contact_attempt_voter_id_created_at_idx" ON "contact_attempt"("voter_id", "created_at");
CREATE INDEX "contact_attempt_list_id_idx" ON "contact_attempt"("list_id");
CREATE UNIQUE INDEX "outbound_message_provider_sid_key" ON "outbound_message"("provider_sid");
CREATE INDEX "outbound_message_status_created_at_idx" ON "outbound_message"("status", "created_at");
CREATE UNIQUE INDEX "outbound_message_list_id_voter_id_key" ON "outbound_message"("list_id", "voter_id");
CREATE UNIQUE INDEX "inbound_message_provider_sid_key" ON "inbound_message"("provider_sid");
CREATE INDEX "inbound_message_from_phone_idx" ON "inbound_message"("from_phone");
CREATE UNIQUE INDEX "app_user_email_key" ON "app_user"("email");
CREATE INDEX "station_assignment_station_id_idx" ON "station_assignment"("station_id");
CREATE UNIQUE INDEX "invite_token_hash_key" ON "invite"("token_hash");
CREATE INDEX "invite_user_id_idx" ON "invite"("user_id");
CREATE UNIQUE INDEX "session_token_hash_key" ON "session"("token_hash");
CREATE INDEX "session_user_id_idx" ON "session"("user_id");
CREATE INDEX "session_expires_at_idx" ON "session"("expires_at");
CREATE UNIQUE INDEX "api_token_token_hash_key" ON "api_token"("token_hash");
CREATE INDEX "api_token_station_station_id_idx" ON "api_token_station"("station_id");
CREATE INDEX "login_attempt_ip_at_idx" ON "login_attempt"("ip", "at");
CREATE INDEX "audit_event_at_idx" ON "audit_event"("at");

-- AddForeignKey
ALTER TABLE "area" ADD CONSTRAINT "area_election_id_fkey" FOREIGN KEY ("election_id") REFERENCES "election"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "area" ADD CONSTRAINT "area_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "area"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "polling_station" ADD CONSTRAINT "polling_station_election_id_fkey" FOREIGN KEY ("election_id") REFERENCES "election"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "polling_station" ADD CONSTRAINT "polling_station_area_id_fkey" FOREIGN KEY ("area_id") REFERENCES "area"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "voter" ADD CONSTRAINT "voter_election_id_fkey" FOREIGN KEY ("election_id") REFERENCES "election"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "voter" ADD CONSTRAINT "voter_station_id_fkey" FOREIGN KEY ("station_id") REFERENCES "polling_station"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "turnout_report" ADD CONSTRAINT "turnout_report_station_id_fkey" FOREIGN KEY ("station_id") REFERENCES "polling_station"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "turnout_report" ADD CONSTRAINT "turnout_report_reporter_id_fkey" FOREIGN KEY ("reporter_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "turnout_report" ADD CONSTRAINT "turnout_report_api_token_id_fkey" FOREIGN KEY ("api_token_id") REFERENCES "api_token"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "vote_mark" ADD CONSTRAINT "vote_mark_station_id_fkey" FOREIGN KEY ("station_id") REFERENCES "polling_station"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "vote_mark" ADD CONSTRAINT "vote_mark_reporter_id_fkey" FOREIGN KEY ("reporter_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "vote_mark" ADD CONSTRAINT "vote_mark_api_token_id_fkey" FOREIGN KEY ("api_token_id") REFERENCES "api_token"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "chase_list" ADD CONSTRAINT "chase_list_election_id_fkey" FOREIGN KEY ("election_id") REFERENCES "election"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "chase_list" ADD CONSTRAINT "chase_list_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "chase_entry" ADD CONSTRAINT "chase_entry_list_id_fkey" FOREIGN KEY ("list_id") REFERENCES "chase_list"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "chase_entry" ADD CONSTRAINT "chase_entry_voter_id_fkey" FOREIGN KEY ("voter_id") REFERENCES "voter"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "chase_entry" ADD CONSTRAINT "chase_entry_assignee_id_fkey" FOREIGN KEY ("assignee_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "contact_attempt" ADD CONSTRAINT "contact_attempt_voter_id_fkey" FOREIGN KEY ("voter_id") REFERENCES "voter"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "contact_attempt" ADD CONSTRAINT "contact_attempt_list_id_fkey" FOREIGN KEY ("list_id") REFERENCES "chase_list"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "contact_attempt" ADD CONSTRAINT "contact_attempt_volunteer_id_fkey" FOREIGN KEY ("volunteer_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "outbound_message" ADD CONSTRAINT "outbound_message_list_id_fkey" FOREIGN KEY ("list_id") REFERENCES "chase_list"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "outbound_message" ADD CONSTRAINT "outbound_message_voter_id_fkey" FOREIGN KEY ("voter_id") REFERENCES "voter"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "inbound_message" ADD CONSTRAINT "inbound_message_voter_id_fkey" FOREIGN KEY ("voter_id") REFERENCES "voter"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "station_assignment" ADD CONSTRAINT "station_assignment_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "station_assignment" ADD CONSTRAINT "station_assignment_station_id_fkey" FOREIGN KEY ("station_id") REFERENCES "polling_station"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "invite" ADD CONSTRAINT "invite_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "invite" ADD CONSTRAINT "invite_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "session" ADD CONSTRAINT "session_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "api_token_station" ADD CONSTRAINT "api_token_station_token_id_fkey" FOREIGN KEY ("token_id") REFERENCES "api_token"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "api_token_station" ADD CONSTRAINT "api_token_station_station_id_fkey" FOREIGN KEY ("station_id") REFERENCES "polling_station"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "audit_event" ADD CONSTRAINT "audit_event_actor_user_id_fkey" FOREIGN KEY ("actor_user_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "audit_event" ADD CONSTRAINT "audit_event_actor_token_id_fkey" FOREIGN KEY ("actor_token_id") REFERENCES "api_token"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The audit trail is append-only: refuse updates and deletes at the database.
-- ON DELETE SET NULL from app_user / api_token still needs to clear actor ids, so only
-- changes to the event itself (action, subject, details, time) are refused.
CREATE FUNCTION "audit_event_append_only"() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'audit_event is append-only';
  END IF;
  IF NEW.at IS DISTINCT FROM OLD.at OR NEW.action IS DISTINCT FROM OLD.action
     OR NEW.subject_type IS DISTINCT FROM OLD.subject_type OR NEW.subject_id IS DISTINCT FROM OLD.subject_id
     OR NEW.details IS DISTINCT FROM OLD.details THEN
    RAISE EXCEPTION 'audit_event is append-only';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "audit_event_append_only"
  BEFORE UPDATE OR DELETE ON "audit_event"
  FOR EACH ROW EXECUTE FUNCTION "audit_event_append_only"();
