import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { electionTime, type SimulationWindow } from '../../server/elections/elections.clock.ts';
import { createLogger } from '../../server/logger.ts';
import { startSimulator, type SimulatorRun } from '../../server/simulator/simulator.driver.ts';
import { resetSimulation } from '../../server/simulator/simulator.reset.ts';
import { simulatorTokenIds } from '../../server/simulator/simulator.watchers.ts';
import { createSmallElection, voterCsv } from '../factories.ts';
import { openTestServices, startTestServer, type TestServices } from '../setup/services.ts';

let t: TestServices;
let server: { url: string; close(): Promise<void> };
let electionId: number;

/** The small election's stations end at registered × baseline, or × 0.55 without one. */
const FINAL = { '0101': 500, '0102': 600, '0201': 550, '0202': 200 };
const SUPPORTERS = 40;

beforeAll(async () => {
  t = await openTestServices();
  server = await startTestServer(t.services);
});

/** Each test plays over an election of its own (the newest is the current one), long after its polling day. */
beforeEach(async () => {
  electionId = (await createSmallElection(t.services)).id;
  await t.services.imports.voters(
    electionId,
    voterCsv(
      Array.from({ length: SUPPORTERS }, (_, i) => ({
        external_id: `S${electionId}-${i}`,
        list_number: i + 1,
        support_level: 1 + (i % 2),
      })),
    ),
    null,
  );
  t.clock.set('2026-12-01T10:00:00Z');
});

afterAll(async () => {
  await server.close();
  await t.close();
});

/**
 * The simulator, with its waits moving the test's clock instead of sleeping: a whole day in the
 * time its requests take. With `stopAt`, it is stopped when it would wait past that election time.
 */
async function simulate(stopAt?: string) {
  let simulation: SimulationWindow | null = null;
  const stopAtElection = stopAt ? new Date(stopAt).getTime() : Infinity;
  const run: SimulatorRun = await startSimulator(t.services, {
    baseUrl: server.url,
    speed: 36,
    log: createLogger('silent'),
    async waitUntil(until, signal) {
      simulation ??= (await t.services.elections.clockOf(electionId)).simulation!;
      if (electionTime(until, simulation).getTime() > stopAtElection) {
        setImmediate(() => void run.stop());
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        return;
      }
      t.clock.set(until.toISOString());
    },
  });
  return run.finished;
}

const standing = async () =>
  Object.fromEntries(
    (
      await t.services.db.prisma.pollingStation.findMany({
        where: { electionId },
        select: { code: true, reportedVoters: true },
        orderBy: { code: 'asc' },
      })
    ).map((station) => [station.code, station.reportedVoters]),
  );

describe('relance simulate: a polling day played through the API', () => {
  it('plays the day through the API, resumes after a stop without duplicating, and ends at the final turnout', async () => {
    const first = await simulate('2026-03-15T13:00:00+01:00');
    expect(first.outcome).toBe('stopped');
    const { now, simulation } = await t.services.elections.clockOf(electionId);
    expect(simulation).not.toBeNull();
    expect(now.getTime()).toBeLessThanOrEqual(new Date('2026-03-15T13:00:00+01:00').getTime());

    const midday = await standing();
    for (const [code, voters] of Object.entries(midday)) {
      expect(voters).toBeGreaterThan(0);
      expect(voters).toBeLessThan(FINAL[code as keyof typeof FINAL]);
    }
    const storedAfterFirst = await t.services.db.prisma.turnoutReport.count({ where: { station: { electionId } } });
    expect(storedAfterFirst).toBe(first.reports);

    const second = await simulate();
    expect(second.outcome).toBe('completed');
    expect(await standing()).toEqual(FINAL);
    const snapshot = await t.services.turnout.frame();
    expect(snapshot.totals.voted).toBe(1850);
    expect(snapshot.election.simulated).toBe(true);
    expect(snapshot.election.now).toBe('2026-03-15T19:00:00.000Z');

    // Every report came over HTTP with a simulated watcher's token; sent twice (duplicates, and the
    // resumed run's catch-up), stored once.
    const tokens = await simulatorTokenIds(t.services, electionId);
    expect(tokens).toHaveLength(2);
    const reports = await t.services.db.prisma.turnoutReport.findMany({
      where: { station: { electionId } },
      select: { apiTokenId: true, source: true, status: true },
    });
    expect(reports).toHaveLength(first.reports + second.reports);
    expect(first.repeated + second.repeated).toBeGreaterThan(0);
    expect(new Set(reports.map((report) => report.apiTokenId))).toEqual(new Set(tokens));
    expect(reports.every((report) => report.source === 'api' && report.status === 'accepted')).toBe(true);

    // Supporters marked as voted: about the station's turnout (50 % at 0101).
    const marked = await t.services.db.prisma.voter.count({ where: { electionId, votedAt: { not: null } } });
    expect(marked).toBeGreaterThan(SUPPORTERS * 0.3);
    expect(marked).toBeLessThan(SUPPORTERS * 0.7);

    // Started again after the day: it does nothing and leaves the clock at closing time.
    const again = await simulate();
    expect(again.outcome).toBe('ended');
    expect(await t.services.db.prisma.turnoutReport.count({ where: { station: { electionId } } })).toBe(reports.length);
  });

  it('--restart takes back what the simulator sent, and only that; the day replays to the id', async () => {
    const morning = '2026-03-15T11:00:00+01:00';
    await simulate(morning);
    const ids = async () =>
      (
        await t.services.db.prisma.turnoutReport.findMany({
          where: { station: { electionId } },
          select: { id: true },
          orderBy: { id: 'asc' },
        })
      ).map((r) => r.id);
    const sent = await ids();
    expect(sent.length).toBeGreaterThan(0);
    const marked = () => t.services.db.prisma.voter.count({ where: { electionId, votedAt: { not: null } } });
    expect(await marked()).toBeGreaterThan(0);
    // A report of a real watcher's phone, which the reset must keep.
    const watcher = await t.services.accounts.createApiToken({ name: 'Real watcher', role: 'watcher', stationCodes: ['0202'] }, null);
    const real = await fetch(`${server.url}/api/v1/reports`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${watcher.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: randomUUID(), stationCode: '0202', voters: 3, observedAt: '2026-03-15T08:05:00+01:00' }),
    });
    expect(real.status).toBe(201);

    const deleted = await resetSimulation(t.services, electionId);
    expect(deleted.reports).toBe(sent.length);
    expect(await ids()).toHaveLength(1);
    expect(await marked()).toBe(0);
    expect(await standing()).toEqual({ '0101': null, '0102': null, '0201': null, '0202': 3 });
    expect((await t.services.elections.clockOf(electionId)).simulation).toBeNull();

    // The same morning again: the same tokens, the same reports to the id.
    await simulate(morning);
    expect(await simulatorTokenIds(t.services, electionId)).toHaveLength(2);
    expect((await ids()).filter((id) => sent.includes(id))).toEqual(sent);
    expect(await ids()).toHaveLength(sent.length + 1);
  });
});
