import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MapGeometry } from '../../server/geo/geo.map.ts';
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

describe('GET /api/v1/map', () => {
  it('refuses anyone without a valid token or session (401), and roles outside the war room (403)', async () => {
    for (const headers of [{}, bearer('rel_not-a-token')]) {
      expect((await get('/api/v1/map', headers)).status).toBe(401);
    }
    const watcher = await signedIn(t.services, 'watcher', { stationCodes: ['0101'] });
    for (const headers of [
      bearer(await apiToken(t.services, 'watcher', ['0101'])),
      bearer(await apiToken(t.services, 'volunteer')),
      { Cookie: watcher.cookie },
    ]) {
      const response = await get('/api/v1/map', headers);
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    }
  });

  it('gives the current election’s area outlines with their codes, kinds and parents, leaving out areas without one', async () => {
    const election = await createSmallElection(t.services);
    const response = await get('/api/v1/map', bearer(adminToken));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, max-age=300');
    const geometry = (await response.json()) as MapGeometry;
    expect(geometry.electionId).toBe(election.id);
    // The city (T) has no boundary of its own in this election: it is not drawn.
    expect(geometry.areas.type).toBe('FeatureCollection');
    expect(geometry.areas.features.map((feature) => feature.properties)).toEqual([
      { code: 'D1', name: 'District 1', kind: 'district', parentCode: 'T' },
      { code: 'D2', name: 'District 2', kind: 'district', parentCode: 'T' },
      { code: 'N1', name: 'Neighbourhood 1', kind: 'neighbourhood', parentCode: 'D1' },
      { code: 'N2', name: 'Neighbourhood 2', kind: 'neighbourhood', parentCode: 'D2' },
    ]);
    expect(geometry.areas.features[2]!.geometry).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [2.3, 48.8],
          [2.31, 48.8],
          [2.31, 48.81],
          [2.3, 48.81],
          [2.3, 48.8],
        ],
      ],
    });
    // Around the districts' squares and the stations, the last of which lies east of them.
    const [west, south, east, north] = geometry.bbox!;
    expect([west, south, north]).toEqual([2.3, 48.8, 48.82]);
    expect(east).toBeCloseTo(2.4525, 6);
  });

  it('answers a session of the war room too, and 304 when the boundaries have not changed', async () => {
    await createSmallElection(t.services);
    const { cookie } = await signedIn(t.services, 'viewer');
    const first = await get('/api/v1/map', { Cookie: cookie });
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    // As a browser revalidates: fetch would add `Cache-Control: no-cache` to a hand-set If-None-Match in its default mode.
    const again = await fetch(server.url + '/api/v1/map', { headers: { Cookie: cookie, 'If-None-Match': etag! }, cache: 'no-cache' });
    expect(again.status).toBe(304);
  });
});
