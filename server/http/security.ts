import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Config } from '../config.ts';

/** The API answers data, never a document: a browser that opens one runs, loads and frames nothing. */
const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

/**
 * Security headers for every response. Scripts run only with this request's nonce (React Router's
 * inline hydration data carries it); nothing may frame the app; no page leaks its URL to another
 * site as a referrer. The browser reaches no other server, except the base map's (`mapOrigin`, from
 * MAP_STYLE_URL) when one is configured. Answers under `apiPath` get API_POLICY, without a nonce.
 */
export function securityHeaders(options: { development: boolean; https: boolean; mapOrigin?: string | null; apiPath: string }) {
  const mapSources = options.mapOrigin ? ` ${options.mapOrigin}` : '';
  const isApi = (path: string) => path === options.apiPath || path.startsWith(`${options.apiPath}/`);
  return (req: Request, res: Response, next: NextFunction) => {
    if (isApi(req.path)) {
      if (!options.development) res.setHeader('Content-Security-Policy', API_POLICY);
    } else {
      const nonce = randomBytes(16).toString('base64');
      res.locals.cspNonce = nonce;
      // Vite's dev server injects its own inline scripts; the policy applies to the built app.
      if (!options.development) res.setHeader('Content-Security-Policy', pagePolicy(nonce, mapSources));
    }
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    // Same-origin: other sites never see a page's address (it can hold a one-time sign-in token),
    // while the app's own form posts keep their Origin, which `no-referrer` turns into `null`.
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), payment=(), usb=()');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    if (options.https) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  };
}

function pagePolicy(nonce: string, mapSources: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${mapSources}`,
    `connect-src 'self'${mapSources}`,
    "worker-src 'self' blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request comes from this site's own pages, for HTTP writes and Socket.io handshakes
 * alike. Browsers always send Origin on such requests; a request without one is not a browser's,
 * and proves who it is by API token like any API client. Only the configured origins count: the
 * Host header is the requester's to write.
 */
export function isSameSite(request: IncomingMessage, config: Pick<Config, 'allowedOrigins'>): boolean {
  const origin = request.headers.origin;
  return origin === undefined || config.allowedOrigins.includes(origin);
}

/** Refuses state-changing requests sent by a browser from another site (CSRF), whatever the route. */
export function refuseCrossSiteWrites(config: Pick<Config, 'allowedOrigins'>) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method) || isSameSite(req, config)) return next();
    res.status(403).json({ error: { code: 'cross_site_request', message: 'Requests from another site are refused.' } });
  };
}

/** For answers that must never be stored by a browser or a proxy. */
export function neverCache(_req: Request, res: Response, next: NextFunction) {
  res.setHeader('Cache-Control', 'no-store');
  next();
}
