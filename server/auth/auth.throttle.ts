import type { Clock } from '../clock.ts';
import type { PrismaClient } from '../db/database.ts';
import { Prisma, type SignInScope } from '../db/generated/client.ts';
import { TooManyAttempts } from '../errors.ts';

/**
 * How many failed sign-ins each budget allows, in a window that starts at its first failure. Every
 * threshold is here; docs/operations.md ("Security") explains the policy.
 *
 * - `address_email`: one address guessing one email address's password. It applies whether an
 *   account has that email or not, so known and unknown accounts get the same answers; and it locks
 *   only the address that failed, so an attacker cannot lock a person out from their own network.
 * - `email`: one email address from every address together. It caps guessing spread over many
 *   addresses (OWASP ASVS 4.0.3 V2.2.1: at most 100 failures an hour per account; at most 13
 *   windows of 5 minutes touch any hour, so 13 × 7 = 91), and it lasts minutes, not a quarter hour.
 * - `address`: one address, whatever emails and links it tries.
 */
export const SIGN_IN_LIMITS = {
  address_email: { failures: 5, windowMinutes: 15 },
  email: { failures: 7, windowMinutes: 5 },
  address: { failures: 30, windowMinutes: 15 },
} as const satisfies Record<SignInScope, { failures: number; windowMinutes: number }>;

/** Wrong PINs before an invite link is blocked for good (the person needs a new link). */
export const MAX_PIN_FAILURES = 5;

export interface SignInBudget {
  scope: SignInScope;
  address: string;
  email: string;
}

/** Email addresses are compared as the login form sends them: trimmed, lower case. */
const normalEmail = (email: string) => email.trim().toLowerCase();

/** The budgets a password sign-in spends, most specific first. */
export function passwordBudgets(address: string, email: string): SignInBudget[] {
  return [
    { scope: 'address_email', address, email: normalEmail(email) },
    { scope: 'email', address: '', email: normalEmail(email) },
    { scope: 'address', address, email: '' },
  ];
}

/** The budget an invite link's redemption spends (the link's own PIN count is on the invite). */
export function linkBudgets(address: string): SignInBudget[] {
  return [{ scope: 'address', address, email: '' }];
}

function plural(count: number, word: string) {
  return `${count} ${word}${count > 1 ? 's' : ''}`;
}

function refusal(scope: SignInScope, retryAfterSeconds: number): TooManyAttempts {
  const wait = `Wait ${plural(Math.ceil(retryAfterSeconds / 60), 'minute')}, then try again`;
  const message = {
    address_email: `Too many wrong passwords for this email address from your network. ${wait}, or ask an admin to unlock your account.`,
    email: `Too many failed sign-ins for this email address. ${wait}, or ask an admin to unlock your account.`,
    address: `Too many failed sign-ins from this network. ${wait}.`,
  }[scope];
  return new TooManyAttempts(message, retryAfterSeconds);
}

/**
 * Sign-in budgets kept in PostgreSQL (sign_in_throttle). An attempt takes a slot in every budget it
 * spends before its secret is checked, each in one conditional statement, so that requests sent at
 * the same moment cannot check more secrets than a budget allows; a success gives its slots back.
 */
