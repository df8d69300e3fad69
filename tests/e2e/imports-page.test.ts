import { randomBytes } from 'node:crypto';
import iconv from 'iconv-lite';
import type { Locator } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { PHONE } from './browser.ts';
import { openBrowserFixtures, type BrowserFixtures } from './fixtures.ts';

const server = inject('e2e');

async function textOf(locator: Locator): Promise<string> {
  await locator.first().waitFor();
  return ((await locator.first().textContent()) ?? '').replace(/[\u202f\u00a0]/g, ' ').trim();
}

/** A NationBuilder export as Excel on French Windows saves it, with ids no other test uses. */
function nationBuilderFile(rows: string[][]) {
  const header = 'nationbuilder_id;first_name;last_name;mobile_number;mobile_opt_in;support_level;precinct_name';
  return iconv.encode([header, ...rows.map((r) => r.join(';'))].join('\r\n') + '\r\n', 'win1252');
}

describe.runIf(server)('the import page', () => {
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

  it('previews a NationBuilder file on a phone, then imports it, with the summary', async () => {
    const { page } = await fixtures.signedIn('admin', { context: { ...PHONE, locale: 'fr-FR' } });
    const id = randomBytes(4).toString('hex');
    const file = nationBuilderFile([
      [`${id}-1`, 'Hélène', 'Lefèvre', '06 39 98 10 01', 'true', '1', '0101'],
      [`${id}-2`, 'Jérôme', 'Faure', '06 39 98 10 02', 'false', '2', '0102'],
    ]);
    await page.goto(`${server!.baseUrl}/admin/imports`);
    await page.getByRole('heading', { level: 1, name: 'Importer des données' }).waitFor();
    await page.getByLabel('Fichier', { exact: true }).setInputFiles({ name: 'nationbuilder.csv', mimeType: 'text/csv', buffer: file });
    await page.getByLabel(/Aperçu seulement/).check();
    await page.getByRole('button', { name: 'Importer' }).click();
    expect(await textOf(page.getByRole('status').getByRole('heading'))).toBe('Aperçu : rien n’a été modifié');
    expect(await textOf(page.locator('#preview-title + p'))).toBe('Lu en windows-1252, séparé par « ; », format nationbuilder.');
    expect(await textOf(page.locator('#preview-title ~ .table-scroll tbody tr').first())).toContain('Hélène');

    await page.getByLabel(/Aperçu seulement/).uncheck();
    await page.getByRole('button', { name: 'Importer' }).click();
    await page.getByRole('heading', { name: 'Import terminé' }).waitFor();
    expect(await textOf(page.locator('.figure').nth(1))).toBe('Importées2');
  });

  it('shows what to fix and the error report when a file is refused, in English', async () => {
    const { page } = await fixtures.signedIn('admin', { context: { locale: 'en-GB' } });
    const id = randomBytes(4).toString('hex');
    await page.goto(`${server!.baseUrl}/admin/imports`);
    await page.getByLabel('File', { exact: true }).setInputFiles({
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: nationBuilderFile([[`${id}-1`, 'Zoé', 'Dupré', '06 12', 'true', '1', '0101']]),
    });
    await page.getByRole('button', { name: 'Import' }).click();
    expect(await textOf(page.getByRole('alert').getByRole('heading'))).toBe('Nothing was imported');
    expect(await textOf(page.locator('#problems-title + ul li'))).toBe(
      'Line 2 · mobile_number : is not a valid phone number (read as FR when written without +)',
    );
    const report = page.getByRole('link', { name: /Download the rejected rows/ });
    const href = await report.getAttribute('href');
    const answer = await page.request.get(`${server!.baseUrl}${href}`);
    expect(await answer.text()).toBe(
      'line,column,value,reason\n2,mobile_number,06 12,is not a valid phone number (read as FR when written without +)\n',
    );
  });
});
