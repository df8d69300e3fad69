-- Sign-in budgets counted atomically, per client address, per email address and per both
-- (server/auth/auth.throttle.ts).

-- CreateEnum
CREATE TYPE "sign_in_scope" AS ENUM ('address_email', 'email', 'address');

-- CreateTable
CREATE TABLE "sign_in_throttle" (
    "scope" "sign_in_scope" NOT NULL,
    "address" TEXT NOT NULL DEFAULT '',
    "email" TEXT NOT NULL DEFAULT '',
    "failures" INTEGER NOT NULL,
    "window_ends_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sign_in_throttle_pkey" PRIMARY KEY ("scope","address","email")
);

-- CreateIndex
CREATE INDEX "sign_in_throttle_email_idx" ON "sign_in_throttle"("email");
