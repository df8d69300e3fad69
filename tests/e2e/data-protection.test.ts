import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { openRelance, type Relance } from '../../server/relance.ts';
import { PHONE } from './browser.ts';
import { signedInAdmin } from './plain-browser.ts';
import { openBrowserFixtures, type BrowserFixtures } from './fixtures.ts';

const server = inject('e2e');

const ON_A_PHONE = { ...PHONE, locale: 'en-GB' };

// No Chromium outside CI: the global setup printed why, and there is nothing to drive.
describe.runIf(server)('data retention and rights requests, on an admin’s phone', () => {
  let fixtures: BrowserFixtures;
  let relance: Relance;

  beforeAll(async () => {
    fixtures = await openBrowserFixtures(server!);
    const config = parseConfig({ DATABASE_URL: server!.databaseUrl, PUBLIC_URL: server!.baseUrl, LOG_LEVEL: 'silent' });
    relance = await openRelance({ config, log: createLogger('silent'), poolSize: 2 });
  });

  afterEach(async () => {
    expect(await fixtures.closePages()).toEqual([]);
  });

  afterAll(async () => {
    await fixtures?.close();
    await relance?.close();
  });

  /** An election of the test's own, long over (its polling day is before the demo's, which stays current). */
  async function pastElection() {
    const name = `By-election ${randomBytes(3).toString('hex')}`;
    const election = await relance.services.imports.election(
      { name, pollingDay: '2025-06-01', timezone: 'Europe/Paris', opensAt: '08:00', closesAt: '20:00' },
      null,
    );
    return { id: election.id, name };
  }

  it('reminds the admin in the war room to purge the demo election, which is over; not a coordinator', async () => {
    const admin = await fixtures.signedIn('admin', { context: ON_A_PHONE });
    const reminder = admin.page.getByRole('status').filter({ hasText: 'retention period' });
    await expect(reminder.textContent()).resolves.toBe(
      'The retention period of this election’s personal data ended on 14 April 2026: delete it now. Go to data protection',
    );
    await reminder.getByRole('link', { name: 'Go to data protection' }).click();
    await admin.page.getByRole('heading', { level: 1, name: 'Data protection' }).waitFor();

    const coordinator = await fixtures.signedIn('coordinator', { context: ON_A_PHONE });
    await coordinator.page.getByRole('heading', { level: 1 }).first().waitFor();
    expect(await coordinator.page.getByText('retention period').count()).toBe(0);
    // With the coordinator's cookies, outside the page (whose console would show the 403 as an error).
    expect((await coordinator.page.request.get(`${server!.baseUrl}/admin/data`)).status()).toBe(403);
    expect((await coordinator.page.request.get(`${server!.baseUrl}/admin/rights`)).status()).toBe(403);
  });

  it('purges an election once its name is typed exactly, and says what was deleted', async () => {
    const election = await pastElection();
    const { page } = await fixtures.signedIn('admin', { context: ON_A_PHONE });
    await page.goto(`${server!.baseUrl}/admin/data`);
    await page.getByRole('row', { name: new RegExp(election.name) }).waitFor();
    await page.getByLabel('Election', { exact: true }).selectOption(String(election.id));
    await page.getByLabel('Type the election’s name to confirm').fill(election.name);
    await page.getByRole('button', { name: 'Delete its personal data' }).click();
    await expect(page.locator('.alert-success').textContent()).resolves.toBe(
      'The personal data of the election was deleted.Deleted: 0 voters, 0 list entries and contact attempts, 0 texts, 0 accounts.',
    );
    await page.getByRole('row', { name: new RegExp(`${election.name}.*Deleted on`) }).waitFor();
    expect(await relance.services.db.prisma.auditEvent.count({ where: { action: 'election.purge', subjectId: String(election.id) } })).toBe(
      1,
    );
  });

  it('refuses a purge whose typed name is not the election’s: 422, the field marked, nothing deleted', async () => {
    const election = await pastElection();
    const admin = await signedInAdmin();
    const answer = await admin.post('/admin/data', { electionId: String(election.id), confirmation: 'By-election' });
    expect(answer.status).toBe(422);
    expect(/<input[^>]*name="confirmation"[^>]*>/.exec(answer.html)?.[0]).toMatch(/aria-invalid="true"/);
    expect(answer.html).toContain('Type the election’s name exactly as it is written in the list.');
    expect(await relance.services.db.prisma.election.findUnique({ where: { id: election.id } })).toMatchObject({ purgedAt: null });
  });

  it('shows what Relance holds about a person, downloads it as JSON, and records a suppression on erasure', async () => {
    const voter = await relance.services.db.prisma.voter.findFirstOrThrow({ where: { phone: { not: null } }, orderBy: { id: 'desc' } });
    const { page } = await fixtures.signedIn('admin', { context: ON_A_PHONE });
    await page.goto(`${server!.baseUrl}/admin/rights`);
    await page.getByLabel('Find them by').selectOption('phone');
    await page.getByLabel('Their external id, phone number or email address').fill(voter.phone!);
    await page.getByRole('button', { name: 'Show what Relance holds' }).click();
    await page
      .getByRole('heading', { level: 3, name: `${voter.firstName} ${voter.lastName} — Paris — municipales 2026, 1er tour` })
      .waitFor();
    await expect(page.getByText(voter.externalId, { exact: true }).isVisible()).resolves.toBe(true);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download as a file (JSON)' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('relance-person.json');
    const stream = await file.createReadStream();
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    // Found by phone: every record with that number (the demo's fictional numbers are shared, and
    // other tests import people too).
    const samePhone = await relance.services.db.prisma.voter.findMany({
      where: { phone: voter.phone },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    const held = (JSON.parse(text) as { voters: { id: number }[] }).voters.map((v) => v.id).sort((a, b) => a - b);
    expect(held).toContain(voter.id);
    expect(held).toEqual(samePhone.map((v) => v.id));

    // Someone who is not in the file asks to be erased: nothing to delete, but a later import leaves them out.
    const stranger = `stranger.${randomBytes(3).toString('hex')}@rights.example`;
    await page.getByLabel('Find them by').selectOption('email');
    await page.getByLabel('Their external id, phone number or email address').fill(stranger);
    await page.getByRole('button', { name: 'Show what Relance holds' }).click();
    await page.getByText('Relance holds nothing about this person.').waitFor();
    await page.getByRole('button', { name: 'Erase this person' }).click();
    // The box is required: the browser keeps the form until it is ticked.
    expect(await relance.services.db.prisma.auditEvent.count({ where: { action: 'person.erase' } })).toBe(0);
    await page.getByLabel('I confirm: erase this person from every voter file, for good').check();
    await page.getByRole('button', { name: 'Erase this person' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Erased' }).textContent()).resolves.toBe(
      'Erased: 0 voter record(s). A later import will leave this person out.',
    );
    expect(await relance.services.db.prisma.suppression.count({ where: { reason: 'erasure' } })).toBeGreaterThanOrEqual(1);
  });

  it('shows the audit trail filtered by who and what, and downloads it as CSV', async () => {
    const election = await pastElection();
    const { page, person } = await fixtures.signedIn('admin', { context: ON_A_PHONE });
    await page.goto(`${server!.baseUrl}/admin/audit`);
    await page.getByLabel('Who').selectOption(String(person.id));
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(new RegExp(`actor=${person.id}`));
    // The address changes as the filtered page is asked for; its rows come a moment later.
    await expect.poll(() => page.getByRole('row').count()).toBe(2);
    await expect(page.getByRole('row').nth(1).getByRole('rowheader').textContent()).resolves.toBe('session.start');

    await page.getByLabel('Who').selectOption('');
    await page.getByLabel('What').selectOption('election.create');
    await page.getByLabel('Election').selectOption(String(election.id));
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/action=election.create/);
    await expect.poll(() => page.getByRole('row').count()).toBe(2);

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download as CSV' }).click();
    const file = await download;
    let text = '';
    for await (const chunk of await file.createReadStream()) text += String(chunk);
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^\\d+,[0-9TZ:.-]+,,,,election.create,election,${election.id},`));
  });
});
