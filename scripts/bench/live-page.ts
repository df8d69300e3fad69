/**
 * The dashboard in Chromium, the live benchmark's second half: how long the first load of `/dashboard` takes
 * until the war room shows its live figures, and how long the page takes to apply one delta.
 *
 * The page's contract:
 * - it sets the attribute `data-war-room-ready` (on any element) once it is hydrated and shows the live
 *   snapshot's figures; a page without it is timed to its first visible `.figure` instead, and says so;
 * - around each delta it applies, it calls `performance.mark('war-room:delta-received')` when the delta
 *   arrives and `performance.mark('war-room:delta-applied')` once it is on screen (after React's commit and the
 *   map's update). A page without these marks is timed from the outside: the longest frame (the gap between two
 *   `requestAnimationFrame` callbacks, less one frame) while the delta lands, with the Long Tasks API's
 *   longest task alongside.
 *
 * It needs the production build (`build/`) and Chromium; without either, it is skipped and says why.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { BUILD_DIR } from '../../server/app.ts';
import { electionTime, type SimulationWindow } from '../../server/elections/elections.clock.ts';
import { SESSION_COOKIE } from '../../server/http/cookies.ts';
import type { Services } from '../../server/services.ts';
import { summarize } from './stats.ts';

export const WAR_ROOM_READY = '[data-war-room-ready]';
/** What today's page shows once it has figures, for a page that does not set WAR_ROOM_READY yet. */
export const FIGURES_SHOWN = '.figure';
export const DELTA_RECEIVED = 'war-room:delta-received';
export const DELTA_APPLIED = 'war-room:delta-applied';

const DESKTOP = { viewport: { width: 1440, height: 900 } };
const READY_TIMEOUT_MS = 60_000;
/** After the load, how long a page that has figures may still take to set WAR_ROOM_READY. */
const READY_GRACE_MS = 5_000;
/** Deltas timed per page, and how many stations' reports each carries (a quarter second at 1,000 reports/s). */
export const DELTA_SAMPLES = 5;
export const REPORTS_PER_DELTA = 250;
const DELTA_WAIT_MS = 3_000;
const FRAME_MS = 1000 / 60;

export type DashboardPageResult =
  | { kind: 'skipped'; reason: string }
  | { kind: 'failed'; reason: string }
  | {
      kind: 'measured';
      firstLoadMs: number;
      /** Whether the load was timed to WAR_ROOM_READY (true) or to the first FIGURES_SHOWN (false). */
      readyAttribute: boolean;
      /** Median and longest time to apply a delta. */
      deltaMs: number;
      deltaMaxMs: number;
      deltas: number;
      /** How the deltas were timed: the page's marks, or from the outside. */
      deltaMethod: 'marks' | 'frames';
      /** The longest task the Long Tasks API saw while deltas landed (0: none over 50 ms). */
      longestTaskMs: number;
    };

/** Why the measurement cannot run here, or null when it can. */
export function missingPrerequisite(chromiumPath: string | undefined): string | null {
  if (!fs.existsSync(path.join(BUILD_DIR, 'server', 'index.js')) || !fs.existsSync(path.join(BUILD_DIR, 'client'))) {
    return 'no production build (build/): run `npm run build` first';
  }
  if (!chromiumPath) return 'Chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)';
  return null;
}

/**
 * In the page, from the start of the navigation: when the war room became ready and when a figure first
 * showed; the long tasks; and, while `__watchFrames` is set, every frame's gap. A string rather than a
 * function: tsx would add helpers to a function that the page does not have.
 */
const INSTRUMENT = `(() => {
  const visible = (selector) => {
    const element = document.querySelector(selector);
    return element && element.getClientRects().length > 0 && getComputedStyle(element).visibility !== 'hidden';
  };
  const note = () => {
    if (window.__readyAt === undefined && visible(${JSON.stringify(WAR_ROOM_READY)})) window.__readyAt = performance.now();
    if (window.__figureAt === undefined && visible(${JSON.stringify(FIGURES_SHOWN)})) window.__figureAt = performance.now();
    if (window.__readyAt !== undefined) observer.disconnect();
  };
  const observer = new MutationObserver(note);
  observer.observe(document, { subtree: true, childList: true, attributes: true });
  window.__longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  } catch {}
  window.__frames = [];
  let last;
  const frame = (at) => {
    if (last !== undefined && window.__watchFrames) window.__frames.push(at - last);
    last = at;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();`;

interface DeltaWindow {
  marks: number[];
  frames: number[];
  longTasks: number[];
}

async function viewerSession(services: Services): Promise<string> {
  const user = await services.accounts.createUser({ name: 'Bench war room', role: 'viewer', stationCodes: [] }, null);
  const link = await services.accounts.createSignInLink(user.id, null);
  const token = new URL(link.url).pathname.split('/invite/')[1]!;
  const { sessionToken } = await services.auth.redeemLink(token, undefined, '127.0.0.1');
  return sessionToken;
}

export async function launchForDashboard(): Promise<{ browser: Browser } | { skipped: string }> {
  const { chromiumPath, launchBrowser } = await import('../../tests/e2e/browser.ts');
  const missing = missingPrerequisite(chromiumPath);
  if (missing) return { skipped: missing };
  return { browser: await launchBrowser() };
}

