import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES, startWorkers } from '../../server/jobs/jobs.queues.ts';
import { purgeExpired } from '../../server/jobs/maintenance.job.ts';
import { createUser } from '../factories.ts';
import { redisAvailable, startRedis } from '../setup/redis.ts';
import { openTestServices, startTestServer, type TestServices } from '../setup/services.ts';

/** Leaves expired sessions, invites, sign-in attempts and budgets, next to live ones, for the purge to sort. */
async function litter(t: TestServices) {
  const prisma = t.services.db.prisma;
  const user = await createUser(t.services, 'volunteer');
  const now = t.clock.now().getTime();
  await prisma.session.createMany({
    data: [
      { tokenHash: `expired-${user.id}`, userId: user.id, expiresAt: new Date(now - 1000) },
      { tokenHash: `live-${user.id}`, userId: user.id, expiresAt: new Date(now + 3600_000) },
    ],
  });
  await prisma.invite.create({ data: { tokenHash: `old-${user.id}`, userId: user.id, expiresAt: new Date(now - 1000) } });
  await prisma.loginAttempt.createMany({
    data: [
      { ip: '10.0.0.1', succeeded: false, at: new Date(now - 8 * 24 * 3600_000) },
      { ip: '10.0.0.1', succeeded: false, at: new Date(now - 60_000) },
    ],
  });
  await prisma.signInThrottle.createMany({
    data: [
      { scope: 'address', address: '10.0.0.1', failures: 30, windowEndsAt: new Date(now - 1000) },
      { scope: 'address', address: '10.0.0.2', failures: 3, windowEndsAt: new Date(now + 60_000) },
    ],
  });
}

/** Runs the queues as a worker node does (schedules + workers) and waits for one purge. */
async function runOnePurge(t: TestServices) {
  const workers = await startWorkers(t.services.broker, t.services);
  const worker = workers.find((w) => w.name === QUEUES.maintenance.name)!;
  const result = await new Promise<unknown>((resolve, reject) => {
    worker.on('completed', (_job, value) => resolve(value));
    worker.on('failed', (_job, error) => reject(error));
  });
  return result;
}

describe('maintenance jobs on the PostgreSQL backend (local mode)', () => {
  let t: TestServices;
  beforeAll(async () => {
    t = await openTestServices();
  });
  afterAll(() => t.close());

  it('purges what has expired through the queue, and keeps what is live', async () => {
    await litter(t);
    expect(t.services.broker.backend).toBe('postgres');
    expect(await runOnePurge(t)).toEqual({ sessions: 1, invites: 1, loginAttempts: 1, signInBudgets: 1 });
    expect(await t.services.db.prisma.session.count()).toBe(1);
    expect(await purgeExpired(t.services.db.prisma, t.clock)).toEqual({ sessions: 0, invites: 0, loginAttempts: 0, signInBudgets: 0 });
  });
});

// Without redis-server (outside CI), tests/setup/redis.ts prints why these are skipped.
describe.runIf(redisAvailable)('with Redis (production: several web and worker nodes)', () => {
  let redis: { url: string; stop(): Promise<void> };
  let a: TestServices;
  let b: TestServices;

  beforeAll(async () => {
    redis = await startRedis();
    a = await openTestServices({ REDIS_URL: redis.url });
    b = await openTestServices({ REDIS_URL: redis.url });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  it('runs the same jobs on BullMQ’s Redis backend', async () => {
    await litter(a);
    expect(a.services.broker.backend).toBe('redis');
    expect(await runOnePurge(a)).toEqual({ sessions: 1, invites: 1, loginAttempts: 1, signInBudgets: 1 });
  });

  it('reports Redis in /readyz', async () => {
    const server = await startTestServer(a.services);
    try {
      const ready = await fetch(`${server.url}/readyz`);
      expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', queues: 'ok' }, queueBackend: 'redis' });
    } finally {
      await server.close();
    }
  });
});
