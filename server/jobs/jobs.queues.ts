import type { Job, WorkerOptions } from 'bullmq';
import type { Config } from '../config.ts';
import { RECONCILE_JOB, SMS_QUEUE, smsWorkerOptions, type SmsJobData } from '../messaging/sms.worker.ts';
import type { Services } from '../services.ts';
import type { JobBroker } from './jobs.broker.ts';
import { purgeExpired } from './maintenance.job.ts';

/** A queue and what runs its jobs. */
export interface QueueDefinition {
  name: string;
  /** Jobs of this queue one worker runs at once. */
  concurrency: number;
  /** `token` is the job's lock, for a job that puts itself back to wait (moveToDelayed). */
  run(job: Job, services: Services, token?: string): Promise<unknown>;
  /** Repeated jobs: one schedule per id, however many nodes start. */
  schedules?: { id: string; every: number }[];
  /** Worker options that come from the configuration (a rate limit); they override `concurrency`. */
  workerOptions?(config: Config): Partial<WorkerOptions>;
  /** Runs once in each process that starts this queue's worker, before the worker (recovery after a crash). */
  atStart?(services: Services): Promise<unknown>;
}

/**
 * Every background queue of Relance, in one place. A new kind of background work adds its queue
 * here; opening Relance with workers schedules and runs them all.
 */
export const QUEUES = {
  maintenance: {
    name: 'maintenance',
    concurrency: 1,
    run: (_job, services) => purgeExpired(services.db.prisma, services.clock),
    schedules: [{ id: 'purge-expired', every: 15 * 60_000 }],
  },
  /** The SMS outbox (docs/sms.md): one job per text, paced by one limit for the whole deployment. */
  sms: {
    name: SMS_QUEUE,
    concurrency: 1,
    run: (job, services, token) =>
      job.name === RECONCILE_JOB
        ? services.sms.delivery.reconcile({ requeue: false })
        : services.sms.delivery.send(job as Job<SmsJobData>, token),
    schedules: [{ id: RECONCILE_JOB, every: 15_000 }],
    workerOptions: smsWorkerOptions,
    atStart: (services) => services.sms.delivery.reconcile({ requeue: true }),
  },
} as const satisfies Record<string, QueueDefinition>;

/** Upserts every queue's repeated jobs, then starts a worker per queue. */
export async function startWorkers(broker: JobBroker, services: Services) {
  const definitions: QueueDefinition[] = Object.values(QUEUES);
  for (const definition of definitions) {
    const queue = broker.queue(definition.name);
    for (const schedule of definition.schedules ?? []) {
      await queue.upsertJobScheduler(
        schedule.id,
        { every: schedule.every },
        { name: schedule.id, opts: { removeOnComplete: 100, removeOnFail: 100 } },
      );
    }
  }
  for (const definition of definitions) await definition.atStart?.(services);
  return definitions.map((definition) =>
    broker.worker(definition.name, (job, token) => definition.run(job, services, token), {
      concurrency: definition.concurrency,
      ...definition.workerOptions?.(services.config),
    }),
  );
}
