import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyDelta, placeOf } from '../../app/war-room/live-turnout.ts';
import { hashToken } from '../../server/auth/auth.secrets.ts';
import { PRINCIPAL_CACHE_MS } from '../../server/auth/auth.service.ts';
import { CLIENT_EVENT_BURST, CLIENT_EVENT_INTERVAL_MS } from '../../server/realtime/realtime.events.ts';
import type { TurnoutDelta } from '../../server/turnout/turnout.delta.ts';
import type { TurnoutSnapshot } from '../../server/turnout/turnout.service.ts';
import type { ListProgress } from '../../server/chase/chase.progress.ts';
import type { LiveEvent } from '../../server/realtime/realtime.feed.ts';
import { apiToken, createSmallElection, createTextList } from '../factories.ts';
import { signedIn } from '../fixtures.ts';
import { redisAvailable, startRedis } from '../setup/redis.ts';
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

function connect(
  options: { token?: string; cookie?: string; origin?: string; headers?: Record<string, string>; url?: string } = {},
): Socket {
  const headers: Record<string, string> = { ...options.headers };
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

  it('sends every connected screen the new turnout once a watcher’s report is committed', async () => {
    const socket = connect({ token: await apiToken(t.services, 'viewer') });
    const joined = await next<TurnoutSnapshot>(socket, 'turnout:snapshot');
    const watcher = await apiToken(t.services, 'watcher', ['0202']);
    const voters = (joined.stations.find((station) => station.code === '0202')?.voted ?? 0) + 25;
    const updated = next<TurnoutDelta>(socket, 'turnout:delta');
    const response = await fetch(`${server.url}/api/v1/reports`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${watcher}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: randomUUID(), stationCode: '0202', voters, observedAt: t.clock.now().toISOString() }),
    });
    expect(response.status).toBe(201);
    const delta = await updated;
    expect(delta).toMatchObject({ epoch: joined.epoch, seq: joined.seq + 1 });
    expect(delta.stations.find((station) => station.code === '0202')).toMatchObject({ voted: voters, estimated: false, silent: false });
    // The first report also moves the model's estimates of the stations that have not reported.
    expect(delta.totals.voted).toBe(joined.totals.voted + 25);
    expect(delta.areas.map((area) => area.code)).toContain('N2');
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

  it('refuses a token limited to some stations: the war room shows them all', async () => {
    const scoped = await next<Error & { data?: { code: string } }>(
      connect({ token: await apiToken(t.services, 'viewer', ['0101']) }),
      'connect_error',
    );
    expect(scoped.data?.code).toBe('forbidden');
    const response = await fetch(`${server.url}/api/v1/turnout`, {
      headers: { Authorization: `Bearer ${await apiToken(t.services, 'coordinator', ['0101'])}` },
    });
    expect(response.status).toBe(403);
  });

  it('refuses a browser page from another site, even with a valid session (cross-site WebSocket hijacking)', async () => {
    const { cookie } = await signedIn(t.services, 'coordinator');
    const socket = connect({ cookie, origin: 'https://evil.example' });
    const error = await next<Error>(socket, 'connect_error');
    expect(error.message).toBe('websocket error');
  });

  it('lets in only the configured origins, whatever the Host header says (DNS rebinding)', async () => {
    const { cookie } = await signedIn(t.services, 'coordinator');
    const { port } = new URL(server.url);
    const rebound = connect({ cookie, origin: `http://rebound.example:${port}`, headers: { host: `rebound.example:${port}` } });
    expect((await next<Error>(rebound, 'connect_error')).message).toBe('websocket error');
    const forwarded = connect({ cookie, origin: `https://127.0.0.1:${port}`, headers: { 'x-forwarded-proto': 'https' } });
    expect((await next<Error>(forwarded, 'connect_error')).message).toBe('websocket error');

    const own = connect({ cookie, origin: 'http://localhost:3000' });
    expect((await next<TurnoutSnapshot>(own, 'turnout:snapshot')).totals.stations).toBe(4);
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

  it('answers a connection that floods client events with too_many_requests, keeps it open, and serves it again later', async () => {
    const socket = connect({ token: await apiToken(t.services, 'viewer') });
    await next(socket, 'turnout:snapshot'); // the one sent on joining
    const snapshots: unknown[] = [];
    const refusals: { code: string; message: string }[] = [];
    socket.on('turnout:snapshot', (snapshot: unknown) => snapshots.push(snapshot));
    socket.on('error:refused', (refusal: { code: string; message: string }) => refusals.push(refusal));

    for (let i = 0; i < 30; i++) socket.emit('turnout:resync');
    await expect.poll(() => snapshots.length + refusals.length).toBe(30);
    expect(snapshots).toHaveLength(CLIENT_EVENT_BURST);
    expect(refusals).toHaveLength(30 - CLIENT_EVENT_BURST);
    expect(refusals[0]).toEqual({
      code: 'too_many_requests',
      message: 'Too many requests on this connection. Wait a few seconds and try again.',
    });
    expect(socket.connected).toBe(true);

    t.clock.advance(CLIENT_EVENT_BURST * CLIENT_EVENT_INTERVAL_MS);
    snapshots.length = 0;
    socket.emit('turnout:resync');
    await expect.poll(() => snapshots.length).toBe(1);
    expect(refusals).toHaveLength(30 - CLIENT_EVENT_BURST);
  });

  it('numbers its deltas one by one, and the snapshot with its deltas applied equals a fresh snapshot', async () => {
    const socket = connect({ token: await apiToken(t.services, 'viewer') });
    let state = await next<TurnoutSnapshot>(socket, 'turnout:snapshot');
    const deltas: TurnoutDelta[] = [];
    socket.on('turnout:delta', (delta: TurnoutDelta) => deltas.push(delta));

    await report('0101', stationVoted(state, '0101') + 40);
    await expect.poll(() => deltas.length).toBe(1);
    await report('0201', stationVoted(state, '0201') + 30);
    await expect.poll(() => deltas.length).toBe(2);
    await flag('0102');
    await expect.poll(() => deltas.length).toBe(3);

    expect(deltas.map((delta) => delta.seq)).toEqual([state.seq + 1, state.seq + 2, state.seq + 3]);
    expect(deltas.every((delta) => delta.epoch === state.epoch)).toBe(true);
    expect(deltas[2]!.flags?.map((open) => open.stationCode)).toContain('0102');
    for (const delta of deltas) {
      expect(placeOf(state, delta)).toBe('apply');
      state = applyDelta(state, delta);
    }
    socket.emit('turnout:resync');
    const fresh = await next<TurnoutSnapshot>(socket, 'turnout:snapshot');
    expect(fresh.seq).toBe(state.seq);
    expect({ ...state, asOf: fresh.asOf }).toEqual(fresh);
  });

  it('lets a screen that missed a delta see the gap and catch up with a snapshot', async () => {
    const socket = connect({ token: await apiToken(t.services, 'viewer') });
    const joined = await next<TurnoutSnapshot>(socket, 'turnout:snapshot');
    const missed = next<TurnoutDelta>(socket, 'turnout:delta');
    await report('0102', stationVoted(joined, '0102') + 11);
    expect((await missed).seq).toBe(joined.seq + 1);

    const after = next<TurnoutDelta>(socket, 'turnout:delta');
    await report('0202', stationVoted(joined, '0202') + 12);
    const delta = await after;
    expect(placeOf(joined, delta)).toBe('resync');
    expect(placeOf(joined, { ...delta, seq: joined.seq })).toBe('skip');
    expect(placeOf(joined, { ...delta, seq: joined.seq + 1, epoch: 'another-node' })).toBe('resync');

    socket.emit('turnout:resync');
    const caughtUp = await next<TurnoutSnapshot>(socket, 'turnout:snapshot');
    expect(caughtUp.seq).toBeGreaterThanOrEqual(delta.seq);
    expect(stationVoted(caughtUp, '0102')).toBe(stationVoted(joined, '0102') + 11);
    expect(stationVoted(caughtUp, '0202')).toBe(stationVoted(joined, '0202') + 12);
  });

  it('checks the token again as deltas go out: a revoked screen is dropped without asking for anything', async () => {
    const token = await apiToken(t.services, 'viewer');
    const socket = connect({ token });
    const joined = await next<TurnoutSnapshot>(socket, 'turnout:snapshot');
    await t.services.db.prisma.apiToken.update({ where: { tokenHash: hashToken(token) }, data: { revokedAt: t.clock.now() } });
    t.clock.advance(PRINCIPAL_CACHE_MS + 1);
    const deltas: TurnoutDelta[] = [];
    socket.on('turnout:delta', (delta: TurnoutDelta) => deltas.push(delta));
    const refused = next<{ code: string }>(socket, 'error:refused');
    const disconnected = next<string>(socket, 'disconnect');
    await report('0101', stationVoted(joined, '0101') + 5);
    expect((await refused).code).toBe('unauthenticated');
    expect(await disconnected).toBe('io server disconnect');
    // At most the delta that went out while its token was being looked up again.
    expect(deltas.length).toBeLessThanOrEqual(1);
  });
});

