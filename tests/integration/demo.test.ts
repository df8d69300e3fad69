import { SegmentedMessage } from 'sms-segments-calculator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFictionNumber } from '../../server/fields.ts';
import { loadDemo } from '../../server/demo/demo.ts';
import { openTestServices, type TestServices } from '../setup/services.ts';

let t: TestServices;
let demo: { electionId: number; adminId: number };

beforeAll(async () => {
  t = await openTestServices();
  // The full demo has 150,000 people; 20,000 load faster and cover the same paths.
  demo = await loadDemo(t.services, { voters: 20_000 });
});

afterAll(() => t.close());

describe('the Paris demo election', () => {
  it('has the 902 polling stations of Paris (without the special list 1599) and their registered voters', async () => {
    const stations = await t.services.db.prisma.pollingStation.aggregate({
      where: { electionId: demo.electionId },
      _count: true,
      _sum: { registeredVoters: true },
    });
    expect(stations).toMatchObject({ _count: 902, _sum: { registeredVoters: 1_404_198 } });
    expect(await t.services.db.prisma.pollingStation.count({ where: { code: '1599' } })).toBe(0);
  });

  it('has 80 quartiers within 20 arrondissements within Paris', async () => {
    const areas = await t.services.db.prisma.area.groupBy({ by: ['kind'], where: { electionId: demo.electionId }, _count: true });
    expect(Object.fromEntries(areas.map((a) => [a.kind, a._count]))).toEqual({ city: 1, district: 20, neighbourhood: 80 });
    const orphans = await t.services.db.prisma.area.count({
      where: { electionId: demo.electionId, kind: { not: 'city' }, parentId: null },
    });
    expect(orphans).toBe(0);
  });

  it('uses the 2020 turnout of each station as its baseline where it is known', async () => {
    const station = await t.services.db.prisma.pollingStation.findFirstOrThrow({ where: { code: '0327' } });
    expect(station.baselineTurnout).toBe(0.4777); // 52.23 % abstention in 2020
    expect(await t.services.db.prisma.pollingStation.count({ where: { baselineTurnout: null } })).toBe(5);
  });

  it('has a synthetic voter file whose phones cannot reach anyone', async () => {
    expect(await t.services.db.prisma.voter.count()).toBe(20_000);
    const phones = await t.services.db.prisma.voter.findMany({ where: { phone: { not: null } }, select: { phone: true } });
    expect(phones.length).toBeGreaterThan(5000);
    expect(phones.every((v) => isFictionNumber(v.phone!))).toBe(true);
    const emails = await t.services.db.prisma.voter.findMany({ where: { email: { not: null } }, select: { email: true }, take: 100 });
    expect(emails.every((v) => v.email!.endsWith('@example.org'))).toBe(true);
  });

  it('has one demo user of each role, watchers on real stations', async () => {
    const users = await t.services.accounts.listUsers();
    expect(users.map((u) => [u.role, u.stationCodes])).toEqual([
      ['admin', []],
      ['coordinator', []],
      ['watcher', ['1101', '1102']],
      ['watcher', ['1801']],
      ['volunteer', []],
      ['volunteer', []],
      ['viewer', []],
    ]);
    expect(users.find((u) => u.role === 'admin')!.id).toBe(demo.adminId);
  });

  it('is loaded through the importers, which leave their trace in the audit trail', async () => {
    const actions = (
      await t.services.db.prisma.auditEvent.findMany({ where: { action: { startsWith: 'import.' } }, orderBy: { id: 'asc' } })
    ).map((e) => e.action);
    expect(actions).toEqual(['import.areas', 'import.stations', 'import.voters']);
  });

  it('has two French text templates, written by the demo coordinator in GSM-7 alone, ready to send', async () => {
    const templates = await t.services.db.prisma.smsTemplate.findMany({
      orderBy: { id: 'asc' },
      select: { name: true, body: true, archivedAt: true, createdBy: { select: { role: true } } },
    });
    expect(templates.map((template) => [template.name, template.createdBy?.role, template.archivedAt])).toEqual([
      ['Rappel : votre bureau de vote', 'coordinator', null],
      ['Dernière heure pour voter', 'coordinator', null],
    ]);
    expect(templates.map((template) => new SegmentedMessage(template.body).encodingName)).toEqual(['GSM-7', 'GSM-7']);
  });
});

describe('the Paris demo with DEMO_VOTERS=0', () => {
  it('loads the territory and the demo users with an empty voter file', async () => {
    const empty = await openTestServices();
    try {
      const loaded = await loadDemo(empty.services, { voters: 0 });
      const { prisma } = empty.services.db;
      expect(await prisma.voter.count()).toBe(0);
      expect(await prisma.pollingStation.count({ where: { electionId: loaded.electionId } })).toBe(902);
      expect((await empty.services.accounts.listUsers()).map((u) => u.role)).toEqual([
        'admin',
        'coordinator',
        'watcher',
        'watcher',
        'volunteer',
        'volunteer',
        'viewer',
      ]);
    } finally {
      await empty.close();
    }
  });
});
