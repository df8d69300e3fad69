import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, watchConsole } from './browser.ts';
import { createAdmin } from './plain-browser.ts';

const server = inject('e2e');

// Without Chromium (outside CI) the global setup starts no server: it printed why.
describe.runIf(server)('forms work before JavaScript has loaded', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('signs an admin in with JavaScript turned off, and signs them out', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'en-GB' });
    const { page, errors } = watchConsole(await context.newPage());
    const admin = createAdmin();
    await page.goto(`${server!.baseUrl}/login`);
    await page.getByLabel('Email address').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server!.baseUrl}/dashboard`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Paris — municipales 2026, 1er tour');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
