import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { requireRole } from '../auth/auth.guards.ts';
import { ACCESS } from '../auth/auth.roles.ts';
import { NotFound } from '../errors.ts';
import type { Services } from '../services.ts';
import { API_JSON_LIMIT_BYTES } from '../http/bad-requests.ts';
import { apiErrorHandler } from './api.errors.ts';

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
      requireRole(res.locals.principal, ACCESS.warRoom);
      res.json(await services.turnout.snapshot());
    }),
  );

  api.use(() => {
    throw new NotFound('No such API route. See docs/api.md.');
  });
  api.use(apiErrorHandler(services.log));
  return api;
}
