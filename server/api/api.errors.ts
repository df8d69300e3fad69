import type { NextFunction, Request, Response } from 'express';
import { DomainError, statusOf, TooManyAttempts } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { loggablePath } from '../logger.ts';

/** `{ error: { code, message, field } }` for every API failure (docs/api.md). */
export function apiErrorHandler(log: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof DomainError) {
      if (error instanceof TooManyAttempts) res.setHeader('Retry-After', String(error.retryAfterSeconds));
      res.status(statusOf(error)).json({ error: { code: error.code, message: error.message, field: error.field ?? null } });
      return;
    }
    const bodyError = error as { type?: string; status?: number };
    if (bodyError.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'invalid_json', message: 'The request body is not valid JSON.', field: null } });
      return;
    }
    if (bodyError.type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'too_large', message: 'The request body is too large.', field: null } });
      return;
    }
    // The message and stack only: never the request body, which can hold personal data.
    log.error(
      { err: { message: (error as Error).message, stack: (error as Error).stack }, path: loggablePath(req.originalUrl) },
      'API request failed',
    );
    res
      .status(500)
      .json({ error: { code: 'internal', message: 'Something went wrong on the server. Try again in a moment.', field: null } });
  };
}
