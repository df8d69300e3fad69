import { createHash, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Config } from '../config.ts';
import type { Services } from '../services.ts';
import type { Metrics } from './monitoring.metrics.ts';

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * Lets through a request from the networks in MONITORING_ALLOW, or one with the MONITORING_TOKEN as
 * a bearer token; refuses the rest. /metrics tells how busy the campaign is, and a flood of /readyz
 * would query the database. The address is `req.ip`: the client's own behind TRUST_PROXY proxies.
 */
function requireMonitoringAccess(config: Pick<Config, 'monitoringAllow' | 'monitoringToken'>) {
  const allowed = new net.BlockList();
  for (const network of config.monitoringAllow) allowed.addSubnet(network.address, network.prefix, network.type);
  const token = config.monitoringToken === undefined ? undefined : sha256(config.monitoringToken);
  return (req: Request, res: Response, next: NextFunction) => {
    const address = req.ip ?? '';
    const family = net.isIP(address);
    if (family !== 0 && allowed.check(address, family === 6 ? 'ipv6' : 'ipv4')) return next();
    const bearer = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1];
    // Compared as digests of equal length, in constant time.
    if (token && bearer !== undefined && timingSafeEqual(sha256(bearer), token)) return next();
    res.status(403).json({
      error: {
        code: 'forbidden',
        message:
          'Monitoring is open only to the networks in MONITORING_ALLOW, or with Authorization: Bearer and the MONITORING_TOKEN. Ask the operator of this server.',
        field: null,
      },
    });
  };
}

/**
 * /healthz: the process answers (liveness). /readyz: it can do its work, the database and the job
 * queues answer (readiness; a load balancer stops sending traffic while it fails). /metrics: Prometheus.
 * /healthz is open to anyone (load balancers); the other two only as MONITORING_ALLOW and MONITORING_TOKEN say.
 */
export function monitoringRoutes(services: Services, metrics: Metrics): Router {
  const routes = Router();
  const requireAccess = requireMonitoringAccess(services.config);
  routes.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  routes.get('/readyz', requireAccess, async (_req, res) => {
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
  routes.get('/metrics', requireAccess, async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return routes;
}
