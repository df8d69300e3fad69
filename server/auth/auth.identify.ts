import type { IncomingHttpHeaders } from 'node:http';
import { readCookies, SESSION_COOKIE } from '../http/cookies.ts';
import type { AuthService } from './auth.service.ts';
import type { Principal } from './auth.roles.ts';

export interface Identity {
  principal: Principal | null;
  /** The browser session the request came with, when it came with one rather than an API token. */
  sessionToken: string | null;
}

/**
 * Who is asking, for an HTTP request and a Socket.io handshake alike: an API token (the
 * `Authorization: Bearer` header, or a socket's `auth.token`) or else the browser's session cookie.
 */
export async function identify(auth: AuthService, headers: IncomingHttpHeaders, handshakeToken?: unknown): Promise<Identity> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
  const apiToken = bearer ?? (typeof handshakeToken === 'string' && handshakeToken ? handshakeToken : undefined);
  if (apiToken) return { principal: await auth.principalForApiToken(apiToken), sessionToken: null };
  const sessionToken = readCookies(headers.cookie)[SESSION_COOKIE] ?? null;
  return { principal: sessionToken ? await auth.principalForSession(sessionToken) : null, sessionToken };
}
