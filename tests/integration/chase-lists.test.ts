import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChasePreview } from '../../server/chase/chase.builder.ts';
import { InvalidInput } from '../../server/errors.ts';
import { apiToken, createSmallElection, createVoters, type VoterFields } from '../factories.ts';
import { signedIn } from '../fixtures.ts';
import { openTestServices, type TestServices } from '../setup/services.ts';

let t: TestServices;

beforeAll(async () => {
  t = await openTestServices();
});
afterAll(() => t.close());
beforeEach(() => t.clock.reset()); // 10:00 in Paris on polling day

const TWO_HOURS_AGO = new Date('2026-03-15T07:00:00Z');
const TEN_MINUTES_AGO = new Date('2026-03-15T08:50:00Z');

/**
 * Supporters of the small election, each with one reason to be left out of a call list for
 * neighbourhood N1 (stations 0101 and 0102), or none. Phones are in ARCEP's fiction ranges.
 */
const PEOPLE: VoterFields[] = [
  { external_id: 'IN-1', phone: '+33639980001', support_level: 1 },
  { external_id: 'OUT-support-3', phone: '+33639980002', support_level: 3 },
  { external_id: 'IN-support-2', phone: '+33639980003', support_level: 2, station_code: '0102', list_number: 3 },
  { external_id: 'OUT-dnc', phone: '+33639980004', do_not_contact: 'yes' },
  { external_id: 'OUT-voted', phone: '+33639980005' },
  { external_id: 'SMS-only', phone: '+33639980006', call_consent: 'no' },
  { external_id: 'OUT-no-phone', phone: null },
  { external_id: 'OUT-shares-phone', phone: '+33639980001', support_level: 2 },
  { external_id: 'OUT-contacted-recently', phone: '+33639980009' },
  { external_id: 'IN-no-answer-earlier', phone: '+33639980010' },
  { external_id: 'OUT-on-other-list', phone: '+33639980011' },
  { external_id: 'OUT-other-area', phone: '+33639980012', station_code: '0201', list_number: 12 },
  { external_id: 'OUT-refused-earlier', phone: '+33639980013' },
  { external_id: 'IN-landline', phone: '+33199000014' },
  { external_id: 'IN-tagged', phone: '+33639980015', tags: 'vip, bénévole' },
];

/** A fresh election (the current one) with PEOPLE, their earlier contacts, and another list holding one of them. */
async function cityWithSupporters() {
  const { prisma } = t.services.db;
  const election = await createSmallElection(t.services);
  const voters = await createVoters(t.services, election.id, PEOPLE);
  const id = (externalId: string) => voters.get(externalId)!.id;
  await prisma.voter.update({ where: { id: id('OUT-voted') }, data: { votedAt: TWO_HOURS_AGO, votedSource: 'watcher' } });
  await prisma.contactAttempt.createMany({
    data: [
      { voterId: id('OUT-contacted-recently'), channel: 'call', outcome: 'no_answer', createdAt: TEN_MINUTES_AGO },
      { voterId: id('IN-no-answer-earlier'), channel: 'call', outcome: 'no_answer', createdAt: TWO_HOURS_AGO },
      { voterId: id('OUT-refused-earlier'), channel: 'call', outcome: 'refused', createdAt: TWO_HOURS_AGO },
    ],
  });
  const other = await prisma.chaseList.create({ data: { electionId: election.id, name: 'Earlier list', channel: 'call', criteria: {} } });
  await prisma.chaseEntry.create({ data: { listId: other.id, voterId: id('OUT-on-other-list'), priority: 1, rank: 1 } });
  t.services.liveTurnout.changed();
  return { election, voters, id };
}

const namesOf = async (listId: number) =>
  (
    await t.services.db.prisma.chaseEntry.findMany({
      where: { listId },
      orderBy: { rank: 'asc' },
      select: { rank: true, voter: { select: { externalId: true } } },
    })
  ).map((entry) => entry.voter.externalId);

