import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/**
 * Security headers for every response. Scripts run only with this request's nonce (React Router's
 * inline hydration data carries it); nothing may frame the app; no page leaks its URL (which can
 * hold a one-time sign-in token) to another site as a referrer.
 */
export function securityHeaders(options: { development: boolean; https: boolean }) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const nonce = randomBytes(16).toString('base64');
    res.locals.cspNonce = nonce;
    if (!options.development) {
      // Vite's dev server injects its own inline scripts; the policy applies to the built app.
      res.setHeader(
        'Content-Security-Policy',
        [
          "default-src 'self'",
          `script-src 'self' 'nonce-${nonce}'`,
          "style-src 'self' 'unsafe-inline'",
          "img-src 'self' data: blob:",
          "connect-src 'self'",
          "worker-src 'self' blob:",
          "font-src 'self'",
          "object-src 'none'",
          "base-uri 'self'",
          "form-action 'self'",
          "frame-ancestors 'none'",
        ].join('; '),
      );
    }
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), payment=(), usb=()');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    if (options.https) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state-changing requests sent by a browser from another site (CSRF), whatever the route:
 * the Origin header, which browsers always send on such requests, must be this site's.
 */
export function refuseCrossSiteWrites(publicUrl: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (SAFE_METHODS.has(req.method) || origin === undefined) return next();
    const ownOrigin = `${req.protocol}://${req.get('host')}`;
    if (origin === publicUrl || origin === ownOrigin) return next();
    res.status(403).json({ error: { code: 'cross_site_request', message: 'Requests from another site are refused.' } });
  };
}
