import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { CONNECTION_LOST_AFTER_MS } from '../../app/war-room/wall-figures.ts';
import { PROJECT_ROOT } from '../../server/config.ts';
import { freePort } from '../../server/free-port.ts';
import { openBrowserFixtures, type BrowserFixtures } from './fixtures.ts';

const server = inject('e2e');

/**
 * A second web process of its own, on the shared e2e server's database (as a second web node runs in
 * production), so that this test can stop and restart it without disturbing the other browser tests.
 */
function startWebNode(databaseUrl: string, port: number) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'server', 'web.ts')], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DEMO_SIMULATION: 'false',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ready = (async () => {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`The second web process exited (${child.exitCode}):\n${output}`);
      const up = await fetch(`http://localhost:${port}/healthz`).then(
        (response) => response.ok,
        () => false,
      );
      if (up) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return { child, ready };
}

describe.runIf(server)('wall screens', () => {
  let fixtures: BrowserFixtures;
  let port: number;
  let node: ReturnType<typeof startWebNode> | undefined;

  beforeAll(async () => {
    fixtures = await openBrowserFixtures(server!);
    port = await freePort();
    node = startWebNode(server!.databaseUrl, port);
    await node.ready;
  }, 120_000);

  afterEach(async () => {
    expect(await fixtures.closePages()).toEqual([]);
  });

  afterAll(async () => {
    node?.child.kill('SIGKILL');
    await fixtures?.close();
  });

  it('tells a screen with no link how to get one', async () => {
    const { page } = await fixtures.openPage({ locale: 'en-GB' });
    await page.goto(`${server!.baseUrl}/wall`);
    await page.getByRole('heading', { name: 'This screen is not signed in' }).waitFor();
    expect(await page.locator('.masthead').count()).toBe(0);
  });

  it('shows the figures on a dark screen opened with a wall link, greys out while the server is down, recovers after it restarts, and says when its link is revoked', async () => {
    const base = `http://localhost:${port}`;
    // A coordinator creates the link (the session cookie is the shared server's: same database, same host).
    const coordinator = await fixtures.signedIn('coordinator', { context: { locale: 'en-GB' } });
    await coordinator.page.goto(`${base}/wall/links`);
    await coordinator.page.getByLabel('Where the screen is').fill('Hall TV');
    await coordinator.page.getByRole('button', { name: 'Create the link' }).click();
    const link = await coordinator.page.locator('code.secret').textContent();
    expect(link).toMatch(new RegExp(`^${base}/wall#key=rel_`));

    // The TV: a browser of its own, with no session.
    const tv = await fixtures.openPage({ locale: 'en-GB', viewport: { width: 1440, height: 900 } });
    const { page } = tv;
    await page.goto(link!);
    await page.getByText(/^Live · updated \d{2}:\d{2}$/).waitFor();
    // The key leaves the address bar for the browser's storage.
    expect(page.url()).toBe(`${base}/wall`);
    for (const label of ['Turnout now', 'Projected final turnout', 'Time left before polls close', 'Silent stations']) {
      await page.locator('.wall-figure dt', { hasText: label }).waitFor();
    }
    expect(await page.locator('.wall-figure .wall-big').allTextContents()).toHaveLength(4);
    expect(await page.locator('.masthead').count()).toBe(0);
    const background = await page.locator('.wall').evaluate((wall) => getComputedStyle(wall).backgroundColor);
    expect(background).toBe('rgb(13, 20, 32)');
    // Survives a reload (a power cut) with the key it stored.
    await page.reload();
    await page.getByText(/^Live · updated/).waitFor();
    await page.evaluate(() => Object.assign(window, { wallNotReloaded: true }));

    // The server goes down: Chromium logs the failed reconnections.
    tv.expectedErrors.push(/WebSocket connection to .* failed/);
    const stopped = new Promise((resolve) => node!.child.once('exit', resolve));
    node!.child.kill('SIGKILL');
    await stopped;
    const lost = page.locator('.wall-lost');
    await lost.waitFor({ timeout: CONNECTION_LOST_AFTER_MS + 10_000 });
    expect(await lost.textContent()).toMatch(/^Connection lost since \d{2}:\d{2} — figures may be out of date/);
    expect(await page.locator('.wall-screen.wall-stale').count()).toBe(1);
    const filter = await page.locator('.wall-content').evaluate((content) => getComputedStyle(content).filter);
    expect(filter).toBe('grayscale(1)');

    // It restarts on the same port: the screen reconnects, resyncs and recovers by itself.
    node = startWebNode(server!.databaseUrl, port);
    await node.ready;
    await lost.waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByText(/^Live · updated/).waitFor();
    expect(await page.locator('.wall-stale').count()).toBe(0);
    expect(await page.locator('.wall-figure .wall-big').count()).toBe(4);
    expect(await page.evaluate(() => (window as unknown as { wallNotReloaded?: boolean }).wallNotReloaded)).toBe(true);

    // Revoked: the screen says so at its next update.
    await coordinator.page.goto(`${base}/wall/links`);
    await coordinator.page.getByRole('button', { name: 'Revoke the link of Hall TV' }).click();
    await coordinator.page.getByText('The link of Hall TV is revoked').waitFor();
    await page.getByRole('heading', { name: 'This screen’s link was revoked' }).waitFor({ timeout: 30_000 });
  }, 180_000);
});
