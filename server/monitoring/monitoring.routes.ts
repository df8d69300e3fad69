import { Router } from 'express';
import type { Services } from '../services.ts';
import type { Metrics } from './monitoring.metrics.ts';

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);
}

/**
 * /healthz: the process answers (liveness). /readyz: it can do its work, the database and the job
 * queues answer (readiness; a load balancer stops sending traffic while it fails). /metrics: Prometheus.
 */
export function monitoringRoutes(services: Services, metrics: Metrics): Router {
  const routes = Router();
  routes.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  routes.get('/readyz', async (_req, res) => {
    const checks = {
      database: withTimeout(services.db.prisma.$queryRaw`SELECT 1`, 2000),
      queues: withTimeout(services.broker.ping(), 2000),
    };
    const results = await Promise.allSettled(Object.values(checks));
    const report = Object.fromEntries(
      Object.keys(checks).map((name, i) => {
        const result = results[i]!;
        return [name, result.status === 'fulfilled' ? 'ok' : `unreachable: ${(result.reason as Error).message}`];
      }),
    );
    const ready = results.every((r) => r.status === 'fulfilled');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: report, queueBackend: services.broker.backend });
  });
  routes.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return routes;
}
