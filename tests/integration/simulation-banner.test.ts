import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmallElection } from '../factories.ts';
import { signedIn } from '../fixtures.ts';
import { openTestServices, startTestServer, type TestServices } from '../setup/services.ts';

let t: TestServices;
let server: { url: string; close(): Promise<void> };
let electionId: number;

beforeAll(async () => {
  t = await openTestServices();
  electionId = (await createSmallElection(t.services)).id;
  server = await startTestServer(t.services, { pages: true });
});

afterAll(async () => {
  await server.close();
  await t.close();
});

const page = async (path: string, cookie: string) => (await fetch(server.url + path, { headers: { Cookie: cookie } })).text();

describe('pages during a simulated polling day', () => {
  it('say on the war room and the watcher pages that the day is simulated, and its time, in French and English', async () => {
    // Long after the small election's day, as for the demo (signed in then: sessions last a day).
    t.clock.set('2026-12-01T10:00:00Z');
    const coordinator = await signedIn(t.services, 'coordinator');
    const watcher = await signedIn(t.services, 'watcher', { stationCodes: ['0101'] });
    expect(await page('/dashboard', coordinator.cookie)).not.toContain('simulation-banner');

    await t.services.elections.startSimulation(electionId, {
      startsFrom: new Date('2026-03-15T13:32:00Z'),
      endsAt: new Date('2026-03-15T19:00:00Z'),
      speed: 36,
    });
    try {
      const banner = /<p class="simulation-banner" role="status" aria-live="off">(.*?)<\/p>/;
      expect((await page('/dashboard', coordinator.cookie)).match(banner)?.[1]).toBe(
        '<strong>Simulation</strong> — <!-- -->14 h 32 le jour du scrutin',
      );
      expect((await page('/watch', `${watcher.cookie}; relance_locale=en`)).match(banner)?.[1]).toMatch(
        /<strong>Simulation<\/strong> — (<!-- -->)?14:32 on polling day/,
      );
    } finally {
      await t.services.elections.stopSimulation(electionId);
      t.clock.reset();
    }
  });
});
