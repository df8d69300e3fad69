import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PRINCIPAL_CACHE_MS } from '../../server/auth/auth.service.ts';
import type { ReportView } from '../../server/watchers/watchers.reports.ts';
import { apiToken, createSmallElection, createUser, voterCsv } from '../factories.ts';
import { signedIn } from '../fixtures.ts';
import { openTestServices, startTestServer, type TestServices } from '../setup/services.ts';

let t: TestServices;
let server: { url: string; close(): Promise<void> };
let electionId: number;

beforeAll(async () => {
  t = await openTestServices();
  electionId = (await createSmallElection(t.services)).id;
  server = await startTestServer(t.services);
  await t.services.imports.voters(
    electionId,
    voterCsv([
      { list_number: 1, first_name: 'Alice', last_name: 'Martin' },
      { list_number: 2, first_name: 'Bruno', last_name: 'Martinez' },
      { list_number: 3, first_name: 'Chloé', last_name: 'Petit' },
      { list_number: 4, station_code: '0102' },
    ]),
    null,
  );
});

afterAll(async () => {
  await server.close();
  await t.close();
});

beforeEach(() => t.clock.reset()); // 10:00 in Paris on polling day (2026-03-15T09:00Z)

type Json = Record<string, unknown>;

async function post(path: string, token: string, body: unknown) {
  const response = await fetch(server.url + path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

/** A station of its own for each test (the small election has four), and a watcher token for it. */
async function watcherOf(stationCode: string) {
  return apiToken(t.services, 'watcher', [stationCode]);
}

const stored = (id: string) => t.services.db.prisma.turnoutReport.findMany({ where: { id } });
const standing = (code: string) =>
  t.services.db.prisma.pollingStation.findFirstOrThrow({
    where: { electionId, code },
    select: { reportedVoters: true, reportedAt: true },
  });

function report(fields: Json = {}) {
  return { id: randomUUID(), stationCode: '0101', voters: 120, observedAt: '2026-03-15T09:00:00Z', ...fields };
}

describe('POST /api/v1/reports: each report stored exactly once', () => {
  it('stores a report (201), answers the same id and payload with the first result (200), another payload with 409', async () => {
    const token = await watcherOf('0101');
    const sent = report({ voters: 130, observedAt: '2026-03-15T09:00:00+01:00', note: 'Queue at the door' });
    const first = await post('/api/v1/reports', token, sent);
    expect(first).toEqual({
      status: 201,
      body: {
        id: sent.id,
        stationCode: '0101',
        voters: 130,
        observedAt: '2026-03-15T08:00:00.000Z',
        receivedAt: '2026-03-15T09:00:00.000Z',
        status: 'accepted',
        flagReason: null,
        claimedObservedAt: null,
        note: 'Queue at the door',
        rehearsal: false,
      },
    });
    t.clock.advance(60_000);
    expect(await post('/api/v1/reports', token, sent)).toEqual({ status: 200, body: first.body });
    const conflict = await post('/api/v1/reports', token, { ...sent, voters: 131 });
    expect(conflict).toEqual({
      status: 409,
      body: {
        error: {
          code: 'duplicate_report_conflict',
          message: `Report ${sent.id} was already received with other figures. Send a new report with a new id.`,
          field: 'id',
        },
      },
    });
    expect(await stored(sent.id)).toHaveLength(1);
  });

  it('stores the same id sent 20 times at once exactly once', async () => {
    const token = await watcherOf('0102');
    const sent = report({ stationCode: '0102', voters: 77 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => post('/api/v1/reports', token, sent)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, ...Array(18).fill(200), 201].sort());
    expect(new Set(answers.map((answer) => JSON.stringify(answer.body))).size).toBe(1);
    expect(await stored(sent.id)).toHaveLength(1);
  });

  it('refuses bad input with 422 and the field to fix, and stores nothing', async () => {
    const token = await watcherOf('0101');
    const cases: [Json | string, string, string][] = [
      [report({ voters: -1 }), 'voters', 'voters: cannot be negative'],
      [report({ voters: 12.5 }), 'voters', 'voters: must be a whole number of voters'],
      [report({ voters: 1e12 }), 'voters', 'voters: cannot be more than 100000'],
      [report({ voters: '120' }), 'voters', 'voters: must be the number of people who have voted so far, a whole number'],
      [
        report({ voters: 1101 }),
        'voters',
        '1101 voters is more than this station can have: it has 1000 registered voters. Check the figure on the signature sheet.',
      ],
      [
        { id: randomUUID(), voters: 10, observedAt: '2026-03-15T09:00:00Z' },
        'stationCode',
        'stationCode: Invalid input: expected string, received undefined',
      ],
      [report({ stationCode: '9999' }), 'stationCode', 'There is no station 9999 in this election. Check the code on your assignment.'],
      [report({ id: 'not-a-uuid' }), 'id', 'id: must be a UUID, generated by the phone for this report'],
      [report({ observedAt: 'this morning' }), 'observedAt', 'observedAt: must be a date and time such as 2026-03-15T10:30:00+01:00'],
      [report({ note: '<script>alert(1)</script>' }), 'note', 'note: must be plain text, without HTML tags'],
      [report({ extra: true }), '', 'Unrecognized key: "extra"'],
    ];
    for (const [body, field, message] of cases) {
      const answer = await post('/api/v1/reports', token, body);
      expect([answer.status, answer.body]).toEqual([422, { error: { code: 'invalid_input', message, field: field || null } }]);
    }
    const sentIds = cases.flatMap(([body]) =>
      typeof body === 'object' && typeof body.id === 'string' && body.id !== 'not-a-uuid' ? [body.id] : [],
    );
    expect(await t.services.db.prisma.turnoutReport.count({ where: { id: { in: sentIds } } })).toBe(0);
    expect(await t.services.db.prisma.turnoutReport.count({ where: { note: { contains: 'script' } } })).toBe(0);
  });

  it('refuses an oversized body (413) and a body that is not JSON (400), storing nothing', async () => {
    const token = await watcherOf('0101');
    const huge = await post('/api/v1/reports', token, report({ note: 'x'.repeat(2_000_000) }));
    expect(huge.status).toBe(413);
    const broken = await post('/api/v1/reports', token, '{"id": ');
    expect(broken.status).toBe(400);
  });

  it('refuses a station that is not one of the caller’s (403), and anyone without a token (401)', async () => {
    const token = await watcherOf('0101');
    const sent = report({ stationCode: '0201' });
    expect(await post('/api/v1/reports', token, sent)).toEqual({
      status: 403,
      body: {
        error: { code: 'station_out_of_scope', message: 'Station 0201 is not one of your assigned stations.', field: 'stationCode' },
      },
    });
    expect((await post('/api/v1/reports', 'rel_made-up', report())).status).toBe(401);
    expect((await post('/api/v1/reports', await apiToken(t.services, 'viewer'), report())).status).toBe(403);
    expect(await stored(sent.id)).toHaveLength(0);
  });

  it('stops taking a revoked token’s reports within seconds', async () => {
    const token = await watcherOf('0101');
    const sent = report({ voters: 50, observedAt: '2026-03-15T07:10:00Z' });
    expect((await post('/api/v1/reports', token, sent)).status).toBe(201);
    const { apiTokenId } = (await stored(sent.id))[0]!;
    await t.services.db.prisma.apiToken.update({ where: { id: apiTokenId! }, data: { revokedAt: t.clock.now() } });
    t.clock.advance(PRINCIPAL_CACHE_MS);
    expect((await post('/api/v1/reports', token, report())).status).toBe(401);
  });
});

describe('which count stands (docs/watchers.md)', () => {
  it('keeps the latest reading from any watcher; a late, older one is stored without replacing it', async () => {
    const [first, second] = [await watcherOf('0201'), await watcherOf('0201')];
    expect(
      (await post('/api/v1/reports', first, report({ stationCode: '0201', voters: 200, observedAt: '2026-03-15T08:30:00Z' }))).status,
    ).toBe(201);
    expect(
      (await post('/api/v1/reports', second, report({ stationCode: '0201', voters: 260, observedAt: '2026-03-15T08:50:00Z' }))).status,
    ).toBe(201);
    // The first phone was offline: its 08:40 reading arrives last.
    const late = await post('/api/v1/reports', first, report({ stationCode: '0201', voters: 240, observedAt: '2026-03-15T08:40:00Z' }));
    expect(late.body).toMatchObject({ status: 'accepted', flagReason: null });
    expect(await standing('0201')).toEqual({ reportedVoters: 260, reportedAt: new Date('2026-03-15T08:50:00Z') });
  });

  it('stores and flags a count lower than the standing one, which stays', async () => {
    const token = await watcherOf('0202');
    await post('/api/v1/reports', token, report({ stationCode: '0202', voters: 300, observedAt: '2026-03-15T08:00:00Z' }));
    const lower = await post('/api/v1/reports', token, report({ stationCode: '0202', voters: 30, observedAt: '2026-03-15T08:10:00Z' }));
    expect([lower.status, lower.body.status, lower.body.flagReason]).toEqual([201, 'flagged', 'lower_than_before']);
    expect(await standing('0202')).toMatchObject({ reportedVoters: 300 });
  });

  it('flags a report read outside polling hours', async () => {
    const token = await watcherOf('0101');
    const early = await post('/api/v1/reports', token, report({ voters: 5, observedAt: '2026-03-15T06:30:00Z' }));
    expect([early.status, early.body.status, early.body.flagReason]).toEqual([201, 'flagged', 'outside_polling_hours']);
  });

  it('files a report from a phone whose clock is more than 5 minutes ahead at the received time, keeping the phone’s', async () => {
    const token = await watcherOf('0102');
    const ahead = await post('/api/v1/reports', token, report({ stationCode: '0102', voters: 90, observedAt: '2026-03-15T09:30:00Z' }));
    expect(ahead.body).toMatchObject({
      status: 'accepted',
      observedAt: '2026-03-15T09:00:00.000Z',
      claimedObservedAt: '2026-03-15T09:30:00.000Z',
    });
    const slightlyAhead = await post(
      '/api/v1/reports',
      token,
      report({ stationCode: '0102', voters: 91, observedAt: '2026-03-15T09:04:00Z' }),
    );
    expect(slightlyAhead.body).toMatchObject({ observedAt: '2026-03-15T09:04:00.000Z', claimedObservedAt: null });
  });

  it('stores reports sent during a rehearsal as tests that never count', async () => {
    const coordinator = await signedIn(t.services, 'coordinator');
    const token = await watcherOf('0201');
    const before = await standing('0201');
    await t.services.readiness.setRehearsal(coordinator.principal, electionId, true);
    try {
      const test = await post('/api/v1/reports', token, report({ stationCode: '0201', voters: 999, observedAt: '2026-03-15T08:59:00Z' }));
      expect(test.body).toMatchObject({ status: 'accepted', rehearsal: true });
      expect(await standing('0201')).toEqual(before);
    } finally {
      await t.services.readiness.setRehearsal(coordinator.principal, electionId, false);
    }
    const audit = await t.services.db.prisma.auditEvent.findMany({
      where: { actorUserId: coordinator.user.id, subjectType: 'election' },
      orderBy: { id: 'asc' },
    });
    expect(audit.map((event) => event.action)).toEqual(['rehearsal.start', 'rehearsal.end']);
  });
});

describe('POST /api/v1/reports/batch: what an offline phone flushes', () => {
  it('answers each report on its own: stored, found again, refused', async () => {
    const token = await watcherOf('0102');
    const already = report({ stationCode: '0102', voters: 10, observedAt: '2026-03-15T07:30:00Z' });
    await post('/api/v1/reports', token, already);
    const fresh = report({ stationCode: '0102', voters: 20, observedAt: '2026-03-15T07:40:00Z' });
    const answer = await post('/api/v1/reports/batch', token, {
      reports: [already, fresh, fresh, report({ stationCode: '0201' }), report({ voters: -3, stationCode: '0102' })],
    });
    expect(answer.status).toBe(200);
    const results = answer.body.results as { status: number; report?: ReportView; error?: { code: string; field: string } }[];
    expect(results.map((result) => [result.status, result.report?.voters ?? result.error?.code])).toEqual([
      [200, 10],
      [201, 20],
      [200, 20],
      [403, 'station_out_of_scope'],
      [422, 'invalid_input'],
    ]);
    expect(await stored(fresh.id)).toHaveLength(1);
  });

  it('refuses an empty batch and one over 500 reports (422)', async () => {
    const token = await watcherOf('0102');
    expect((await post('/api/v1/reports/batch', token, { reports: [] })).body).toEqual({
      error: { code: 'invalid_input', message: 'reports: must hold at least one report', field: 'reports' },
    });
    expect((await post('/api/v1/reports/batch', token, { reports: Array.from({ length: 501 }, () => report()) })).status).toBe(422);
  });
});

describe('POST /api/v1/marks: the strike list', () => {
  const mark = (fields: Json = {}) => ({
    id: randomUUID(),
    stationCode: '0101',
    listNumbers: [1, 2],
    markedAt: '2026-03-15T08:15:00Z',
    ...fields,
  });
  const votedAt = async (listNumber: number) =>
    (
      await t.services.db.prisma.voter.findFirstOrThrow({
        where: {
          electionId,
          stationId: (await t.services.db.prisma.pollingStation.findFirstOrThrow({ where: { electionId, code: '0101' } })).id,
          listNumber,
        },
      })
    ).votedAt;

  it('marks voters as voted once, says which list numbers are not on file, and takes a mark back with an undo', async () => {
    const token = await watcherOf('0101');
    const sent = mark({ listNumbers: [2, 1, 99, 1] });
    const first = await post('/api/v1/marks', token, sent);
    expect(first).toEqual({
      status: 201,
      body: {
        id: sent.id,
        stationCode: '0101',
        listNumbers: [1, 2, 99],
        action: 'mark',
        markedAt: '2026-03-15T08:15:00.000Z',
        receivedAt: '2026-03-15T09:00:00.000Z',
        rehearsal: false,
        unknownListNumbers: [99],
      },
    });
    expect(await post('/api/v1/marks', token, sent)).toEqual({ status: 200, body: first.body });
    expect((await post('/api/v1/marks', token, { ...sent, listNumbers: [3] })).status).toBe(409);
    expect(await votedAt(1)).toEqual(new Date('2026-03-15T08:15:00Z'));
    expect(await votedAt(3)).toBeNull();

    expect((await post('/api/v1/marks', token, mark({ listNumbers: [2], action: 'undo' }))).status).toBe(201);
    expect(await votedAt(2)).toBeNull();
    expect(await votedAt(1)).not.toBeNull();
  });

  it('refuses another station’s roll (403) and bad list numbers (422)', async () => {
    const token = await watcherOf('0101');
    expect((await post('/api/v1/marks', token, mark({ stationCode: '0102', listNumbers: [4] }))).status).toBe(403);
    expect((await post('/api/v1/marks', token, mark({ listNumbers: [0] }))).body).toEqual({
      error: { code: 'invalid_input', message: 'listNumbers.0: must be 1 or more', field: 'listNumbers.0' },
    });
    expect((await post('/api/v1/marks', token, mark({ listNumbers: [] }))).status).toBe(422);
  });

  it('finds people on the station’s roll by name, for the caller’s stations only', async () => {
    const token = await watcherOf('0101');
    const found = await fetch(`${server.url}/api/v1/stations/0101/voters?q=marti`, { headers: { Authorization: `Bearer ${token}` } });
    expect(((await found.json()) as { lastName: string }[]).map((voter) => voter.lastName)).toEqual(['Martin', 'Martinez']);
    const theirs = await fetch(`${server.url}/api/v1/stations/0102/voters?q=test`, { headers: { Authorization: `Bearer ${token}` } });
    expect(theirs.status).toBe(403);
    const tooShort = await fetch(`${server.url}/api/v1/stations/0101/voters?q=m`, { headers: { Authorization: `Bearer ${token}` } });
    expect(tooShort.status).toBe(422);
  });
});

describe('POST /api/v1/flags', () => {
  it('stores a flagged problem once, and asks for a note when the category is other', async () => {
    const token = await watcherOf('0101');
    const sent = {
      id: randomUUID(),
      stationCode: '0101',
      category: 'missing_material',
      note: 'No more ballots for list B',
      observedAt: '2026-03-15T08:20:00Z',
    };
    const first = await post('/api/v1/flags', token, sent);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ category: 'missing_material', note: 'No more ballots for list B', rehearsal: false });
    expect(await post('/api/v1/flags', token, sent)).toEqual({ status: 200, body: first.body });
    expect((await post('/api/v1/flags', token, { ...sent, id: randomUUID(), category: 'other', note: undefined })).body).toEqual({
      error: { code: 'invalid_input', message: 'note: must say what the problem is when the category is other', field: 'note' },
    });
    expect((await post('/api/v1/flags', token, { ...sent, id: randomUUID(), category: 'riot' })).status).toBe(422);
  });
});

