import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { startLocalPostgres } from './db/local-postgres.ts';
import { migrate } from './db/migrate.ts';
import { openJobBroker, type JobBroker } from './jobs/jobs.broker.ts';
import { startWorkers } from './jobs/jobs.queues.ts';
import type { Logger } from './logger.ts';
import { createServices, type Services } from './services.ts';

export interface OpenOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
  /**
   * Local mode only. A server owns the embedded PostgreSQL (`exclusive`); the command-line tool
   * shares the running server's, or starts one for the time of the command.
   */
  localPostgres?: 'exclusive' | 'shared';
  /** Connections in the pool; DATABASE_POOL_SIZE by default. */
  poolSize?: number;
  /** Namespaces queue names (tests run side by side on one Redis). */
  queuePrefix?: string;
  /** Schedule the repeated jobs and run every queue's worker in this process. */
  workers?: boolean;
}

/** Relance, opened: its services, and what they stand on. */
export interface Relance {
  services: Services;
  db: Database;
  broker: JobBroker;
  databaseUrl: string;
  /** Closes everything in the reverse order of opening: workers finish the job in hand first. */
  close(): Promise<void>;
}

/**
 * Opens Relance: PostgreSQL (the embedded server in local mode), the migrations, the job broker
 * (with its own store), the services, and the workers when asked. The web and worker processes,
 * the command-line tool, the tests and the benchmarks all open it here, so they cannot differ.
 * A step that fails closes what the earlier steps opened.
 */
export async function openRelance(options: OpenOptions): Promise<Relance> {
  const { config, log } = options;
  const opened: (() => Promise<void>)[] = [];
  const close = async () => {
    while (opened.length > 0) await opened.pop()!();
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const local = await startLocalPostgres({ dataDir: config.dataDir, exclusive: options.localPostgres !== 'shared' });
      opened.push(() => local.stop());
      databaseUrl = local.url;
    }
    const db = openDatabase(databaseUrl, { poolSize: options.poolSize ?? config.databasePoolSize, log });
    opened.push(() => db.close());
    const applied = await migrate(db.pool);
    if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');

    const broker = await openJobBroker({ databaseUrl, redisUrl: config.redisUrl, prefix: options.queuePrefix });
    opened.push(() => broker.close());
    const services = createServices({ db, broker, clock: options.clock ?? systemClock, config, log });
    opened.push(() => services.liveTurnout.close());
    if (options.workers) await startWorkers(broker, services);

    return { services, db, broker, databaseUrl, close };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}
