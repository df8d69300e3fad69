import { DelayedError, UnrecoverableError, type Job, type JobsOptions, type Queue, type WorkerOptions } from 'bullmq';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { PrismaClient } from '../db/database.ts';
import type { JobBroker } from '../jobs/jobs.broker.ts';
import type { Logger } from '../logger.ts';
import { quietHoursEnd } from './sms.guards.ts';
import { sendErrorOf, SmsSendError, type SmsProvider } from './sms.providers.ts';
import { exclusionOf, recipientFacts, SENT_OR_SENDING } from './sms.recipients.ts';

/**
 * Sending the outbox (docs/sms.md). The outbox row is the truth; the queue only schedules and
 * paces. A job flips its row from pending to sending in one conditional update (no row: another
 * worker has it, or it was canceled; nothing to do), checks the guards again, sends, and records
 * the SID. A row left in `sending` by a crash is never sent again blindly: `reconcile` looks for it
 * in the provider's log, and hands what it cannot find to a person.
 */

export const SMS_QUEUE = 'sms';
export const RECONCILE_JOB = 'sms-reconcile';

export interface SmsJobData {
  messageId: number;
}

/** Retries of a text that Twilio rate-limited or could not be reached for: about 17 minutes in all. */
const SMS_ATTEMPTS = 10;

/** One job per outbox row; its id makes a second add of the same row a no-op while the job exists. */
export function smsJob(messageId: number, delayMs = 0): { name: string; data: SmsJobData; opts: JobsOptions } {
  return {
    name: 'text',
    data: { messageId },
    opts: {
      jobId: `sms-${messageId}`,
      delay: Math.max(0, delayMs),
      attempts: SMS_ATTEMPTS,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 1000 },
    },
  };
}

/**
 * Queues a row again (to be sent anew). The job of its first send may still be kept (completed):
 * with the same id, it would swallow the new one, so it is removed first. A job still locked by a
 * worker cannot be removed: that throws, and nothing is added.
 */
export async function queueAgain(queue: Queue<SmsJobData>, messageId: number): Promise<void> {
  const job = smsJob(messageId);
  await queue.remove(job.opts.jobId!);
  await queue.add(job.name, job.data, job.opts);
}

/**
 * The worker's options: ONE rate limit for the queue, which BullMQ applies across every worker of
 * every node, so SMS_RATE_PER_SECOND is what Twilio sees however many nodes run. Enough jobs run at
 * once to keep that rate when a send (three queries and Twilio's answer) takes half a second. A
 * crashed worker's jobs come back after 10 s (the lock), not BullMQ's default 30 s.
 *
 * A rate-limited worker sleeps for the time left in the limiter's window as the last answer gave it,
 * counted from when that answer arrived: when many sends end together, the answer comes late and
 * the worker oversleeps into the next window (on PostgreSQL, 40–130 ms a second: 44 texts/s for
 * 50). Waking at least every 100 ms to ask again keeps the rate within a percent.
 */
export function smsWorkerOptions(config: Config): Partial<WorkerOptions> {
  const rate = config.sms.ratePerSecond;
  const limiter = rate >= 1 ? { max: Math.round(rate), duration: 1000 } : { max: 1, duration: Math.round(1000 / rate) };
  return {
    limiter,
    concurrency: Math.min(100, Math.max(4, Math.ceil(rate / 2))),
    maximumRateLimitDelay: 100,
    lockDuration: 10_000,
    stalledInterval: 5_000,
    maxStalledCount: 5,
  };
}

interface Dependencies {
  prisma: PrismaClient;
  clock: Clock;
  config: Config;
  provider: SmsProvider;
  broker: JobBroker;
  log: Logger;
}

export type SendOutcome = 'sent' | 'skipped' | 'canceled' | 'unknown';