describe('chase list builder: who is on the list', () => {
  it('takes the supporters of the chosen areas who can be called, one per phone, most useful first', async () => {
    await cityWithSupporters();
    const coordinator = await signedIn(t.services, 'coordinator');
    const list = await t.services.chase.builder.build({ areaCodes: ['N1'], channel: 'call' }, coordinator.principal);
    // Support 1 before support 2; an earlier unanswered call lowers a little; ties by voter id.
    expect(await namesOf(list.id)).toEqual(['IN-1', 'IN-landline', 'IN-tagged', 'IN-no-answer-earlier', 'IN-support-2']);
    expect(list.entries).toBe(5);
    const saved = await t.services.db.prisma.chaseList.findUniqueOrThrow({ where: { id: list.id } });
    expect(saved).toMatchObject({ channel: 'call', entryCount: 5, createdById: coordinator.user.id });
    expect(saved.criteria).toMatchObject({ areaCodes: ['N1'], maxSupport: 2, notContactedForMinutes: 60 });
  });

  it('for texts: mobiles with consent to texts, not landlines', async () => {
    await cityWithSupporters();
    const list = await t.services.chase.builder.build({ areaCodes: ['N1'], channel: 'sms' }, null);
    expect(await namesOf(list.id)).toEqual(['IN-1', 'SMS-only', 'IN-tagged', 'IN-no-answer-earlier', 'IN-support-2']);
  });

  it('widens and narrows with the criteria: support level, tags, recent contact, a limit', async () => {
    await cityWithSupporters();
    const preview = (criteria: object) => t.services.chase.builder.preview({ areaCodes: ['N1'], channel: 'call', ...criteria });
    expect((await preview({ maxSupport: 3 })).entries).toBe(6);
    expect((await preview({ tags: ['vip'] })).entries).toBe(1);
    expect((await preview({ notContactedForMinutes: 5 })).entries).toBe(6);
    expect((await preview({ limit: 2 })).entries).toBe(2);
    const list = await t.services.chase.builder.build({ areaCodes: ['T'], channel: 'call', tags: ['vip', 'nobody'] }, null);
    expect(await namesOf(list.id)).toEqual(['IN-tagged']);
  });

  it('previews counts by area and by channel, and the time to call them with the volunteers online', async () => {
    await cityWithSupporters();
    const preview = await t.services.chase.builder.preview({ areaCodes: ['N1', 'N2'], channel: 'call' });
    expect(preview).toEqual<ChasePreview>({
      channel: 'call',
      areaCodes: ['N1', 'N2'],
      stations: 4,
      // Everyone but the voted, do-not-contact, support-3, recently contacted, refused and already-listed.
      supporters: 9,
      reachable: { call: 7, sms: 7 },
      // One per phone number: the support-2 person sharing IN-1's phone is not called.
      entries: 6,
      byArea: [
        expect.objectContaining({ code: 'N1', name: 'Neighbourhood 1', supporters: 8, byPhone: 6, bySms: 6, inList: 5 }),
        expect.objectContaining({ code: 'N2', name: 'Neighbourhood 2', supporters: 1, byPhone: 1, bySms: 1, inList: 1 }),
      ],
      // Six calls of 2.5 minutes, with no volunteer online (counted as one).
      estimate: { volunteersOnline: 1, averageCallSeconds: 150, minutes: 15 },
    });
  });

  it('gives the same list for the same inputs', async () => {
    await cityWithSupporters();
    const first = await t.services.chase.builder.build({ areaCodes: ['T'], channel: 'call' }, null);
    await cityWithSupporters();
    const again = await t.services.chase.builder.build({ areaCodes: ['T'], channel: 'call' }, null);
    expect(await namesOf(again.id)).toEqual(await namesOf(first.id));
    const priorities = async (listId: number) =>
      (await t.services.db.prisma.chaseEntry.findMany({ where: { listId }, orderBy: { rank: 'asc' } })).map((e) => e.priority);
    expect(await priorities(again.id)).toEqual(await priorities(first.id));
  });

  it('leaves out whoever is already on the list just built', async () => {
    await cityWithSupporters();
    await t.services.chase.builder.build({ areaCodes: ['N1'], channel: 'call' }, null);
    const second = await t.services.chase.builder.build({ areaCodes: ['N1', 'N2'], channel: 'call' }, null);
    // One per phone within a list: the person sharing IN-1's phone comes on the next list.
    expect(await namesOf(second.id)).toEqual(['OUT-other-area', 'OUT-shares-phone']);
  });

  it('brings the statistics of the entries up to date once a list is built, without making the coordinator wait', async () => {
    // "Next person" reads a list through the index of entries to call only when PostgreSQL knows the list is there.
    const analyses = async () => {
      const { rows } = await t.services.db.pool.query<{ count: string }>(
        `SELECT analyze_count AS count FROM pg_stat_user_tables WHERE relname = 'chase_entry'`,
      );
      return Number(rows[0]!.count);
    };
    await cityWithSupporters();
    const before = await analyses();
    await t.services.chase.builder.build({ areaCodes: ['N1'], channel: 'call' }, null);
    await vi.waitFor(async () => expect(await analyses()).toBeGreaterThan(before), { timeout: 10_000, interval: 100 });
  });

  it('without areas, takes every area lagging past the threshold', async () => {
    await cityWithSupporters();
    // N1's stations report very few voters by 10:00, N2's many.
    const watcher = await apiToken(t.services, 'watcher', ['0101', '0102', '0201', '0202']);
    const watcherPrincipal = (await t.services.auth.principalForApiToken(watcher))!;
    const reports = [
      ['0101', 3],
      ['0102', 4],
      ['0201', 400],
      ['0202', 200],
    ] as const;
    const outcomes = await t.services.reports.submit(
      watcherPrincipal,
      reports.map(([stationCode, voters]) => ({ id: randomUUID(), stationCode, voters, observedAt: '2026-03-15T09:00:00Z' })),
      'api',
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual([201, 201, 201, 201]);
    const preview = await t.services.chase.builder.preview({ channel: 'call', lagThreshold: 0.1 });
    expect(preview.areaCodes).toEqual(['N1']);
    expect(preview.entries).toBe(5);
    await expect(t.services.chase.builder.build({ channel: 'call', lagThreshold: 1 }, null)).rejects.toMatchObject({
      field: 'lagThreshold',
      message: 'No area is 100 % or more behind its expected turnout with a station still open. Choose areas, or lower lagThreshold.',
    });
  });

  it('leaves out stations that have closed', async () => {
    const { election } = await cityWithSupporters();
    // 20:30 in Paris: the polls have closed, except at 0102, which stays open until 21:00.
    await t.services.db.prisma.pollingStation.updateMany({
      where: { electionId: election.id, code: '0102' },
      data: { closesAt: new Date('2026-03-15T20:00:00Z') },
    });
    t.services.liveTurnout.changed();
    t.clock.set('2026-03-15T19:30:00Z');
    const list = await t.services.chase.builder.build({ areaCodes: ['N1'], channel: 'call', notContactedForMinutes: 0 }, null);
    expect(await namesOf(list.id)).toEqual(['IN-support-2']);
  });

  it('refuses criteria it cannot use, saying what to fix', async () => {
    await cityWithSupporters();
    const refusal = (criteria: unknown) => t.services.chase.builder.preview(criteria).catch((error: unknown) => error);
    const cases: [unknown, string, string][] = [
      [{ channel: 'fax' }, 'channel', 'channel: must be "call" or "sms"'],
      [
        { channel: 'call', areaCodes: ['N9'] },
        'areaCodes',
        'areaCodes: no area N9 in Test town, first round. Use the codes the war room shows.',
      ],
      [{ channel: 'call', maxSupport: 7 }, 'maxSupport', 'maxSupport: must be 1 (strong support) to 5 (strong opposition)'],
      [{ channel: 'call', limit: 0 }, 'limit', 'limit: must be at least 1'],
      [{ channel: 'call', lagThreshold: -0.1 }, 'lagThreshold', 'lagThreshold: must be 0 or more: 0.05 takes the areas 5 % or more behind'],
      [{ channel: 'call', colour: 'red' }, '', 'Unrecognized key: "colour"'],
    ];
    for (const [criteria, field, message] of cases) {
      const error = await refusal(criteria);
      expect(error).toBeInstanceOf(InvalidInput);
      expect([(error as InvalidInput).field ?? '', (error as InvalidInput).message]).toEqual([field, message]);
    }
  });
});

describe('chase list export', () => {
  it('writes only what a volunteer needs, neutralises spreadsheet formulas, and is audited', async () => {
    const election = await createSmallElection(t.services);
    await createVoters(t.services, election.id, [
      { external_id: 'X1', first_name: '=HYPERLINK("http://evil.example","Click")', last_name: '+Martin', phone: '+33639980201' },
      { external_id: 'X2', first_name: '@SUM(A1)', last_name: '-Durand', phone: '+33639980202', support_level: 2 },
    ]);
    t.services.liveTurnout.changed();
    const coordinator = await signedIn(t.services, 'coordinator');
    const list = await t.services.chase.builder.build({ areaCodes: ['N1'], channel: 'call' }, coordinator.principal);
    let csv = '';
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        csv += chunk.toString('utf8');
        done();
      },
    });
    expect(await t.services.chase.exports.csv(coordinator.principal, list.id, out)).toEqual({ rows: 2 });
    expect(csv).toBe(
      'rank,first_name,last_name,phone,station_code,station_name,station_address,closes_at\n' +
        `1,"'=HYPERLINK(""http://evil.example"",""Click"")",'+Martin,+33639980201,0101,School A,,20:00\n` +
        `2,'@SUM(A1),'-Durand,+33639980202,0101,School A,,20:00\n`,
    );
    expect(
      await t.services.db.prisma.auditEvent.findFirst({ where: { action: 'export.chase_list', subjectId: String(list.id) } }),
    ).toMatchObject({ actorUserId: coordinator.user.id, subjectType: 'chase_list', details: { format: 'csv', rows: 2 } });

    const sheet = await t.services.chase.exports.callSheet(coordinator.principal, list.id);
    expect(sheet.rows.map((row) => [row.rank, row.lastName, row.closesAt])).toEqual([
      [1, '+Martin', '20:00'],
      [2, '-Durand', '20:00'],
    ]);
    expect(await t.services.db.prisma.auditEvent.count({ where: { action: 'export.chase_list', subjectId: String(list.id) } })).toBe(2);
  });
});