describe('the readiness board', () => {
  it('shows who has signed in and who has sent a test report during a rehearsal', async () => {
    const coordinator = await signedIn(t.services, 'coordinator');
    const ready = await signedIn(t.services, 'watcher', { stationCodes: ['0202'], name: 'Ready watcher' });
    const idle = await createUser(t.services, 'watcher', { stationCodes: ['0201'], name: 'Idle watcher' });
    await t.services.readiness.setRehearsal(coordinator.principal, electionId, true);
    try {
      const [outcome] = await t.services.reports.submit(
        ready.principal,
        [report({ stationCode: '0202', voters: 1, observedAt: '2026-03-15T08:00:00Z' })],
        'web',
      );
      expect(outcome).toMatchObject({ status: 201, report: { rehearsal: true } });
      const board = await t.services.readiness.board();
      expect(board?.election.rehearsal).toBe(true);
      const rows = board!.watchers.filter((watcher) => [ready.user.id, idle.id].includes(watcher.id));
      expect(rows.map((row) => [row.name, row.stations.map((station) => station.code), row.signedIn, row.sentTestReport])).toEqual([
        ['Idle watcher', ['0201'], false, false],
        ['Ready watcher', ['0202'], true, true],
      ]);
      expect(rows[0]!.lastSeenAt).toBeNull();
      expect(rows[1]!.lastSeenAt).toBe('2026-03-15T09:00:00.000Z');
    } finally {
      await t.services.readiness.setRehearsal(coordinator.principal, electionId, false);
    }
  });
});
