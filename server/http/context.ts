import type { Request as ExpressRequest, NextFunction, Response } from 'express';
import type { z } from 'zod';
import { data, redirect } from 'react-router';
import { identify } from '../auth/auth.identify.ts';
import { formTokenFor, newToken, TOKEN_PATTERN } from '../auth/auth.secrets.ts';
import { requireRole } from '../auth/auth.guards.ts';
import { ACCESS, type Principal, type Role } from '../auth/auth.roles.ts';
import { DomainError, FormExpired, InvalidInput, statusOf, Unauthenticated } from '../errors.ts';
import type { Locale } from '../fields.ts';
import { loggablePath } from '../logger.ts';
import type { Services } from '../services.ts';
import { CSRF_COOKIE, cookieWriter, LOCALE_COOKIE, readCookies, type CookieWriter } from './cookies.ts';
import { formFailure, forms, parseForm, type FormDefinition, type Forms, type ObjectSchema } from './forms.ts';
import { resolveLocale } from './locale.ts';

declare module 'express-serve-static-core' {
  interface Locals {
    principal: Principal | null;
    sessionToken: string | null;
    csrfToken: string;
    cspNonce: string;
    locale: Locale;
  }
}

/**
 * Works out who is asking (API token or session cookie), their language, and the form token,
 * once per request, before the API, the pages or anything else runs.
 */
export function identifyRequest(services: Services) {
  const cookies = cookieWriter(services.config.secureCookies);
  return async (req: ExpressRequest, res: Response, next: NextFunction) => {
    try {
      const jar = readCookies(req.headers.cookie);
      const { principal, sessionToken } = await identify(services.auth, req.headers);
      res.locals.sessionToken = sessionToken;
      res.locals.principal = principal;
      res.locals.locale = resolveLocale(jar[LOCALE_COOKIE], principal?.locale, req.headers['accept-language']);
      // The JSON API takes no form posts (it is guarded by the Origin check and its own
      // authentication): no form token to make, and no cookie to set on every phone's report.
      if (req.path.startsWith('/api/')) {
        res.locals.csrfToken = '';
        return next();
      }
      // The form token is bound to the session; before sign-in (or with a session that has ended),
      // to a random seed in a cookie. See docs/decisions/013-form-token-bound-to-session.md.
      let seed = jar[CSRF_COOKIE];
      if (!seed || !TOKEN_PATTERN.test(seed)) {
        seed = newToken();
        res.append('Set-Cookie', cookies.csrf(seed));
      }
      res.locals.csrfToken = formTokenFor(principal && sessionToken ? sessionToken : seed);
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** What every React Router loader and action receives (`context`). */
export type RelanceLoadContext = {
  services: Services;
  principal: Principal | null;
  locale: Locale;
  csrfToken: string;
  cspNonce: string;
  clientIp: string;
  sessionToken: string | null;
  cookies: CookieWriter;
  /** The pages' forms: schema for the action, contract (fields, constraints) for the page. */
  forms: Forms;
  /** Who may use each part of Relance, for requireRole. */
  access: typeof ACCESS;
  /** Signs in first (redirect) or shows the error page for its status; returns who is asking. */
  requireRole(roles: readonly Role[]): Principal;
  /**
   * Runs a page action on its posted form: checks the form token, parses the fields with the
   * form's schema, and runs `action` on the input. A field to fix or any other expected failure
   * comes back as the form's answer (FormFailure, with its status); anything else is thrown.
   */
  submit<Schema extends ObjectSchema, T>(
    request: Request,
    form: FormDefinition<Schema>,
    action: (input: z.output<Schema>) => Promise<T>,
  ): Promise<T | ReturnType<typeof formFailure>>;
  /** Logs an unexpected page error through the server's logger, with the loggable path. */
  reportError(error: unknown): void;
};

// Loaders and actions see this as their `context` (only types cross from server/ to app/).
declare module 'react-router' {
  // Declaration merging: the interface adds RelanceLoadContext's members to React Router's own.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppLoadContext extends RelanceLoadContext {}
}

/** A domain error as the page response React Router renders (the error page for its status). */
function pageError(error: DomainError) {
  return data({ code: error.code, message: error.message }, { status: statusOf(error) });
}

export function loadContext(services: Services, req: ExpressRequest, res: Response): RelanceLoadContext {
  const { principal, csrfToken } = res.locals;
  return {
    services,
    principal,
    locale: res.locals.locale,
    csrfToken,
    cspNonce: res.locals.cspNonce,
    clientIp: req.ip ?? 'unknown',
    sessionToken: res.locals.sessionToken,
    cookies: cookieWriter(services.config.secureCookies),
    forms,
    access: ACCESS,
    requireRole(roles) {
      try {
        return requireRole(principal, roles);
      } catch (error) {
        if (error instanceof Unauthenticated) {
          const next = new URL(req.originalUrl, 'http://localhost');
          throw redirect(`/login?next=${encodeURIComponent(next.pathname + next.search)}`);
        }
        throw error instanceof DomainError ? pageError(error) : error;
      }
    },
    async submit(request, form, action) {
      const posted = await request.formData().catch(() => {
        // A multipart body whose parts do not match its boundary, say: no browser sends that.
        throw pageError(new InvalidInput('The form could not be read. Reload the page and try again.'));
      });
      if (posted.get('csrf') !== csrfToken) throw pageError(new FormExpired());
      try {
        return await action(parseForm(form, posted));
      } catch (error) {
        return formFailure(error);
      }
    },
    reportError(error) {
      const { message, stack } = error instanceof Error ? error : { message: String(error), stack: undefined };
      services.log.error({ err: { message, stack }, path: loggablePath(req.originalUrl) }, 'page request failed');
    },
  };
}
