import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config.ts';
import { redisAvailable } from '../setup/redis.ts';

/**
 * `npm run drill -- all --json`, the short version, as an operator runs it: PostgreSQL, Redis, two
 * web nodes behind a load balancer, a worker and a Twilio stand-in, each a process of its own, each
 * scenario breaking one of them mid-burst. Nothing a phone had acknowledged may be lost or stored
 * twice, and no text sent twice.
 */

const SCENARIOS = ['kill-web', 'restart-postgres', 'kill-redis', 'kill-redis-no-aof', 'offline-phones', 'retry-storm', 'kill-worker'];

function runDrill(): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/drill/drill.ts', 'all', '--json'], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

// The web nodes share the live feed through Redis: without redis-server (outside CI), tests/setup/redis.ts
// says why this is skipped.
describe.runIf(redisAvailable)('npm run drill -- all (short)', () => {
  it('loses nothing acknowledged and stores nothing twice, whatever is broken mid-burst', async () => {
    const { status, stdout, stderr } = await runDrill();
    const last = stdout.trim().split('\n').at(-1) ?? '';
    expect(last.startsWith('{'), `no JSON line; stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(true);
    const result = JSON.parse(last) as { scenario: string; metrics: Record<string, number>; ok: boolean };
    expect(result.scenario).toBe('all');
    const figures = Object.fromEntries(
      SCENARIOS.map((name) => [
        name,
        {
          ok: result.metrics[`${name}.ok`],
          lost: result.metrics[`${name}.lost`],
          duplicates: result.metrics[`${name}.duplicates`],
          storedNotSent: result.metrics[`${name}.storedNotSent`],
          failedNotRetryable: result.metrics[`${name}.failedNotRetryable`],
        },
      ]),
    );
    const expected = Object.fromEntries(
      SCENARIOS.map((name) => [name, { ok: 1, lost: 0, duplicates: 0, storedNotSent: 0, failedNotRetryable: 0 }]),
    );
    expect(figures, stdout).toEqual(expected);
    for (const name of SCENARIOS) expect(result.metrics[`${name}.acknowledged`]).toBeGreaterThan(0);
    // The worker killed mid-send: each text went to Twilio once, or waits for a person; none twice.
    expect({
      queued: result.metrics['kill-worker.textsQueued'],
      settled: result.metrics['kill-worker.textsSent']! + result.metrics['kill-worker.textsForReview']!,
      twice: result.metrics['kill-worker.textsTwiceAtTwilio'],
      forReviewButSent: result.metrics['kill-worker.textsForReviewButSent'],
    }).toEqual({ queued: 2000, settled: 2000, twice: 0, forReviewButSent: 0 });
    expect(result.ok, stdout).toBe(true);
    expect(status).toBe(0);
  }, 240_000);
});
