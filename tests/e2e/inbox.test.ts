import type { Locator } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { PHONE } from './browser.ts';
import { openBrowserFixtures, type BrowserFixtures } from './fixtures.ts';

const server = inject('e2e');

async function textOf(locator: Locator): Promise<string> {
  await locator.first().waitFor();
  return ((await locator.first().textContent()) ?? '')
    .replace(/[\u202f\u00a0]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

describe.runIf(server)('the inbox of texts received (local mode)', () => {
  let fixtures: BrowserFixtures;
  let voter: { id: number; firstName: string; lastName: string; phone: string };

  beforeAll(async () => {
    fixtures = await openBrowserFixtures(server!);
    // A demo voter of the 1st arrondissement with a (fiction) phone, not opted out.
    const found = await fixtures.prisma.voter.findFirstOrThrow({
      where: { phone: { not: null }, smsOptedOutAt: null, station: { code: '0102' } },
      orderBy: { id: 'desc' },
      select: { id: true, firstName: true, lastName: true, phone: true },
    });
    voter = { ...found, phone: found.phone! };
  });

  afterEach(async () => {
    expect(await fixtures.closePages()).toEqual([]);
  });

  afterAll(async () => {
    if (voter) await fixtures.prisma.voter.updateMany({ where: { phone: voter.phone }, data: { smsOptedOutAt: null } });
    await fixtures?.close();
  });

  it('a coordinator simulates STOP from a voter’s phone, on a phone: the voter shows as opted out', async () => {
    const { page } = await fixtures.signedIn('coordinator', { context: { ...PHONE, locale: 'en-GB' } });
    await page.goto(`${server!.baseUrl}/inbox`);
    const optedOutBefore = Number(await textOf(page.locator('[data-count="opted-out-now"]')));
    const optOutsBefore = Number(await textOf(page.locator('[data-count="opt-outs"]')));
    // STOP opts out everyone who shares the phone (a household's landline or mobile).
    const sharing = await fixtures.prisma.voter.count({ where: { phone: voter.phone, smsOptedOutAt: null } });

    await page.getByLabel('From (phone number)').fill(voter.phone);
    await page.getByLabel('Text', { exact: true }).fill('Stop');
    await page.getByRole('button', { name: 'Receive this text' }).click();

    const status = page.getByRole('status').filter({ hasText: 'Text received' });
    await status.waitFor();
    expect(await status.locator('p').allTextContents()).toEqual([
      'Text received, read as: STOP.',
      'Relance answered: “Equipe Dupont : vous ne recevrez plus de SMS. START pour les recevoir à nouveau.”',
    ]);
    const message = page.locator('[data-kind="opt_out"]').first();
    expect(await textOf(message.locator('.inbox-sender'))).toBe(`${voter.firstName} ${voter.lastName}`);
    expect(await message.getAttribute('data-opted-out')).toBe('true');
    expect(await textOf(message.locator('.inbox-opted-out'))).toBe('Opted out');
    expect(await textOf(page.locator('[data-count="opted-out-now"]'))).toBe(String(optedOutBefore + sharing));
    expect(await textOf(page.locator('[data-count="opt-outs"]'))).toBe(String(optOutsBefore + 1));
    expect((await fixtures.prisma.voter.findUniqueOrThrow({ where: { id: voter.id } })).smsOptedOutAt).not.toBeNull();
  });

  it('a reply is listed with the person’s name, and a coordinator marks it read (in French)', async () => {
    const { page } = await fixtures.signedIn('coordinator', { context: { locale: 'fr-FR', viewport: { width: 1280, height: 800 } } });
    await page.goto(`${server!.baseUrl}/inbox`);
    await page.getByLabel('De (numéro de téléphone)').fill(voter.phone);
    await page.getByLabel('Texte', { exact: true }).fill('Je vote à midi, merci');
    await page.getByRole('button', { name: 'Recevoir ce SMS' }).click();
    const status = page.getByRole('status').filter({ hasText: 'SMS reçu' });
    await status.waitFor();
    expect((await status.locator('p').allTextContents()).map((line) => line.replace(/[\u202f\u00a0]/g, ' '))).toEqual([
      'SMS reçu, compris comme : Réponse.',
      'Relance n’a pas répondu : le SMS est dans la boîte de réception.',
    ]);
    const reply = page.locator('[data-kind="reply"]').filter({ hasText: 'Je vote à midi, merci' }).first();
    expect(await textOf(reply.locator('.inbox-sender'))).toBe(`${voter.firstName} ${voter.lastName}`);
    await reply.getByRole('button', { name: `Marquer le SMS de ${voter.firstName} ${voter.lastName} comme lu` }).click();
    await reply.getByRole('button').waitFor({ state: 'detached' });
    const stored = await fixtures.prisma.inboundMessage.findFirstOrThrow({
      where: { body: 'Je vote à midi, merci' },
      orderBy: { id: 'desc' },
    });
    expect(stored.readAt).not.toBeNull();
  });

  it('a volunteer sees on /calls the reply to the text they sent, and no one else’s', async () => {
    const own = await fixtures.signedIn('volunteer', { context: { ...PHONE, locale: 'en-GB' } });
    const other = await fixtures.signedIn('volunteer', { context: { ...PHONE, locale: 'en-GB' } });
    await fixtures.prisma.outboundMessage.create({
      data: { voterId: voter.id, toPhone: voter.phone, body: 'Les bureaux ferment à 20h.', status: 'sent', senderId: own.person.id },
    });
    const coordinator = await fixtures.signedIn('coordinator', { context: { locale: 'en-GB' } });
    await coordinator.page.goto(`${server!.baseUrl}/inbox`);
    await coordinator.page.getByLabel('From (phone number)').fill(voter.phone);
    await coordinator.page.getByLabel('Text', { exact: true }).fill('Merci, je passe à 18h');
    await coordinator.page.getByRole('button', { name: 'Receive this text' }).click();
    await coordinator.page.getByRole('status').filter({ hasText: 'Text received' }).waitFor();

    await other.page.reload();
    expect(await textOf(other.page.locator('.calls-replies p'))).toBe('Nobody has replied to your texts yet.');
    await own.page.reload();
    const reply = own.page.locator('.calls-replies [data-kind="reply"]').first();
    expect(await textOf(reply.locator('.inbox-sender'))).toBe(`${voter.firstName} ${voter.lastName}`);
    expect(await textOf(reply.locator('.inbox-body'))).toBe('Merci, je passe à 18h');
    await reply.getByRole('button', { name: `Mark the text from ${voter.firstName} ${voter.lastName} read` }).click();
    await reply.getByRole('button').waitFor({ state: 'detached' });
    const stored = await fixtures.prisma.inboundMessage.findFirstOrThrow({
      where: { body: 'Merci, je passe à 18h' },
      orderBy: { id: 'desc' },
    });
    expect([stored.volunteerId, stored.readAt !== null]).toEqual([own.person.id, true]);
  });
});
