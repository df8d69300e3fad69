import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { requireRole, requireWarRoom } from '../auth/auth.guards.ts';
import { ACCESS } from '../auth/auth.roles.ts';
import { NotFound } from '../errors.ts';
import { parseInput } from '../fields.ts';
import { ReportBatchSchema } from '../watchers/watchers.schemas.ts';
import type { Services } from '../services.ts';
import { API_JSON_LIMIT_BYTES } from '../http/bad-requests.ts';
import { apiErrorHandler } from './api.errors.ts';

/** How long a browser may reuse the map's boundaries without asking again. */
const MAP_MAX_AGE_SECONDS = 300;

type Handler = (req: Request, res: Response) => Promise<void>;

/** Passes a handler's rejection to the error handler (Express 5 does too; this keeps it explicit). */
const route = (handler: Handler) => (req: Request, res: Response, next: NextFunction) => handler(req, res).catch(next);

/** JSON API v1 (docs/api.md). Every handler starts with its guard. */
export function apiRouter(services: Services): Router {
  const api = Router();
  api.use(express.json({ limit: API_JSON_LIMIT_BYTES }));

  api.get(
    '/turnout',
    route(async (_req, res) => {
      requireWarRoom(res.locals.principal);
      res.json(await services.liveTurnout.snapshot());
    }),
  );

  api.get(
    '/map',
    route(async (_req, res) => {
      requireWarRoom(res.locals.principal);
      // Boundaries change only with an import: a browser keeps them a few minutes, then revalidates with
      // the ETag Express derives from the body (304 when unchanged).
      res.setHeader('Cache-Control', `private, max-age=${MAP_MAX_AGE_SECONDS}`);
      res.json(await services.geo.mapGeometry());
    }),
  );

  api.get(
    '/turnout/history',
    route(async (req, res) => {
      requireWarRoom(res.locals.principal);
      res.json(await services.turnoutHistory.history(req.query));
    }),
  );

  const sourceOf = (res: Response) => (res.locals.principal?.kind === 'user' ? 'web' : 'api');

  api.post(
    '/reports',
    route(async (req, res) => {
      const principal = requireRole(res.locals.principal, ACCESS.reportTurnout);
      const [outcome] = await services.reports.submit(principal, [req.body], sourceOf(res));
      res.status(outcome!.status).json('report' in outcome! ? outcome.report : { error: outcome!.error });
    }),
  );

  api.post(
    '/reports/batch',
    route(async (req, res) => {
      const principal = requireRole(res.locals.principal, ACCESS.reportTurnout);
      const { reports } = parseInput(ReportBatchSchema, req.body);
      res.json({ results: await services.reports.submit(principal, reports, sourceOf(res)) });
    }),
  );

  api.post(
    '/marks',
    route(async (req, res) => {
      const principal = requireRole(res.locals.principal, ACCESS.reportTurnout);
      const { status, mark } = await services.voteMarks.submit(principal, req.body, sourceOf(res));
      res.status(status).json(mark);
    }),
  );

  api.post(
    '/flags',
    route(async (req, res) => {
      const principal = requireRole(res.locals.principal, ACCESS.reportTurnout);
      const { status, flag } = await services.stationFlags.submit(principal, req.body, sourceOf(res));
      res.status(status).json(flag);
    }),
  );

  api.get(
    '/stations/:code/voters',
    route(async (req, res) => {
      const principal = requireRole(res.locals.principal, ACCESS.reportTurnout);
      res.json(await services.voteMarks.search(principal, String(req.params.code), req.query.q));
    }),
  );

  api.use(() => {
    throw new NotFound('No such API route. See docs/api.md.');
  });
  api.use(apiErrorHandler(services.log));
  return api;
}
