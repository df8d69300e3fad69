import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { openBrowserFixtures, type BrowserFixtures } from './fixtures.ts';

const server = inject('e2e');

const DESKTOP_EN = { locale: 'en-GB', viewport: { width: 1280, height: 800 } };
/** A station no other browser test uses, kept open a few hours more (the demo's polling day is over). */
const STATION = '1905';
const STOP_LINE = 'Equipe Dupont. STOP pour ne plus recevoir de SMS';

/** Texting a chase list in local mode: plan, send, watch the texts go, and find them in the outbox. */
describe.runIf(server)('texting a chase list', () => {
  let fixtures: BrowserFixtures;
  let station: { id: number; closesAt: Date | null };

  beforeAll(async () => {
    fixtures = await openBrowserFixtures(server!);
    station = await fixtures.prisma.pollingStation.findFirstOrThrow({ where: { code: STATION }, select: { id: true, closesAt: true } });
    await fixtures.prisma.pollingStation.update({ where: { id: station.id }, data: { closesAt: new Date(Date.now() + 3 * 3_600_000) } });
  });
  afterEach(async () => {
    expect(await fixtures.closePages()).toEqual([]);
  });
  afterAll(async () => {
    if (station) await fixtures.prisma.pollingStation.update({ where: { id: station.id }, data: { closesAt: station.closesAt } });
    await fixtures?.close();
  });

  /** A list of three people who may be texted, one without consent and one without a phone. */
  async function listToText() {
    const { prisma } = fixtures;
    const reachable = { stationId: station.id, votedAt: null, doNotContact: false, smsOptedOutAt: null, phoneKind: 'mobile' as const };
    const [texted, noConsent, noPhone] = await Promise.all([
      prisma.voter.findMany({ where: { ...reachable, smsConsent: true }, take: 3, orderBy: { id: 'asc' } }),
      prisma.voter.findFirstOrThrow({ where: { ...reachable, smsConsent: false }, orderBy: { id: 'asc' } }),
      prisma.voter.findFirstOrThrow({
        where: { stationId: station.id, phone: null, votedAt: null, doNotContact: false },
        orderBy: { id: 'asc' },
      }),
    ]);
    expect(texted).toHaveLength(3);
    const election = await prisma.election.findFirstOrThrow({ orderBy: [{ pollingDay: 'desc' }, { id: 'desc' }] });
    const list = await prisma.chaseList.create({
      data: { electionId: election.id, name: `Texts ${randomBytes(3).toString('hex')}`, channel: 'sms', criteria: {} },
    });
    const people = [...texted, noConsent, noPhone];
    await prisma.chaseEntry.createMany({
      data: people.map((voter, index) => ({ listId: list.id, voterId: voter.id, priority: 100 - index, rank: index + 1 })),
    });
    return { list, texted };
  }

  it('plans who gets the text and who not and why, sends it, and shows each text sent and in the outbox', async () => {
    const { list, texted } = await listToText();
    const template = await fixtures.prisma.smsTemplate.findFirstOrThrow({ where: { name: 'Rappel : votre bureau de vote' } });
    const { page } = await fixtures.signedIn('coordinator', { context: DESKTOP_EN });
    await page.goto(`${server!.baseUrl}/chase/${list.id}`);
    await page.getByLabel('Template').selectOption({ label: template.name });
    await page.getByRole('button', { name: 'See who would get it' }).click();
    const plan = page.getByTestId('text-plan');
    await plan.waitFor();
    expect(page.url()).toContain(`templateId=${template.id}`);
    expect(await plan.locator('[data-figure="recipients"] dd').textContent()).toBe('3');
    expect(await plan.locator('[data-figure="alreadyQueued"] dd').textContent()).toBe('0');
    const reasons = await plan
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((row) => [row.getAttribute('data-reason'), row.querySelector('th')!.textContent, row.querySelector('td')!.textContent]),
      );
    expect(reasons).toEqual([
      ['no_phone', 'No mobile number', '1'],
      ['no_consent', 'No consent to texts', '1'],
    ]);
    expect(await page.getByTestId('text-timing').textContent()).toMatch(
      /^At 10 texts a second, the queue takes 0 min [0-9] s to send them; polls close in 2 h 5\d min\.$/,
    );
    expect(await plan.getByRole('alert').count()).toBe(0);
    expect(await plan.locator('.text-bubble').textContent()).toMatch(
      new RegExp(`^Bonjour ${texted[0]!.firstName}, votre bureau de vote .+\\n${STOP_LINE}$`),
    );

    await page.getByRole('button', { name: 'Send 3 texts' }).click();
    await page.getByText('3 texts queued. 0 people had already been texted from this list.').waitFor();
    // Local mode: the worker "sends" them at once; the page follows until none is waiting.
    await page.locator('[data-status="sent"] dd', { hasText: /^3$/ }).waitFor({ timeout: 20_000 });
    const stored = await fixtures.prisma.outboundMessage.findMany({ where: { listId: list.id }, orderBy: { voterId: 'asc' } });
    expect(stored.map((message) => [message.voterId, message.status, message.templateId])).toEqual(
      texted.map((voter) => [voter.id, 'sent', template.id]),
    );

    await page.getByRole('link', { name: 'See them in the outbox' }).click();
    await page.waitForURL(new RegExp(`/outbox\\?listId=${list.id}$`));
    await page.getByTestId('outbox-local').waitFor();
    const rows = await page
      .locator('tbody tr')
      .evaluateAll((cells) => cells.map((row) => [row.getAttribute('data-message'), row.getAttribute('data-status')]));
    expect(rows).toEqual([...stored].sort((a, b) => b.id - a.id).map((message) => [String(message.id), 'sent']));
    expect(await page.locator('.sms-figures [data-status="sent"] dd').textContent()).toBe('3');
  });

  it('lets a coordinator decide on a text left in sending after a crash', async () => {
    const { list, texted } = await listToText();
    const message = await fixtures.prisma.outboundMessage.create({
      data: {
        listId: list.id,
        voterId: texted[0]!.id,
        toPhone: texted[0]!.phone!,
        body: `Bonjour\n${STOP_LINE}`,
        status: 'sending',
        attempts: 1,
        reviewReason: 'not_found_at_provider',
      },
    });
    const { page } = await fixtures.signedIn('coordinator', { context: DESKTOP_EN });
    await page.goto(`${server!.baseUrl}/outbox?review=true`);
    const row = page.locator(`tr[data-message="${message.id}"]`);
    await row.getByRole('button', { name: 'Mark as sent' }).click();
    await page.getByText(`Text ${message.id} marked as sent.`).waitFor();
    const decided = await fixtures.prisma.outboundMessage.findUniqueOrThrow({ where: { id: message.id } });
    expect([decided.status, decided.reviewReason]).toEqual(['sent', null]);
    // The page now shows only the texts still waiting for a decision.
    await row.waitFor({ state: 'detached' });
  });

  it('lets a volunteer text the person on screen, the text shown and confirmed first', async () => {
    const { list, texted } = await listToText();
    const volunteer = await fixtures.signedIn('volunteer', { context: DESKTOP_EN });
    await fixtures.prisma.chaseListAssignment.create({ data: { listId: list.id, userId: volunteer.person.id } });
    const { page } = volunteer;
    // The volunteer's lists are kept a few seconds (docs/chase-lists.md): an assignment written
    // straight to the database shows once that has passed.
    const next = page.getByRole('button', { name: 'Next person' });
    await expect
      .poll(
        async () => {
          await page.reload();
          return next.isVisible();
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toBe(true);
    await next.click();
    const first = texted[0]!;
    await page.getByRole('heading', { level: 2, name: `${first.firstName} ${first.lastName}` }).waitFor();
    await page.getByLabel('Template', { exact: true }).selectOption({ label: 'Dernière heure pour voter' });
    const preview = await page.getByTestId('peer-text-preview').textContent();
    expect(preview).toMatch(
      new RegExp(
        `^${first.firstName}, plus qu'une heure pour voter ! Le bureau .+ ferme à \\d\\d:\\d\\d\\. Besoin d'aide pour venir \\? Répondez à ce SMS\\.\\n${STOP_LINE}$`,
      ),
    );
    await page.getByRole('button', { name: `Send this text to ${first.firstName}` }).click();
    await page.getByText(`Send this text to ${first.firstName} ${first.lastName} at ${first.phone}?`).waitFor();
    expect(await fixtures.prisma.outboundMessage.count({ where: { voterId: first.id, senderId: volunteer.person.id } })).toBe(0);
    await page.getByRole('button', { name: 'Send it' }).click();
    await page.getByText(`Text to ${first.firstName} ${first.lastName} queued: it leaves in a moment.`).waitFor();
    const sent = await fixtures.prisma.outboundMessage.findFirstOrThrow({ where: { voterId: first.id, senderId: volunteer.person.id } });
    // What the volunteer read is what went.
    expect([sent.body, sent.listId]).toEqual([preview, null]);
  });
});
