-- Wall screen links: read-only war-room tokens that a coordinator creates for a TV, lists and revokes
-- (docs/decisions/022-wall-screen-links.md).

-- AlterTable
ALTER TABLE "api_token" ADD COLUMN     "wall_screen" BOOLEAN NOT NULL DEFAULT false;