export async function measureDashboardPage(
  services: Services,
  browser: Browser,
  options: {
    baseUrl: string;
    /** The election's stations; the deltas' reports go to the first REPORTS_PER_DELTA. */
    stationCodes: string[];
    clock: SimulationWindow;
    onProgress: (message: string) => void;
  },
): Promise<DashboardPageResult> {
  const sessionToken = await viewerSession(services);
  const url = `${options.baseUrl}/dashboard`;
  const probe = await fetch(url, { headers: { cookie: `${SESSION_COOKIE}=${sessionToken}` }, redirect: 'manual' });
  await probe.body?.cancel();
  if (probe.status !== 200) return { kind: 'failed', reason: `GET /dashboard answered ${probe.status} to a signed-in viewer` };

  const stations = options.stationCodes.slice(0, REPORTS_PER_DELTA);
  const { token } = await services.accounts.createApiToken({ name: 'Bench page watcher', role: 'watcher', stationCodes: stations }, null);
  // Counts above those already standing (the socket half of the benchmark reported on these stations).
  const standing = (await services.liveTurnout.snapshot()).stations.filter((station) => stations.includes(station.code));
  const baseCount = Math.max(0, ...standing.map((station) => station.voted));

  const newContext = async () => {
    const context = await browser.newContext(DESKTOP);
    await context.addCookies([{ name: SESSION_COOKIE, value: sessionToken, url: options.baseUrl, httpOnly: true, sameSite: 'Lax' }]);
    await context.addInitScript({ content: INSTRUMENT });
    return context;
  };

  // A first load, not timed: the server's page module and snapshot warmed, as on a server already running.
  const warm = await newContext();
  await (await warm.newPage()).goto(url, { waitUntil: 'load', timeout: READY_TIMEOUT_MS });
  await warm.close();

  // The timed load: a browser with nothing cached.
  const context = await newContext();
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url, { waitUntil: 'load', timeout: READY_TIMEOUT_MS });
    await page.waitForLoadState('networkidle', { timeout: READY_TIMEOUT_MS }).catch(() => {});
    await page
      .waitForFunction(() => (window as unknown as { __readyAt?: number }).__readyAt !== undefined, undefined, { timeout: READY_GRACE_MS })
      .catch(() => {});
    const { readyAt, figureAt } = await page.evaluate(() => {
      const w = window as unknown as { __readyAt?: number; __figureAt?: number };
      return { readyAt: w.__readyAt, figureAt: w.__figureAt };
    });
    const firstLoadMs = readyAt ?? figureAt;
    if (firstLoadMs === undefined) {
      return {
        kind: 'failed',
        reason: `the dashboard showed neither ${WAR_ROOM_READY} nor ${FIGURES_SHOWN}${errors.length ? ` (page error: ${errors[0]})` : ''}`,
      };
    }

    // Deltas: a batch of reports through the API, then what the page spent applying what it received.
    const windows: DeltaWindow[] = [];
    let observedAt = 0;
    for (let sample = 1; sample <= DELTA_SAMPLES; sample++) {
      options.onProgress(`dashboard, ${options.stationCodes.length.toLocaleString('en-US')} stations: delta ${sample} of ${DELTA_SAMPLES}`);
      await page.evaluate(
        ([received, applied]) => {
          performance.clearMarks(received);
          performance.clearMarks(applied);
          const w = window as unknown as { __longTasks: number[]; __frames: number[]; __watchFrames: boolean };
          w.__longTasks = [];
          w.__frames = [];
          w.__watchFrames = true;
        },
        [DELTA_RECEIVED, DELTA_APPLIED] as const,
      );
      observedAt = Math.max(electionTime(new Date(), options.clock).getTime(), observedAt + 1);
      const at = new Date(observedAt).toISOString();
      const response = await fetch(`${options.baseUrl}/api/v1/reports/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          reports: stations.map((stationCode) => ({
            id: crypto.randomUUID(),
            stationCode,
            voters: baseCount + sample * 10,
            observedAt: at,
          })),
        }),
      });
      const answer = (await response.json()) as { results?: { status: number }[] };
      if (!response.ok || !answer.results?.every((result) => result.status === 201)) {
        return {
          kind: 'failed',
          reason: `the reports for a delta were not all stored (${response.status}: ${JSON.stringify(answer).slice(0, 200)})`,
        };
      }
      await page
        .waitForFunction((applied) => performance.getEntriesByName(applied).length > 0, DELTA_APPLIED, { timeout: DELTA_WAIT_MS })
        .catch(() => {});
      // A little longer, for the frames after the delta (and the marks of a delta split in two).
      await page.waitForTimeout(300);
      windows.push(
        await page.evaluate(
          ([received, applied]) => {
            const w = window as unknown as { __longTasks: number[]; __frames: number[]; __watchFrames: boolean };
            w.__watchFrames = false;
            const arrivals = performance.getEntriesByName(received).map((entry) => entry.startTime);
            const marks = performance.getEntriesByName(applied).flatMap((entry) => {
              const arrival = arrivals.filter((start) => start <= entry.startTime).pop();
              return arrival === undefined ? [] : [entry.startTime - arrival];
            });
            return { marks, frames: w.__frames, longTasks: w.__longTasks };
          },
          [DELTA_RECEIVED, DELTA_APPLIED] as const,
        ),
      );
    }
    const marked = windows.flatMap((window) => window.marks);
    const deltaMethod = marked.length > 0 ? 'marks' : 'frames';
    const perDelta = deltaMethod === 'marks' ? marked : windows.map((window) => Math.max(0, Math.max(0, ...window.frames) - FRAME_MS));
    const summary = summarize(perDelta);
    return {
      kind: 'measured',
      firstLoadMs,
      readyAttribute: readyAt !== undefined,
      deltaMs: summary.p50,
      deltaMaxMs: summary.max,
      deltas: summary.count,
      deltaMethod,
      longestTaskMs: Math.max(0, ...windows.flatMap((window) => window.longTasks)),
    };
  } finally {
    await context.close();
  }
}
