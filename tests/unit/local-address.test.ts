import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { publishLocalAddress, runningServerAddress } from '../../server/local-address.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function dataDir(owner: number | undefined): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-address-'));
  dirs.push(dir);
  if (owner !== undefined) fs.writeFileSync(path.join(dir, 'relance.pid'), String(owner));
  return dir;
}

describe("the running server's address in local mode", () => {
  it('is what the server that owns the data published, until it removes it', () => {
    const dir = dataDir(process.pid);
    expect(runningServerAddress(dir)).toBeUndefined();
    const unpublish = publishLocalAddress(dir, 'http://localhost:4000');
    expect(runningServerAddress(dir)).toBe('http://localhost:4000');
    unpublish();
    expect(runningServerAddress(dir)).toBeUndefined();
  });

  it('is ignored when left behind by a process that no longer owns the data or no longer runs', () => {
    const other = dataDir(process.pid + 1);
    publishLocalAddress(other, 'http://localhost:4000');
    expect(runningServerAddress(other)).toBeUndefined();

    const ended = spawnSync(process.execPath, ['-e', '']).pid!;
    const dir = dataDir(ended);
    fs.writeFileSync(path.join(dir, 'relance.address'), JSON.stringify({ pid: ended, publicUrl: 'http://localhost:4000' }));
    expect(runningServerAddress(dir)).toBeUndefined();
  });
});
