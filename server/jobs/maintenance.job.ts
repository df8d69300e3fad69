import type { Clock } from '../clock.ts';
import type { PrismaClient } from '../db/database.ts';

// Sign-in attempts are kept a week (rate limiting needs 15 minutes; the rest helps investigate abuse).
const LOGIN_ATTEMPT_RETENTION_MS = 7 * 24 * 3600_000;

/** Removes expired sessions and invites (a used invite stays until it expires, to say it was used), and old sign-in attempts. */
export async function purgeExpired(prisma: PrismaClient, clock: Clock) {
  const now = clock.now();
  const [sessions, invites, attempts] = await prisma.$transaction([
    prisma.session.deleteMany({ where: { expiresAt: { lt: now } } }),
    prisma.invite.deleteMany({ where: { expiresAt: { lt: now } } }),
    prisma.loginAttempt.deleteMany({ where: { at: { lt: new Date(now.getTime() - LOGIN_ATTEMPT_RETENTION_MS) } } }),
  ]);
  return { sessions: sessions.count, invites: invites.count, loginAttempts: attempts.count };
}