/** The standing count of a station in a snapshot. */
function stationVoted(snapshot: TurnoutSnapshot, code: string): number {
  return snapshot.stations.find((station) => station.code === code)!.voted;
}

/** A watcher's report through the ingest API, as a phone sends it. */
async function report(stationCode: string, voters: number, url = server.url, services = t.services) {
  const watcher = await apiToken(services, 'watcher', [stationCode]);
  const response = await fetch(`${url}/api/v1/reports`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${watcher}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: randomUUID(), stationCode, voters, observedAt: services.clock.now().toISOString() }),
  });
  expect(response.status).toBe(201);
}

async function flag(stationCode: string) {
  const watcher = await apiToken(t.services, 'watcher', [stationCode]);
  const response = await fetch(`${server.url}/api/v1/flags`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${watcher}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: randomUUID(), stationCode, category: 'long_queue', observedAt: t.clock.now().toISOString() }),
  });
  expect(response.status).toBe(201);
}

// Without redis-server (outside CI), tests/setup/redis.ts prints why these are skipped.
describe.runIf(redisAvailable)('/live on several web nodes sharing one Redis', () => {
  let redis: { url: string; stop(): Promise<void> };
  let a: TestServices;
  let b: TestServices;
  let nodeA: Awaited<ReturnType<typeof startTestServer>>;
  let nodeB: Awaited<ReturnType<typeof startTestServer>>;

  beforeAll(async () => {
    redis = await startRedis();
    a = await openTestServices({ REDIS_URL: redis.url });
    // The second node serves the same database, as two web processes behind a load balancer do.
    b = await openTestServices({ REDIS_URL: redis.url, DATABASE_URL: a.databaseUrl });
    await createSmallElection(a.services);
    nodeA = await startTestServer(a.services);
    nodeB = await startTestServer(b.services);
  });

  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
    await b?.close();
    await a?.close();
    await redis?.stop();
  });

  it('brings a report posted to node A to a dashboard connected to node B', async () => {
    const onB = io(`${nodeB.url}/live`, {
      transports: ['websocket'],
      auth: { token: await apiToken(b.services, 'viewer') },
      reconnection: false,
    });
    sockets.push(onB);
    const joined = await next<TurnoutSnapshot>(onB, 'turnout:snapshot');
    const delta = next<TurnoutDelta>(onB, 'turnout:delta');
    await report('0201', stationVoted(joined, '0201') + 77, nodeA.url, a.services);
    const received = await delta;
    expect(received).toMatchObject({ epoch: joined.epoch, seq: joined.seq + 1 });
    expect(received.stations.find((station) => station.code === '0201')?.voted).toBe(stationVoted(joined, '0201') + 77);
  });

  it('tells node B which chase lists moved on node A, gathered: a burst of calls is relayed once', async () => {
    const election = await a.services.elections.requireCurrent();
    const list = await createTextList(a.services, election.id, [], 'Relayed list');
    const onB = io(`${nodeB.url}/live`, {
      transports: ['websocket'],
      auth: { token: await apiToken(b.services, 'viewer') },
      reconnection: false,
    });
    sockets.push(onB);
    await next<TurnoutSnapshot>(onB, 'turnout:snapshot');
    const relayed: LiveEvent[] = [];
    const stop = b.services.feed.subscribe((event) => {
      if (event.relayed && event.type === 'chase:changed') relayed.push(event);
    });
    const progress = new Promise<ListProgress>((resolve) =>
      onB.on('chase:progress', (figures: ListProgress) => {
        if (figures.listId === list.id) resolve(figures);
      }),
    );
    // Five calls worked on node A within a moment of each other.
    for (let call = 0; call < 5; call++) a.services.feed.publish({ type: 'chase:changed', electionId: election.id, listIds: [list.id] });
    expect(await progress).toMatchObject({ listId: list.id, entries: 0 });
    stop();
    expect(relayed).toEqual([{ type: 'chase:changed', electionId: election.id, listIds: [list.id], relayed: true }]);
  });

  it('gives each node its own stream: a screen moving to another node sees another epoch and resyncs', async () => {
    const token = await apiToken(a.services, 'viewer');
    const onA = io(`${nodeA.url}/live`, { transports: ['websocket'], auth: { token }, reconnection: false });
    const onB = io(`${nodeB.url}/live`, { transports: ['websocket'], auth: { token }, reconnection: false });
    sockets.push(onA, onB);
    const [fromA, fromB] = await Promise.all([
      next<TurnoutSnapshot>(onA, 'turnout:snapshot'),
      next<TurnoutSnapshot>(onB, 'turnout:snapshot'),
    ]);
    expect(fromA.epoch).not.toBe(fromB.epoch);
    expect(fromA.totals).toEqual(fromB.totals);
    const deltaOnB = next<TurnoutDelta>(onB, 'turnout:delta');
    await report('0102', stationVoted(fromA, '0102') + 3, nodeB.url, b.services);
    expect(placeOf(fromA, await deltaOnB)).toBe('resync');
  });
});
