import type { TurnoutFrame } from '../../server/turnout/turnout.service.ts';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AlreadyPurged, ElectionNotOver, InvalidInput } from '../../server/errors.ts';
import { createSmallElection, SMALL_ELECTION, voterCsv } from '../factories.ts';
import { signedIn } from '../fixtures.ts';
import { openTestServices, type TestServices } from '../setup/services.ts';

let t: TestServices;

beforeAll(async () => {
  t = await openTestServices();
});
afterAll(() => t.close());
beforeEach(() => t.clock.reset());

/** Polls of the small election close at 20:00 in Paris: 19:00 UTC. */
const DURING_POLLS = '2026-03-15T12:00:00Z';
const AFTER_POLLS = '2026-03-15T19:00:00Z';

/**
 * Every column of every table, sorted into those that hold personal data and those that do not. A new
 * column fails the classification test until it is placed here, and the purge test then checks it.
 * Personal columns are checked for the purged election's rows; `kept` tables are aggregate turnout,
 * the audit trail, configuration and the job queues.
 */
const PERSONAL: Record<string, string[]> = {
  voter: [
    'external_id',
    'first_name',
    'last_name',
    'phone',
    'phone_kind',
    'email',
    'address',
    'latitude',
    'longitude',
    'list_number',
    'support_level',
    'sms_consent',
    'call_consent',
    'do_not_contact',
    'voted_at',
    'voted_source',
    'tags',
    'sms_opted_out_at',
    'last_contact_at',
    'last_outcome',
  ],
  vote_mark: ['list_numbers'],
  chase_entry: ['voter_id', 'assignee_id'],
  chase_list_assignment: ['user_id'],
  contact_attempt: ['voter_id', 'note', 'outcome'],
  ride_request: ['voter_id', 'note'],
  outbound_message: ['voter_id', 'to_phone', 'body', 'sender_id'],
  inbound_message: ['from_phone', 'body', 'voter_id', 'watcher_id', 'volunteer_id', 'reply_body'],
  app_user: ['name', 'email', 'phone', 'password_hash', 'locale'],
  invite: ['token_hash', 'pin_hash'],
  session: ['token_hash'],
  station_assignment: ['user_id'],
  turnout_report: ['note'],
  station_flag: ['note'],
  sign_in_throttle: ['email', 'address'],
  login_attempt: ['ip'],
};

