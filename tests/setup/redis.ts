import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from '../../server/free-port.ts';

/** Whether `redis-server` can be started here. In CI it must: the Redis tests may not be skipped. */
export const redisAvailable = spawnSync('redis-server', ['--version']).status === 0;

if (!redisAvailable) {
  if (process.env.CI) throw new Error('redis-server is not installed, and CI must run the Redis tests (.ci/run installs it).');
  console.warn('\n  redis-server is not installed: skipping the tests that need Redis (apt-get install redis-server).\n');
}

/** A private, throwaway redis-server for one test file (no persistence, random port). */
export async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
  });
  child.stdout!.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
