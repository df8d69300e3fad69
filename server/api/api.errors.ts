import type { NextFunction, Request, Response } from 'express';
import { DomainError, statusOf, TooManyAttempts } from '../errors.ts';
import { finalErrorHandler } from '../http/bad-requests.ts';
import type { Logger } from '../logger.ts';

/** `{ error: { code, message, field } }` for every API failure (docs/api.md). */
export function apiErrorHandler(log: Logger) {
  const otherwise = finalErrorHandler(log);
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!(error instanceof DomainError)) return otherwise(error, req, res, next);
    if (error instanceof TooManyAttempts) res.setHeader('Retry-After', String(error.retryAfterSeconds));
    res.status(statusOf(error)).json({ error: { code: error.code, message: error.message, field: error.field ?? null } });
  };
}
