import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { PROJECT_ROOT } from '../../server/config.ts';
import { startLocalPostgres } from '../../server/db/local-postgres.ts';
import { requireChromiumOrSkip } from './browser.ts';
import { freePort } from '../../server/free-port.ts';

export interface E2eServer {
  baseUrl: string;
  /** The one-time link the server printed at start, for the Demo admin. */
  adminLink: string;
  dataDir: string;
  /** The server's embedded database, shared as `npx relance` shares it: fixtures create people there. */
  databaseUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: E2eServer | null;
  }
}

/**
 * Builds the production bundle and starts Relance exactly as `npm start` does, in local mode
 * (embedded PostgreSQL, demo election), in a throwaway data folder. One test signs in through the
 * one-time link it prints; the others through links of their own (tests/e2e/fixtures.ts).
 */
export default async function setup(project: TestProject) {
  if (!requireChromiumOrSkip()) {
    project.provide('e2e', null);
    return;
  }
  const build = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'node_modules', '@react-router', 'dev', 'bin.js'), 'build'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build; build as `npm start` does.
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (build.status !== 0) throw new Error(`The production build failed:\n${build.stdout}\n${build.stderr}`);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-e2e-'));
  fs.chmodSync(dataDir, 0o755);
  const port = await freePort();
  const server: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'server', 'web.ts')], {
    cwd: PROJECT_ROOT,
    // Without the demo's simulated day: these tests assert the figures pages show, which it would
    // move under them (the simulator has its own tests, tests/integration/simulator.test.ts).
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DEMO_SIMULATION: 'false',
      // Texts signed as a campaign would sign them: the default, the demo election's name, has an
      // em dash, outside GSM-7, which would make every text UCS-2 (the /texts page warns of it).
      SMS_SENDER_NAME: 'Equipe Dupont',
      // Browser tests run at any hour: texts must not wait for the end of quiet hours.
      SMS_QUIET_HOURS: 'none',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const adminLink = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Relance did not print its sign-in link within 120 s:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const link = /one-time link: (http\S+)/.exec(output)?.[1];
      if (link) {
        clearTimeout(timer);
        resolve(link);
      }
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.on('exit', (code) => reject(new Error(`Relance exited (${code}) before it was ready:\n${output}`)));
  });
  // Joins the running server's PostgreSQL (nothing to stop), as the command-line tool does.
  const { url: databaseUrl } = await startLocalPostgres({ dataDir, exclusive: false });
  project.provide('e2e', { baseUrl: `http://localhost:${port}`, adminLink, dataDir, databaseUrl });

  return async () => {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGINT');
    await exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
