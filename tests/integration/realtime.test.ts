import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TurnoutSnapshot } from '../../server/turnout/turnout.service.ts';
import { apiToken, createSmallElection } from '../factories.ts';
import { signedIn } from '../fixtures.ts';
import { openTestServices, startTestServer, type TestServices } from '../setup/services.ts';

let t: TestServices;
let server: { url: string; close(): Promise<void> };
const sockets: Socket[] = [];

beforeAll(async () => {
  t = await openTestServices();
  await createSmallElection(t.services);
  server = await startTestServer(t.services);
});

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.disconnect();
});

afterAll(async () => {
  await server.close();
  await t.close();
});

function connect(options: { token?: string; cookie?: string; origin?: string } = {}): Socket {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  if (options.origin) headers.origin = options.origin;
  const socket = io(`${server.url}/live`, {
    transports: ['websocket'],
    auth: options.token ? { token: options.token } : {},
    extraHeaders: headers,
    reconnection: false,
  });
  sockets.push(socket);
  return socket;
}

const next = <T>(socket: Socket, event: string) => new Promise<T>((resolve) => socket.once(event, resolve));

describe('Socket.io /live', () => {
  it('sends a turnout snapshot on joining, and again on turnout:resync', async () => {
    const socket = connect({ token: await apiToken(t.services, 'viewer') });
    const first = await next<TurnoutSnapshot>(socket, 'turnout:snapshot');
    expect(first.stations.map((s) => s.code)).toEqual(['0101', '0102', '0201', '0202']);
    expect(first.totals.registered).toBe(3500);
    socket.emit('turnout:resync');
    const second = await next<TurnoutSnapshot>(socket, 'turnout:snapshot');
    expect(second.totals).toEqual(first.totals);
  });

  it('lets a war-room browser in with its session cookie', async () => {
    const { cookie } = await signedIn(t.services, 'coordinator');
    const socket = connect({ cookie });
    expect((await next<TurnoutSnapshot>(socket, 'turnout:snapshot')).totals.stations).toBe(4);
  });

  it('refuses a connection without credentials, or from a role outside the war room', async () => {
    const anonymous = await next<Error & { data?: unknown }>(connect(), 'connect_error');
    expect([anonymous.message, anonymous.data]).toEqual([
      'Sign in first, or send a valid API token in the Authorization header.',
      { code: 'unauthenticated' },
    ]);
    const watcher = await next<Error & { data?: unknown }>(
      connect({ token: await apiToken(t.services, 'watcher', ['0101']) }),
      'connect_error',
    );
    expect(watcher.data).toEqual({ code: 'forbidden' });
  });

  it('refuses a browser page from another site, even with a valid session (cross-site WebSocket hijacking)', async () => {
    const { cookie } = await signedIn(t.services, 'coordinator');
    const socket = connect({ cookie, origin: 'https://evil.example' });
    const error = await next<Error>(socket, 'connect_error');
    expect(error.message).toBe('websocket error');
  });

  it('checks the session again on every event: a signed-out browser is dropped', async () => {
    const coordinator = await signedIn(t.services, 'coordinator');
    const socket = connect({ cookie: coordinator.cookie });
    await next(socket, 'turnout:snapshot');
    await t.services.auth.signOut(coordinator.sessionToken);
    const refused = next<{ code: string }>(socket, 'error:refused');
    const disconnected = next<string>(socket, 'disconnect');
    socket.emit('turnout:resync');
    expect((await refused).code).toBe('unauthenticated');
    expect(await disconnected).toBe('io server disconnect');
  });
});
