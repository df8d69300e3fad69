import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { openRelance } from '../../server/relance.ts';
import type { Services } from '../../server/services.ts';

/**
 * The services, as the web server builds them, for one command. In local mode the command uses the
 * running server's database, or starts the embedded PostgreSQL for the time of the command.
 */
export async function withServices<T>(run: (services: Services) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const relance = await openRelance({ config, log, localPostgres: 'shared', poolSize: 4 });
  try {
    return await run(relance.services);
  } finally {
    await relance.close();
  }
}