export function createSignInThrottle({ prisma, clock }: { prisma: PrismaClient; clock: Clock }) {
  /** Takes one slot, or returns false when the budget is spent (one statement: no race). */
  async function take(budget: SignInBudget, now: Date): Promise<boolean> {
    const limit = SIGN_IN_LIMITS[budget.scope];
    const windowEndsAt = new Date(now.getTime() + limit.windowMinutes * 60_000);
    // On conflict, PostgreSQL locks the row and evaluates the WHERE on its latest version, so two
    // requests never both take the last slot. A window that has ended starts again at 1.
    const taken = await prisma.$queryRaw<{ failures: number }[]>`
      INSERT INTO "sign_in_throttle" AS t ("scope", "address", "email", "failures", "window_ends_at")
      VALUES (CAST(${budget.scope} AS "sign_in_scope"), ${budget.address}, ${budget.email}, 1, CAST(${windowEndsAt.toISOString()} AS timestamptz))
      ON CONFLICT ("scope", "address", "email") DO UPDATE SET
        "failures" = CASE WHEN t."window_ends_at" <= CAST(${now.toISOString()} AS timestamptz) THEN 1 ELSE t."failures" + 1 END,
        "window_ends_at" = CASE WHEN t."window_ends_at" <= CAST(${now.toISOString()} AS timestamptz) THEN EXCLUDED."window_ends_at" ELSE t."window_ends_at" END
      WHERE t."window_ends_at" <= CAST(${now.toISOString()} AS timestamptz) OR t."failures" < ${limit.failures}
      RETURNING "failures"`;
    return taken.length === 1;
  }

  /** Gives back `slots` slots of each budget, never below zero. */
  async function giveBack(budgets: SignInBudget[], slots: number): Promise<void> {
    if (budgets.length === 0 || slots <= 0) return;
    const keys = Prisma.join(budgets.map((b) => Prisma.sql`(CAST(${b.scope} AS "sign_in_scope"), ${b.address}, ${b.email})`));
    await prisma.$executeRaw`
      UPDATE "sign_in_throttle" SET "failures" = GREATEST("failures" - ${slots}, 0)
      WHERE ("scope", "address", "email") IN (${keys})`;
  }

  async function retryAfterSeconds(budget: SignInBudget, now: Date): Promise<number> {
    const row = await prisma.signInThrottle.findUnique({ where: { scope_address_email: budget } });
    const left = row ? row.windowEndsAt.getTime() - now.getTime() : 0;
    return Math.max(1, Math.ceil(left / 1000));
  }

  return {
    /**
     * Takes a slot in every budget, or none: throws TooManyAttempts, naming the first spent budget
     * and when it frees up, after giving back the slots already taken.
     */
    async reserve(budgets: SignInBudget[]): Promise<void> {
      const now = clock.now();
      const taken: SignInBudget[] = [];
      for (const budget of budgets) {
        if (!(await take(budget, now))) {
          await giveBack(taken, 1);
          throw refusal(budget.scope, await retryAfterSeconds(budget, now));
        }
        taken.push(budget);
      }
    },

    /**
     * After the right secret, the attempt gives its slots back. With a password, the failures of
     * that address for that email (the person's own mistakes, counted in every budget) are forgiven
     * too; failures from other addresses still count.
     */
    async succeeded(budgets: SignInBudget[]): Promise<void> {
      const pair = budgets.find((budget) => budget.scope === 'address_email');
      const others = budgets.filter((budget) => budget !== pair);
      if (!pair) return giveBack(others, 1);
      const [forgotten] = await prisma.$queryRaw<{ failures: number }[]>`
        DELETE FROM "sign_in_throttle"
        WHERE "scope" = 'address_email' AND "address" = ${pair.address} AND "email" = ${pair.email}
        RETURNING "failures"`;
      // Its own slot at least, even if an admin has unlocked the email meanwhile.
      await giveBack(others, Math.max(forgotten?.failures ?? 0, 1));
    },
  };
}

/** For the People page: until when sign-in with each email is refused somewhere (a spent budget). */
export async function signInLocks(prisma: Pick<PrismaClient, 'signInThrottle'>, emails: string[], now: Date): Promise<Map<string, Date>> {
  const rows = await prisma.signInThrottle.findMany({
    where: { email: { in: emails.map(normalEmail) }, scope: { in: ['address_email', 'email'] }, windowEndsAt: { gt: now } },
  });
  const locks = new Map<string, Date>();
  for (const row of rows) {
    if (row.failures < SIGN_IN_LIMITS[row.scope].failures) continue;
    const until = locks.get(row.email);
    if (!until || until < row.windowEndsAt) locks.set(row.email, row.windowEndsAt);
  }
  return locks;
}

/** Lifts every lock on an email address (its own budget, and each address's for it); returns how many were spent. */
export async function clearSignInLocks(tx: Pick<PrismaClient, 'signInThrottle'>, email: string, now: Date): Promise<number> {
  const where = { email: normalEmail(email), scope: { in: ['address_email', 'email'] as SignInScope[] } };
  const rows = await tx.signInThrottle.findMany({ where });
  await tx.signInThrottle.deleteMany({ where });
  return rows.filter((row) => row.windowEndsAt > now && row.failures >= SIGN_IN_LIMITS[row.scope].failures).length;
}
