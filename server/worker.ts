/**
 * A worker node (production): runs background jobs from the queues. Any number can run beside
 * the web nodes. In local mode the web process runs the jobs itself, so there is no worker to start.
 */
import { loadConfigOrExit } from './config.ts';
import { createLogger } from './logger.ts';
import { openRelance } from './relance.ts';

const config = loadConfigOrExit();
const log = createLogger(config.logLevel);
if (!config.databaseUrl) {
  console.error('A worker node needs DATABASE_URL (in local mode, `npm start` runs the jobs in its own process).');
  process.exit(1);
}

const relance = await openRelance({ config, log, workers: true });
log.info({ queueBackend: relance.broker.backend }, 'worker ready');

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) process.exit(1);
  stopping = true;
  log.info({ signal }, 'shutting down');
  // Workers finish the job in hand before closing; then the database goes.
  await relance.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
