import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startLocalPostgres } from './local-postgres.ts';

/**
 * Throwaway databases for tests and benchmarks, never the user's data: a database created on a
 * server and dropped afterwards, or a whole embedded server in a temporary folder.
 */
export interface ScratchDatabase {
  url: string;
  /** Idempotent: the normal end of a run and an interrupt may both call it. */
  discard(): Promise<void>;
}

function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action());
}

/** The same server's URL for another database. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function asAdmin(serverUrl: string, statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

/**
 * A new database named `<prefix>_<random>` on the server of `serverUrl` (whose own database is
 * only used to create and drop it), empty or a copy of `template`.
 */
export async function createScratchDatabase(serverUrl: string, options: { prefix: string; template?: string }): Promise<ScratchDatabase> {
  const name = `${options.prefix}_${randomBytes(6).toString('hex')}`;
  try {
    await asAdmin(serverUrl, `CREATE DATABASE ${name}${options.template ? ` TEMPLATE ${options.template}` : ''}`);
  } catch (error) {
    if ((error as { code?: string }).code === '42501') {
      throw new Error('The DATABASE_URL role may not create databases; a scratch database needs the CREATEDB privilege.');
    }
    throw error;
  }
  return {
    url: databaseUrl(serverUrl, name),
    discard: once(() => asAdmin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

/**
 * An embedded PostgreSQL server of its own in a temporary folder, removed by `discard`.
 * `durable: false` trades durability for speed (fsync off), for test data only.
 */
export async function startScratchServer(options: { durable: boolean; prefix: string }): Promise<ScratchDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${options.prefix}-`));
  // As root, PostgreSQL runs as the unprivileged postgres user, which must be able to enter the folder.
  fs.chmodSync(dataDir, 0o755);
  try {
    const server = await startLocalPostgres({
      dataDir,
      exclusive: true,
      settings: options.durable ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
    });
    return {
      url: server.url,
      discard: once(async () => {
        await server.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }),
    };
  } catch (error) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
