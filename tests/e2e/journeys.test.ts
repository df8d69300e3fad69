import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config.ts';
import { PHONE } from './browser.ts';
import { openBrowserFixtures, type BrowserFixtures } from './fixtures.ts';

const server = inject('e2e');

/** A locator's text once it is on screen, with French number spacing (narrow no-break) as plain spaces. */
async function textOf(locator: Locator): Promise<string> {
  await locator.first().waitFor();
  return ((await locator.first().textContent()) ?? '').replace(/[\u202f\u00a0]/g, ' ').trim();
}

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor();

// No Chromium outside CI: the global setup printed why, and there is nothing to drive.
describe.runIf(server)('Relance in a real browser, against `npm start`’s local mode', () => {
  let fixtures: BrowserFixtures;

  /** An admin issues a sign-in link from the People page, as a coordinator would on the day. */
  async function issueLink(adminPage: Page, personName: string): Promise<{ url: string; pin: string }> {
    await adminPage.goto(`${server!.baseUrl}/admin/users`);
    await adminPage
      .getByRole('row', { name: new RegExp(personName) })
      .getByRole('button')
      .click();
    const notice = adminPage.locator('.alert-success');
    return { url: await textOf(notice.locator('code.secret')), pin: await textOf(notice.locator('code.pin')) };
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

  const WAR_ROOM = { locale: 'fr-FR', viewport: { width: 1440, height: 900 } };

  it('the admin signs in through the link printed at start and sees the demo election, live', async () => {
    const adminPage = (await fixtures.openPage(WAR_ROOM)).page;
    await adminPage.goto(server!.adminLink);
    await heading(adminPage, 'Bienvenue sur Relance');
    expect(await textOf(adminPage.locator('main p').first())).toBe('Bonjour Demo admin.');
    await adminPage.getByRole('button', { name: 'Continuer' }).click();
    await heading(adminPage, 'Paris — municipales 2026, 1er tour');
    expect(adminPage.url()).toBe(`${server!.baseUrl}/dashboard`);

    // Other browser tests may have reported from a few stations already.
    expect(await textOf(adminPage.locator('.war-reporting .figure-detail'))).toMatch(/^\d+ sur 902$/);
    expect(await textOf(adminPage.locator('.war-table thead th').nth(1))).toBe('Inscrits');
    expect(await adminPage.locator('.war-table tbody tr').count()).toBe(20);
    expect(await textOf(adminPage.locator('.war-table tbody tr').first().locator('th .war-link'))).toBe('1er arrondissement (Louvre)');
    expect(await textOf(adminPage.locator('.war-table tbody tr').first().locator('td').first())).toBe('11 398');
    await adminPage.getByRole('status').filter({ hasText: 'En direct' }).waitFor();

    // The README's picture of the war room, once the map has drawn its districts.
    await adminPage.locator('.war-map').getByText('16e arrondissement (Passy)').waitFor();
    const shot = await adminPage.screenshot();
    const target = process.env.UPDATE_SCREENSHOTS
      ? path.join(PROJECT_ROOT, 'docs', 'images', 'dashboard.png')
      : path.join(PROJECT_ROOT, 'tests', '.artifacts', 'dashboard.png');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, shot);

    // The link worked once; it does not work again.
    const again = (await fixtures.openPage({ locale: 'fr-FR' })).page;
    await again.goto(server!.adminLink);
    expect(await textOf(again.getByRole('alert'))).toBe('Ce lien a déjà servi. Demandez-en un nouveau à votre coordination.');
  });

  it('switches between French and English, and remembers the choice', async () => {
    const adminPage = (await fixtures.signedIn('admin', { context: WAR_ROOM })).page;
    await adminPage.getByRole('button', { name: 'English' }).click();
    await heading(adminPage, 'Paris — municipales 2026, 1er tour');
    await adminPage.waitForFunction(() => document.documentElement.lang === 'en');
    expect(await textOf(adminPage.locator('.war-reporting .figure-detail'))).toMatch(/^\d+ of 902$/);
    expect(await textOf(adminPage.locator('.war-table tbody tr').first().locator('td').first())).toBe('11,398');
    expect(await adminPage.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual([
      'War room',
      'Watchers',
      'Chase lists',
      'Rides',
      'Texts',
      'Outbox',
      'Texts received',
      'People',
      'Data protection',
      'Turnout curve',
      'Imports',
      'Wall screens',
    ]);

    await adminPage.reload();
    expect(await adminPage.evaluate(() => document.documentElement.lang)).toBe('en');
    await adminPage.getByRole('button', { name: 'Français' }).click();
    await adminPage.waitForFunction(() => document.documentElement.lang === 'fr');
    // The demo's polling day is over and no report is fresh: the city's turnout is the model's estimate, and says so.
    expect(await textOf(adminPage.locator('.figure dt').first())).toBe('Participation estimée : aucune remontée récente');
  });

  it('a poll watcher signs in on a 360-pixel phone with an invite link and PIN, and finds their stations', async () => {
    const admin = await fixtures.signedIn('admin', { context: WAR_ROOM });
    const watcher = await fixtures.person('watcher', { stationCodes: ['1101', '1102'] });
    const invite = await issueLink(admin.page, watcher.name);
    expect(invite.url).toMatch(new RegExp(`^${server!.baseUrl}/invite/[A-Za-z0-9_-]{43}$`));
    expect(invite.pin).toMatch(/^\d{6}$/);

    const phone = await fixtures.openPage({ ...PHONE, locale: 'fr-FR' });
    await phone.page.goto(invite.url);
    expect(await textOf(phone.page.locator('main p').first())).toBe(`Bonjour ${watcher.name}.`);
    phone.expectedStatuses.add(401);
    await phone.page.getByLabel('Code PIN').fill(invite.pin === '000000' ? '111111' : '000000');
    await phone.page.getByRole('button', { name: 'Se connecter' }).click();
    expect(await textOf(phone.page.getByRole('alert'))).toBe('Code PIN incorrect. Essais restants avant blocage du lien : 4.');

    await phone.page.getByLabel('Code PIN').fill(invite.pin);
    await phone.page.getByRole('button', { name: 'Se connecter' }).click();
    await heading(phone.page, 'Mes bureaux de vote');
    expect(phone.page.url()).toBe(`${server!.baseUrl}/watch`);
    expect(await phone.page.locator('.card .station-code').allTextContents()).toEqual(['1101', '1102']);
    // Nothing wider than the phone's screen.
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    // The war room is not theirs.
    phone.expectedStatuses.add(403);
    const response = await phone.page.goto(`${server!.baseUrl}/dashboard`);
    expect(response?.status()).toBe(403);
    await heading(phone.page, 'Accès refusé');
  });

  it('a wall-screen viewer opening an admin page gets a proper 403 page', async () => {
    const admin = await fixtures.signedIn('admin', { context: WAR_ROOM });
    const wallScreen = await fixtures.person('viewer');
    const invite = await issueLink(admin.page, wallScreen.name);
    const screen = await fixtures.openPage({ locale: 'en-GB', viewport: { width: 1920, height: 1080 } });
    await screen.page.goto(invite.url);
    await screen.page.getByLabel('PIN').fill(invite.pin);
    await screen.page.getByRole('button', { name: 'Sign in' }).click();
    await heading(screen.page, 'Paris — municipales 2026, 1er tour');
    await screen.page.getByRole('status').filter({ hasText: 'Live' }).waitFor();

    screen.expectedStatuses.add(403);
    const response = await screen.page.goto(`${server!.baseUrl}/admin/users`);
    expect(response?.status()).toBe(403);
    await heading(screen.page, 'Access denied');
    expect(await textOf(screen.page.locator('.error-page p').nth(1))).toBe('Your role does not give access to this page.');
    expect(await screen.page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(['War room']);
  });

  it('sends an anonymous visitor to the sign-in page, and keeps where they were going', async () => {
    const visitor = await fixtures.openPage({ locale: 'en-GB' });
    await visitor.page.goto(`${server!.baseUrl}/dashboard`);
    await heading(visitor.page, 'Sign in');
    expect(visitor.page.url()).toBe(`${server!.baseUrl}/login?next=%2Fdashboard`);
    visitor.expectedStatuses.add(401);
    await visitor.page.getByLabel('Email address').fill('admin@demo.relance.example');
    await visitor.page.getByLabel('Password').fill('not the password');
    await visitor.page.getByRole('button', { name: 'Sign in' }).click();
    expect(await textOf(visitor.page.getByRole('alert'))).toBe('Wrong email or password.');
    expect(await visitor.page.locator('form:has(input[name="email"]) input[name="next"]').inputValue()).toBe('/dashboard');
  });
});
