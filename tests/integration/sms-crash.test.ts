import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTwilio, type FakeTwilio } from '../../scripts/fake-twilio/fake-twilio.ts';
import { createSmallElection, createTextList, createTextTemplate, createVoters } from '../factories.ts';
import { signedIn } from '../fixtures.ts';
import { redisAvailable, startRedis } from '../setup/redis.ts';
import { openTestServices, type TestServices } from '../setup/services.ts';

/**
 * A worker node (`npm run worker`, server/worker.ts) killed with SIGKILL in the middle of a list of
 * 2,000 texts, then started again: every text reaches the fake Twilio once, or waits for a person;
 * none twice. On both queue backends. The worker runs on the real clock, so the election's polls
 * here are open now.
 */

const TEXTS = 2000;

const BACKENDS = [
  { backend: 'postgres', redis: false },
  { backend: 'redis', redis: true },
] as const;

describe.each(BACKENDS)('a worker node killed while sending, on the $backend queue backend', ({ redis: onRedis }) => {
  const skip = onRedis && !redisAvailable;
  let redis: { url: string; stop(): Promise<void> } | undefined;
  let fake: FakeTwilio;
  let t: TestServices;
  let workerEnv: Record<string, string>;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    if (skip) return;
    redis = onRedis ? await startRedis() : undefined;
    fake = await startFakeTwilio();
    const sms = {
      SMS_PROVIDER: 'twilio',
      SMS_RATE_PER_SECOND: '400',
      SMS_QUIET_HOURS: 'none',
      SMS_RECONCILE_AFTER_SECONDS: '2',
      TWILIO_ACCOUNT_SID: fake.accountSid,
      TWILIO_AUTH_TOKEN: fake.authToken,
      TWILIO_FROM_NUMBER: '+33639980000',
      TWILIO_API_URL: fake.url,
      PUBLIC_URL: 'http://localhost:3000',
      ...(redis ? { REDIS_URL: redis.url } : {}),
    };
    // The worker node queues under the default prefix: so does this process.
    t = await openTestServices(sms, { queuePrefix: 'relance' });
    t.clock.set(new Date().toISOString());
    workerEnv = { ...sms, DATABASE_URL: t.databaseUrl, LOG_LEVEL: 'info' };
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (skip) return;
    await t?.close();
    await fake?.close();
    await redis?.stop();
  });

  /** `npm run worker`, resolved once it says it is ready. */
  async function startWorkerNode(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/worker.ts'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...workerEnv },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('worker ready')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`the worker node exited (${code}) before it was ready`)));
    });
    return child;
  }

  it.skipIf(skip)(
    'sends every text exactly once, or flags it for a person, across a SIGKILL and a restart',
    async () => {
      const prisma = t.services.db.prisma;
      const election = await createSmallElection(t.services);
      const now = Date.now();
      await prisma.election.update({
        where: { id: election.id },
        data: { pollsOpenAt: new Date(now - 3600_000), pollsCloseAt: new Date(now + 24 * 3600_000) },
      });
      const voters = await createVoters(
        t.services,
        election.id,
        Array.from({ length: TEXTS }, (_, i) => ({
          external_id: `K${i + 1}`,
          phone: `+336399${String(80_000 + i).padStart(5, '0')}`,
          station_code: i % 2 ? '0101' : '0102',
          list_number: i + 1,
        })),
      );
      const list = await createTextList(
        t.services,
        election.id,
        [...voters.values()].map((voter) => voter.id),
      );
      const template = await createTextTemplate(t.services, election.id);
      const coordinator = await signedIn(t.services, 'coordinator');

      const first = await startWorkerNode();
      expect((await t.services.sms.sendListTexts(coordinator.principal, list.id, template.id)).queued).toBe(TEXTS);
      while (fake.accepted.length < TEXTS / 4) await new Promise((resolve) => setTimeout(resolve, 10));
      const killed = new Promise((resolve) => first.once('exit', resolve));
      first.kill('SIGKILL');
      await killed;
      const acceptedAtKill = fake.accepted.length;
      expect(acceptedAtKill).toBeLessThan(TEXTS);

      const second = await startWorkerNode();
      const deadline = Date.now() + 60_000;
      for (;;) {
        const busy = await prisma.outboundMessage.count({
          where: { listId: list.id, status: { in: ['pending', 'sending'] }, reviewReason: null },
        });
        if (busy === 0) break;
        if (Date.now() > deadline) throw new Error(`${busy} texts still pending or sending a minute after the restart`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      second.kill('SIGTERM');

      const rows = await prisma.outboundMessage.findMany({ where: { listId: list.id } });
      const sent = rows.filter((row) => row.status === 'sent');
      const review = rows.filter((row) => row.status === 'sending' && row.reviewReason === 'not_found_at_provider');
      // Every text is sent or waits for a person; nothing else happened to any.
      expect(sent.length + review.length).toBe(TEXTS);
      // Twilio's log: one text per person, and each is a sent row's, SID for SID.
      const phones = fake.accepted.map((message) => message.to);
      expect(new Set(phones).size).toBe(phones.length);
      expect(fake.accepted.length).toBe(sent.length);
      expect(new Set(sent.map((row) => row.providerSid))).toEqual(new Set(fake.accepted.map((message) => message.sid)));
      // A text flagged for review is one Twilio never took.
      expect(review.filter((row) => phones.includes(row.toPhone))).toEqual([]);
      expect(acceptedAtKill).toBeGreaterThanOrEqual(TEXTS / 4);
    },
    120_000,
  );
});