/** A list of three voters of a fresh election, written directly. */
async function listOfThree() {
  const { prisma } = t.services.db;
  const election = await createSmallElection(t.services);
  const voters = [
    ...(
      await createVoters(t.services, election.id, [
        { external_id: 'K1', phone: '+33639980301' },
        { external_id: 'K2', phone: '+33639980302' },
        { external_id: 'K3', phone: '+33639980303' },
      ])
    ).values(),
  ];
  const list = await prisma.chaseList.create({ data: { electionId: election.id, name: 'Keys', channel: 'call', criteria: {} } });
  await prisma.chaseEntry.createMany({
    data: voters.map((voter, i) => ({ listId: list.id, voterId: voter.id, priority: 1, rank: i + 1 })),
  });
  return { election, voters, list };
}

/**
 * A build in progress on `client`: a transaction that holds the builder's lock for the election and
 * has written an entry, in a new list, for a voter it read.
 */
async function startBuild(client: pg.Client, electionId: number, voterId: number) {
  await client.query('BEGIN');
  await client.query('SELECT pg_advisory_xact_lock(7406101, $1)', [electionId]);
  const list = await client.query<{ id: number }>(
    `INSERT INTO chase_list (election_id, name, channel, criteria) VALUES ($1, 'Being built', 'call', '{}') RETURNING id`,
    [electionId],
  );
  await client.query('INSERT INTO chase_entry (list_id, voter_id, priority, rank) VALUES ($1, $2, 1, 1)', [list.rows[0]!.id, voterId]);
}

