import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { PHONE } from './browser.ts';
import { openBrowserFixtures, type BrowserFixtures } from './fixtures.ts';

const server = inject('e2e');

async function expectSyncState(page: Page, text: string) {
  await page.locator('.sync-state', { hasText: text }).waitFor();
}

async function tap(page: Page, digits: string) {
  for (const digit of digits) await page.locator('.keypad').getByRole('button', { name: digit, exact: true }).click();
}

describe.runIf(server)('poll watchers on the day and the day before', () => {
  let fixtures: BrowserFixtures;

  beforeAll(async () => {
    fixtures = await openBrowserFixtures(server!);
  });

  afterEach(async () => {
    expect(await fixtures.closePages()).toEqual([]);
  });

  afterAll(async () => {
    await fixtures?.close();
  });

  it('reports 3 counts and marks 10 voters offline, reloads offline, and every item arrives exactly once', async () => {
    const watcher = await fixtures.signedIn('watcher', { stationCodes: ['1203'], context: { ...PHONE, locale: 'en-GB' } });
    const { page } = watcher;
    // Requests the page makes while the network is off fail, and Chromium says so in the console.
    watcher.expectedErrors.push(/net::ERR_INTERNET_DISCONNECTED/);

    await page.getByRole('link', { name: 'Report for this station' }).click();
    await page.getByRole('heading', { level: 1, name: /^1203 / }).waitFor();
    await page.locator('[data-offline-ready]').waitFor();
    await expectSyncState(page, 'All sent');

    await page.context().setOffline(true);
    for (const count of ['120', '185', '240']) {
      await tap(page, count);
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await page.getByText(`Report of ${count} voters saved.`).waitFor();
    }
    await page.getByRole('tab', { name: 'Mark voters' }).click();
    for (let listNumber = 1; listNumber <= 10; listNumber++) {
      await page.getByLabel('List numbers (e.g. 12, 15 or 120-125)').fill(String(listNumber));
      await page.getByRole('button', { name: 'Mark as voted' }).click();
      await page
        .locator('#recent-marks + ul li')
        .nth(listNumber - 1)
        .waitFor();
    }
    await expectSyncState(page, '13 waiting, sending when online');

    // The page comes back from the phone with no network, and so does everything queued.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: /^1203 / }).waitFor();
    await expectSyncState(page, '13 waiting, sending when online');
    expect(await page.locator('.last-report').textContent()).toMatch(/^Last report: 240 voters at/);

    await page.context().setOffline(false);
    await expectSyncState(page, 'All sent');

    const station = await fixtures.prisma.pollingStation.findFirstOrThrow({ where: { code: '1203' }, orderBy: { id: 'desc' } });
    const reports = await fixtures.prisma.turnoutReport.findMany({
      where: { stationId: station.id, reporterId: watcher.person.id },
      orderBy: { voters: 'asc' },
    });
    expect(reports.map((report) => [report.voters, report.source])).toEqual([
      [120, 'web'],
      [185, 'web'],
      [240, 'web'],
    ]);
    const marks = await fixtures.prisma.voteMark.findMany({ where: { stationId: station.id, reporterId: watcher.person.id } });
    expect(marks.map((mark) => mark.listNumbers[0]).sort((a, b) => a! - b!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('a coordinator starts a rehearsal from the watchers’ board, sees who is ready, and ends it', async () => {
    const watcher = await fixtures.person('watcher', { stationCodes: ['1204'] });
    const coordinator = await fixtures.signedIn('coordinator', { context: { locale: 'en-GB', viewport: { width: 1280, height: 800 } } });
    const { page } = coordinator;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Watchers' }).click();
    await page.getByRole('heading', { level: 1, name: 'Watchers’ readiness' }).waitFor();
    const row = page.getByRole('row', { name: new RegExp(watcher.name) });
    expect(await row.locator('td').allTextContents()).toEqual(['1204', 'no', 'never', 'no']);

    await page.getByRole('button', { name: 'Start a rehearsal' }).click();
    await page.getByText('Rehearsal in progress: reports are stored as tests and never counted.').waitFor();
    await page.getByRole('button', { name: 'End the rehearsal' }).click();
    await page.getByText('No rehearsal: reports count.').waitFor();
  });
});
