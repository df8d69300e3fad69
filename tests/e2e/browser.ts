import fs from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

/**
 * Real Chromium from the system (Debian's package), driven by playwright-core: no browser download.
 * Outside CI, a machine without Chromium skips the browser tests with a notice; in CI they must run.
 */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
export const chromiumPath = process.env.CHROMIUM_PATH ?? CANDIDATES.find((file) => fs.existsSync(file));

export function requireChromiumOrSkip(): boolean {
  if (chromiumPath) return true;
  if (process.env.CI) throw new Error('Chromium is not installed, and CI must run the browser tests (.ci/run installs it).');
  console.warn('\n  Chromium is not installed: skipping the browser tests (apt-get install chromium, or set CHROMIUM_PATH).\n');
  return false;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // The sandbox needs user namespaces, unavailable to root in containers; the rest keeps Chromium
    // from calling home on a machine without internet.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

export interface WatchedPage {
  page: Page;
  /** Console errors and uncaught page errors seen so far: a test fails on any of them. */
  errors: string[];
  /**
   * Statuses the test itself provokes and checks (a 403 page, a refused PIN). Chromium logs every
   * 4xx response as "Failed to load resource"; only these are not counted as errors.
   */
  expectedStatuses: Set<number>;
  /** Console errors the test itself provokes (a request made with the network off). */
  expectedErrors: RegExp[];
}

export function watchConsole(page: Page): WatchedPage {
  const watched: WatchedPage = { page, errors: [], expectedStatuses: new Set(), expectedErrors: [] };
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const status = /^Failed to load resource: the server responded with a status of (\d{3})/.exec(message.text())?.[1];
    if (status && watched.expectedStatuses.has(Number(status))) return;
    if (watched.expectedErrors.some((pattern) => pattern.test(message.text()))) return;
    watched.errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => watched.errors.push(`page: ${error.message}`));
  return watched;
}
