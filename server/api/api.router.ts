import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { requireRole, requireWarRoom } from '../auth/auth.guards.ts';
import { ACCESS } from '../auth/auth.roles.ts';
import { NotFound } from '../errors.ts';
import { parseInput } from '../fields.ts';
import { EntriesQuerySchema, RouteIdSchema } from '../chase/chase.schemas.ts';
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

  chaseRoutes(api, services);

  api.use(() => {
    throw new NotFound('No such API route. See docs/api.md.');
  });
  api.use(apiErrorHandler(services.log));
  return api;
}

/** Chase lists for coordinators, the calling workspace for volunteers, teams and rides (docs/api.md). */
function chaseRoutes(api: Router, services: Services) {
  const { chase } = services;
  const idOf = (req: Request, name: string) => parseInput(RouteIdSchema, req.params[name]);

  api.post(
    '/chase-lists/preview',
    route(async (req, res) => {
      requireRole(res.locals.principal, ACCESS.manageChase);
      res.json(await chase.builder.preview(req.body));
    }),
  );

  api.post(
    '/chase-lists',
    route(async (req, res) => {
      const principal = requireRole(res.locals.principal, ACCESS.manageChase);
      const built = await chase.builder.build(req.body, principal);
      res.status(201).json(await chase.lists.get(principal, built.id));
    }),
  );

  api.get(
    '/chase-lists',
    route(async (_req, res) => {
      res.json({ lists: await chase.lists.list(res.locals.principal) });
    }),
  );

  api.get(
    '/chase-lists/:id',
    route(async (req, res) => {
      res.json(await chase.lists.get(res.locals.principal, idOf(req, 'id')));
    }),
  );

  api.get(
    '/chase-lists/:id/entries',
    route(async (req, res) => {
      const principal = requireRole(res.locals.principal, ACCESS.manageChase);
      const listId = idOf(req, 'id');
      const { format } = parseInput(EntriesQuerySchema, req.query);
      if (format === 'json') {
        res.json(await chase.lists.entries(principal, listId, req.query));
        return;
      }
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="chase-list-${listId}.csv"`);
      await chase.exports.csv(principal, listId, res);
      res.end();
    }),
  );

  api.get(
    '/chase-lists/:id/call-sheet',
    route(async (req, res) => {
      res.json(await chase.exports.callSheet(res.locals.principal, idOf(req, 'id')));
    }),
  );

  api.post(
    '/chase-lists/:id/assign',
    route(async (req, res) => {
      res.json(await chase.lists.assign(res.locals.principal, idOf(req, 'id'), req.body));
    }),
  );

  api.post(
    '/chase-lists/:id/split',
    route(async (req, res) => {
      res.status(201).json({ lists: await chase.lists.split(res.locals.principal, idOf(req, 'id'), req.body) });
    }),
  );

  api.post(
    '/calls/next',
    route(async (_req, res) => {
      const call = await chase.calls.next(res.locals.principal);
      res.json(call ? { call } : { call: null, message: 'Nobody is left to call on your lists for now.' });
    }),
  );

  api.get(
    '/calls/mine',
    route(async (_req, res) => {
      res.json(await chase.calls.mine(res.locals.principal));
    }),
  );

  api.post(
    '/calls/:entryId/renew',
    route(async (req, res) => {
      res.json(await chase.calls.renew(res.locals.principal, idOf(req, 'entryId')));
    }),
  );

  api.post(
    '/calls/:entryId/outcome',
    route(async (req, res) => {
      res.json(await chase.calls.outcome(res.locals.principal, idOf(req, 'entryId'), req.body));
    }),
  );

  api.get(
    '/teams',
    route(async (_req, res) => {
      res.json(await chase.lists.teams(res.locals.principal));
    }),
  );

  api.post(
    '/teams',
    route(async (req, res) => {
      res.status(201).json(await chase.lists.createTeam(res.locals.principal, req.body));
    }),
  );

  api.post(
    '/teams/:id/members',
    route(async (req, res) => {
      res.json(await chase.lists.setTeamMembers(res.locals.principal, idOf(req, 'id'), req.body));
    }),
  );

  api.get(
    '/rides',
    route(async (_req, res) => {
      res.json({ rides: await chase.lists.rides(res.locals.principal) });
    }),
  );

  api.post(
    '/rides/:id/done',
    route(async (req, res) => {
      res.json(await chase.lists.rideDone(res.locals.principal, idOf(req, 'id')));
    }),
  );
}
