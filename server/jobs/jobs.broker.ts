import {
  createPostgresBackend,
  createRedisBackend,
  runMigrations,
  withBackend,
  type BackendClasses,
  type IQueueBackend,
  type Processor,
  type Queue,
  type Worker,
  type WorkerOptions,
} from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * BullMQ schedules and paces background work; PostgreSQL stays the record of what was decided.
 * With REDIS_URL, queues live in Redis (production, several nodes); without, in BullMQ's
 * PostgreSQL backend, in the same database (local mode: nothing else to install).
 * See docs/decisions/006-bullmq-backends.md.
 */
export interface JobBroker {
  readonly backend: 'postgres' | 'redis';
  queue<Data>(name: string): Queue<Data>;
  worker<Data>(name: string, processor: Processor<Data>, options?: Partial<WorkerOptions>): Worker<Data>;
  /** Throws when the queue store cannot be reached (used by /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface BrokerOptions {
  databaseUrl: string;
  redisUrl?: string;
  /** Namespaces queue names (tests run side by side on one Redis). */
  prefix?: string;
}

type AnyClasses = BackendClasses<IQueueBackend, unknown>;

/** BullMQ keeps its PostgreSQL tables in their own schema; openJobBroker creates or upgrades it. */
export async function migrateJobStore(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await runMigrations(client);
  } finally {
    await client.end();
  }
}

/**
 * The broker, on Redis or on PostgreSQL. On PostgreSQL, BullMQ's own tables are migrated first:
 * its queues cannot run before them, so the broker is only handed out once they exist.
 */
export async function openJobBroker(options: BrokerOptions): Promise<JobBroker> {
  if (!options.redisUrl) await migrateJobStore(options.databaseUrl);
  return createJobBroker(options);
}

function createJobBroker(options: BrokerOptions): JobBroker {
  const prefix = options.prefix ?? 'relance';
  let classes: AnyClasses;
  let connection: unknown;
  let ping: () => Promise<void>;
  let closeStore = async () => {};

  if (options.redisUrl) {
    // Workers block on Redis: BullMQ requires maxRetriesPerRequest: null on their connections.
    const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
    redis.on('error', () => {}); // reconnects on its own; /readyz reports the outage
    classes = withBackend(createRedisBackend) as unknown as AnyClasses;
    connection = redis;
    // Once the connection was lost, ioredis holds commands until it reconnects: /readyz would wait
    // for its timeout, and a probe polling it would learn of the outage late. Lost is not ready.
    let connected = false;
    redis.on('ready', () => (connected = true));
    redis.on('close', () => (connected = false));
    let everConnected = false;
    redis.once('ready', () => (everConnected = true));
    ping = async () => {
      if (everConnected && !connected) throw new Error(`Redis is not connected (${redis.status})`);
      await redis.ping();
    };
    closeStore = async () => {
      redis.disconnect();
    };
  } else {
    classes = withBackend(createPostgresBackend) as unknown as AnyClasses;
    connection = { connectionString: options.databaseUrl, max: 4 };
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 1 });
    pool.on('error', () => {});
    ping = async () => {
      await pool.query('SELECT version FROM bullmq.migration LIMIT 1');
    };
    closeStore = () => pool.end();
  }

  const queues: Queue[] = [];
  const workers: Worker[] = [];
  return {
    backend: options.redisUrl ? 'redis' : 'postgres',
    queue<Data>(name: string) {
      const queue = new classes.Queue<Data>(name, { connection, prefix });
      queues.push(queue as unknown as Queue);
      return queue as unknown as Queue<Data>;
    },
    worker<Data>(name: string, processor: Processor<Data>, workerOptions: Partial<WorkerOptions> = {}) {
      const worker = new classes.Worker<Data>(name, processor, { ...workerOptions, connection, prefix });
      workers.push(worker as unknown as Worker);
      return worker as unknown as Worker<Data>;
    },
    ping,
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      await Promise.all(queues.map((queue) => queue.close()));
      await closeStore();
    },
  };
}
