import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config.ts';
import { LocalPostgresError, startLocalPostgres } from '../../server/db/local-postgres.ts';

const dataDirs: string[] = [];

afterEach(() => {
  for (const dataDir of dataDirs.splice(0)) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** An empty data folder of the test's own. */
function newDataDir(): string {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-local-pg-'));
  fs.chmodSync(dataDir, 0o755);
  dataDirs.push(dataDir);
  return dataDir;
}

function serverPid(dataDir: string): number | undefined {
  try {
    return Number(fs.readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** A data folder whose database holds one row, written by a server that has since stopped. */
async function dataDirWithNote(): Promise<string> {
  const dataDir = newDataDir();
  const server = await startLocalPostgres({ dataDir, exclusive: true });
  await query(server.url, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')");
  await server.stop();
  return dataDir;
}

/** Another process that starts the server on the same data, as a running Relance would, and waits. */
async function anotherOwner(dataDir: string): Promise<ChildProcess> {
  const script = `import('./server/db/local-postgres.ts').then(async (m) => {
    await m.startLocalPostgres({ dataDir: ${JSON.stringify(dataDir)}, exclusive: true });
    console.log('ready');
    process.on('SIGTERM', () => process.exit(0));
    setInterval(() => {}, 1000);
  })`;
  const owner = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    owner.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    owner.on('exit', (code) => reject(new Error(`the other process exited (${code})`)));
  });
  return owner;
}

describe('local mode’s embedded PostgreSQL', () => {
  it('creates a password-protected server on first start, keeps its data, and leaves no process when stopped', async () => {
    const dataDir = newDataDir();
    const first = await startLocalPostgres({ dataDir, exclusive: true });
    const pid = serverPid(dataDir)!;
    expect(alive(pid)).toBe(true);
    await query(first.url, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')");
    await expect(query(first.url.replace(/:[^:@/]+@/, ':wrong@'), 'SELECT 1')).rejects.toThrow(/password authentication failed/);
    await first.stop();
    expect(alive(pid)).toBe(false);

    const second = await startLocalPostgres({ dataDir, exclusive: true });
    expect(await query(second.url, 'SELECT note FROM kept')).toEqual([{ note: 'still here' }]);
    await second.stop();
  });

  it('lets the command-line tool share a running server, and refuses a second server', async () => {
    const dataDir = await dataDirWithNote();
    const owner = await anotherOwner(dataDir);
    try {
      await expect(startLocalPostgres({ dataDir, exclusive: true })).rejects.toThrow(LocalPostgresError);
      await expect(startLocalPostgres({ dataDir, exclusive: true })).rejects.toThrow(/already running/);
      const shared = await startLocalPostgres({ dataDir, exclusive: false });
      expect(await query(shared.url, 'SELECT count(*)::int AS n FROM kept')).toEqual([{ n: 1 }]);
      await shared.stop(); // not ours: the server keeps running
      expect(alive(serverPid(dataDir)!)).toBe(true);
    } finally {
      const pid = serverPid(dataDir)!;
      owner.kill('SIGTERM');
      await new Promise((resolve) => owner.once('exit', resolve));
      // The owner's exit handler stops PostgreSQL even though it never called stop().
      const deadline = Date.now() + 10_000;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(alive(pid)).toBe(false);
    }
  });

  it('adopts a server left running by a process that was killed', async () => {
    const dataDir = await dataDirWithNote();
    const orphanMaker = await anotherOwner(dataDir);
    const pid = serverPid(dataDir)!;
    orphanMaker.kill('SIGKILL'); // no exit handler runs: PostgreSQL is left behind
    await new Promise((resolve) => orphanMaker.once('exit', resolve));
    expect(alive(pid)).toBe(true);

    const adopted = await startLocalPostgres({ dataDir, exclusive: true });
    expect(serverPid(dataDir)).toBe(pid);
    expect(await query(adopted.url, 'SELECT count(*)::int AS n FROM kept')).toEqual([{ n: 1 }]);
    await adopted.stop();
    expect(alive(pid)).toBe(false);
  });
});
