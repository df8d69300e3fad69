import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../server/free-port.ts';
import { redisAvailable } from '../setup/redis.ts';
import { openTestServices, startTestServer, type TestServices } from '../setup/services.ts';

/** A redis-server of this file's own on a fixed port, which it stops and starts again. */
function startRedisOn(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout!.resume();
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
  });
}

function stopRedis(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

// Without redis-server (outside CI), tests/setup/redis.ts prints why this is skipped.
describe.runIf(redisAvailable)('Redis gone under a running web node', () => {
  let port: number;
  let redis: ChildProcess;
  let t: TestServices;
  let server: Awaited<ReturnType<typeof startTestServer>>;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedisOn(port);
    t = await openTestServices({ REDIS_URL: `redis://127.0.0.1:${port}` });
    server = await startTestServer(t.services);
  });

  afterAll(async () => {
    await server?.close();
    await t?.close();
    await stopRedis(redis);
  });

  async function readiness() {
    const answer = await fetch(`${server.url}/readyz`);
    return { status: answer.status, checks: ((await answer.json()) as { checks: Record<string, string> }).checks };
  }

  it('/readyz says at once that the queues are unreachable, and ready again once Redis is back', async () => {
    expect((await readiness()).status).toBe(200);
    await stopRedis(redis);
    const down = await readiness();
    expect(down.status).toBe(503);
    expect(down.checks.database).toBe('ok');
    // Not "no answer within 2000 ms": the probe learns of the outage from the connection's state.
    expect(down.checks.queues).toMatch(/^unreachable: Redis is not connected \(\w+\)$/);

    redis = await startRedisOn(port);
    await expect.poll(async () => (await readiness()).status, { timeout: 15_000, interval: 200 }).toBe(200);
  });
});
