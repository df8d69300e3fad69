import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TurnoutSnapshot } from '../../server/turnout/turnout.service.ts';
import { apiToken, createSmallElection } from '../factories.ts';
import { signedIn } from '../fixtures.ts';
import { openTestServices, startTestServer, type TestServices } from '../setup/services.ts';

let t: TestServices;
let server: { url: string; close(): Promise<void> };
let adminToken: string;

beforeAll(async () => {
  t = await openTestServices();
  await createSmallElection(t.services);
  server = await startTestServer(t.services);
  adminToken = await apiToken(t.services, 'admin');
});

afterAll(async () => {
  await server.close();
  await t.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(server.url + path, { headers });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('monitoring', () => {
  it('answers /healthz and /readyz with the database and the queues reachable', async () => {
    const health = await get('/healthz');
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await get('/readyz');
    expect([ready.status, await ready.json()]).toEqual([
      200,
      { status: 'ready', checks: { database: 'ok', queues: 'ok' }, queueBackend: 'postgres' },
    ]);
  });

  it('serves Prometheus metrics, with request timings by kind of route', async () => {
    await get('/api/v1/turnout');
    const metrics = await (await get('/metrics')).text();
    expect(metrics).toMatch(/relance_http_request_duration_seconds_count\{kind="api",method="GET",status="4xx"\} [1-9]/);
    expect(metrics).toContain('process_cpu_seconds_total');
  });
});

describe('GET /api/v1/turnout', () => {
  it('refuses anyone without a valid token or session (401)', async () => {
    for (const headers of [{}, bearer('rel_not-a-token')]) {
      const response = await get('/api/v1/turnout', headers);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: { code: 'unauthenticated', message: 'Sign in first, or send a valid API token in the Authorization header.', field: null },
      });
    }
  });

  it('refuses roles outside the war room (403)', async () => {
    for (const token of [await apiToken(t.services, 'watcher', ['0101']), await apiToken(t.services, 'volunteer')]) {
      const response = await get('/api/v1/turnout', bearer(token));
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    }
  });

  it('gives every station and area with registered voters, nobody voted before any report', async () => {
    // An election of its own, the current one from now on: no other test's reports count here.
    await createSmallElection(t.services);
    const response = await get('/api/v1/turnout', bearer(adminToken));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const snapshot = (await response.json()) as TurnoutSnapshot;
    expect(snapshot.epoch).toMatch(/^[0-9a-f]{8}$/);
    expect(snapshot.election).toMatchObject({
      name: 'Test town, first round',
      pollingDay: '2026-03-15',
      pollsOpenAt: '2026-03-15T07:00:00.000Z',
      pollsCloseAt: '2026-03-15T19:00:00.000Z',
    });
    expect(snapshot.totals).toMatchObject({
      registered: 3500,
      voted: 0,
      turnout: 0,
      stations: 4,
      reportingStations: 0,
      estimatedStations: 4,
    });
    expect(snapshot.stations.map((s) => [s.code, s.areaCode, s.registered, s.voted, s.reportedAt])).toEqual([
      ['0101', 'N1', 1000, 0, null],
      ['0102', 'N1', 1000, 0, null],
      ['0201', 'N2', 1000, 0, null],
      ['0202', 'N2', 500, 0, null],
    ]);
    expect(snapshot.areas.map((a) => [a.code, a.kind, a.parentCode, a.registered, a.stations])).toEqual([
      ['D1', 'district', 'T', 2000, 2],
      ['D2', 'district', 'T', 1500, 2],
      ['N1', 'neighbourhood', 'D1', 2000, 2],
      ['N2', 'neighbourhood', 'D2', 1500, 2],
      ['T', 'city', null, 3500, 4],
    ]);
  });

  it('counts the count that stands at each station, not a flagged one', async () => {
    // Its reports go into an election of its own, which no other test reads.
    await createSmallElection(t.services);
    const watcher = await apiToken(t.services, 'watcher', ['0202']);
    const report = (id: string, voters: number, observedAt: string) =>
      fetch(server.url + '/api/v1/reports', {
        method: 'POST',
        headers: { ...bearer(watcher), 'Content-Type': 'application/json' },
        body: JSON.stringify({ id, stationCode: '0202', voters, observedAt }),
      });
    expect((await report('00000000-0000-4000-8000-000000000001', 100, '2026-03-15T08:00:00Z')).status).toBe(201);
    expect((await report('00000000-0000-4000-8000-000000000002', 150, '2026-03-15T08:30:00Z')).status).toBe(201);
    // Lower than the count standing: stored and flagged, not counted.
    expect((await report('00000000-0000-4000-8000-000000000003', 120, '2026-03-15T08:45:00Z')).status).toBe(201);

    const snapshot = (await (await get('/api/v1/turnout', bearer(adminToken))).json()) as TurnoutSnapshot;
    expect(snapshot.stations.find((s) => s.code === '0202')).toMatchObject({
      voted: 150,
      turnout: 0.3,
      reportedAt: '2026-03-15T08:30:00.000Z',
    });
    expect(snapshot.areas.find((a) => a.code === 'D2')).toMatchObject({ voted: 150, turnout: 0.1, reportingStations: 1 });
    expect(snapshot.totals).toMatchObject({ registered: 3500, voted: 150, turnout: 0.043, stations: 4, reportingStations: 1 });
  });

  it('accepts a war-room session cookie as well as a token', async () => {
    const { cookie } = await signedIn(t.services, 'coordinator');
    const response = await get('/api/v1/turnout', { Cookie: cookie });
    expect(response.status).toBe(200);
  });

  it('answers an unknown API route with a JSON 404', async () => {
    const response = await get('/api/v1/nothing-here', bearer(adminToken));
    expect([response.status, await response.json()]).toEqual([
      404,
      { error: { code: 'not_found', message: 'No such API route. See docs/api.md.', field: null } },
    ]);
  });
});

