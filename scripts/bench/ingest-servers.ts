/**
 * The two servers the ingest benchmark loads, in its own process: Relance's web app as server/web.ts
 * assembles it, and a bare Express endpoint that parses the same JSON (the HTTP ceiling).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createApp } from '../../server/app.ts';
import { API_JSON_LIMIT_BYTES } from '../../server/http/bad-requests.ts';
import { createMetrics } from '../../server/monitoring/monitoring.metrics.ts';
import { createRealtime } from '../../server/realtime/realtime.server.ts';
import type { Services } from '../../server/services.ts';

export interface Served {
  url: string;
  /** Requests received and not yet answered. */
  inFlight(): number;
  close(): Promise<void>;
}

/** Counts the requests a server is still working on: the check waits for none to be left. */
function countInFlight(server: http.Server): () => number {
  let open = 0;
  server.prependListener('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    open++;
    res.once('close', () => open--);
  });
  return () => open;
}

function listen(server: http.Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { address, port: bound } = server.address() as AddressInfo;
      resolve(`http://${address}:${bound}`);
    });
  });
}

/** Relance's web app, assembled as server/web.ts does, on the port the harness chose. */
export async function serveRelance(services: Services): Promise<Served> {
  const metrics = createMetrics();
  const server = http.createServer();
  const inFlight = countInFlight(server);
  server.on('request', createApp(services, metrics));
  const realtime = createRealtime(server, services, metrics);
  const url = await listen(server, services.config.host, services.config.port);
  return {
    url,
    inFlight,
    async close() {
      server.closeAllConnections();
      await realtime.close();
    },
  };
}

/** The HTTP ceiling: Express parsing the same JSON and answering 201 with a report of the same shape, no database. */
export async function serveBareEndpoint(): Promise<Served> {
  const app = express();
  app.disable('x-powered-by');
  app.post('/api/v1/reports', express.json({ limit: API_JSON_LIMIT_BYTES }), (req, res) => {
    const report = req.body as Record<string, unknown>;
    res.status(201).json({
      ...report,
      receivedAt: new Date().toISOString(),
      status: 'accepted',
      flagReason: null,
      claimedObservedAt: null,
      note: report.note ?? null,
      rehearsal: false,
    });
  });
  const server = http.createServer(app);
  const inFlight = countInFlight(server);
  const url = await listen(server, '127.0.0.1', 0);
  return {
    url,
    inFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const DRAIN_TIMEOUT_MS = 60_000;

/** Waits until the server has answered every request it received. */
export async function drained(server: Served): Promise<void> {
  const until = performance.now() + DRAIN_TIMEOUT_MS;
  while (server.inFlight() > 0) {
    if (performance.now() > until)
      throw new Error(`${server.inFlight()} requests still unanswered ${DRAIN_TIMEOUT_MS / 1000} s after the load stopped`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
