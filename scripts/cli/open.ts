import { systemClock } from '../../server/clock.ts';
import { loadConfig } from '../../server/config.ts';
import { openDatabase } from '../../server/db/database.ts';
import { startLocalPostgres } from '../../server/db/local-postgres.ts';
import { migrate } from '../../server/db/migrate.ts';
import { createJobBroker } from '../../server/jobs/jobs.broker.ts';
import { createLogger } from '../../server/logger.ts';
import { createServices, type Services } from '../../server/services.ts';

/**
 * The services, as the web server builds them, for one command. In local mode the command uses the
 * running server's database, or starts the embedded PostgreSQL for the time of the command.
 */
export async function withServices<T>(run: (services: Services) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const local = config.databaseUrl ? undefined : await startLocalPostgres({ dataDir: config.dataDir, exclusive: false });
  const databaseUrl = config.databaseUrl ?? local!.url;
  const db = openDatabase(databaseUrl, { poolSize: 4, log });
  const broker = createJobBroker({ databaseUrl, redisUrl: config.redisUrl });
  try {
    await migrate(db.pool);
    return await run(createServices({ db, broker, clock: systemClock, config, log }));
  } finally {
    await broker.close();
    await db.close();
    await local?.stop();
  }
}