describe('request safety', () => {
  it('refuses a state-changing request sent by a browser from another site', async () => {
    const response = await fetch(server.url + '/logout', { method: 'POST', headers: { Origin: 'https://evil.example' } });
    expect([response.status, await response.json()]).toEqual([
      403,
      { error: { code: 'cross_site_request', message: 'Requests from another site are refused.' } },
    ]);
  });

  it('does not take the Host header’s word for where a write comes from (DNS rebinding)', async () => {
    const rebound = `rebound.example:${new URL(server.url).port}`;
    // fetch sets Host itself; a page on a rebound name sends its own.
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(
        server.url + '/logout',
        { method: 'POST', headers: { host: rebound, origin: `http://${rebound}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(403);
  });

  it('sends security headers and a per-request script nonce', async () => {
    const [first, second] = await Promise.all([get('/healthz'), get('/healthz')]);
    expect(first.headers.get('x-frame-options')).toBe('DENY');
    expect(first.headers.get('referrer-policy')).toBe('same-origin');
    expect(first.headers.get('content-security-policy')).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}'/);
    expect(first.headers.get('content-security-policy')).not.toBe(second.headers.get('content-security-policy'));
  });

  it('answers the API under a policy that allows a browser nothing, with no nonce to make', async () => {
    for (const path of ['/api/v1/turnout', '/api/v1/no-such-route']) {
      const response = await get(path);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
    // A page whose path only starts like the API's is a page, with its nonce.
    expect((await get('/api/v1x')).headers.get('content-security-policy')).toMatch(/'nonce-/);
  });

  it('gives every browser a form token cookie that scripts cannot read, and none to API calls', async () => {
    const cookie = (await get('/login')).headers.get('set-cookie');
    expect(cookie).toMatch(/^relance_csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    expect((await get('/api/v1/turnout')).headers.get('set-cookie')).toBeNull();
  });
});
