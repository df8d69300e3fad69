import { parse, serialize, type SerializeOptions } from 'cookie';
import type { Locale } from '../fields.ts';

export const SESSION_COOKIE = 'relance_session';
export const CSRF_COOKIE = 'relance_csrf';
export const LOCALE_COOKIE = 'relance_locale';

export function readCookies(header: string | undefined): Record<string, string | undefined> {
  return header ? parse(header) : {};
}

/** Cookie writers for one deployment: Secure when the public address is https. */
export function cookieWriter(secure: boolean) {
  // httpOnly: no script can read them. SameSite=Lax: not sent on cross-site form posts.
  const base: SerializeOptions = { path: '/', httpOnly: true, sameSite: 'lax', secure };
  return {
    session: (token: string, expires: Date) => serialize(SESSION_COOKIE, token, { ...base, expires }),
    clearSession: () => serialize(SESSION_COOKIE, '', { ...base, maxAge: 0 }),
    csrf: (token: string) => serialize(CSRF_COOKIE, token, base),
    locale: (locale: Locale) => serialize(LOCALE_COOKIE, locale, { ...base, maxAge: 365 * 24 * 3600 }),
  };
}

export type CookieWriter = ReturnType<typeof cookieWriter>;
