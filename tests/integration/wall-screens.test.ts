import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formTokenFor } from '../../server/auth/auth.secrets.ts';
import type { Role } from '../../server/auth/auth.roles.ts';
import type { TurnoutSnapshot } from '../../server/turnout/turnout.service.ts';
import { createSmallElection } from '../factories.ts';
import { signedIn } from '../fixtures.ts';
import { openTestServices, startTestServer, type TestServices } from '../setup/services.ts';

/** Wall screen links: created and revoked on /wall/links by admins and coordinators, used by a TV's socket. */

let t: TestServices;
let server: { url: string; close(): Promise<void> };
const sockets: Socket[] = [];

beforeAll(async () => {
  t = await openTestServices();
  await createSmallElection(t.services);
  server = await startTestServer(t.services, { pages: true });
});

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.disconnect();
});

afterAll(async () => {
  await server.close();
  await t.close();
});

async function linksPage(role: Role) {
  const { cookie, sessionToken, user } = await signedIn(t.services, role);
  const headers = { Cookie: cookie, 'Accept-Language': 'en' };
  return {
    user,
    async get() {
      const response = await fetch(`${server.url}/wall/links`, { headers, redirect: 'manual' });
      return { status: response.status, html: await response.text() };
    },
    async post(fields: Record<string, string>, intent?: string) {
      const response = await fetch(`${server.url}/wall/links${intent ? `?intent=${intent}` : ''}`, {
        method: 'POST',
        headers,
        redirect: 'manual',
        body: new URLSearchParams({ csrf: formTokenFor(sessionToken), ...fields }),
      });
      return { status: response.status, html: await response.text() };
    },
  };
}

/** The key of the wall link a page shows once, from its fragment. */
function keyOf(html: string): string {
  const url = /<code class="secret">([^<]+)<\/code>/.exec(html)?.[1];
  if (!url) throw new Error('The page shows no wall link');
  expect(url).toMatch(/^http:\/\/localhost:\d+\/wall#key=rel_/);
  return new URLSearchParams(new URL(url).hash.slice(1)).get('key')!;
}

function connect(token: string): Socket {
  const socket = io(`${server.url}/live`, { transports: ['websocket'], auth: { token }, reconnection: false });
  sockets.push(socket);
  return socket;
}

const next = <T>(socket: Socket, event: string) => new Promise<T>((resolve) => socket.once(event, resolve));

async function auditOf(tokenId: number) {
  const events = await t.services.db.prisma.auditEvent.findMany({
    where: { subjectType: 'api_token', subjectId: String(tokenId) },
    orderBy: { id: 'asc' },
  });
  return events.map((event) => [event.action, event.actorUserId]);
}

describe('wall screen links', () => {
  it('are created by coordinators and admins only', async () => {
    const before = await t.services.db.prisma.apiToken.count({ where: { wallScreen: true } });
    for (const role of ['viewer', 'watcher', 'volunteer'] as const) {
      const page = await linksPage(role);
      expect((await page.get()).status, role).toBe(403);
      expect((await page.post({ label: 'Hall TV' })).status, role).toBe(403);
    }
    const anonymous = await fetch(`${server.url}/wall/links`, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe('/login?next=%2Fwall%2Flinks');
    expect(await t.services.db.prisma.apiToken.count({ where: { wallScreen: true } })).toBe(before);

    for (const role of ['coordinator', 'admin'] as const) {
      const page = await linksPage(role);
      const created = await page.post({ label: `${role} hall TV` });
      expect(created.status).toBe(200);
      expect(created.html).toContain(`Link for ${role} hall TV`);
      const token = await t.services.db.prisma.apiToken.findFirstOrThrow({ where: { name: `${role} hall TV` } });
      expect(token).toMatchObject({ role: 'viewer', wallScreen: true, revokedAt: null, createdById: page.user.id });
      expect(await auditOf(token.id)).toEqual([['wall_screen.create', page.user.id]]);
      expect(keyOf(created.html)).toMatch(/^rel_/);
    }
  });

  it('asks where the screen is', async () => {
    const page = await linksPage('coordinator');
    const refused = await page.post({ label: '  ' });
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('Say where the screen is (at most 120 characters).');
  });

  it('sign a screen in to the live war room, and once revoked, refuse it and drop it at the next event', async () => {
    const page = await linksPage('coordinator');
    const key = keyOf((await page.post({ label: 'Press room' })).html);
    const { id } = await t.services.db.prisma.apiToken.findFirstOrThrow({ where: { name: 'Press room' } });

    const open = connect(key);
    const snapshot = await next<TurnoutSnapshot>(open, 'turnout:snapshot');
    expect(snapshot.totals.stations).toBe(4);
    expect(snapshot.stations.map((station) => station.code)).toEqual(['0101', '0102', '0201', '0202']);

    const listed = await page.get();
    expect(listed.html).toContain('Press room');
    const revoked = await page.post({ tokenId: String(id) }, 'revoke');
    expect(revoked.status).toBe(200);
    expect(revoked.html).toContain('The link of Press room is revoked');
    expect((await page.get()).html).not.toContain('Press room');
    expect(await auditOf(id)).toEqual([
      ['wall_screen.create', page.user.id],
      ['api_token.revoke', page.user.id],
    ]);

    // The open connection: its next event is refused and the server closes it.
    const refusal = next<{ code: string }>(open, 'error:refused');
    const dropped = next<string>(open, 'disconnect');
    open.emit('turnout:resync');
    expect((await refusal).code).toBe('unauthenticated');
    expect(await dropped).toBe('io server disconnect');

    // A new connection with the key is refused, with a code the screen can show.
    const again = connect(key);
    const error = await next<Error & { data?: { code: string } }>(again, 'connect_error');
    expect(error.data).toEqual({ code: 'unauthenticated' });
    expect(again.active).toBe(false);

    // Revoking twice: nothing left to revoke.
    expect((await page.post({ tokenId: String(id) }, 'revoke')).status).toBe(404);
  });

  it('are the only tokens a coordinator can revoke here', async () => {
    const tool = await t.services.accounts.createApiToken({ name: 'SMS gateway', role: 'coordinator' }, null);
    const page = await linksPage('coordinator');
    expect((await page.post({ tokenId: String(tool.id) }, 'revoke')).status).toBe(404);
    expect(await t.services.auth.principalForApiToken(tool.token)).toMatchObject({ name: 'SMS gateway' });
    expect((await page.get()).html).not.toContain('SMS gateway');
  });
});

describe('the wall page', () => {
  it('opens without a session (a screen signs in with its key) and has no navigation', async () => {
    const response = await fetch(`${server.url}/wall`, { headers: { 'Accept-Language': 'en' }, redirect: 'manual' });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('class="wall"');
    expect(html).not.toContain('class="masthead"');
  });
});
