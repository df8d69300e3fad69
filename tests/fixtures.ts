import type { Principal, Role } from '../server/auth/auth.roles.ts';
import { SESSION_COOKIE } from '../server/http/cookies.ts';
import type { Services } from '../server/services.ts';
import { createUser } from './factories.ts';

/**
 * Per-test fixtures: each test creates the people it acts as, so that it passes alone and in any
 * order (the suite runs shuffled). In the spirit of the Epic Stack's `tests/playwright-utils.ts`.
 */

/** The token at the end of a sign-in link's URL. */
export const linkToken = (url: string) => url.split('/invite/')[1]!;

let addresses = 0;

/**
 * A network address no other test signs in from. Failed sign-ins are counted per address for 15
 * minutes (auth.service.ts), and every test starts at the same time of the test clock.
 */
export function clientAddress(): string {
  addresses++;
  return `10.${(addresses >> 16) & 255}.${(addresses >> 8) & 255}.${addresses & 255}`;
}

export interface SignedIn {
  user: Awaited<ReturnType<typeof createUser>>;
  principal: Principal;
  sessionToken: string;
  /** The Cookie header a browser of theirs sends. */
  cookie: string;
}

/**
 * A new person of this role, signed in through a one-time link of their own, issued and redeemed by
 * the real services (the console's link: no PIN).
 */
export async function signedIn(
  services: Services,
  role: Role,
  options: { stationCodes?: string[]; name?: string } = {},
): Promise<SignedIn> {
  const user = await createUser(services, role, options);
  const link = await services.accounts.createSignInLink(user.id, null);
  const { sessionToken, principal } = await services.auth.redeemLink(linkToken(link.url), undefined, clientAddress());
  return { user, principal, sessionToken, cookie: `${SESSION_COOKIE}=${sessionToken}` };
}
