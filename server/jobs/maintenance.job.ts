import type { Clock } from '../clock.ts';
import type { PrismaClient } from '../db/database.ts';
import type { JobBroker } from './jobs.broker.ts';

export const MAINTENANCE_QUEUE = 'maintenance';

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

/** Schedules the purge every 15 minutes (one schedule, however many nodes start). */
export async function scheduleMaintenance(broker: JobBroker) {
  const queue = broker.queue(MAINTENANCE_QUEUE);
  await queue.upsertJobScheduler(
    'purge-expired',
    { every: 15 * 60_000 },
    { name: 'purge-expired', opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
  return queue;
}

export function startMaintenanceWorker(broker: JobBroker, prisma: PrismaClient, clock: Clock) {
  return broker.worker(MAINTENANCE_QUEUE, async () => purgeExpired(prisma, clock), { concurrency: 1 });
}
