import type { NextFunction, Request, Response } from 'express';
import { isDatabaseUnavailable } from '../db/database.outage.ts';
import type { Logger } from '../logger.ts';
import { loggablePath } from '../logger.ts';

/**
 * What a request may be before any of it is read, and how a malformed one is answered: always a
 * 4xx with the error shape of docs/api.md, `{ error: { code, message, field } }`, never a 500 or a
 * stack trace.
 */

/** Pages post small forms; nothing that big is read (a file upload gets a route of its own). */
export const PAGE_FORM_LIMIT_BYTES = 64 * 1024;
/** The JSON API's bodies: a phone's batch of queued reports fits many times over. */
export const API_JSON_LIMIT_BYTES = 1024 * 1024;

const PAGE_METHODS = ['GET', 'HEAD', 'POST'];
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

interface Refusal {
  status: number;
  code: string;
  message: string;
}

function refuse(res: Response, { status, code, message }: Refusal) {
  res.status(status).json({ error: { code, message, field: null } });
}

/**
 * Pages answer GET and HEAD, and take form posts of a bounded size, refused from their headers
 * alone: a body announced too large is never read, and one of unknown length is not accepted
 * (browsers always give the length of a form).
 */
export function limitPageRequests() {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!PAGE_METHODS.includes(req.method)) {
      res.setHeader('Allow', PAGE_METHODS.join(', '));
      return refuse(res, { status: 405, code: 'method_not_allowed', message: `Pages answer ${PAGE_METHODS.join(', ')}.` });
    }
    if (req.method !== 'POST') return next();
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!FORM_TYPES.includes(type)) {
      return refuse(res, { status: 415, code: 'unsupported_media_type', message: 'Pages take HTML form posts only.' });
    }
    const length = req.headers['content-length'];
    if (length === undefined) {
      return refuse(res, { status: 411, code: 'length_required', message: 'A form post must give its Content-Length.' });
    }
    if (Number(length) > PAGE_FORM_LIMIT_BYTES) {
      // The connection closes after this answer: the rest of the body is never read.
      res.setHeader('Connection', 'close');
      return refuse(res, { status: 413, code: 'too_large', message: `A form may hold up to ${PAGE_FORM_LIMIT_BYTES / 1024} KB.` });
    }
    next();
  };
}

/** Body-parser's failures (express.json) by their `type`, with the code the API documents. */
const BODY_FAILURES: Record<string, Refusal> = {
  'entity.parse.failed': { status: 400, code: 'invalid_json', message: 'The request body is not valid JSON.' },
  'entity.too.large': { status: 413, code: 'too_large', message: 'The request body is too large.' },
  'encoding.unsupported': {
    status: 415,
    code: 'unsupported_encoding',
    message: 'Unsupported Content-Encoding: send the body as is, or gzip or deflate it.',
  },
  'charset.unsupported': { status: 415, code: 'unsupported_charset', message: 'Unsupported charset: send JSON in UTF-8.' },
  'request.aborted': { status: 400, code: 'aborted', message: 'The request body was cut short.' },
  'request.size.invalid': { status: 400, code: 'invalid_length', message: 'The request body does not match its Content-Length.' },
};

/** How a malformed request is answered, or undefined for an error that is not the request's fault. */
export function requestFailure(error: unknown): Refusal | undefined {
  if (error instanceof URIError) {
    return { status: 400, code: 'invalid_path', message: 'The address is not valid: check the %-escapes in it.' };
  }
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? BODY_FAILURES[type] : undefined;
}

/** How long a client is asked to wait before sending again a request the database could not take. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/** The last resort for anything outside the API: a malformed request gets its 4xx, the rest a logged 500. */
export function finalErrorHandler(log: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const failure = requestFailure(error);
    if (failure) return refuse(res, failure);
    if (isDatabaseUnavailable(error) && !res.headersSent) {
      // Not acknowledged: the same request, sent again once the database is back, is stored once by its id.
      log.warn({ err: { message: (error as Error).message }, path: loggablePath(req.originalUrl) }, 'database unavailable');
      res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
      return refuse(res, {
        status: 503,
        code: 'unavailable',
        message: 'The database cannot be reached right now. Send the same request again in a few seconds: it will be stored once.',
      });
    }
    // The message and stack only: never the request body, which can hold personal data.
    log.error(
      { err: { message: (error as Error).message, stack: (error as Error).stack }, path: loggablePath(req.originalUrl) },
      'request failed',
    );
    if (res.headersSent) return res.end();
    refuse(res, { status: 500, code: 'internal', message: 'Something went wrong on the server. Try again in a moment.' });
  };
}