describe('entries kept with their list, voter and volunteer by triggers (decision 028)', () => {
  it('deletes the entries of a voter deleted, and of a list deleted', async () => {
    const { prisma } = t.services.db;
    const { voters, list } = await listOfThree();
    // A called entry too, though the index from voters to entries holds only those to call (decision 033).
    await prisma.chaseEntry.updateMany({ where: { voterId: voters[0]!.id }, data: { state: 'done', doneAt: new Date() } });
    await prisma.voter.delete({ where: { id: voters[0]!.id } });
    expect((await prisma.chaseEntry.findMany({ where: { listId: list.id }, orderBy: { rank: 'asc' } })).map((e) => e.voterId)).toEqual([
      voters[1]!.id,
      voters[2]!.id,
    ]);
    await prisma.chaseList.delete({ where: { id: list.id } });
    expect(await prisma.chaseEntry.count({ where: { listId: list.id } })).toBe(0);
  });

  it('forgets a deleted volunteer on the calls they held or made', async () => {
    const { prisma } = t.services.db;
    const { list } = await listOfThree();
    const volunteer = await signedIn(t.services, 'volunteer');
    const [first] = await prisma.chaseEntry.findMany({ where: { listId: list.id }, orderBy: { rank: 'asc' }, take: 1 });
    await prisma.chaseEntry.update({ where: { id: first!.id }, data: { state: 'claimed', assigneeId: volunteer.user.id } });
    await prisma.session.deleteMany({ where: { userId: volunteer.user.id } });
    await prisma.user.delete({ where: { id: volunteer.user.id } });
    expect(await prisma.chaseEntry.findUniqueOrThrow({ where: { id: first!.id } })).toMatchObject({ state: 'claimed', assigneeId: null });
  });

  it('deletes voters only after a list being built for their election is saved, then its entries too', async () => {
    const { prisma } = t.services.db;
    const { election, voters, list } = await listOfThree();
    const build = new pg.Client(t.databaseUrl);
    const purge = new pg.Client(t.databaseUrl);
    await Promise.all([build.connect(), purge.connect()]);
    try {
      await startBuild(build, election.id, voters[2]!.id);
      // The voter's deletion waits for the build...
      let deleted = false;
      const deleting = purge.query('DELETE FROM voter WHERE id = $1', [voters[2]!.id]).then(() => (deleted = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(deleted).toBe(false);
      await build.query('COMMIT');
      await deleting;
      // ...then finds the entry the build saved, and deletes it with the others.
      expect(await prisma.chaseEntry.count({ where: { voterId: voters[2]!.id } })).toBe(0);
      expect(await prisma.chaseEntry.count({ where: { listId: list.id } })).toBe(2);
    } finally {
      await Promise.all([build.end(), purge.end()]);
    }
  });
});

describe('the index from voters to their entries (decision 033)', () => {
  it('holds only the entries still to call, so that it does not grow with the day’s calls', async () => {
    const { prisma } = t.services.db;
    const { voters, list } = await listOfThree();
    const volunteer = await signedIn(t.services, 'volunteer');
    await prisma.chaseEntry.updateMany({ where: { voterId: voters[0]!.id }, data: { state: 'done', doneAt: new Date() } });
    await prisma.chaseEntry.updateMany({ where: { voterId: voters[1]!.id }, data: { state: 'dropped', doneAt: new Date() } });
    await prisma.chaseEntry.updateMany({ where: { voterId: voters[2]!.id }, data: { state: 'claimed', assigneeId: volunteer.user.id } });
    const others = await prisma.chaseEntry.count({ where: { state: { in: ['pending', 'claimed'] }, listId: { not: list.id } } });
    // A vacuum that goes through the indexes counts their entries exactly, once the versions the
    // updates left behind are gone.
    await prisma.$executeRawUnsafe('VACUUM (INDEX_CLEANUP ON) chase_entry');
    const [index] = await prisma.$queryRaw<[{ entries: number }]>`
      SELECT reltuples::int AS entries FROM pg_class WHERE relname = 'chase_entry_voter_id_idx'`;
    expect(index.entries).toBe(others + 1);
  });
});

describe('each voter’s last contact, kept on their row for the builder', () => {
  it('follows the newest contact attempt, whoever writes it, one at a time or several at once', async () => {
    const { prisma } = t.services.db;
    const { voters } = await listOfThree();
    const [first, second] = voters;
    const at = (time: string) => new Date(`2026-03-15T${time}:00Z`);
    const lastOf = (id: number) => prisma.voter.findUniqueOrThrow({ where: { id }, select: { lastContactAt: true, lastOutcome: true } });
    expect(await lastOf(first!.id)).toEqual({ lastContactAt: null, lastOutcome: null });

    await prisma.contactAttempt.create({ data: { voterId: first!.id, channel: 'call', outcome: 'no_answer', createdAt: at('08:00') } });
    await prisma.contactAttempt.create({ data: { voterId: first!.id, channel: 'call', outcome: 'refused', createdAt: at('08:30') } });
    expect(await lastOf(first!.id)).toEqual({ lastContactAt: at('08:30'), lastOutcome: 'refused' });
    // An older attempt written later (a paper sheet typed in afterwards) leaves the newest in place.
    await prisma.contactAttempt.create({ data: { voterId: first!.id, channel: 'door', outcome: 'will_vote', createdAt: at('07:00') } });
    expect(await lastOf(first!.id)).toEqual({ lastContactAt: at('08:30'), lastOutcome: 'refused' });

    // Several in one statement: each voter's newest; of two at the same instant, the later written.
    await prisma.contactAttempt.createMany({
      data: [
        { voterId: second!.id, channel: 'call', outcome: 'will_vote', createdAt: at('09:00') },
        { voterId: second!.id, channel: 'call', outcome: 'no_answer', createdAt: at('08:00') },
        { voterId: first!.id, channel: 'call', outcome: 'needs_ride', createdAt: at('08:30') },
      ],
    });
    expect(await lastOf(second!.id)).toEqual({ lastContactAt: at('09:00'), lastOutcome: 'will_vote' });
    expect(await lastOf(first!.id)).toEqual({ lastContactAt: at('08:30'), lastOutcome: 'needs_ride' });
    expect(await lastOf(voters[2]!.id)).toEqual({ lastContactAt: null, lastOutcome: null });
  });
});

describe('voters deleted while watchers mark others', () => {
  it('lets a mark through while a deletion of other voters of the election is not yet committed', async () => {
    const { prisma } = t.services.db;
    const { voters } = await listOfThree();
    const coordinator = await signedIn(t.services, 'coordinator');
    const purge = new pg.Client(t.databaseUrl);
    await purge.connect();
    try {
      await purge.query('BEGIN');
      await purge.query('DELETE FROM voter WHERE id = $1', [voters[0]!.id]);
      // Both share the build lock: the mark does not wait for the deletion's transaction.
      const marking = t.services.voteMarks.submit(
        coordinator.principal,
        { id: randomUUID(), stationCode: '0101', listNumbers: [voters[2]!.listNumber], markedAt: '2026-03-15T08:55:00Z' },
        'api',
      );
      const waited = new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 5_000).unref());
      expect(await Promise.race([marking.then(() => 'marked'), waited])).toBe('marked');
      expect(await prisma.chaseEntry.findMany({ where: { voterId: voters[2]!.id }, select: { state: true } })).toEqual([
        { state: 'dropped' },
      ]);
      await purge.query('COMMIT');
      expect(await prisma.chaseEntry.count({ where: { voterId: voters[0]!.id } })).toBe(0);
    } finally {
      await purge.end();
    }
  });
});

