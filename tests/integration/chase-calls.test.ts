import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CALL_STATEMENTS, type CallView } from '../../server/chase/chase.claims.ts';
import type { ListProgress } from '../../server/chase/chase.progress.ts';
import { apiToken, createSmallElection, createVoters, type VoterFields } from '../factories.ts';
import { signedIn, type SignedIn } from '../fixtures.ts';
import { openTestServices, startTestServer, type TestServices } from '../setup/services.ts';

let t: TestServices;
let server: { url: string; close(): Promise<void> };
let electionId: number;
let coordinator: SignedIn;
const sockets: Socket[] = [];
let people = 0;

beforeAll(async () => {
  t = await openTestServices();
  electionId = (await createSmallElection(t.services)).id;
  server = await startTestServer(t.services);
  coordinator = await signedIn(t.services, 'coordinator');
});

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.disconnect();
});

afterAll(async () => {
  await server.close();
  await t.close();
});

beforeEach(() => t.clock.reset()); // 10:00 in Paris on polling day

type Json = Record<string, unknown>;

async function call(method: 'GET' | 'POST', path: string, cookie: string, body?: unknown) {
  const response = await fetch(server.url + path, {
    method,
    headers: { cookie, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text.startsWith('{') ? JSON.parse(text) : text) as Json };
}

/**
 * Supporters of their own for a test (a tag of their own keeps other tests' people off its lists),
 * on stations 0101 and 0102, and a call list of them built through the API.
 */
async function listOf(count: number, fields: (i: number) => VoterFields = () => ({})) {
  const tag = `test-${randomUUID().slice(0, 8)}`;
  const rows = Array.from({ length: count }, (_, i) => {
    people++;
    return {
      external_id: `C${people}`,
      first_name: `Person`,
      last_name: `Number ${people}`,
      phone: `+336399${String(80_000 + people).padStart(5, '0')}`,
      station_code: people % 2 ? '0101' : '0102',
      list_number: 1000 + people,
      tags: tag,
      ...fields(i),
    };
  });
  const voters = await createVoters(t.services, electionId, rows);
  const built = await call('POST', '/api/v1/chase-lists', coordinator.cookie, { areaCodes: ['T'], channel: 'call', tags: [tag] });
  expect(built.status).toBe(201);
  return { listId: built.body.id as number, voters: [...voters.values()], rows };
}

async function volunteers(count: number, team?: string) {
  const signed = await Promise.all(
    Array.from({ length: count }, (_, i) => signedIn(t.services, 'volunteer', { name: `Volunteer ${i + 1}` })),
  );
  if (team) {
    const created = await call('POST', '/api/v1/teams', coordinator.cookie, { name: team, memberIds: signed.map((v) => v.user.id) });
    expect(created.status).toBe(201);
    return { volunteers: signed, teamId: created.body.id as number };
  }
  return { volunteers: signed, teamId: null };
}

const assign = (listId: number, body: Json) => call('POST', `/api/v1/chase-lists/${listId}/assign`, coordinator.cookie, body);
const next = async (volunteer: SignedIn) => (await call('POST', '/api/v1/calls/next', volunteer.cookie)).body.call as CallView | null;

function connect(namespace: '/calls' | '/live', cookie: string): Socket {
  // A connection of its own (forceNew): namespaces of one manager would share the first one's cookie.
  const socket = io(`${server.url}${namespace}`, {
    transports: ['websocket'],
    extraHeaders: { cookie },
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  return socket;
}

const connected = (socket: Socket) =>
  new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });

function progressOf(socket: Socket, listId: number, until: (progress: ListProgress) => boolean = () => true) {
  return new Promise<ListProgress>((resolve) => {
    const listener = (progress: ListProgress) => {
      if (progress.listId !== listId || !until(progress)) return;
      socket.off('chase:progress', listener);
      resolve(progress);
    };
    socket.on('chase:progress', listener);
  });
}

describe('next person', () => {
  it('gives 20 volunteers claiming at once 20 different people', async () => {
    const { listId } = await listOf(30);
    const { volunteers: team, teamId } = await volunteers(20, 'Phone bank');
    expect((await assign(listId, { teamIds: [teamId] })).status).toBe(200);
    const claims = await Promise.all(team.map((volunteer) => next(volunteer)));
    const entryIds = claims.map((claim) => claim!.entryId);
    expect(new Set(entryIds).size).toBe(20);
    const held = await t.services.db.prisma.chaseEntry.findMany({ where: { listId, state: 'claimed' } });
    expect(held).toHaveLength(20);
    expect(new Set(held.map((entry) => entry.assigneeId)).size).toBe(20);
    // The 20 at the top of the list, and asking again gives each the same person.
    expect(claims.map((claim) => claim!.rank).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await next(team[0]!))!.entryId).toBe(claims[0]!.entryId);
  });

  it('shows only what the call needs, and hands back an entry whose lease ran out', async () => {
    const { listId } = await listOf(1);
    const {
      volunteers: [first, second],
    } = await volunteers(2);
    await assign(listId, { userIds: [first!.user.id, second!.user.id] });
    const claim = (await next(first!))!;
    expect(claim).toEqual({
      entryId: expect.any(Number),
      listId,
      listName: expect.stringMatching(/^Calls 10:00 — Test town$/),
      channel: 'call',
      rank: 1,
      state: 'claimed',
      leaseExpiresAt: '2026-03-15T09:05:00.000Z',
      voter: { firstName: 'Person', lastName: expect.stringMatching(/^Number \d+$/), phone: expect.stringMatching(/^\+336399\d{5}$/) },
      station: { code: expect.stringMatching(/^010[12]$/), name: expect.any(String), address: null, closesAt: '2026-03-15T19:00:00.000Z' },
      attempts: [],
    });
    expect(await next(second!)).toBeNull();

    t.clock.advance(4 * 60_000);
    expect((await call('POST', `/api/v1/calls/${claim.entryId}/renew`, first!.cookie)).body).toEqual({
      entryId: claim.entryId,
      leaseExpiresAt: '2026-03-15T09:09:00.000Z',
    });
    t.clock.advance(6 * 60_000);
    // The lease ran out: the entry goes back to the list, and the next volunteer gets it.
    const taken = (await next(second!))!;
    expect(taken.entryId).toBe(claim.entryId);
    const late = await call('POST', `/api/v1/calls/${claim.entryId}/outcome`, first!.cookie, { outcome: 'will_vote' });
    expect(late).toEqual({
      status: 409,
      body: {
        error: {
          code: 'call_no_longer_yours',
          message: 'Your hold on this person ran out and another volunteer has them now. Take the next person.',
          field: 'entryId',
        },
      },
    });
    expect(
      (await call('POST', `/api/v1/calls/${claim.entryId}/outcome`, second!.cookie, { outcome: 'will_vote', note: 'Votes at 6 pm' }))
        .status,
    ).toBe(200);
  });

  it('gives back the call held (its lease renewed) until its outcome, and follows a new assignment at once', async () => {
    const { listId } = await listOf(3);
    const {
      volunteers: [first, second],
    } = await volunteers(2);
    await assign(listId, { userIds: [first!.user.id] });
    const claim = (await next(first!))!;
    expect(claim).toMatchObject({ rank: 1, leaseExpiresAt: '2026-03-15T09:05:00.000Z' });
    t.clock.advance(3 * 60_000);
    expect(await next(first!)).toMatchObject({ entryId: claim.entryId, leaseExpiresAt: '2026-03-15T09:08:00.000Z' });
    expect((await call('POST', `/api/v1/calls/${claim.entryId}/outcome`, first!.cookie, { outcome: 'no_answer' })).body).toEqual({
      entryId: claim.entryId,
      outcome: 'no_answer',
      pace: { lastHour: 1, total: 1, perHour: 1 },
    });
    expect((await call('POST', `/api/v1/calls/${claim.entryId}/outcome`, first!.cookie, { outcome: 'will_vote' })).body).toMatchObject({
      error: { code: 'outcome_already_recorded' },
    });
    expect((await next(first!))!.rank).toBe(2);

    // Given to the second volunteer: the first gets nobody more, at once; the second takes the next in line.
    await assign(listId, { userIds: [second!.user.id] });
    expect(await next(first!)).toBeNull();
    const taken = (await next(second!))!;
    expect(taken.rank).toBe(3);
    expect((await call('GET', '/api/v1/calls/mine', second!.cookie)).body).toMatchObject({
      call: { entryId: taken.entryId, rank: 3 },
      pace: { lastHour: 0, total: 0, perHour: 0 },
    });
  });

  it('gives nothing to a volunteer with no list, and refuses other roles', async () => {
    const {
      volunteers: [alone],
    } = await volunteers(1);
    expect((await call('POST', '/api/v1/calls/next', alone!.cookie)).body).toEqual({
      call: null,
      message: 'Nobody is left to call on your lists for now.',
    });
    const viewer = await signedIn(t.services, 'viewer');
    expect((await call('POST', '/api/v1/calls/next', viewer.cookie)).status).toBe(403);
    expect((await call('POST', '/api/v1/chase-lists/preview', alone!.cookie, { channel: 'call' })).status).toBe(403);
  });
});

