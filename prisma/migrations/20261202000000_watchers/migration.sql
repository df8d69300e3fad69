-- Poll watchers: problems flagged at a station, each station's standing count, rehearsals, and
-- the simulated election clock (docs/watchers.md).

-- CreateEnum
CREATE TYPE "flag_category" AS ENUM ('long_queue', 'missing_material', 'observer_refused', 'incident', 'other');

-- AlterTable
ALTER TABLE "election" ADD COLUMN "rehearsal" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "polling_station" ADD COLUMN "reported_voters" INTEGER,
ADD COLUMN "reported_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "turnout_report" ADD COLUMN "rehearsal" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "claimed_observed_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "vote_mark" ADD COLUMN "rehearsal" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "station_flag" (
    "id" UUID NOT NULL,
    "station_id" INTEGER NOT NULL,
    "category" "flag_category" NOT NULL,
    "note" TEXT,
    "observed_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reporter_id" INTEGER,
    "api_token_id" INTEGER,
    "source" "report_source" NOT NULL,
    "rehearsal" BOOLEAN NOT NULL DEFAULT false,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "station_flag_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "election_simulation" (
    "election_id" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "starts_from" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "speed" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "election_simulation_pkey" PRIMARY KEY ("election_id")
);

-- CreateIndex
CREATE INDEX "station_flag_station_id_observed_at_idx" ON "station_flag"("station_id", "observed_at");

-- AddForeignKey
ALTER TABLE "station_flag" ADD CONSTRAINT "station_flag_station_id_fkey" FOREIGN KEY ("station_id") REFERENCES "polling_station"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "station_flag" ADD CONSTRAINT "station_flag_reporter_id_fkey" FOREIGN KEY ("reporter_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "station_flag" ADD CONSTRAINT "station_flag_api_token_id_fkey" FOREIGN KEY ("api_token_id") REFERENCES "api_token"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "election_simulation" ADD CONSTRAINT "election_simulation_election_id_fkey" FOREIGN KEY ("election_id") REFERENCES "election"("id") ON DELETE CASCADE ON UPDATE CASCADE;
