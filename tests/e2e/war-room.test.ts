import { randomUUID } from 'node:crypto';
import type { Locator } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { PHONE } from './browser.ts';
import { openBrowserFixtures, type BrowserFixtures } from './fixtures.ts';

const server = inject('e2e');

/** A locator's text, with French number spacing (narrow no-break) as plain spaces. */
async function textOf(locator: Locator): Promise<string> {
  await locator.first().waitFor();
  return ((await locator.first().textContent()) ?? '').replace(/[\u202f\u00a0]/g, ' ').trim();
}

const WAR_ROOM = { locale: 'fr-FR', viewport: { width: 1440, height: 900 } };

// Gaillon (2e arrondissement) has one polling station, 0213, that no other browser test reports for.
const GAILLON = { area: '7510201', station: '0213', registered: 898 };

describe.runIf(server)('the war room, live', () => {
  let fixtures: BrowserFixtures;

  async function report(token: string, stationCode: string, voters: number) {
    const response = await fetch(`${server!.baseUrl}/api/v1/reports`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      // 19:30 in Paris on polling day: late in the day, so the station's own count weighs most.
      body: JSON.stringify({ id: randomUUID(), stationCode, voters, observedAt: '2026-03-15T18:30:00.000Z' }),
    });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { status: string }).status).toBe('accepted');
  }

  beforeAll(async () => {
    fixtures = await openBrowserFixtures(server!);
  });

  afterEach(async () => {
    expect(await fixtures.closePages()).toEqual([]);
  });

  afterAll(async () => {
    await fixtures?.close();
  });

  it('a report posted through the API changes its area’s figures and colour within 2 s, without a reload', async () => {
    // High turnout in three other districts first: the city runs ahead of its baselines, and so does Gaillon.
    const hotline = await fixtures.apiToken('coordinator');
    for (const [code, voters] of [
      ['1501', 1040],
      ['1601', 1700],
      ['1701', 1330],
    ] as const) {
      await report(hotline, code, voters);
    }

    const { page } = await fixtures.signedIn('coordinator', { context: WAR_ROOM });
    await page.getByRole('status').filter({ hasText: 'En direct' }).waitFor();
    await page.getByRole('button', { name: 'Quartiers de 2e arrondissement (Bourse)' }).click();
    const row = page.locator(`.war-table tr[data-area="${GAILLON.area}"]`);
    const ranked = page.locator(`.war-lagging li[data-area="${GAILLON.area}"]`);
    expect(await textOf(row.locator('td.war-voted'))).toBe('0');
    expect(await row.getAttribute('data-lag-class')).toMatch(/^ahead-/);
    expect(await ranked.count()).toBe(0);

    await row.getByRole('button', { name: 'Gaillon' }).click();
    const panel = page.getByRole('complementary', { name: 'Gaillon' });
    expect(await textOf(panel.locator('.panel-voted'))).toBe('0');
    const lagBefore = await textOf(panel.locator('.panel-lag'));
    expect(lagBefore).toMatch(/^\+/);

    // A watcher of Gaillon's station reports a low count: 20 % of its registered voters, its baseline being 40 %.
    const watcher = await fixtures.apiToken('watcher', [GAILLON.station]);
    const sentAt = Date.now();
    await report(watcher, GAILLON.station, 180);
    const within = () => ({ timeout: Math.max(1, sentAt + 2000 - Date.now()) });
    await panel.locator('.panel-voted', { hasText: /^180$/ }).waitFor(within());
    await row.locator('td.war-voted', { hasText: /^180$/ }).waitFor(within());
    await page.locator(`.war-table tr[data-area="${GAILLON.area}"][data-lag-class="behind-3"]`).waitFor(within());
    await page.locator(`.war-lagging li[data-area="${GAILLON.area}"][data-lag-class="behind-3"]`).waitFor(within());

    expect(await textOf(panel.locator('.panel-lag'))).toMatch(/^[-−]\d+,\d %$/);
    expect(await textOf(ranked)).toMatch(/^Gaillon[-−]\d+,\d % très en retard\d+ sympathisants à faire voter$/);
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
    // The chart of the day asks for the day's reports again, and draws the new one.
    await panel.locator('svg .chart-actual').waitFor();
  });

  it('selecting an area opens its panel with its figures and the chart of the day, on a phone too', async () => {
    const { page } = await fixtures.signedIn('viewer', { context: { ...PHONE, locale: 'fr-FR' } });
    await page.getByRole('button', { name: '1er arrondissement (Louvre)', exact: true }).click();
    const panel = page.getByRole('complementary', { name: '1er arrondissement (Louvre)' });
    expect(await textOf(panel.locator('.war-sheet-kind'))).toBe('Arrondissement');
    expect(await textOf(panel.locator('.panel-figure').first())).toBe('Inscrits11 398');
    const chart = panel.getByRole('img', { name: 'Participation au fil de la journée : 1er arrondissement (Louvre)' });
    await chart.waitFor();
    expect(await chart.evaluate((svg) => svg.tagName)).toBe('svg');
    const summaryId = await chart.getAttribute('aria-describedby');
    expect(await textOf(page.locator(`[id="${summaryId}"]`))).toMatch(/^Participation de \d+,\d % à cette heure/);
    // Viewers follow the day; chasing is for coordinators and admins.
    expect(await panel.getByRole('button', { name: 'Relancer ce secteur' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Relancer tous les secteurs en retard' }).count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
  });
});
