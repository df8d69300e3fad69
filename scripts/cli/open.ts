import { loadConfig, type Config } from '../../server/config.ts';
import { runningServerAddress } from '../../server/local-address.ts';
import { createLogger } from '../../server/logger.ts';
import { openRelance } from '../../server/relance.ts';
import type { Services } from '../../server/services.ts';

/**
 * In local mode without PUBLIC_URL, links are built on the address of the server running on the same
 * data (it may listen on another PORT than this command was given), when one runs.
 */
function withRunningServerAddress(config: Config): Config {
  if (!config.localMode || config.publicUrlConfigured) return config;
  const publicUrl = runningServerAddress(config.dataDir);
  return publicUrl ? { ...config, publicUrl } : config;
}

/**
 * The services, as the web server builds them, for one command. In local mode the command uses the
 * running server's database, or starts the embedded PostgreSQL for the time of the command.
 */
export async function withServices<T>(run: (services: Services) => Promise<T>): Promise<T> {
  const config = withRunningServerAddress(loadConfig());
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const relance = await openRelance({ config, log, localPostgres: 'shared', poolSize: 4 });
  try {
    return await run(relance.services);
  } finally {
    await relance.close();
  }
}
