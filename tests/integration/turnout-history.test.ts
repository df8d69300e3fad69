import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyPoints, type TurnoutHistory } from '../../server/turnout/turnout.history.ts';
import { apiToken, createSmallElection } from '../factories.ts';
import { signedIn } from '../fixtures.ts';
import { openTestServices, startTestServer, type TestServices } from '../setup/services.ts';

let t: TestServices;
let server: { url: string; close(): Promise<void> };
let adminToken: string;
let electionId: number;

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

async function report(stationCode: string, voters: number, observedAt: string) {
  const response = await fetch(`${server.url}/api/v1/reports`, {
    method: 'POST',
    headers: { ...bearer(adminToken), 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: randomUUID(), stationCode, voters, observedAt }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { status: string };
}

async function history(query: string, headers: Record<string, string> = bearer(adminToken)) {
  const response = await fetch(`${server.url}/api/v1/turnout/history?${query}`, { headers });
  return { status: response.status, body: (await response.json()) as TurnoutHistory & { error?: { code: string; field: string } } };
}

beforeAll(async () => {
  t = await openTestServices();
  electionId = (await createSmallElection(t.services)).id;
  server = await startTestServer(t.services);
  adminToken = await apiToken(t.services, 'admin');
  // The clock stands at 10:00 in Paris (09:00Z) on polling day.
  await report('0101', 100, '2026-03-15T07:30:00Z');
  await report('0201', 50, '2026-03-15T07:30:20Z');
  await report('0102', 120, '2026-03-15T08:00:00Z');
  await report('0101', 250, '2026-03-15T08:30:00Z');
  // Lower than the count standing: flagged, not counted.
  expect((await report('0102', 80, '2026-03-15T08:45:00Z')).status).toBe('flagged');
  // Sent during a rehearsal: never counted once the election is live again.
  await t.services.db.prisma.election.update({ where: { id: electionId }, data: { rehearsal: true } });
  await report('0202', 300, '2026-03-15T08:50:00Z');
  await t.services.db.prisma.election.update({ where: { id: electionId }, data: { rehearsal: false } });
});

afterAll(async () => {
  await server.close();
  await t.close();
});

describe('GET /api/v1/turnout/history', () => {
  it('is for the war room only', async () => {
    expect((await history('area=N1', {})).status).toBe(401);
    for (const token of [await apiToken(t.services, 'watcher', ['0101']), await apiToken(t.services, 'volunteer')]) {
      const { status, body } = await history('area=N1', bearer(token));
      expect([status, body.error?.code]).toEqual([403, 'forbidden']);
    }
    for (const token of [await apiToken(t.services, 'viewer'), await apiToken(t.services, 'coordinator')]) {
      expect((await history('area=N1', bearer(token))).status).toBe(200);
    }
    const viewer = await signedIn(t.services, 'viewer');
    expect((await history('station=0101', { Cookie: viewer.cookie })).status).toBe(200);
  });

  it('sums, for an area, the standing count of each of its stations at each report', async () => {
    const { status, body } = await history('area=N1');
    expect(status).toBe(200);
    expect(body).toEqual({
      kind: 'area',
      code: 'N1',
      name: 'Neighbourhood 1',
      registered: 2000,
      points: [
        { at: '2026-03-15T07:30:00.000Z', voted: 100, turnout: 0.05 },
        { at: '2026-03-15T08:00:00.000Z', voted: 220, turnout: 0.11 },
        { at: '2026-03-15T08:30:00.000Z', voted: 370, turnout: 0.185 },
      ],
    });
  });

  it('gathers the stations of sub-areas, one point a minute, without rehearsal reports', async () => {
    const { body } = await history('area=T');
    expect([body.name, body.registered]).toEqual(['Test town', 3500]);
    expect(body.points.map((point) => [point.at, point.voted])).toEqual([
      ['2026-03-15T07:30:20.000Z', 150],
      ['2026-03-15T08:00:00.000Z', 270],
      ['2026-03-15T08:30:00.000Z', 420],
    ]);
    expect((await history('area=D2')).body.points.map((point) => point.voted)).toEqual([50]);
  });

  it('gives a station’s accepted counts', async () => {
    const { body } = await history('station=0102');
    expect(body).toEqual({
      kind: 'station',
      code: '0102',
      name: 'School B',
      registered: 1000,
      points: [{ at: '2026-03-15T08:00:00.000Z', voted: 120, turnout: 0.12 }],
    });
    expect((await history('station=0202')).body.points).toEqual([]);
  });

  it('says what is wrong with the question', async () => {
    for (const query of ['', 'area=N1&station=0101', 'area=N1&area=N2', 'area=N1&at=now']) {
      const { status, body } = await history(query);
      expect([query, status, body.error?.code]).toEqual([query, 422, 'invalid_input']);
    }
    for (const query of ['area=NOPE', 'station=9999']) {
      const { status, body } = await history(query);
      expect([query, status, body.error?.code]).toEqual([query, 404, 'not_found']);
    }
  });
});

describe('historyPoints', () => {
  it('adds up the changes in time order', () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 2, 15, 8, minute));
    expect(
      historyPoints(
        [
          { at: at(0), change: 10 },
          { at: at(1), change: 5 },
          { at: at(2), change: -3 },
        ],
        100,
      ),
    ).toEqual([
      { at: '2026-03-15T08:00:00.000Z', voted: 10, turnout: 0.1 },
      { at: '2026-03-15T08:01:00.000Z', voted: 15, turnout: 0.15 },
      { at: '2026-03-15T08:02:00.000Z', voted: 12, turnout: 0.12 },
    ]);
    expect(historyPoints([{ at: at(0), change: 4 }], 0)).toEqual([{ at: '2026-03-15T08:00:00.000Z', voted: 4, turnout: null }]);
  });
});