/** Waits until `count` statements of this test database wait for a lock. */
async function waitingOnLocks(client: pg.Client, count: number) {
  await vi.waitFor(
    async () => {
      const { rows } = await client.query<{ waiting: string }>(
        `SELECT count(*) AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      expect(Number(rows[0]!.waiting)).toBe(count);
    },
    { timeout: 5_000 },
  );
}

describe('outcomes', () => {
  it('already voted marks the voter as voted and drops them from every list', async () => {
    const { listId, voters } = await listOf(1);
    const {
      volunteers: [volunteer],
    } = await volunteers(1);
    await assign(listId, { userIds: [volunteer!.user.id] });
    // The same person also on an older list (built before this one, by hand).
    const older = await t.services.db.prisma.chaseList.create({ data: { electionId, name: 'Older', channel: 'sms', criteria: {} } });
    const olderEntry = await t.services.db.prisma.chaseEntry.create({
      data: { listId: older.id, voterId: voters[0]!.id, priority: 1, rank: 1 },
    });
    const claim = (await next(volunteer!))!;
    const recorded = await call('POST', `/api/v1/calls/${claim.entryId}/outcome`, volunteer!.cookie, { outcome: 'already_voted' });
    expect(recorded).toEqual({
      status: 200,
      body: { entryId: claim.entryId, outcome: 'already_voted', pace: { lastHour: 1, total: 1, perHour: 1 } },
    });
    const voter = await t.services.db.prisma.voter.findUniqueOrThrow({ where: { id: voters[0]!.id } });
    expect([voter.votedAt, voter.votedSource]).toEqual([t.clock.now(), 'volunteer']);
    expect(await t.services.db.prisma.chaseEntry.findUniqueOrThrow({ where: { id: olderEntry.id } })).toMatchObject({ state: 'dropped' });
    expect(await t.services.db.prisma.chaseEntry.findUniqueOrThrow({ where: { id: claim.entryId } })).toMatchObject({ state: 'done' });
    const again = await call('POST', `/api/v1/calls/${claim.entryId}/outcome`, volunteer!.cookie, { outcome: 'will_vote' });
    expect(again.body).toMatchObject({ error: { code: 'outcome_already_recorded' } });
  });

  it('already voted and a watcher’s mark of the same person at the same moment both go through', async () => {
    const { listId, voters, rows } = await listOf(1, () => ({ station_code: '0101' }));
    const {
      volunteers: [volunteer],
    } = await volunteers(1);
    await assign(listId, { userIds: [volunteer!.user.id] });
    const claim = (await next(volunteer!))!;
    // Holds back the recording of calls, so that the outcome and the mark are both under way at once.
    const holder = new pg.Client(t.databaseUrl);
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE contact_attempt IN SHARE MODE');
      const recording = call('POST', `/api/v1/calls/${claim.entryId}/outcome`, volunteer!.cookie, { outcome: 'already_voted' });
      await waitingOnLocks(holder, 1);
      const marking = t.services.voteMarks.submit(
        coordinator.principal,
        { id: randomUUID(), stationCode: '0101', listNumbers: [rows[0]!.list_number], markedAt: '2026-03-15T08:55:00Z' },
        'api',
      );
      await waitingOnLocks(holder, 2);
      await holder.query('COMMIT');
      // Neither waits for the other while holding what the other needs: no deadlock, no error.
      expect((await recording).status).toBe(200);
      await marking;
    } finally {
      await holder.end();
    }
    const voter = await t.services.db.prisma.voter.findUniqueOrThrow({ where: { id: voters[0]!.id } });
    expect(voter.votedSource).toBe('volunteer');
    expect(await t.services.db.prisma.chaseEntry.findUniqueOrThrow({ where: { id: claim.entryId } })).toMatchObject({ state: 'done' });
  });

  it('a call’s outcome and the erasure of the same person at the same moment both go through', async () => {
    const { listId, voters, rows } = await listOf(1);
    const {
      volunteers: [volunteer],
    } = await volunteers(1);
    await assign(listId, { userIds: [volunteer!.user.id] });
    const claim = (await next(volunteer!))!;
    const admin = await signedIn(t.services, 'admin');
    const holder = new pg.Client(t.databaseUrl);
    await holder.connect();
    try {
      // Holds the entry a moment (as a watcher's mark dropping it would), so that the outcome and the erasure are both under way at once.
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM chase_entry WHERE id = $1 FOR UPDATE', [claim.entryId]);
      const recording = call('POST', `/api/v1/calls/${claim.entryId}/outcome`, volunteer!.cookie, { outcome: 'no_answer' });
      await waitingOnLocks(holder, 1);
      const erasing = t.services.people.rights.erase({ kind: 'externalId', value: String(rows[0]!.external_id) }, admin.principal);
      await waitingOnLocks(holder, 2);
      await holder.query('COMMIT');
      expect((await recording).status).toBe(200);
      expect(await erasing).toEqual({ voters: 1, inboundMessages: 0 });
    } finally {
      await holder.end();
    }
    // The call was recorded, then the erasure took the person, their entry and the record of the call.
    expect(await t.services.db.prisma.voter.count({ where: { id: voters[0]!.id } })).toBe(0);
    expect(await t.services.db.prisma.chaseEntry.count({ where: { id: claim.entryId } })).toBe(0);
    expect(await t.services.db.prisma.contactAttempt.count({ where: { voterId: voters[0]!.id } })).toBe(0);
  });

  it('never contact sets do-not-contact for good, on the suppression list', async () => {
    const { listId, voters } = await listOf(1);
    const {
      volunteers: [volunteer],
    } = await volunteers(1);
    await assign(listId, { userIds: [volunteer!.user.id] });
    const claim = (await next(volunteer!))!;
    expect((await call('POST', `/api/v1/calls/${claim.entryId}/outcome`, volunteer!.cookie, { outcome: 'never_contact' })).status).toBe(
      200,
    );
    expect(await t.services.db.prisma.voter.findUniqueOrThrow({ where: { id: voters[0]!.id } })).toMatchObject({
      doNotContact: true,
      callConsent: false,
      smsConsent: false,
    });
    // An import of the campaign's old file keeps them uncontacted.
    expect(await t.services.db.prisma.suppression.count({ where: { reason: 'objection' } })).toBeGreaterThanOrEqual(2);
    expect(
      await t.services.db.prisma.auditEvent.count({ where: { action: 'chase.never_contact', subjectId: String(claim.entryId) } }),
    ).toBe(1);
  });

  it('needs a ride queues a ride for coordinators, with the note', async () => {
    const { listId } = await listOf(1);
    const {
      volunteers: [volunteer],
    } = await volunteers(1);
    await assign(listId, { userIds: [volunteer!.user.id] });
    const claim = (await next(volunteer!))!;
    await call('POST', `/api/v1/calls/${claim.entryId}/outcome`, volunteer!.cookie, {
      outcome: 'needs_ride',
      note: 'Wheelchair, after 3 pm',
    });
    const rides = (await call('GET', '/api/v1/rides', coordinator.cookie)).body.rides as Json[];
    const ride = rides.find((r) => (r.voter as Json).lastName === claim.voter.lastName)!;
    expect(ride).toMatchObject({ status: 'open', note: 'Wheelchair, after 3 pm', listId, volunteer: { id: volunteer!.user.id } });
    expect((await call('POST', `/api/v1/rides/${ride.id as number}/done`, coordinator.cookie)).body).toMatchObject({ status: 'done' });
    expect((await call('GET', '/api/v1/rides', volunteer!.cookie)).status).toBe(403);
    // The list's entries page shows how the last call went.
    const entries = await call('GET', `/api/v1/chase-lists/${listId}/entries`, coordinator.cookie);
    expect(entries.body).toMatchObject({ entries: [{ entryId: claim.entryId, state: 'done', lastOutcome: 'needs_ride' }] });
  });

  it('refuses an outcome that is not one of the list', async () => {
    const { listId } = await listOf(1);
    const {
      volunteers: [volunteer],
    } = await volunteers(1);
    await assign(listId, { userIds: [volunteer!.user.id] });
    const claim = (await next(volunteer!))!;
    expect((await call('POST', `/api/v1/calls/${claim.entryId}/outcome`, volunteer!.cookie, { outcome: 'maybe' })).body).toEqual({
      error: {
        code: 'invalid_input',
        message: 'outcome: must be one of will_vote, already_voted, needs_ride, no_answer, wrong_number, refused, never_contact',
        field: 'outcome',
      },
    });
  });
});

/**
 * A list of three built for one volunteer, connected to /calls, who has claimed the first person;
 * `told` is the next `chase:voted` they receive.
 */
async function holdingOne(fields: (i: number) => VoterFields) {
  const { listId, rows } = await listOf(3, fields);
  const {
    volunteers: [volunteer],
  } = await volunteers(1);
  await assign(listId, { userIds: [volunteer!.user.id] });
  const socket = connect('/calls', volunteer!.cookie);
  await connected(socket);
  const claim = (await next(volunteer!))!;
  const told = new Promise<Json>((resolve) => socket.once('chase:voted', resolve));
  return { listId, rows, volunteer: volunteer!, claim, told };
}

describe('live lists', () => {
  it('a watcher’s mark drops the voter from pending entries at once, and tells the volunteer who holds them', async () => {
    const { listId, rows, volunteer, claim, told } = await holdingOne(() => ({ station_code: '0101' }));
    const held = rows.find((row) => `Number ${String(row.external_id).slice(1)}` === claim.voter.lastName)!;
    const other = rows.find((row) => row !== held)!;
    const watcher = await apiToken(t.services, 'watcher', ['0101']);
    const marked = await fetch(`${server.url}/api/v1/marks`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${watcher}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        id: randomUUID(),
        stationCode: '0101',
        listNumbers: [held.list_number, other.list_number],
        markedAt: '2026-03-15T08:55:00Z',
      }),
    });
    expect(marked.status).toBe(201);
    // Committed with the mark: nothing to wait for.
    const entries = await t.services.db.prisma.chaseEntry.findMany({
      where: { listId },
      orderBy: { rank: 'asc' },
      select: { state: true },
    });
    expect(entries.map((entry) => entry.state).sort()).toEqual(['dropped', 'dropped', 'pending']);
    expect(await told).toEqual({ entryId: claim.entryId, listId, reason: 'voted' });
    expect((await call('POST', `/api/v1/calls/${claim.entryId}/renew`, volunteer.cookie)).body).toMatchObject({
      error: { code: 'call_dropped' },
    });
  });

  it('drops the calls of a station once it has closed, and tells the volunteer who holds one', async () => {
    const { prisma } = t.services.db;
    const { listId, volunteer, claim, told } = await holdingOne((i) => ({ station_code: i < 2 ? '0101' : '0102' }));
    const closing = claim.station.code;
    // Just after 10:00 in Paris, the station of the person on the phone closes early; the other stays open.
    await prisma.pollingStation.updateMany({ where: { electionId, code: closing }, data: { closesAt: new Date('2026-03-15T09:00:30Z') } });
    t.clock.advance(60_000);
    try {
      // Every list's calls to that station's voters, this list's and earlier tests'.
      const toCallThere = { state: { in: ['pending' as const, 'claimed' as const] }, voter: { station: { electionId, code: closing } } };
      expect(await prisma.chaseEntry.count({ where: toCallThere })).toBeGreaterThan(0);
      // What each web node does every 15 seconds.
      await t.services.chase.lists.dropClosedStations();
      expect(await prisma.chaseEntry.count({ where: toCallThere })).toBe(0);
      const entries = await prisma.chaseEntry.findMany({
        where: { listId },
        select: { state: true, voter: { select: { station: { select: { code: true } } } } },
      });
      for (const entry of entries) expect(entry.state).toBe(entry.voter.station.code === closing ? 'dropped' : 'pending');
      expect(await told).toEqual({ entryId: claim.entryId, listId, reason: 'closed' });
      expect((await call('POST', `/api/v1/calls/${claim.entryId}/renew`, volunteer.cookie)).body).toMatchObject({
        error: { code: 'call_dropped' },
      });
      // Nothing more to drop until another station closes...
      expect(await t.services.chase.lists.dropClosedStations()).toBe(0);
      // ...but a list being built as the station closed, saved after those checks, is caught by the next one.
      const late = await prisma.chaseList.create({ data: { electionId, name: 'Saved late', channel: 'call', criteria: {} } });
      const there = await prisma.voter.findFirstOrThrow({ where: { station: { electionId, code: closing } }, select: { id: true } });
      const entry = await prisma.chaseEntry.create({ data: { listId: late.id, voterId: there.id, priority: 1, rank: 1 } });
      t.clock.advance(15_000);
      await t.services.chase.lists.dropClosedStations();
      expect(await prisma.chaseEntry.findUniqueOrThrow({ where: { id: entry.id }, select: { state: true } })).toEqual({ state: 'dropped' });
    } finally {
      await prisma.pollingStation.updateMany({ where: { electionId, code: closing }, data: { closesAt: null } });
    }
  });

  it('sends chase:progress to the war room and to the list’s volunteers, never to another team', async () => {
    const { listId } = await listOf(2);
    const { listId: otherList } = await listOf(1);
    const {
      volunteers: [ours],
    } = await volunteers(1, `Team A ${randomUUID().slice(0, 4)}`).then(async (team) => {
      await assign(listId, { teamIds: [team.teamId!] });
      return team;
    });
    const {
      volunteers: [theirs],
    } = await volunteers(1, `Team B ${randomUUID().slice(0, 4)}`).then(async (team) => {
      await assign(otherList, { teamIds: [team.teamId!] });
      return team;
    });
    const warRoom = connect('/live', coordinator.cookie);
    const mine = connect('/calls', ours!.cookie);
    const other = connect('/calls', theirs!.cookie);
    const seenByOther: ListProgress[] = [];
    other.on('chase:progress', (progress: ListProgress) => seenByOther.push(progress));
    const joined = progressOf(mine, listId);
    await Promise.all([connected(warRoom), connected(mine), connected(other)]);
    expect(await joined).toMatchObject({ listId, entries: 2, remaining: 2 });

    const onWall = progressOf(warRoom, listId, (p) => p.done === 1);
    const onPhone = progressOf(mine, listId, (p) => p.done === 1);
    const claim = (await next(ours!))!;
    await call('POST', `/api/v1/calls/${claim.entryId}/outcome`, ours!.cookie, { outcome: 'will_vote' });
    const expected = {
      listId,
      entries: 2,
      remaining: 1,
      inCall: 0,
      done: 1,
      dropped: 0,
      attempted: 1,
      reached: 1,
      willVote: 1,
      votedSinceContact: 0,
    };
    expect(await onWall).toEqual(expected);
    expect(await onPhone).toEqual(expected);
    await new Promise((resolve) => setTimeout(resolve, 700));
    // Only their own list, however often.
    expect([...new Set(seenByOther.map((progress) => progress.listId))]).toEqual([otherList]);
  });

  it('a volunteer cannot read another team’s list through the API', async () => {
    const { listId } = await listOf(1);
    const {
      volunteers: [outsider],
    } = await volunteers(1);
    const {
      volunteers: [member],
    } = await volunteers(1);
    await assign(listId, { userIds: [member!.user.id] });
    expect((await call('GET', `/api/v1/chase-lists/${listId}`, outsider!.cookie)).body).toEqual({
      error: {
        code: 'not_found',
        message: `There is no chase list ${listId} among yours. Ask your coordinator which list to work.`,
        field: 'listId',
      },
    });
    expect((await call('GET', '/api/v1/chase-lists', outsider!.cookie)).body).toEqual({ lists: [] });
    expect((await call('GET', `/api/v1/chase-lists/${listId}/entries`, member!.cookie)).status).toBe(403);
    expect((await call('GET', `/api/v1/chase-lists/${listId}`, member!.cookie)).body).toMatchObject({
      id: listId,
      progress: { entries: 1 },
    });
    const own = (await call('GET', '/api/v1/chase-lists', member!.cookie)).body.lists as Json[];
    expect(own.map((list) => list.id)).toEqual([listId]);
  });
});

describe('the statements of a call', () => {
  it('find their entry through an index, never by reading every entry (decision 031)', async () => {
    const client = new pg.Client(t.databaseUrl);
    await client.connect();
    try {
      // Reading the whole table is then the plan only where no index can serve; generic plans, as
      // the statements prepared once per connection end up with.
      await client.query('SET enable_seqscan = off');
      await client.query('SET plan_cache_mode = force_generic_plan');
      const planOf = async (sql: string) =>
        (await client.query<{ 'QUERY PLAN': string }>(sql)).rows.map((row) => row['QUERY PLAN']).join('\n');
      const now = `'2026-03-15T09:00:00Z'`;
      const calls = {
        claim: `(1, ${now}, '{1,2}', ${now})`,
        renew: `(1, 1, ${now})`,
        outcome: `(1, 1, 'no_answer', NULL, ${now}, ${now})`,
      };
      const plans: Record<string, string> = {};
      for (const [name, values] of Object.entries(calls)) {
        await client.query(`PREPARE ${name} AS ${CALL_STATEMENTS[name as keyof typeof calls].text}`);
        plans[name] = await planOf(`EXPLAIN EXECUTE ${name}${values}`);
      }
      for (const plan of Object.values(plans)) expect(plan).not.toMatch(/Seq Scan on chase_entry/);
      expect(plans.claim).toMatch(/Index Scan using chase_entry_to_call_idx/);
      expect(plans.claim).toMatch(/Tid Scan on chase_entry/);
      // Through the index of taken ids, directly or by a bitmap, as the table's size makes cheaper.
      expect(plans.outcome).toMatch(/Index Scan (using|on) chase_entry_taken_idx/);
      // An entry asked for by its id alone, pending or not, is looked for in every entry.
      expect(await planOf('EXPLAIN SELECT state FROM chase_entry WHERE id = 1')).toMatch(/Seq Scan on chase_entry/);
    } finally {
      await client.end();
    }
  });

  it('read as few entries at the day’s last call as at its first', async () => {
    const { listId, voters } = await listOf(2);
    const {
      volunteers: [worker, other],
    } = await volunteers(2);
    await assign(listId, { userIds: [worker!.user.id] });
    const client = new pg.Client(t.databaseUrl);
    await client.connect();
    try {
      // Statistics from the list's build, as the day's first claims find them: few entries taken,
      // if any. Then the day's calls: 3,000 entries taken by another volunteer (written here for
      // speed, as done entries of this list, after its own two).
      await client.query('ANALYZE chase_entry');
      await client.query(
        `INSERT INTO chase_entry (list_id, voter_id, priority, rank, state, assignee_id, done_at)
         SELECT $1, $2, 0, 2 + g, 'done', $3, now() FROM generate_series(1, 3000) AS g`,
        [listId, voters[0]!.id, other!.user.id],
      );
      await client.query('SET plan_cache_mode = force_generic_plan');
      await client.query(`PREPARE claim AS ${CALL_STATEMENTS.claim.text}`);
      const now = t.clock.now().toISOString();
      const leaseEnd = new Date(t.clock.now().getTime() + 300_000).toISOString();
      // The first claim, then the same call again (held): each reads a handful of entries, not the 3,000 done.
      for (let claims = 1; claims <= 2; claims++) {
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) EXECUTE claim(${worker!.user.id}, '${now}', '{${listId}}', '${leaseEnd}')`,
        );
        const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
        const removed = [...plan.matchAll(/Rows Removed by Filter: (\d+)/g)].map((match) => Number(match[1]));
        expect(Math.max(0, ...removed), plan).toBeLessThan(10);
        const { rows: held } = await client.query(`SELECT rank FROM chase_entry WHERE assignee_id = $1 AND state = 'claimed'`, [
          worker!.user.id,
        ]);
        expect(held).toEqual([{ rank: 1 }]);
      }
    } finally {
      await client.end();
    }
  });
});