async function columnsOfDatabase(): Promise<Map<string, string[]>> {
  const client = new pg.Client({ connectionString: t.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name NOT LIKE '\\_%' ORDER BY table_name, ordinal_position`,
    );
    const tables = new Map<string, string[]>();
    for (const row of rows) tables.set(row.table_name, [...(tables.get(row.table_name) ?? []), row.column_name]);
    return tables;
  } finally {
    await client.end();
  }
}

/** An election in full swing: voters, marks, a worked chase list, texts both ways, staff. */
async function electionWithPersonalData() {
  const { prisma } = t.services.db;
  const election = await createSmallElection(t.services);
  await t.services.imports.voters(
    election.id,
    voterCsv([
      {
        external_id: 'P1',
        first_name: 'Aurore',
        last_name: 'Purgeable',
        phone: '+33639980101',
        email: 'aurore@purge.example',
        address: '1 rue Test',
      },
      { external_id: 'P2', first_name: 'Basile', last_name: 'Purgeable', phone: '+33639980102' },
      { external_id: 'P3', first_name: 'Chloé', last_name: 'Purgeable', station_code: '0201', list_number: 7 },
    ]),
    null,
  );
  const voters = await prisma.voter.findMany({ where: { electionId: election.id }, orderBy: { externalId: 'asc' } });
  const stations = await prisma.pollingStation.findMany({ where: { electionId: election.id }, orderBy: { code: 'asc' } });
  const watcher = await signedIn(t.services, 'watcher', { stationCodes: ['0101', '0201'], name: 'Wanda Watcher' });
  const volunteer = await signedIn(t.services, 'volunteer', { name: 'Victor Volunteer' });
  const coordinator = await signedIn(t.services, 'coordinator', { name: 'Cora Coordinator' });
  await t.services.accounts.createInvite(volunteer.user.id, null);
  const list = await prisma.chaseList.create({
    data: { electionId: election.id, name: 'Lagging areas', channel: 'call', criteria: { areaCodes: ['N1'] }, entryCount: 2 },
  });
  await prisma.chaseEntry.createMany({
    data: [
      { listId: list.id, voterId: voters[0]!.id, priority: 2, state: 'done', assigneeId: volunteer.user.id },
      { listId: list.id, voterId: voters[1]!.id, priority: 1 },
    ],
  });
  await prisma.contactAttempt.create({
    data: {
      voterId: voters[0]!.id,
      listId: list.id,
      volunteerId: volunteer.user.id,
      channel: 'call',
      outcome: 'will_vote',
      note: 'Aurore votes at 5 pm',
    },
  });
  await prisma.chaseListAssignment.create({ data: { listId: list.id, userId: volunteer.user.id } });
  await prisma.rideRequest.create({
    data: { voterId: voters[0]!.id, listId: list.id, volunteerId: volunteer.user.id, note: 'Aurore needs a ride at 5 pm' },
  });
  await prisma.outboundMessage.create({
    data: { voterId: voters[1]!.id, listId: list.id, toPhone: '+33639980102', body: 'Basile, polls close at 8 pm' },
  });
  await prisma.inboundMessage.create({
    data: {
      providerSid: `SM${randomUUID().replaceAll('-', '')}`,
      fromPhone: '+33639980102',
      toPhone: '+33639980000',
      body: 'Already voted',
      voterId: voters[1]!.id,
    },
  });
  // A turnout report the watcher texted from their own phone.
  await prisma.inboundMessage.create({
    data: {
      providerSid: `SM${randomUUID().replaceAll('-', '')}`,
      fromPhone: '+33639980199',
      toPhone: '+33639980000',
      body: '0101 412',
      kind: 'watcher_report',
      watcherId: watcher.user.id,
    },
  });
  await prisma.voteMark.create({
    data: {
      id: randomUUID(),
      stationId: stations[0]!.id,
      listNumbers: [1],
      markedAt: new Date(DURING_POLLS),
      reporterId: watcher.user.id,
      source: 'watcher',
    },
  });
  // Reports as the watcher sends them (the war room's figures come from them).
  t.clock.set('2026-03-15T18:00:00Z');
  const outcomes = await t.services.reports.submit(
    watcher.principal,
    [
      { id: randomUUID(), stationCode: '0101', voters: 412, observedAt: '2026-03-15T17:00:00Z', note: 'Mme Purgeable helped at the desk' },
      { id: randomUUID(), stationCode: '0201', voters: 380, observedAt: '2026-03-15T17:30:00Z' },
    ],
    'web',
  );
  expect(outcomes.map((outcome) => outcome.status)).toEqual([201, 201]);
  return { election, voters, watcher, volunteer, coordinator };
}

/** The turnout as counted at the stations: what a purge must leave as it was (supporters left are voters' data). */
function countedTurnout(frame: TurnoutFrame) {
  const counted = <T extends { supportersLeft: number }>({ supportersLeft: _, ...figures }: T) => figures;
  return { ...frame, totals: counted(frame.totals), areas: frame.areas.map(counted), stations: frame.stations.map(counted) };
}

describe('relance purge: the personal data of an election that is over', () => {
  it('is refused while the polls are open, and without the election’s name typed exactly', async () => {
    const { election } = await electionWithPersonalData();
    const admin = await signedIn(t.services, 'admin');
    t.clock.set(DURING_POLLS);
    await expect(t.services.people.elections.purge(election.id, SMALL_ELECTION.name, admin.principal)).rejects.toThrow(ElectionNotOver);
    t.clock.set(AFTER_POLLS);
    const wrongName = t.services.people.elections.purge(election.id, 'Test town', admin.principal);
    await expect(wrongName).rejects.toThrow(InvalidInput);
    await expect(wrongName).rejects.toMatchObject({ field: 'confirmation' });
    expect(await t.services.db.prisma.voter.count({ where: { electionId: election.id } })).toBe(3);
    expect((await t.services.people.elections.retention(election.id)).purgedAt).toBeNull();
  });

  it('deletes every piece of personal data, keeps the turnout figures and the audit trail, and records itself', async () => {
    const { prisma } = t.services.db;
    const other = await electionWithPersonalData();
    const { election, watcher, volunteer, coordinator } = await electionWithPersonalData();
    const admin = await signedIn(t.services, 'admin');
    t.clock.set(AFTER_POLLS);
    const turnoutBefore = countedTurnout(await t.services.turnout.frame());
    expect(turnoutBefore.totals.voted).toBe(792);
    const auditBefore = await prisma.auditEvent.count();

    const counts = await t.services.people.elections.purge(election.id, ` ${SMALL_ELECTION.name} `, admin.principal);
    expect(counts).toEqual({
      voters: 3,
      voteMarks: 1,
      chaseEntries: 2,
      contactAttempts: 1,
      rideRequests: 1,
      outboundMessages: 1,
      inboundMessages: 2,
      reportNotes: 1,
      invites: 3,
      sessions: 2,
      accounts: 2,
    });

    // Nothing personal is left of this election, column by column.
    const stationIds = (await prisma.pollingStation.findMany({ where: { electionId: election.id } })).map((s) => s.id);
    expect(await prisma.voter.count({ where: { electionId: election.id } })).toBe(0);
    expect(await prisma.voteMark.count({ where: { stationId: { in: stationIds } } })).toBe(0);
    expect(await prisma.chaseEntry.count({ where: { list: { electionId: election.id } } })).toBe(0);
    expect(await prisma.contactAttempt.count({ where: { list: { electionId: election.id } } })).toBe(0);
    expect(await prisma.outboundMessage.count({ where: { list: { electionId: election.id } } })).toBe(0);
    expect(await prisma.inboundMessage.count({ where: { body: 'Already voted', voter: { electionId: election.id } } })).toBe(0);
    expect(await prisma.inboundMessage.count({ where: { watcherId: watcher.user.id } })).toBe(0);
    expect(await prisma.stationAssignment.count({ where: { stationId: { in: stationIds } } })).toBe(0);
    expect(await prisma.rideRequest.count({ where: { list: { electionId: election.id } } })).toBe(0);
    expect(await prisma.chaseListAssignment.count({ where: { list: { electionId: election.id } } })).toBe(0);
    expect(await prisma.turnoutReport.count({ where: { stationId: { in: stationIds }, note: { not: null } } })).toBe(0);
    for (const account of [watcher, volunteer]) {
      expect(await prisma.user.findUnique({ where: { id: account.user.id } })).toMatchObject({
        name: 'Deleted account',
        email: null,
        phone: null,
        passwordHash: null,
        locale: null,
        disabledAt: new Date(AFTER_POLLS),
      });
      expect(await prisma.invite.count({ where: { userId: account.user.id } })).toBe(0);
      expect(await prisma.session.count({ where: { userId: account.user.id } })).toBe(0);
    }
    // The coordinator's account is the campaign's, not the election's.
    expect(await prisma.user.findUnique({ where: { id: coordinator.user.id } })).toMatchObject({
      name: 'Cora Coordinator',
      disabledAt: null,
    });

    // What the war room counted is unchanged; the audit trail only grew, by the purge's entry.
    expect(countedTurnout(await t.services.turnout.frame())).toEqual(turnoutBefore);
    expect(await prisma.turnoutReport.count({ where: { stationId: { in: stationIds } } })).toBe(2);
    expect(await prisma.auditEvent.count()).toBe(auditBefore + 1);
    expect(await prisma.auditEvent.findFirst({ where: { action: 'election.purge', subjectId: String(election.id) } })).toMatchObject({
      actorUserId: admin.user.id,
      subjectType: 'election',
      details: counts,
    });
    expect((await t.services.people.elections.retention(election.id)).purgedAt).toEqual(new Date(AFTER_POLLS));

    // The other election's people are untouched; a second purge is refused.
    expect(await prisma.voter.count({ where: { electionId: other.election.id } })).toBe(3);
    expect(await prisma.user.findUnique({ where: { id: other.watcher.user.id } })).toMatchObject({ name: 'Wanda Watcher' });
    await expect(t.services.people.elections.purge(election.id, SMALL_ELECTION.name, admin.principal)).rejects.toThrow(AlreadyPurged);
  });

  it('leaves nothing changed when it fails halfway (all or nothing)', async () => {
    const { election } = await electionWithPersonalData();
    t.clock.set(AFTER_POLLS);
    // An actor that does not exist: the audit entry, written last in the transaction, fails.
    const ghost = {
      kind: 'user' as const,
      id: 2_000_000_000,
      name: 'ghost',
      role: 'admin' as const,
      stations: 'all' as const,
      locale: null,
    };
    await expect(t.services.people.elections.purge(election.id, SMALL_ELECTION.name, ghost)).rejects.toThrow(/foreign key/i);
    expect(await t.services.db.prisma.voter.count({ where: { electionId: election.id } })).toBe(3);
    expect(await t.services.db.prisma.contactAttempt.count({ where: { list: { electionId: election.id } } })).toBe(1);
    expect((await t.services.people.elections.retention(election.id)).purgedAt).toBeNull();
  });

  it('every column of the database is known to hold personal data or not', async () => {
    const notPersonal: Record<string, string[] | 'all'> = {
      election: 'all',
      area: 'all',
      polling_station: 'all',
      election_simulation: 'all',
      station_flag: [
        'id',
        'station_id',
        'category',
        'observed_at',
        'received_at',
        'reporter_id',
        'api_token_id',
        'source',
        'rehearsal',
        'resolved_at',
      ],
      turnout_report: [
        'id',
        'station_id',
        'voters',
        'observed_at',
        'received_at',
        'reporter_id',
        'api_token_id',
        'source',
        'status',
        'flag_reason',
        'rehearsal',
        'claimed_observed_at',
      ],
      vote_mark: ['id', 'station_id', 'action', 'marked_at', 'received_at', 'reporter_id', 'api_token_id', 'source', 'rehearsal'],
      voter: ['id', 'election_id', 'station_id', 'created_at', 'updated_at'],
      chase_list: 'all',
      chase_entry: ['id', 'list_id', 'priority', 'rank', 'state', 'lease_expires_at', 'done_at'],
      chase_list_assignment: ['id', 'list_id', 'team_id', 'created_at'],
      ride_request: ['id', 'list_id', 'volunteer_id', 'status', 'created_at', 'handled_at', 'handled_by_id'],
      team: 'all',
      contact_attempt: ['id', 'list_id', 'volunteer_id', 'channel', 'created_at'],
      outbound_message: [
        'id',
        'list_id',
        'template_id',
        'status',
        'provider_sid',
        'error_code',
        'error_message',
        'cancel_reason',
        'review_reason',
        'attempts',
        'created_at',
        'updated_at',
        'sent_at',
      ],
      inbound_message: ['id', 'provider_sid', 'to_phone', 'kind', 'read_at', 'received_at'],
      sms_template: 'all',
      app_user: [
        'id',
        'role',
        'failed_login_count',
        'locked_until',
        'disabled_at',
        'last_login_at',
        'created_at',
        'election_id',
        'team_id',
      ],
      invite: ['id', 'user_id', 'failed_pin_count', 'expires_at', 'used_at', 'created_by_id', 'created_at'],
      session: ['id', 'user_id', 'created_at', 'last_seen_at', 'expires_at'],
      station_assignment: ['station_id'],
      api_token: 'all',
      api_token_station: 'all',
      login_attempt: ['id', 'succeeded', 'at'],
      sign_in_throttle: ['scope', 'failures', 'window_ends_at'],
      audit_event: 'all',
      suppression: 'all',
    };
    const unclassified: string[] = [];
    for (const [table, columns] of await columnsOfDatabase()) {
      for (const column of columns) {
        const known =
          PERSONAL[table]?.includes(column) ||
          notPersonal[table] === 'all' ||
          (notPersonal[table] as string[] | undefined)?.includes(column);
        if (!known) unclassified.push(`${table}.${column}`);
      }
    }
    expect(unclassified).toEqual([]);
  });
});

describe('the retention period', () => {
  it('starts when the last station closes and ends PERSONAL_DATA_RETENTION_DAYS later (30 by default)', async () => {
    const { election } = await electionWithPersonalData();
    t.clock.set(DURING_POLLS);
    expect(await t.services.people.elections.retention(election.id)).toEqual({
      electionId: election.id,
      electionName: SMALL_ELECTION.name,
      timezone: 'Europe/Paris',
      closedAt: new Date(AFTER_POLLS),
      over: false,
      purgeBy: new Date('2026-04-14T19:00:00Z'),
      overdue: false,
      purgedAt: null,
    });
    t.clock.set('2026-04-14T19:00:00Z');
    expect(await t.services.people.elections.retention(election.id)).toMatchObject({ over: true, overdue: true });
  });
});
