/**
 * The watcher's page on a slow phone, the second half of the ingest benchmark: how long until the
 * report keypad is usable on a first visit over an emulated 3G network with a 4× slower CPU, and
 * on a repeat visit with no network at all (the page then comes from its service worker), plus the
 * gzipped size of the JavaScript the page loads.
 *
 * The page's contract: `/watch/<station code>` shows the keypad, which carries the attribute
 * `data-keypad-ready` once it is hydrated and usable. It needs the production build (`build/`,
 * made by `npm run build`) and Chromium (`/usr/bin/chromium`, or CHROMIUM_PATH); without either,
 * or on a build that has no such page yet, the measurement is skipped and says why.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { BUILD_DIR } from '../../server/app.ts';
import { SESSION_COOKIE } from '../../server/http/cookies.ts';
import type { Services } from '../../server/services.ts';

/** 1.6 Mbit/s down, 750 kbit/s up, 150 ms of latency: the "3G" of the budget. */
export const SLOW_NETWORK = { latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 };
export const CPU_SLOWDOWN = 4;
export const KEYPAD_READY = '[data-keypad-ready]';

/** A keypad not ready by then will not be: the measurement has failed, not merely run slow. */
const READY_TIMEOUT_MS = 60_000;
const SERVICE_WORKER_TIMEOUT_MS = 30_000;

export type WatcherPageResult =
  | { kind: 'skipped'; reason: string }
  | { kind: 'failed'; reason: string; jsGzipBytes?: number; firstVisitMs?: number }
  | { kind: 'measured'; firstVisitMs: number; offlineRepeatMs: number; jsGzipBytes: number; jsFiles: number };

/** Why the measurement cannot run here, or null when it can. */
function missingPrerequisite(chromiumPath: string | undefined): string | null {
  if (!fs.existsSync(path.join(BUILD_DIR, 'server', 'index.js')) || !fs.existsSync(path.join(BUILD_DIR, 'client'))) {
    return 'no production build (build/): run `npm run build` first';
  }
  if (!chromiumPath) return 'Chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)';
  return null;
}

/**
 * Records, in the page, when the keypad first became ready and visible: `performance.now()` counts
 * from the start of the navigation, so the figure holds no time of the benchmark's own polling.
 * A string rather than a function: tsx would add helpers to a function that the page does not have.
 */
const WATCH_FOR_KEYPAD = `(() => {
  const ready = () => {
    if (window.__keypadReadyAt !== undefined) return;
    const keypad = document.querySelector(${JSON.stringify(KEYPAD_READY)});
    if (!keypad || keypad.getClientRects().length === 0 || getComputedStyle(keypad).visibility === 'hidden') return;
    window.__keypadReadyAt = performance.now();
    observer.disconnect();
  };
  const observer = new MutationObserver(ready);
  observer.observe(document, { subtree: true, childList: true, attributes: true });
})();`;

async function slowPhone(context: BrowserContext, page: Page, network: 'slow' | 'none'): Promise<CDPSession> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: network === 'none', ...SLOW_NETWORK });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  return cdp;
}

/** Milliseconds from the start of the navigation until the keypad was ready. */
async function timeToKeypad(page: Page, url: string): Promise<number> {
  const started = performance.now();
  await page.goto(url, { waitUntil: 'commit', timeout: READY_TIMEOUT_MS });
  await page.locator(KEYPAD_READY).first().waitFor({ state: 'visible', timeout: READY_TIMEOUT_MS });
  const inPage = await page.evaluate(() => (window as unknown as { __keypadReadyAt?: number }).__keypadReadyAt);
  return inPage ?? performance.now() - started;
}

/** A watcher of the bench election's station `stationCode`, signed in through a one-time link of their own. */
async function watcherSession(services: Services, stationCode: string): Promise<string> {
  const user = await services.accounts.createUser({ name: 'Bench watcher', role: 'watcher', stationCodes: [stationCode] }, null);
  const link = await services.accounts.createSignInLink(user.id, null);
  const token = new URL(link.url).pathname.split('/invite/')[1]!;
  const { sessionToken } = await services.auth.redeemLink(token, undefined, '127.0.0.1');
  return sessionToken;
}

