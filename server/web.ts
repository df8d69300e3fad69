/**
 * The web process: pages, JSON API, Socket.io and monitoring on one port.
 * Without DATABASE_URL it is "local mode": an embedded PostgreSQL, jobs in-process, a demo election.
 */
import http from 'node:http';
import { createApp } from './app.ts';
import { loadConfigOrExit } from './config.ts';
import { LocalPostgresError } from './db/local-postgres.ts';
import { loadDemo } from './demo/demo.ts';
import { publishLocalAddress } from './local-address.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './monitoring/monitoring.metrics.ts';
import { createRealtime } from './realtime/realtime.server.ts';
import { openRelance, type Relance } from './relance.ts';
import { startDemoSimulation } from './simulator/simulator.demo.ts';

const started = performance.now();
const config = loadConfigOrExit();
const log = createLogger(config.logLevel);

if (config.localMode) log.info({ dataDir: config.dataDir }, 'local mode: starting the embedded PostgreSQL');
let relance: Relance;
try {
  relance = await openRelance({ config, log, localPostgres: 'exclusive', workers: config.runWorkers });
} catch (error) {
  if (!(error instanceof LocalPostgresError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const { services } = relance;

if (config.localMode && !(await services.elections.current())) {
  log.info({ voters: config.demoVoters }, 'empty database: loading the Paris demo election');
  await loadDemo(services, { voters: config.demoVoters });
}

const metrics = createMetrics();
const httpServer = http.createServer();
const vite = config.development
  ? await (await import('vite')).createServer({ server: { middlewareMode: true, hmr: { server: httpServer } }, appType: 'custom' })
  : undefined;
httpServer.on('request', createApp(services, metrics, vite));
const realtime = createRealtime(httpServer, services, metrics);

await new Promise<void>((resolve, reject) => {
  httpServer.once('error', reject);
  httpServer.listen(config.port, config.host, resolve);
});
const address = httpServer.address();
const port = typeof address === 'object' && address ? address.port : config.port;
log.info(
  { port, host: config.host, mode: config.localMode ? 'local' : 'production', startupMs: Math.round(performance.now() - started) },
  'Relance is ready',
);

if (config.localMode) {
  // For the command-line tool's links (`relance invite`), which may run with another PORT.
  const unpublish = publishLocalAddress(config.dataDir, config.publicUrlConfigured ? config.publicUrl : `http://localhost:${port}`);
  process.on('exit', unpublish);
  const admin = await services.db.prisma.user.findFirst({ where: { role: 'admin', disabledAt: null }, orderBy: { id: 'asc' } });
  const link = admin ? await services.accounts.createSignInLink(admin.id, null) : undefined;
  const url = `http://localhost:${port}`;
  console.log(
    [
      '',
      `  Relance is running at ${url}`,
      link ? `  Sign in as ${admin!.name} with this one-time link: ${link.url.replace(config.publicUrl, url)}` : '',
      config.demoSimulation
        ? `  The demo plays a simulated polling day (12 hours in about ${Math.max(1, Math.round(720 / config.demoSimulationSpeed))} min); DEMO_SIMULATION=false turns it off.`
        : '',
      '  Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
}

// The demo's polling day, played through this server's own API as phones would (docs/watchers.md).
// Loopback, whatever address the server listens on.
const loopback = ['0.0.0.0', '::', '127.0.0.1', 'localhost'].includes(config.host) ? '127.0.0.1' : config.host;
const simulator = config.demoSimulation
  ? startDemoSimulation(services, {
      baseUrl: `http://${loopback.includes(':') ? `[${loopback}]` : loopback}:${port}`,
      speed: config.demoSimulationSpeed,
      log,
    })
  : Promise.resolve(undefined);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) {
    log.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  stopping = true;
  log.info({ signal }, 'shutting down');
  try {
    // Reverse order of start. The simulator first: it sends requests to this server. Socket.io's
    // close also closes the HTTP server: no new requests, the ones in flight finish. Then jobs (a
    // job in hand completes), then the database.
    await (await simulator)?.stop();
    await realtime.close();
    await vite?.close();
    await relance.close();
    log.info('stopped');
    process.exit(0);
  } catch (error) {
    log.error({ err: { message: (error as Error).message } }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
