import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config.ts';
import { freePort } from '../../server/free-port.ts';

/**
 * `npm start` with no configuration: the process entry itself, as a newcomer runs it. (The browser
 * tests drive the pages of the same local mode; here, its life cycle and public API.)
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-local-mode-'));
fs.chmodSync(dataDir, 0o755);
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const env = (port: number): Record<string, string | undefined> => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DATA_DIR: dataDir,
  PORT: String(port),
  DEMO_VOTERS: '3000',
  // The demo's simulated polling day, fast enough for its first reports to arrive within seconds.
  DEMO_SIMULATION_SPEED: '300',
});

async function start(port: number, environment = env(port)): Promise<{ process: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/web.ts'], {
    cwd: PROJECT_ROOT,
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Stop with Ctrl-C.')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
  return { process: child, output: () => output };
}

/** Ctrl-C in the terminal: SIGINT. Resolves with the exit code. */
function interrupt(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  return exited;
}

function postgresRunning(): boolean {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Each of these starts Relance twice, demo included: slower than a test's usual budget. */
const START_TWICE_MS = 120_000;

describe('local mode (npm start)', () => {
  it(
    'serves the demo election, prints a sign-in link, and stops cleanly on Ctrl-C; the next start finds its data',
    async () => {
      const port = await freePort();
      const first = await start(port);
      expect(first.output()).toContain('empty database: loading the Paris demo election');
      expect(first.output()).toMatch(
        new RegExp(
          `Relance is running at http://localhost:${port}\\n  Sign in as Demo admin with this one-time link: http://localhost:${port}/invite/[A-Za-z0-9_-]{43}\\n`,
        ),
      );

      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({
        status: 'ready',
        checks: { database: 'ok', queues: 'ok' },
        queueBackend: 'postgres',
      });
      expect((await fetch(`${base}/api/v1/turnout`)).status).toBe(401);

      // An operator's token, from the command-line tool, while the server runs on the same data.
      const cli = spawnSync(
        process.execPath,
        [path.join(PROJECT_ROOT, 'bin', 'relance.js'), 'tokens', 'create', '--role', 'admin', '--json'],
        {
          cwd: PROJECT_ROOT,
          env: env(port),
          encoding: 'utf8',
        },
      );
      expect(cli.status).toBe(0);
      // spawnSync held the event loop: let this process see the keep-alive connections the busy
      // server closed meanwhile, rather than send the next request on one of them.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const { token } = JSON.parse(cli.stdout.trim().split('\n').at(-1)!) as { token: string };
      const snapshot = (await (await fetch(`${base}/api/v1/turnout`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
        stations: { registered: number }[];
      };
      expect(snapshot.stations).toHaveLength(902);
      expect(snapshot.stations.reduce((sum, s) => sum + s.registered, 0)).toBe(1_404_198);

      // The demo's turnout grows by itself: the simulated day's reports arrive through the API.
      const turnoutNow = async () =>
        (await (await fetch(`${base}/api/v1/turnout`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
          totals: { voted: number };
          election: { simulated: boolean };
        };
      const growsBeyond = async (floor: number) => {
        for (let tries = 0; tries < 120; tries++) {
          const turnout = await turnoutNow();
          if (turnout.totals.voted > floor) {
            expect(turnout.election.simulated).toBe(true);
            return turnout.totals.voted;
          }
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        throw new Error(`the demo's turnout stayed at ${floor}`);
      };
      const early = await growsBeyond(0);
      const later = await growsBeyond(early);

      expect(await interrupt(first.process)).toBe(0);
      expect(postgresRunning()).toBe(false);

      const second = await start(port);
      try {
        expect(second.output()).not.toContain('loading the Paris demo election');
        const again = await fetch(`${base}/api/v1/turnout`, { headers: { Authorization: `Bearer ${token}` } });
        expect(again.status).toBe(200);
        // The simulated day resumes where its clock is; nothing sent before is lost.
        expect(await growsBeyond(later)).toBeGreaterThan(later);
      } finally {
        expect(await interrupt(second.process)).toBe(0);
      }
      expect(postgresRunning()).toBe(false);
    },
    START_TWICE_MS,
  );

  it(
    'has the command-line tool print links on the port the server listens on, whatever PORT the tool is given',
    async () => {
      const ownData = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-local-address-'));
      fs.chmodSync(ownData, 0o755);
      const port = await freePort();
      const server = await start(port, { ...env(port), DATA_DIR: ownData, DEMO_VOTERS: '0', DEMO_SIMULATION: 'false' });
      const invite = (extra: Record<string, string> = {}) =>
        spawnSync(
          process.execPath,
          [path.join(PROJECT_ROOT, 'bin', 'relance.js'), 'invite', '--email', 'admin@demo.relance.example', '--no-pin'],
          { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: ownData, ...extra }, encoding: 'utf8' },
        );
      try {
        const withoutPort = invite();
        expect(withoutPort.stderr).toBe('');
        expect(withoutPort.stdout).toMatch(
          new RegExp(`^Sign-in link \\(works once, until [0-9TZ:.-]+\\): http://localhost:${port}/invite/[A-Za-z0-9_-]{43}\\n$`),
        );
        expect(invite({ PORT: '4999' }).stdout).toContain(`http://localhost:${port}/invite/`);
        // An address the operator gives is theirs to choose (a proxy, a LAN name).
        expect(invite({ PUBLIC_URL: 'https://relance.example.org' }).stdout).toContain('https://relance.example.org/invite/');
      } finally {
        expect(await interrupt(server.process)).toBe(0);
        expect(fs.existsSync(path.join(ownData, 'relance.address'))).toBe(false);
        fs.rmSync(ownData, { recursive: true, force: true });
      }
    },
    START_TWICE_MS,
  );

  it('runs from a folder other users cannot enter (mode 700, as /root), also as root, and keeps its data there across restarts', async () => {
    // As root, PostgreSQL runs as the unprivileged "postgres" user, who cannot pass through this folder.
    const privateFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-private-'));
    expect(fs.statSync(privateFolder).mode & 0o777).toBe(0o700);
    const ownData = path.join(privateFolder, 'relance', '.data');
    const port = await freePort();
    const environment = { ...env(port), DATA_DIR: ownData, DEMO_VOTERS: '0' };
    try {
      const first = await start(port, environment);
      expect(first.output()).toContain('empty database: loading the Paris demo election');
      const base = `http://127.0.0.1:${port}`;
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({
        status: 'ready',
        checks: { database: 'ok', queues: 'ok' },
        queueBackend: 'postgres',
      });
      expect(fs.existsSync(path.join(ownData, 'postgres', 'PG_VERSION'))).toBe(true);
      expect(await interrupt(first.process)).toBe(0);

      const second = await start(port, environment);
      try {
        expect(second.output()).not.toContain('loading the Paris demo election');
        expect((await fetch(`${base}/healthz`)).status).toBe(200);
      } finally {
        expect(await interrupt(second.process)).toBe(0);
      }
      expect(fs.existsSync(path.join(ownData, 'postgres', 'postmaster.pid'))).toBe(false);
    } finally {
      fs.rmSync(privateFolder, { recursive: true, force: true });
    }
  });

  it('stops with a message naming the variable when the configuration is wrong', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'server/web.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...env(0), PORT: 'eighty', REDIS_URL: 'localhost:6379' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'Invalid configuration, see .env.example:\n  PORT: must be a whole number from 0 to 65535 (got "eighty")\n  REDIS_URL: must be a redis:// or rediss:// URL\n',
    );
  });
});
