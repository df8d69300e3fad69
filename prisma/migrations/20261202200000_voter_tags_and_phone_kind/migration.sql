-- Voter files from NationBuilder, NGP VAN or a party's CRM bring tags, and a phone that is a mobile
-- or a landline (server/imports/imports.voter-columns.ts).

-- CreateEnum
CREATE TYPE "phone_kind" AS ENUM ('mobile', 'landline', 'other');

-- AlterTable
ALTER TABLE "voter" ADD COLUMN     "phone_kind" "phone_kind",
ADD COLUMN     "tags" TEXT[] DEFAULT ARRAY[]::TEXT[];