describe('a voter who votes while a list is being built', () => {
  it('drops a voter marked as voted while a list is being built, once the list is saved', async () => {
    const { prisma } = t.services.db;
    const { election, voters } = await listOfThree();
    const coordinator = await signedIn(t.services, 'coordinator');
    // The build read the voter before they voted.
    const build = new pg.Client(t.databaseUrl);
    await build.connect();
    try {
      await startBuild(build, election.id, voters[2]!.id);
      // The watcher's mark waits for the build...
      let marked = false;
      const marking = t.services.voteMarks
        .submit(
          coordinator.principal,
          { id: randomUUID(), stationCode: '0101', listNumbers: [voters[2]!.listNumber], markedAt: '2026-03-15T08:55:00Z' },
          'api',
        )
        .then(() => (marked = true));
      await vi.waitFor(
        async () => {
          const { rows } = await build.query<{ waiting: string }>(
            `SELECT count(*) AS waiting FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted`,
            [election.id],
          );
          expect(Number(rows[0]!.waiting)).toBe(1);
        },
        { timeout: 5_000 },
      );
      expect(marked).toBe(false);
      await build.query('COMMIT');
      await marking;
      // ...then finds the entry the build saved, and drops it with the voter's others.
      expect(await prisma.chaseEntry.findMany({ where: { voterId: voters[2]!.id }, select: { state: true } })).toEqual([
        { state: 'dropped' },
        { state: 'dropped' },
      ]);
      expect(await prisma.chaseEntry.count({ where: { voterId: { in: [voters[0]!.id, voters[1]!.id] }, state: 'pending' } })).toBe(2);
    } finally {
      await build.end();
    }
  });
});
