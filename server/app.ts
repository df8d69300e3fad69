import path from 'node:path';
import { createRequestHandler } from '@react-router/express';
import compression from 'compression';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ServerBuild } from 'react-router';
import type { ViteDevServer } from 'vite';
import { apiRouter } from './api/api.router.ts';
import { PROJECT_ROOT } from './config.ts';
import { identifyRequest, loadContext } from './http/context.ts';
import { importUploadRoutes } from './imports/imports.upload.ts';
import { finalErrorHandler, limitPageRequests } from './http/bad-requests.ts';
import { neverCache, refuseCrossSiteWrites, securityHeaders } from './http/security.ts';
import { loggablePath } from './logger.ts';
import { twilioWebhooks } from './messaging/sms.webhooks.ts';
import type { Metrics } from './monitoring/monitoring.metrics.ts';
import { monitoringRoutes } from './monitoring/monitoring.routes.ts';
import type { Services } from './services.ts';

export const BUILD_DIR = path.join(PROJECT_ROOT, 'build');

/** Where the public API is served (docs/api.md). */
const API_PATH = '/api/v1';

/** The pages' production build, loaded at the first page request (the API works without it). */
async function productionBuild(): Promise<ServerBuild> {
  const entry = path.join(BUILD_DIR, 'server', 'index.js');
  try {
    return (await import(entry)) as ServerBuild;
  } catch (error) {
    throw new Error(`No production build at ${entry} (${(error as Error).message}). Run \`npm run build\` first; \`npm start\` does.`);
  }
}

function logRequests(services: Services) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    res.on('finish', () => {
      const entry = {
        method: req.method,
        path: loggablePath(req.originalUrl),
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
      };
      if (res.statusCode >= 500) services.log.error(entry, 'request failed');
      else services.log.debug(entry, 'request');
    });
    next();
  };
}

/**
 * The web app: monitoring, static assets, then (once we know who is asking) the JSON API and the
 * React Router pages. In development, Vite serves the app's modules with hot reload.
 */
export function createApp(services: Services, metrics: Metrics, vite?: ViteDevServer) {
  const { config } = services;
  const app = express();
  app.disable('x-powered-by');
  // Express reads NODE_ENV itself, and outside production its error pages show stack traces.
  app.set('env', config.development ? 'development' : 'production');
  app.set('trust proxy', config.trustProxy);
  app.use(metrics.timeRequests());
  app.use(logRequests(services));
  app.use(
    securityHeaders({
      development: config.development,
      https: config.secureCookies,
      mapOrigin: config.mapStyleUrl && new URL(config.mapStyleUrl).origin,
      apiPath: API_PATH,
    }),
  );
  app.use(compression());
  app.use(monitoringRoutes(services, metrics));

  if (vite) {
    app.use(vite.middlewares);
  } else {
    // Fingerprinted file names: cache them forever.
    app.use('/assets', express.static(path.join(BUILD_DIR, 'client', 'assets'), { immutable: true, maxAge: '1y', index: false }));
    app.use(express.static(path.join(BUILD_DIR, 'client'), { maxAge: '1h', index: false }));
  }

  // Twilio's webhooks prove who sends them by signature, not by origin: before the origin check.
  app.use(twilioWebhooks(services));
  app.use(refuseCrossSiteWrites(config));
  // Answers from here on carry live data, personal data, sign-in links or PINs: never cache them.
  app.use(neverCache);
  app.use(identifyRequest(services));
  app.use(API_PATH, apiRouter(services));
  // File uploads have their own route and size limit, before the pages' 64 KB one.
  app.use(importUploadRoutes(services));
  app.use(limitPageRequests());

  const build = vite ? () => vite.ssrLoadModule('virtual:react-router/server-build') as Promise<ServerBuild> : productionBuild;
  app.all(
    '/{*path}',
    createRequestHandler({
      build,
      mode: config.development ? 'development' : 'production',
      getLoadContext: (req, res) => loadContext(services, req, res),
    }),
  );
  app.use(finalErrorHandler(services.log));
  return app;
}
