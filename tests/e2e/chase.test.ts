import { randomBytes, randomUUID } from 'node:crypto';
import type { BrowserContextOptions, Locator } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { PHONE } from './browser.ts';
import { openBrowserFixtures, type BrowserFixtures } from './fixtures.ts';

const server = inject('e2e');

async function textOf(locator: Locator): Promise<string> {
  await locator.first().waitFor();
  return ((await locator.first().textContent()) ?? '').replace(/[\u202f\u00a0]/g, ' ').trim();
}

const WAR_ROOM = { locale: 'fr-FR', viewport: { width: 1440, height: 900 } };
const DESKTOP_EN = { locale: 'en-GB', viewport: { width: 1280, height: 800 } };

/**
 * The demo's polling day is over on the browser tests' clock, and a list only takes people whose
 * station is still open. Each test chases an area of the 20e that no other browser test reports for,
 * with one station kept open a few hours more; nothing is reported, so no test's figures move.
 */
const PERE_LACHAISE = { area: '7512003', name: 'Père-Lachaise', station: '2001' };
const CHARONNE = { area: '7512004', station: '2033' };
/** Made to lag by a low report of its station, for "Chase all lagging areas". */
const SAINT_FARGEAU = { area: '7512002', name: 'Saint-Fargeau', station: '2021' };

