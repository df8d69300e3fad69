import fs from 'node:fs';
import path from 'node:path';

/**
 * Local mode: the running web server's public address, kept in DATA_DIR next to relance.pid, so
 * that the command-line tool builds links that reach it. The tool's own PORT can differ from the
 * server's (a server started with PORT=4000, the tool run without), and only the server knows the
 * port it listens on.
 */
const ADDRESS_FILE = 'relance.address';
const OWNER_FILE = 'relance.pid';

interface Published {
  pid: number;
  publicUrl: string;
}

function read(file: string): Published | undefined {
  try {
    const published = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Published>;
    return typeof published.pid === 'number' && typeof published.publicUrl === 'string' ? (published as Published) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes this process's public address; returns what removes it (only if it is still this process's). */
export function publishLocalAddress(dataDir: string, publicUrl: string): () => void {
  const file = path.join(dataDir, ADDRESS_FILE);
  fs.writeFileSync(file, `${JSON.stringify({ pid: process.pid, publicUrl })}\n`);
  return () => {
    if (read(file)?.pid === process.pid) fs.rmSync(file, { force: true });
  };
}

/**
 * The public address of the server running on `dataDir`'s data, if one runs. A file left behind
 * by a server that did not stop cleanly counts only while its process owns the data (relance.pid).
 */
export function runningServerAddress(dataDir: string): string | undefined {
  const published = read(path.join(dataDir, ADDRESS_FILE));
  if (!published) return undefined;
  let owner: number;
  try {
    owner = Number(fs.readFileSync(path.join(dataDir, OWNER_FILE), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
  if (owner !== published.pid) return undefined;
  try {
    process.kill(owner, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return published.publicUrl;
}