export function createSmsDelivery({ prisma, clock, config, provider, broker, log }: Dependencies) {
  let queue: Queue<SmsJobData> | undefined;
  const smsQueue = () => (queue ??= broker.queue<SmsJobData>(SMS_QUEUE));

  async function backToPending(messageId: number, undoAttempt: boolean) {
    await prisma.$executeRaw`
      UPDATE outbound_message SET status = 'pending', updated_at = ${clock.now()},
        attempts = attempts - ${undoAttempt ? 1 : 0}
      WHERE id = ${messageId} AND status = 'sending'`;
  }

  async function fail(messageId: number, failure: SmsSendError) {
    await prisma.outboundMessage.updateMany({
      where: { id: messageId, status: 'sending' },
      data: { status: 'failed', errorCode: failure.code, errorMessage: failure.message },
    });
  }

  return {
    /** Sends one outbox row (a job of the `sms` queue). */
    async send(job: Job<SmsJobData>, token?: string): Promise<SendOutcome> {
      const messageId = job.data.messageId;
      const now = clock.now();
      const [row] = await prisma.$queryRaw<{ voter_id: number; to_phone: string; body: string }[]>`
        UPDATE outbound_message SET status = 'sending', attempts = attempts + 1, updated_at = ${now}
        WHERE id = ${messageId} AND status = 'pending'
        RETURNING voter_id, to_phone, body`;
      if (!row) return 'skipped';

      const facts = await recipientFacts(prisma, row.voter_id, SENT_OR_SENDING, messageId);
      const exclusion = facts ? exclusionOf(facts, now, config.sms) : 'no_phone';
      if (exclusion === 'quiet_hours') {
        // Held, not canceled: back to pending, and the job waits for the end of the quiet hours.
        const until = quietHoursEnd(now, facts!.timezone, config.sms.quietHours)!;
        await backToPending(messageId, true);
        await job.moveToDelayed(Date.now() + (until.getTime() - now.getTime()), token);
        throw new DelayedError();
      }
      if (exclusion) {
        await prisma.outboundMessage.updateMany({
          where: { id: messageId, status: 'sending' },
          data: { status: 'canceled', cancelReason: exclusion, updatedAt: now },
        });
        return 'canceled';
      }

      try {
        const { sid } = await provider.send({ to: row.to_phone, body: row.body });
        await prisma.outboundMessage.updateMany({
          where: { id: messageId, status: 'sending' },
          data: { status: 'sent', providerSid: sid, sentAt: clock.now() },
        });
        return 'sent';
      } catch (error) {
        const failure = error instanceof SmsSendError ? error : sendErrorOf(error);
        if (failure.outcome === 'unknown') {
          // Twilio may have accepted it: sending it again could text the person twice. It stays in
          // `sending` for reconcile(). Never the number or the text in the log.
          log.warn({ messageId, code: failure.code }, 'text left for reconciliation: the provider may have accepted it');
          return 'unknown';
        }
        const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        if (failure.outcome === 'retry' && !lastAttempt) {
          await backToPending(messageId, false);
          throw new Error(`text ${messageId} not accepted yet (${failure.code}); retried later`);
        }
        await fail(messageId, failure);
        throw new UnrecoverableError(`text ${messageId} failed (${failure.code})`);
      }
    },

    /**
     * Rows left in `sending` for longer than SMS_RECONCILE_AFTER_SECONDS (a crash, an unanswered
     * request): found in the provider's log, they are sent; not found, a person decides (the Outbox
     * page). With the local provider, which sends nothing anywhere, they are queued again. With
     * `requeue` (when a worker starts), pending rows as old are queued again, in case a crash came
     * between saving them and queuing them: their job id makes that a no-op when their job still
     * exists.
     */
    async reconcile(options: { requeue: boolean }): Promise<{ sent: number; review: number; requeued: number }> {
      const cutoff = new Date(clock.now().getTime() - config.sms.reconcileAfterSeconds * 1000);
      const stuck = await prisma.outboundMessage.findMany({
        where: { status: 'sending', reviewReason: null, updatedAt: { lt: cutoff } },
        select: { id: true, toPhone: true, body: true, updatedAt: true },
        orderBy: { id: 'asc' },
        take: 1000,
      });
      let sent = 0;
      let review = 0;
      let resent = 0;
      for (const message of stuck) {
        if (provider.name === 'local') {
          // Nothing leaves the machine: a text left in `sending` reached nobody, and is sent again.
          const back = await prisma.outboundMessage.updateMany({
            where: { id: message.id, status: 'sending' },
            data: { status: 'pending', updatedAt: clock.now() },
          });
          if (back.count === 0) continue;
          // A job still locked by a worker stays: the row waits, pending, for the next worker to
          // start, which queues it again (`requeue`).
          await queueAgain(smsQueue(), message.id).catch(() => {});
          resent += 1;
          continue;
        }
        // Twilio's clock and ours may differ: look a little before the flip to `sending`.
        const since = new Date(message.updatedAt.getTime() - 5 * 60_000);
        const found = await provider.findAccepted({ to: message.toPhone, body: message.body, since }).catch((error: unknown) => {
          log.warn({ messageId: message.id, code: sendErrorOf(error).code }, 'could not look the text up at the provider; will try again');
          return undefined;
        });
        if (found === undefined) continue;
        // The same words may have gone to the same person from another list: a SID already on a row is not this one.
        const taken = new Set(
          (await prisma.outboundMessage.findMany({ where: { providerSid: { in: found } }, select: { providerSid: true } })).map(
            (other) => other.providerSid,
          ),
        );
        const sid = found.find((candidate) => !taken.has(candidate));
        if (sid) {
          sent += (
            await prisma.outboundMessage.updateMany({
              where: { id: message.id, status: 'sending' },
              data: { status: 'sent', providerSid: sid, sentAt: clock.now() },
            })
          ).count;
          continue;
        }
        review += (
          await prisma.outboundMessage.updateMany({
            where: { id: message.id, status: 'sending' },
            data: { reviewReason: 'not_found_at_provider' },
          })
        ).count;
      }
      const pending = !options.requeue
        ? []
        : await prisma.outboundMessage.findMany({
            where: { status: 'pending', updatedAt: { lt: cutoff } },
            select: { id: true },
            orderBy: { id: 'asc' },
          });
      for (let start = 0; start < pending.length; start += 5000) {
        await smsQueue().addBulk(pending.slice(start, start + 5000).map((message) => smsJob(message.id)));
      }
      if (sent + review + resent > 0) log.info({ sent, review, resent }, 'texts left in sending reconciled');
      return { sent, review, requeued: pending.length + resent };
    },
  };
}

export type SmsDelivery = ReturnType<typeof createSmsDelivery>;