describe('assignment and splits', () => {
  it('moves a list to another volunteer, and splits it into parts by rank', async () => {
    const { listId } = await listOf(6);
    const {
      volunteers: [first, second],
    } = await volunteers(2);
    await assign(listId, { userIds: [first!.user.id] });
    const moved = await assign(listId, { userIds: [second!.user.id] });
    expect(moved.body.assignees).toEqual({ users: [{ id: second!.user.id, name: 'Volunteer 2' }], teams: [] });
    expect(await next(first!)).toBeNull();
    const claim = (await next(second!))!;
    const { prisma } = t.services.db;
    const voterAt = async (id: number) =>
      (await prisma.chaseEntry.findMany({ where: { listId: id }, orderBy: { rank: 'asc' } })).map((entry) => entry.voterId);
    const before = await voterAt(listId);

    const split = await call('POST', `/api/v1/chase-lists/${listId}/split`, coordinator.cookie, { by: 'rank', parts: 2 });
    expect(split.status).toBe(201);
    const parts = split.body.lists as { id: number; name: string; progress: ListProgress }[];
    expect(parts.map((part) => [part.name.endsWith('(1/2)') || part.name.endsWith('(2/2)'), part.progress.remaining])).toEqual([
      [true, 3],
      [true, 2],
    ]);
    // The claimed entry (rank 1) stays where it was; the 5 pending are dealt like cards in rank
    // order, and numbered again from 1 in each part.
    expect(await prisma.chaseEntry.findUniqueOrThrow({ where: { id: claim.entryId } })).toMatchObject({ listId, rank: 1 });
    expect(await voterAt(listId)).toEqual([before[0]]);
    expect(await voterAt(parts[0]!.id)).toEqual([before[1], before[3], before[5]]);
    expect(await voterAt(parts[1]!.id)).toEqual([before[2], before[4]]);
    const ranks = await prisma.chaseEntry.findMany({ where: { listId: parts[0]!.id }, orderBy: { rank: 'asc' } });
    expect(ranks.map((entry) => entry.rank)).toEqual([1, 2, 3]);
    const byArea = await call('POST', `/api/v1/chase-lists/${parts[0]!.id}/split`, coordinator.cookie, { by: 'area' });
    expect(byArea.body).toEqual({
      error: { code: 'conflict', message: 'Every pending entry of this list is in one area: split it by rank instead.', field: 'by' },
    });
    expect((await call('POST', `/api/v1/chase-lists/${listId}/split`, coordinator.cookie, { by: 'rank', parts: 1 })).body).toMatchObject({
      error: { field: 'parts', message: 'parts: must be at least 2' },
    });
  });

  it('exports a list as CSV through the API, for coordinators only', async () => {
    const { listId } = await listOf(2);
    const response = await fetch(`${server.url}/api/v1/chase-lists/${listId}/entries?format=csv`, {
      headers: { cookie: coordinator.cookie },
    });
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await response.text()).trim().split('\n');
    expect(lines[0]).toBe('rank,first_name,last_name,phone,station_code,station_name,station_address,closes_at');
    expect(lines).toHaveLength(3);
    const json = await call('GET', `/api/v1/chase-lists/${listId}/entries?take=1`, coordinator.cookie);
    expect(json.body).toMatchObject({ entries: [{ rank: 1, state: 'pending', areaCode: 'N1', lastOutcome: null }], nextAfter: 1 });
  });
});
