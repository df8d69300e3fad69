import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../server/app.ts';
import { parseConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { createMetrics } from '../../server/monitoring/monitoring.metrics.ts';
import { createRealtime, type Realtime } from '../../server/realtime/realtime.server.ts';
import { openRelance } from '../../server/relance.ts';
import type { Services } from '../../server/services.ts';
import { TestClock } from './clock.ts';
import { createTestDatabase } from './database.ts';

export interface TestServices {
  services: Services;
  clock: TestClock;
  databaseUrl: string;
  close(): Promise<void>;
}

/**
 * Relance opened exactly as the web process opens it (server/relance.ts), on a database of the
 * test file's own, with queues under a name prefix of their own and a clock the test controls.
 */
export async function openTestServices(
  env: Record<string, string | undefined> = {},
  options: { queuePrefix?: string } = {},
): Promise<TestServices> {
  const database = await createTestDatabase();
  const config = parseConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent', PUBLIC_URL: 'http://localhost:3000', ...env });
  const clock = new TestClock();
  const relance = await openRelance({
    config,
    log: createLogger('silent'),
    clock,
    poolSize: 5,
    // A worker process started by the test (server/worker.ts) uses the default prefix.
    queuePrefix: options.queuePrefix ?? `test-${randomBytes(4).toString('hex')}`,
  });
  return {
    services: relance.services,
    clock,
    databaseUrl: database.url,
    async close() {
      await relance.close();
      await database.discard();
    },
  };
}

/**
 * The web app (API, pages, Socket.io) on a random local port, as server/web.ts assembles it. Pages
 * need the production build, which integration tests do not make: with `pages`, Vite's middleware
 * serves them as `npm run dev` does (the same loaders and actions, compiled on first request).
 */
export async function startTestServer(
  services: Services,
  options: { pages?: boolean } = {},
): Promise<{ url: string; realtime: Realtime; close(): Promise<void> }> {
  const metrics = createMetrics();
  const server = http.createServer();
  const vite = options.pages ? await pagesThroughVite() : undefined;
  server.on('request', createApp(services, metrics, vite));
  const realtime = createRealtime(server, services, metrics);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    realtime,
    async close() {
      await realtime.close();
      await vite?.close();
    },
  };
}

/** Vite in middleware mode, as `npm run dev` runs it, without hot reload or file watching. */
async function pagesThroughVite() {
  const { createServer } = await import('vite');
  return createServer({ server: { middlewareMode: true, hmr: false, watch: null }, appType: 'custom', logLevel: 'silent' });
}
