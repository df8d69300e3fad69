/**
 * A worker node (production): runs background jobs from the queues. Any number can run beside
 * the web nodes. In local mode the web process runs the jobs itself, so there is no worker to start.
 */
import { systemClock } from './clock.ts';
import { loadConfigOrExit } from './config.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { createJobBroker, migrateJobStore } from './jobs/jobs.broker.ts';
import { scheduleMaintenance, startMaintenanceWorker } from './jobs/maintenance.job.ts';
import { createLogger } from './logger.ts';

const config = loadConfigOrExit();
const log = createLogger(config.logLevel);
if (!config.databaseUrl) {
  console.error('A worker node needs DATABASE_URL (in local mode, `npm start` runs the jobs in its own process).');
  process.exit(1);
}

const db = openDatabase(config.databaseUrl, { poolSize: config.databasePoolSize, log });
await migrate(db.pool);
if (!config.redisUrl) await migrateJobStore(config.databaseUrl);
const broker = createJobBroker({ databaseUrl: config.databaseUrl, redisUrl: config.redisUrl });
await scheduleMaintenance(broker);
startMaintenanceWorker(broker, db.prisma, systemClock);
log.info({ queueBackend: broker.backend }, 'worker ready');

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) process.exit(1);
  stopping = true;
  log.info({ signal }, 'shutting down');
  // Workers finish the job in hand before closing; then the database goes.
  await broker.close();
  await db.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