describe.runIf(server)('chase lists and the calling workspace', () => {
  let fixtures: BrowserFixtures;
  let coordinatorToken: string;
  let opened: { id: number; code: string; closesAt: Date | null }[] = [];

  /** Stations open a few hours more (the live turnout sees it at its next refresh). */
  async function keepOpen(codes: string[]) {
    await fixtures.prisma.pollingStation.updateMany({
      where: { code: { in: codes } },
      data: { closesAt: new Date(Date.now() + 3 * 3_600_000) },
    });
  }

  /** Stations closed again as the demo has them. */
  async function closeAgain(codes: string[]) {
    for (const station of opened.filter((one) => codes.includes(one.code))) {
      await fixtures.prisma.pollingStation.update({ where: { id: station.id }, data: { closesAt: station.closesAt } });
    }
  }

  async function api<T>(method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${server!.baseUrl}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  /** Until the live turnout (refreshed every 10 s while a war room is open) sees the station open. */
  async function untilOpen(areaCode: string) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const preview = await api<{ entries: number }>('POST', '/chase-lists/preview', coordinatorToken, {
        areaCodes: [areaCode],
        channel: 'call',
      });
      expect(preview.status).toBe(200);
      if (preview.body.entries > 0) return preview.body.entries;
      if (Date.now() > deadline) throw new Error(`No one to chase in ${areaCode}: its station did not open.`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async function openCalls(role: 'volunteer', context: BrowserContextOptions = DESKTOP_EN) {
    return fixtures.signedIn(role, { context });
  }

  beforeAll(async () => {
    fixtures = await openBrowserFixtures(server!);
    coordinatorToken = await fixtures.apiToken('coordinator');
    const stations = await fixtures.prisma.pollingStation.findMany({
      where: { code: { in: [PERE_LACHAISE.station, CHARONNE.station, SAINT_FARGEAU.station] } },
      select: { id: true, code: true, closesAt: true },
    });
    opened = stations;
    await keepOpen(stations.map((station) => station.code));
  });

  afterEach(async () => {
    expect(await fixtures.closePages()).toEqual([]);
  });

  afterAll(async () => {
    await closeAgain(opened.map((station) => station.code));
    await fixtures?.close();
  });

  it('a coordinator chases an area from the war room; two volunteers of a team work the list at once; progress is live', async () => {
    const first = await openCalls('volunteer');
    const second = await openCalls('volunteer', { ...PHONE, locale: 'en-GB' });
    await first.page.getByText('No call list is assigned to you yet.').waitFor();

    const { page } = await fixtures.signedIn('coordinator', { context: WAR_ROOM });
    await page.getByRole('status').filter({ hasText: 'En direct' }).waitFor();
    await untilOpen(PERE_LACHAISE.area);

    await page.getByRole('button', { name: 'Quartiers de 20e arrondissement (Ménilmontant)' }).click();
    await page.locator(`.war-table tr[data-area="${PERE_LACHAISE.area}"]`).getByRole('button', { name: PERE_LACHAISE.name }).click();
    const panel = page.getByRole('complementary', { name: PERE_LACHAISE.name });
    await panel.getByRole('button', { name: 'Relancer ce secteur' }).click();

    const dialog = page.getByRole('dialog', { name: 'Nouvelle liste de relance' });
    await dialog.waitFor();
    expect(await textOf(dialog.locator('#chase-dialog-for'))).toBe(`Pour : ${PERE_LACHAISE.name}`);
    const inList = Number(await textOf(dialog.locator('[data-figure="entries"] dd')));
    expect(inList).toBeGreaterThan(2);
    expect(Number(await textOf(dialog.locator('[data-figure="byPhone"] dd')))).toBeGreaterThanOrEqual(inList);
    expect(await textOf(dialog.locator(`tr[data-area="${PERE_LACHAISE.area}"] th`))).toBe(PERE_LACHAISE.name);
    expect(await textOf(dialog.locator('.chase-estimate'))).toMatch(/^Environ (\d+ h )?\d+ min d’appels avec \d+ bénévoles en ligne$/);
    // The page behind is inert while the dialog is open, and focus is inside it.
    expect(await dialog.evaluate((element) => element.contains(document.activeElement))).toBe(true);

    await dialog.getByRole('button', { name: `Créer la liste (${inList} personnes)` }).click();
    await dialog.getByText(/^Liste « .+ » créée avec \d+ personnes\./).waitFor();
    await dialog.getByRole('link', { name: 'Ouvrir la liste pour l’attribuer' }).click();
    await page.waitForURL(/\/chase\/\d+$/);
    const listUrl = page.url();

    // A team of the two volunteers, then the list given to it.
    const team = `Phoning ${randomBytes(3).toString('hex')}`;
    await page.goto(`${server!.baseUrl}/chase/teams`);
    await page.getByLabel('Nom de l’équipe').fill(team);
    const create = page.locator('form', { has: page.getByRole('heading', { name: 'Créer une équipe' }) });
    await create.getByLabel(first.person.name).check();
    await create.getByLabel(second.person.name).check();
    await create.getByRole('button', { name: 'Créer une équipe' }).click();
    await page.getByText(`Équipe ${team} enregistrée.`).waitFor();

    await page.goto(listUrl);
    await page.getByRole('checkbox', { name: team }).check();
    await page.getByRole('button', { name: 'Leur confier la liste' }).click();
    await page.getByText(`Enregistré : la liste va à ${team}.`).waitFor();
    await page.getByRole('status').filter({ hasText: 'En direct' }).waitFor();
    expect(await textOf(page.locator('[data-figure="attempted"] dd'))).toBe('0');

    // Both volunteers take the next person at once: never the same one.
    await Promise.all([first.page.reload(), second.page.reload()]);
    await Promise.all([
      first.page.getByRole('button', { name: 'Next person' }).click(),
      second.page.getByRole('button', { name: 'Next person' }).click(),
    ]);
    const cards = [first.page.locator('.calls-card'), second.page.locator('.calls-card')];
    await Promise.all(cards.map((card) => card.waitFor()));
    const entries = await Promise.all(cards.map((card) => card.getAttribute('data-entry')));
    const names = await Promise.all(cards.map((card) => textOf(card.locator('h2'))));
    expect(entries[0]).not.toBe(entries[1]);
    expect(names[0]).not.toBe(names[1]);
    expect(await cards[0]!.getByRole('link', { name: /^Call \+33/ }).getAttribute('href')).toMatch(/^tel:\+33\d{9}$/);
    expect(await textOf(cards[0]!.locator('.calls-script'))).toContain(`Hello ${names[0]!.split(' ')[0]}, this is ${first.person.name}`);

    // The first records with the keyboard (1: will vote), the second on their phone (no answer).
    await first.page.keyboard.press('1');
    await second.page.getByRole('button', { name: 'No answer / voicemail' }).click();
    await first.page.getByText(`${names[0]}: “Will vote” recorded.`).waitFor();
    await second.page.getByText(`${names[1]}: “No answer / voicemail” recorded.`).waitFor();
    expect(await textOf(first.page.locator('.calls-pace'))).toMatch(/^1 in the last hour · [\d.]+ per hour · 1 today$/);

    // The coordinator's page follows without a reload.
    await page.locator('[data-figure="attempted"] dd', { hasText: /^2$/ }).waitFor();
    await page.locator('[data-figure="reached"] dd', { hasText: /^1$/ }).waitFor();
    await page.locator('[data-figure="willVote"] dd', { hasText: /^1$/ }).waitFor();
    expect(await textOf(page.locator('[data-figure="remaining"] dd'))).toBe(String(inList - 2));

    // Next people, again different; a note typed with digits does not record anything.
    await first.page.keyboard.press('n');
    await first.page.locator('.calls-card').waitFor();
    const note = first.page.getByLabel('Note (optional)');
    await note.pressSequentially('Call back 1 2 3');
    expect([await note.inputValue(), await first.page.locator('.calls-card').count()]).toEqual(['Call back 1 2 3', 1]);
    expect(await first.page.getByText('recorded.').count()).toBe(0);
  });

  it('the volunteer is told at once when a watcher marks the person they hold as voted', async () => {
    await untilOpenWithWarRoom(CHARONNE.area);
    const built = await api<{ id: number }>('POST', '/chase-lists', coordinatorToken, {
      areaCodes: [CHARONNE.area],
      channel: 'call',
      limit: 3,
    });
    expect(built.status).toBe(201);
    const volunteer = await openCalls('volunteer');
    expect((await api('POST', `/chase-lists/${built.body.id}/assign`, coordinatorToken, { userIds: [volunteer.person.id] })).status).toBe(
      200,
    );
    const { page } = volunteer;
    await page.reload();
    await page.getByRole('button', { name: 'Next person' }).click();
    const card = page.locator('.calls-card');
    await card.waitFor();
    const held = await card.getAttribute('data-entry');
    const entry = await fixtures.prisma.chaseEntry.findUniqueOrThrow({
      where: { id: Number(held) },
      select: { voter: { select: { firstName: true, listNumber: true, station: { select: { code: true } } } } },
    });

    const watcher = await fixtures.apiToken('watcher', [entry.voter.station.code]);
    const marked = await api('POST', '/marks', watcher, {
      id: randomUUID(),
      stationCode: entry.voter.station.code,
      listNumbers: [entry.voter.listNumber],
      action: 'mark',
      markedAt: new Date().toISOString(),
    });
    expect(marked.status).toBeLessThan(300);

    const alert = page.getByRole('alert').filter({ hasText: `${entry.voter.firstName} has just voted.` });
    await alert.waitFor();
    await alert.getByRole('button', { name: 'Next person' }).click();
    await page.locator(`.calls-card:not([data-entry="${held}"])`).waitFor();
    expect(await page.getByRole('alert').filter({ hasText: 'has just voted' }).count()).toBe(0);
  });

  it('a needs-ride outcome reaches the rides queue, where a coordinator marks it done without JavaScript', async () => {
    await untilOpenWithWarRoom(CHARONNE.area);
    const built = await api<{ id: number }>('POST', '/chase-lists', coordinatorToken, {
      areaCodes: [CHARONNE.area],
      channel: 'call',
      limit: 1,
    });
    expect(built.status).toBe(201);
    const volunteer = await openCalls('volunteer');
    expect((await api('POST', `/chase-lists/${built.body.id}/assign`, coordinatorToken, { userIds: [volunteer.person.id] })).status).toBe(
      200,
    );
    await volunteer.page.reload();
    await volunteer.page.getByRole('button', { name: 'Next person' }).click();
    const card = volunteer.page.locator('.calls-card');
    await card.waitFor();
    const name = await textOf(card.locator('h2'));
    const note = `Walker, ground floor ${randomBytes(2).toString('hex')}`;
    await volunteer.page.getByLabel('Note (optional)').fill(note);
    await volunteer.page.getByRole('button', { name: 'Needs a ride' }).click();
    await volunteer.page.getByText(`${name}: “Needs a ride” recorded.`).waitFor();

    const { page } = await fixtures.signedIn('coordinator', { context: { ...DESKTOP_EN, javaScriptEnabled: false } });
    await page.goto(`${server!.baseUrl}/rides`);
    const row = page.locator('tr[data-status="open"]', { hasText: note });
    expect(await textOf(row.locator('th'))).toContain(name);
    await row.getByRole('button', { name: `Mark the ride of ${name} done` }).click();
    const handled = page.locator('tr[data-status="done"]', { hasText: note });
    expect(await textOf(handled.locator('td').last())).toMatch(/^Done at \d{2}:\d{2}$/);
    expect(await page.locator('tr[data-status="open"]', { hasText: note }).count()).toBe(0);
  });

  it('prints a list’s call sheet, then splits the list by rank', async () => {
    await untilOpenWithWarRoom(CHARONNE.area);
    const built = await api<{ id: number; name: string }>('POST', '/chase-lists', coordinatorToken, {
      areaCodes: [CHARONNE.area],
      channel: 'call',
      limit: 4,
    });
    expect(built.status).toBe(201);
    const { page } = await fixtures.signedIn('coordinator', { context: DESKTOP_EN });
    await page.goto(`${server!.baseUrl}/chase/${built.body.id}`);
    await page.getByRole('link', { name: 'Printable call sheet' }).click();
    await page.getByRole('heading', { level: 1, name: 'Call sheet' }).waitFor();
    const generated = await textOf(page.locator('.chase-sheet > p.muted'));
    expect(generated.startsWith(`${built.body.name} — 4 people — printed at `)).toBe(true);
    const rows = page.locator('.chase-sheet-table tbody tr');
    expect(await rows.count()).toBe(4);
    expect(await rows.evaluateAll((all) => all.map((row) => row.firstElementChild?.textContent))).toEqual(['1', '2', '3', '4']);
    expect(await rows.first().locator('td').nth(2).textContent()).toMatch(/^\+33\d{9}$/);
    expect(await rows.first().locator('td.chase-sheet-blank').textContent()).toBe('');

    await page.getByRole('link', { name: built.body.name }).click();
    await page.getByLabel('Number of parts').fill('2');
    await page.getByRole('button', { name: 'Split into parts' }).click();
    const done = page.getByRole('status').filter({ hasText: 'Split into 2 lists.' });
    await done.waitFor();
    const parts = done.getByRole('link');
    expect(await parts.allTextContents()).toEqual([`${built.body.name} (1/2)`, `${built.body.name} (2/2)`]);
    await parts.first().click();
    await page.getByRole('heading', { level: 1, name: `${built.body.name} (1/2)` }).waitFor();
    expect(await textOf(page.locator('[data-figure="remaining"] dd'))).toBe('2');
  });

  it('“Chase all lagging areas” takes every area behind by the threshold typed, with a station still open', async () => {
    // Watchers of Saint-Fargeau's stations report half of what their baselines expect by the evening.
    const stations = await fixtures.prisma.pollingStation.findMany({
      where: { area: { code: SAINT_FARGEAU.area } },
      select: { code: true, registeredVoters: true, baselineTurnout: true },
    });
    const watcher = await fixtures.apiToken(
      'watcher',
      stations.map((one) => one.code),
    );
    const report = async (share: number, observedAt: string) => {
      for (const one of stations) {
        const reported = await api<{ status: string }>('POST', '/reports', watcher, {
          id: randomUUID(),
          stationCode: one.code,
          voters: Math.round(one.registeredVoters * one.baselineTurnout! * share),
          observedAt,
        });
        expect([reported.status, reported.body.status]).toEqual([201, 'accepted']);
      }
    };
    await report(0.5, '2026-03-15T18:30:00.000Z');
    // The other tests' areas are closed meanwhile: their people stay off this list, whatever the order tests run in.
    const others = [PERE_LACHAISE.station, CHARONNE.station];
    await closeAgain(others);
    try {
      await chaseAllLagging(others);
    } finally {
      await keepOpen(others);
    }
    // Later in the evening, Saint-Fargeau catches up: the other browser tests find the city as it was.
    await report(1.1, '2026-03-15T18:45:00.000Z');
  });

  async function chaseAllLagging(closed: string[]) {
    interface Snapshot {
      stations: { code: string; areaCode: string; closesAt: string }[];
      areas: { code: string; lag: number | null }[];
    }
    const { page } = await fixtures.signedIn('coordinator', { context: WAR_ROOM });
    await page.getByRole('status').filter({ hasText: 'En direct' }).waitFor();
    // The areas the list must take: behind by the threshold or more, with a station open now.
    let expected: string[] = [];
    let threshold = 0;
    for (const deadline = Date.now() + 30_000; ;) {
      const { body } = await api<Snapshot>('GET', '/turnout', coordinatorToken);
      const lag = body.areas.find((area) => area.code === SAINT_FARGEAU.area)?.lag ?? null;
      threshold = lag === null ? 0 : Math.max(1, Math.floor(-lag * 100) - 1);
      const behind = new Set(body.areas.filter((area) => area.lag !== null && area.lag <= -threshold / 100).map((area) => area.code));
      const open = body.stations.filter((one) => new Date(one.closesAt).getTime() > Date.now() && behind.has(one.areaCode));
      expected = [...new Set(open.map((one) => one.areaCode))].sort();
      const closedSeen = body.stations.every((one) => !closed.includes(one.code) || new Date(one.closesAt).getTime() <= Date.now());
      if (expected.includes(SAINT_FARGEAU.area) && closedSeen) break;
      if (Date.now() > deadline) throw new Error(`Saint-Fargeau is not lagging with its station open (lag ${lag}), or others are open.`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(threshold).toBeGreaterThanOrEqual(20);

    await page.getByRole('button', { name: 'Relancer tous les secteurs en retard' }).click();
    const dialog = page.getByRole('dialog', { name: 'Nouvelle liste de relance' });
    await dialog.waitFor();
    expect(await textOf(dialog.locator('#chase-dialog-for'))).toBe(
      'Pour chaque secteur en retard d’au moins 5 % sur sa participation attendue',
    );
    await dialog.getByLabel('Secteurs en retard d’au moins (%)').fill(String(threshold));
    await dialog.getByRole('button', { name: 'Mettre à jour l’aperçu' }).click();
    await dialog.getByText(`Pour chaque secteur en retard d’au moins ${threshold} % sur sa participation attendue`).waitFor();
    const rows = dialog.locator('.chase-table tbody tr');
    await rows.first().waitFor();
    await dialog.locator('.chase-preview[aria-busy="false"]').waitFor();
    expect(await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-area')))).toEqual(expected);
    const row = dialog.locator(`tr[data-area="${SAINT_FARGEAU.area}"]`);
    expect(await textOf(row.locator('th'))).toBe(SAINT_FARGEAU.name);
    expect(await textOf(row.locator('td').first())).toMatch(/^[-−]\d+,\d %$/);
    const inList = Number(await textOf(dialog.locator('[data-figure="entries"] dd')));
    expect(inList).toBeGreaterThanOrEqual(Number(await textOf(row.locator('td').last())));
    expect(Number(await textOf(row.locator('td').last()))).toBeGreaterThan(0);

    await dialog.getByRole('button', { name: `Créer la liste (${inList} personnes)` }).click();
    await dialog.getByText(/^Liste « .+ » créée avec \d+ personnes\./).waitFor();
    await dialog.getByRole('link', { name: 'Ouvrir la liste pour l’attribuer' }).click();
    await page.waitForURL(/\/chase\/\d+$/);
    expect(await textOf(page.locator('[data-figure="remaining"] dd'))).toBe(String(inList));
    const listId = Number(new URL(page.url()).pathname.split('/').pop());
    const list = await fixtures.prisma.chaseList.findUniqueOrThrow({ where: { id: listId }, select: { criteria: true } });
    // The list keeps every area that was behind, those whose stations had all closed too.
    expect(list.criteria).toMatchObject({ lagThreshold: threshold / 100, areaCodes: expect.arrayContaining(expected) });
    await page.context().close();
  }

  it('a coordinator makes a team and gives it a list with JavaScript off', async () => {
    await untilOpenWithWarRoom(CHARONNE.area);
    const built = await api<{ id: number; name: string }>('POST', '/chase-lists', coordinatorToken, {
      areaCodes: [CHARONNE.area],
      channel: 'call',
      limit: 2,
    });
    expect(built.status).toBe(201);
    const members = [await fixtures.person('volunteer'), await fixtures.person('volunteer')];
    const helper = await fixtures.person('volunteer');
    const coordinator = await fixtures.signedIn('coordinator', { context: { ...DESKTOP_EN, javaScriptEnabled: false } });
    const { page } = coordinator;

    await page.goto(`${server!.baseUrl}/chase/teams`);
    const team = `Porte à porte ${randomBytes(3).toString('hex')}`;
    const create = page.locator('form', { has: page.getByRole('heading', { name: 'Create a team' }) });
    await create.getByLabel('Team name').fill(team);
    for (const member of members) await create.getByLabel(member.name).check();
    await create.getByRole('button', { name: 'Create a team' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Team ${team} saved.` })
      .waitFor();
    const saved = page.locator('form', { has: page.getByRole('heading', { name: team }) });
    expect(await saved.getByLabel(members[0]!.name).isChecked()).toBe(true);
    expect(await saved.getByLabel(helper.name).isChecked()).toBe(false);

    await page.goto(`${server!.baseUrl}/chase/${built.body.id}`);
    // "Add them" with nobody ticked saves nothing, and says what to do (the page answers 422).
    coordinator.expectedStatuses.add(422);
    await page.getByRole('button', { name: 'Add them' }).click();
    expect(await textOf(page.getByRole('alert'))).toMatch(/^Nothing was saved: tick at least one team or volunteer to add\./);
    expect(await fixtures.prisma.chaseListAssignment.count({ where: { listId: built.body.id } })).toBe(0);

    await page.getByRole('checkbox', { name: team }).check();
    await page.getByRole('button', { name: 'Give the list to them' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Saved: the list goes to ${team}.` })
      .waitFor();
    expect(await page.getByRole('checkbox', { name: team }).isChecked()).toBe(true);
    await page.getByRole('checkbox', { name: helper.name }).check();
    await page.getByRole('button', { name: 'Add them' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Saved: the list goes to ${team}, ${helper.name}.` })
      .waitFor();
    const assignments = await fixtures.prisma.chaseListAssignment.findMany({
      where: { listId: built.body.id },
      select: { teamId: true, userId: true },
    });
    expect(assignments).toHaveLength(2);
    expect(assignments.some((assignment) => assignment.userId === helper.id)).toBe(true);
  });

  it('says the workspace needs JavaScript when it is off', async () => {
    const { page } = await fixtures.signedIn('volunteer', { context: { ...DESKTOP_EN, javaScriptEnabled: false } });
    await page.getByRole('heading', { level: 1, name: 'Calls' }).waitFor();
    // Chromium parses <noscript> as text when a test turns scripts off (its parser still runs with scripting on).
    expect(await page.locator('noscript').first().textContent()).toContain(
      'The calling workspace needs JavaScript: turn it on, or use another browser.',
    );
  });

  /** The live turnout refreshes while a war room is open: one is opened for the time it takes. */
  async function untilOpenWithWarRoom(areaCode: string) {
    const { page } = await fixtures.signedIn('viewer', { context: WAR_ROOM });
    await page.getByRole('status').filter({ hasText: 'En direct' }).waitFor();
    await untilOpen(areaCode);
    await page.context().close();
  }
});
