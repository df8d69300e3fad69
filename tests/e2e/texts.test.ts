import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { PHONE } from './browser.ts';
import { openBrowserFixtures, type BrowserFixtures } from './fixtures.ts';

const server = inject('e2e');

/** Every text ends with this line: the sender the server is started with (server.global.ts), then how to stop. */
const STOP_LINE = 'Equipe Dupont. STOP pour ne plus recevoir de SMS';
const PHONE_EN = { ...PHONE, locale: 'en-GB' };

async function counter(page: Page) {
  const text = async (id: string) => (await page.getByTestId(id).textContent())?.trim();
  return { encoding: await text('text-encoding'), characters: await text('text-characters'), segments: await text('text-segments') };
}

describe.runIf(server)('text templates', () => {
  let fixtures: BrowserFixtures;

  beforeAll(async () => {
    fixtures = await openBrowserFixtures(server!);
  });
  afterEach(async () => {
    expect(await fixtures.closePages()).toEqual([]);
  });
  afterAll(() => fixtures?.close());

  it('count segments live as a coordinator writes on a phone, warn of UCS-2, and save', async () => {
    const { page, person } = await fixtures.signedIn('coordinator', { context: PHONE_EN });
    await page.getByRole('link', { name: 'Texts' }).first().click();
    await page.waitForURL(/\/texts$/);
    await page.locator('[data-texts-ready]').waitFor();
    await page.getByRole('heading', { level: 3, name: 'Rappel : votre bureau de vote' }).waitFor();

    // 112 characters of GSM-7, a line break and the 48 of the sender's line: 161, two segments.
    const body = page.getByLabel('Text', { exact: true });
    await body.fill('a'.repeat(112));
    await page.getByTestId('text-segments').filter({ hasText: /^2$/ }).waitFor();
    expect(await counter(page)).toEqual({ encoding: 'GSM-7', characters: '161', segments: '2' });
    expect(await page.getByTestId('text-preview').textContent()).toBe(`${'a'.repeat(112)}\n${STOP_LINE}`);
    expect(await page.getByTestId('text-ucs2').count()).toBe(0);

    // One character fewer fits in one segment.
    await body.fill('a'.repeat(111));
    await page.getByTestId('text-segments').filter({ hasText: /^1$/ }).waitFor();
    expect(await counter(page)).toEqual({ encoding: 'GSM-7', characters: '160', segments: '1' });

    // An emoji makes the whole text UCS-2, and the page names it.
    await body.fill('Bonjour {firstName}, on vote ! 🗳');
    await page.getByTestId('text-encoding').filter({ hasText: 'UCS-2' }).waitFor();
    expect(await counter(page)).toEqual({ encoding: 'UCS-2', characters: '77', segments: '2' });
    expect(await page.getByTestId('text-ucs2').textContent()).toContain(': 🗳.');
    expect(await page.getByTestId('text-preview').textContent()).toBe(`Bonjour Camille, on vote ! 🗳\n${STOP_LINE}`);

    const name = `Rappel ${randomBytes(3).toString('hex')}`;
    await page.getByLabel('Name (only your team sees it)').fill(name);
    await body.fill('Bonjour {firstName}, votre bureau {stationName} ferme à {closingTime}.');
    await page.getByRole('button', { name: 'Save the template' }).click();
    await page.getByText(`“${name}” is saved.`).waitFor();
    expect(page.url()).toMatch(/\/texts\?template=\d+&saved=1$/);
    const saved = await fixtures.prisma.smsTemplate.findFirstOrThrow({ where: { name } });
    expect([saved.body, saved.createdById, saved.archivedAt]).toEqual([
      'Bonjour {firstName}, votre bureau {stationName} ferme à {closingTime}.',
      person.id,
      null,
    ]);
    // The editor now edits it, its preview filled in for the sample person.
    await page.getByRole('heading', { level: 2, name: `Edit “${name}”` }).waitFor();
    expect(await page.getByTestId('text-preview').textContent()).toMatch(
      new RegExp(`^Bonjour Camille, votre bureau .+ ferme à 20:00\\.\\n${STOP_LINE}$`),
    );

    await page.getByRole('button', { name: `Archive ${name}` }).click();
    await page.getByText(`“${name}” is archived: it is no longer offered for new texts.`, { exact: false }).waitFor();
    expect((await fixtures.prisma.smsTemplate.findUniqueOrThrow({ where: { id: saved.id } })).archivedAt).not.toBeNull();
    expect(
      (
        await fixtures.prisma.auditEvent.findMany({
          where: { subjectType: 'sms_template', subjectId: String(saved.id) },
          orderBy: { id: 'asc' },
        })
      ).map((event) => [event.action, event.actorUserId]),
    ).toEqual([
      ['sms_template.create', person.id],
      ['sms_template.archive', person.id],
    ]);
  });

  it('saves without JavaScript, and names the field to fix, in French', async () => {
    const watched = await fixtures.signedIn('coordinator', { context: { locale: 'fr-FR', javaScriptEnabled: false } });
    const { page } = watched;
    await page.goto(`${server!.baseUrl}/texts`);
    const name = `Sans JS ${randomBytes(3).toString('hex')}`;
    await page.getByLabel('Nom (visible de votre équipe seulement)').fill(name);
    await page.getByLabel('Texte', { exact: true }).fill('Bonjour {fistName}');
    watched.expectedStatuses.add(422);
    await page.getByRole('button', { name: 'Enregistrer le modèle' }).click();
    await page.getByRole('alert').filter({ hasText: 'Corrigez les champs signalés.' }).waitFor();
    expect(await page.getByLabel('Texte', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await page
      .getByText(
        'Rédigez le texte, en 612 caractères au plus, avec seulement les champs {firstName}, {stationName}, {stationAddress} et {closingTime}.',
      )
      .waitFor();
    expect(await fixtures.prisma.smsTemplate.count({ where: { name } })).toBe(0);

    await page.getByLabel('Nom (visible de votre équipe seulement)').fill(name);
    await page.getByLabel('Texte', { exact: true }).fill('Bonjour {firstName}, on compte sur vous !');
    await page.getByRole('button', { name: 'Enregistrer le modèle' }).click();
    await page.getByText(`« ${name} » est enregistré.`).waitFor();
    // Rendered by the server: the preview and the count of the saved text.
    expect(await page.getByTestId('text-preview').textContent()).toBe(`Bonjour Camille, on compte sur vous !\n${STOP_LINE}`);
    expect(await counter(page)).toEqual({ encoding: 'GSM-7', characters: '86', segments: '1' });
  });

  it('is refused to a volunteer', async () => {
    const watched = await fixtures.signedIn('volunteer');
    watched.expectedStatuses.add(403);
    const response = await watched.page.goto(`${server!.baseUrl}/texts`);
    expect(response?.status()).toBe(403);
  });
});
