import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { homePath } from '../../app/navigation.ts';
import type { Role } from '../../server/auth/auth.roles.ts';
import { parseConfig } from '../../server/config.ts';
import { SESSION_COOKIE } from '../../server/http/cookies.ts';
import { createLogger } from '../../server/logger.ts';
import { openRelance } from '../../server/relance.ts';
import type { Services } from '../../server/services.ts';
import { createUser } from '../factories.ts';
import { signedIn } from '../fixtures.ts';
import { launchBrowser, watchConsole, type WatchedPage } from './browser.ts';
import type { E2eServer } from './server.global.ts';

/**
 * Per-test fixtures for the browser tests (in the spirit of the Epic Stack's
 * `tests/playwright-utils.ts`): each test opens its own pages and signs in as a person of its own,
 * created in the running server's database through the same services `npx relance` uses. No test
 * needs another to have signed in first, so they run in any order.
 */

export interface Person {
  id: number;
  name: string;
  role: Role;
}

export interface PersonOptions {
  /** A watcher's stations (Paris codes, e.g. 1101). */
  stationCodes?: string[];
}

export interface BrowserFixtures {
  /** A page in a browser context of its own, whose console errors are collected. */
  openPage(options?: BrowserContextOptions): Promise<WatchedPage>;
  /** A new person of this role, not signed in yet, with a name no one else has. */
  person(role: Role, options?: PersonOptions): Promise<Person>;
  /**
   * A new person of this role, signed in through a one-time link of their own, with a page open on
   * their home page. The services redeem the link and the browser gets the session cookie, as in
   * the Epic Stack's fixture; the tests of the sign-in pages drive those pages themselves.
   */
  signedIn(role: Role, options?: PersonOptions & { context?: BrowserContextOptions }): Promise<WatchedPage & { person: Person }>;
  /** A new API token of this role (a watcher's for these stations), as `npx relance tokens create` makes it. */
  apiToken(role: Role, stationCodes?: string[]): Promise<string>;
  /** Closes the pages opened since the last call, and returns the console errors they showed. */
  closePages(): Promise<string[]>;
  /** The running server's database, to check what a page's actions stored. */
  prisma: Services['db']['prisma'];
  close(): Promise<void>;
}

export async function openBrowserFixtures(server: E2eServer): Promise<BrowserFixtures> {
  const config = parseConfig({ DATABASE_URL: server.databaseUrl, PUBLIC_URL: server.baseUrl, LOG_LEVEL: 'silent' });
  const relance = await openRelance({ config, log: createLogger('silent'), poolSize: 2 });
  const { services } = relance;
  const browser: Browser = await launchBrowser();
  let open: { context: BrowserContext; watched: WatchedPage }[] = [];

  async function openPage(options: BrowserContextOptions = {}): Promise<WatchedPage> {
    const context = await browser.newContext(options);
    const watched = watchConsole(await context.newPage());
    open.push({ context, watched });
    return watched;
  }

  const uniqueName = (role: Role) => `Test ${role} ${randomBytes(3).toString('hex')}`;

  async function person(role: Role, options: PersonOptions = {}): Promise<Person> {
    const user = await createUser(services, role, { name: uniqueName(role), stationCodes: options.stationCodes });
    return { id: user.id, name: user.name, role };
  }

  return {
    openPage,
    person,
    prisma: services.db.prisma,

    async signedIn(role, options = {}) {
      const { user, sessionToken } = await signedIn(services, role, { name: uniqueName(role), stationCodes: options.stationCodes });
      const watched = await openPage(options.context);
      await watched.page
        .context()
        .addCookies([{ name: SESSION_COOKIE, value: sessionToken, url: server.baseUrl, httpOnly: true, sameSite: 'Lax' }]);
      const home = `${server.baseUrl}${homePath(role)}`;
      await watched.page.goto(home);
      if (watched.page.url() !== home) throw new Error(`Signed in as a ${role}, yet ${home} led to ${watched.page.url()}.`);
      return { ...watched, person: { id: user.id, name: user.name, role } };
    },

    async apiToken(role, stationCodes = []) {
      return (await services.accounts.createApiToken({ name: `test ${role}`, role, stationCodes }, null)).token;
    },

    async closePages() {
      const closing = open;
      open = [];
      const errors = closing.flatMap(({ watched }) => watched.errors.splice(0));
      await Promise.all(closing.map(({ context }) => context.close()));
      return errors;
    },

    async close() {
      await browser.close();
      await relance.close();
    },
  };
}
