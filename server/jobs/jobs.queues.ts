import type { Job } from 'bullmq';
import type { Services } from '../services.ts';
import type { JobBroker } from './jobs.broker.ts';
import { purgeExpired } from './maintenance.job.ts';

/** A queue and what runs its jobs. */
export interface QueueDefinition {
  name: string;
  /** Jobs of this queue one worker runs at once. */
  concurrency: number;
  run(job: Job, services: Services): Promise<unknown>;
  /** Repeated jobs: one schedule per id, however many nodes start. */
  schedules?: { id: string; every: number }[];
}

/**
 * Every background queue of Relance, in one place. A new kind of background work (the SMS outbox,
 * say) adds its queue here; opening Relance with workers schedules and runs them all.
 */
export const QUEUES = {
  maintenance: {
    name: 'maintenance',
    concurrency: 1,
    run: (_job, services) => purgeExpired(services.db.prisma, services.clock),
    schedules: [{ id: 'purge-expired', every: 15 * 60_000 }],
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
  return definitions.map((definition) =>
    broker.worker(definition.name, (job) => definition.run(job, services), { concurrency: definition.concurrency }),
  );
}
