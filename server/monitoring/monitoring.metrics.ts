import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics for GET /metrics. Labels stay coarse: never an id, a code or a token. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'relance_http_request_duration_seconds',
    help: 'HTTP request duration by kind of route and status class',
    labelNames: ['kind', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const liveConnections = new Gauge({
    name: 'relance_live_connections',
    help: 'Open Socket.io connections on /live',
    registers: [registry],
  });
  const signIns = new Counter({
    name: 'relance_sign_ins_total',
    help: 'Sign-in attempts by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });

  function routeKind(path: string): string {
    if (path.startsWith('/api/')) return 'api';
    if (path.startsWith('/webhooks/')) return 'webhook';
    if (path.startsWith('/assets/')) return 'asset';
    if (/^\/(healthz|readyz|metrics)$/.test(path)) return 'monitoring';
    if (path.startsWith('/socket.io/')) return 'socket';
    return 'page';
  }

  return {
    registry,
    liveConnections,
    signIns,
    /** Express middleware timing every request. */
    timeRequests() {
      return (req: Request, res: Response, next: NextFunction) => {
        const end = httpDuration.startTimer({ kind: routeKind(req.path), method: req.method });
        res.on('finish', () => end({ status: `${Math.floor(res.statusCode / 100)}xx` }));
        next();
      };
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
