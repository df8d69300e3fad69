import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../server/config.ts';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The last line printed: the JSON summary of `--json`. */
  lastLine: string;
}

/**
 * `npx relance …` as an operator runs it: the real command in a process of its own, with only the
 * environment given here (a database, or none for the commands that need none).
 */
export function runRelance(args: string[], options: { databaseUrl?: string; cwd?: string; input?: string; home?: string } = {}): CliRun {
  const env: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: options.home ?? process.env.HOME };
  if (options.databaseUrl) Object.assign(env, { DATABASE_URL: options.databaseUrl, PUBLIC_URL: 'https://gotv.example.org' });
  const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'relance.js'), ...args], {
    cwd: options.cwd,
    input: options.input,
    encoding: 'utf8',
    env,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, lastLine: result.stdout.trim().split('\n').at(-1) ?? '' };
}
