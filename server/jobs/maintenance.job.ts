import type { Clock } from '../clock.ts';
import type { PrismaClient } from '../db/database.ts';

// Sign-in attempts are kept a week, to investigate abuse (the limits count in sign_in_throttle).
const LOGIN_ATTEMPT_RETENTION_MS = 7 * 24 * 3600_000;

/**
 * Removes expired sessions and invites (a used invite stays until it expires, to say it was used),
 * old sign-in attempts, and sign-in budgets whose window has ended.
 */
export async function purgeExpired(prisma: PrismaClient, clock: Clock) {
  const now = clock.now();
  const [sessions, invites, attempts, budgets] = await prisma.$transaction([
    prisma.session.deleteMany({ where: { expiresAt: { lt: now } } }),
    prisma.invite.deleteMany({ where: { expiresAt: { lt: now } } }),
    prisma.loginAttempt.deleteMany({ where: { at: { lt: new Date(now.getTime() - LOGIN_ATTEMPT_RETENTION_MS) } } }),
    prisma.signInThrottle.deleteMany({ where: { windowEndsAt: { lt: now } } }),
  ]);
  return { sessions: sessions.count, invites: invites.count, loginAttempts: attempts.count, signInBudgets: budgets.count };
}