export async function measureWatcherPage(
  services: Services,
  options: { baseUrl: string; stationCode: string; onProgress: (message: string) => void },
): Promise<WatcherPageResult> {
  // The browser tests' own launcher: the system's Chromium, launched the same way (loaded only now,
  // as it brings Playwright).
  const { chromiumPath, launchBrowser, PHONE } = await import('../../tests/e2e/browser.ts');
  const missing = missingPrerequisite(chromiumPath);
  if (missing) return { kind: 'skipped', reason: missing };

  const sessionToken = await watcherSession(services, options.stationCode);
  const url = `${options.baseUrl}/watch/${encodeURIComponent(options.stationCode)}`;
  const probe = await fetch(url, { headers: { cookie: `${SESSION_COOKIE}=${sessionToken}` }, redirect: 'manual' });
  await probe.body?.cancel();
  if (probe.status === 404) return { kind: 'skipped', reason: 'this build has no watcher page at /watch/:code yet' };
  if (probe.status !== 200) return { kind: 'failed', reason: `GET /watch/:code answered ${probe.status} to a signed-in watcher` };

  const browser: Browser = await launchBrowser();
  try {
    const context = await browser.newContext({ ...PHONE, serviceWorkers: 'allow' });
    await context.addCookies([{ name: SESSION_COOKIE, value: sessionToken, url: options.baseUrl, httpOnly: true, sameSite: 'Lax' }]);
    await context.addInitScript({ content: WATCH_FOR_KEYPAD });

    // First visit: nothing cached, nothing installed.
    options.onProgress('watcher page: first visit (1.6 Mbit/s, 150 ms, CPU 4× slower)');
    const first = await context.newPage();
    const scripts = new Map<string, Promise<number>>();
    first.on('response', (response) => {
      const type = response.headers()['content-type'] ?? '';
      if (response.request().resourceType() !== 'script' && !type.includes('javascript')) return;
      if (!scripts.has(response.url()))
        scripts.set(
          response.url(),
          response.body().then(
            (body) => gzipSync(body).length,
            () => 0,
          ),
        );
    });
    await slowPhone(context, first, 'slow');
    let firstVisitMs: number;
    try {
      firstVisitMs = await timeToKeypad(first, url);
    } catch (error) {
      return {
        kind: 'failed',
        reason: `first visit: no ${KEYPAD_READY} keypad became visible (${(error as Error).message.split('\n')[0]})`,
      };
    }
    await first.waitForLoadState('networkidle', { timeout: READY_TIMEOUT_MS }).catch(() => {});
    const jsGzipBytes = (await Promise.all(scripts.values())).reduce((sum, bytes) => sum + bytes, 0);

    // The service worker must be active (its install caches the page) before the network goes.
    const installed = await first
      .evaluate(
        (timeout) =>
          'serviceWorker' in navigator &&
          Promise.race([
            navigator.serviceWorker.ready.then(() => true),
            new Promise<boolean>((resolve) => setTimeout(resolve, timeout, false)),
          ]),
        SERVICE_WORKER_TIMEOUT_MS,
      )
      .catch(() => false);
    if (!installed) {
      return { kind: 'failed', reason: 'no service worker became active after the first visit', jsGzipBytes, firstVisitMs };
    }
    await first.close();

    // Repeat visit: the same phone, the network off.
    options.onProgress('watcher page: repeat visit, offline (CPU 4× slower)');
    await context.setOffline(true);
    const repeat = await context.newPage();
    await slowPhone(context, repeat, 'none');
    let offlineRepeatMs: number;
    try {
      offlineRepeatMs = await timeToKeypad(repeat, url);
    } catch (error) {
      return {
        kind: 'failed',
        reason: `offline repeat visit: no ${KEYPAD_READY} keypad became visible (${(error as Error).message.split('\n')[0]})`,
        jsGzipBytes,
        firstVisitMs,
      };
    }
    return { kind: 'measured', firstVisitMs, offlineRepeatMs, jsGzipBytes, jsFiles: scripts.size };
  } finally {
    await browser.close();
  }
}
