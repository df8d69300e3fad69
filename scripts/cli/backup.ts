import fs from 'node:fs';
import { finished } from 'node:stream/promises';
import zlib from 'node:zlib';
import pg from 'pg';
import { loadConfig } from '../../server/config.ts';
import { backupDatabase, restoreDatabase } from '../../server/db/backup.ts';
import { startLocalPostgres } from '../../server/db/local-postgres.ts';
import { parseOptions, UsageError } from './args.ts';

/**
 * relance backup <file>   a logical backup of the database (gzip-compressed when <file> ends in .gz)
 * relance restore <file>  into an empty database: a new DATA_DIR in local mode
 *
 * Neither opens Relance's services: a restore must find the database empty, before any migration.
 */

async function withPool<T>(run: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const local = config.databaseUrl ? undefined : await startLocalPostgres({ dataDir: config.dataDir, exclusive: false });
  const pool = new pg.Pool({ connectionString: config.databaseUrl ?? local!.url, max: 2 });
  try {
    return await run(pool);
  } finally {
    await pool.end();
    await local?.stop();
  }
}

function fileArgument(args: string[]): string {
  const { positionals } = parseOptions(args, {});
  if (positionals.length !== 1) throw new UsageError('Give one file.');
  return positionals[0]!;
}

export async function backupCommand(args: string[]) {
  const file = fileArgument(args);
  if (fs.existsSync(file)) throw new UsageError(`${file} already exists: give a new file name.`);
  const partial = `${file}.partial`;
  await withPool(async (pool) => {
    const out = fs.createWriteStream(partial, { mode: 0o600 });
    const output = file.endsWith('.gz') ? zlib.createGzip() : out;
    if (output !== out) output.pipe(out);
    try {
      const { tables, rows } = await backupDatabase(pool, output);
      if (output !== out) await finished(out);
      fs.renameSync(partial, file);
      console.log(`Backed up ${rows} rows of ${tables} tables to ${file}. It holds personal data: keep it as safe as the database.`);
    } catch (error) {
      fs.rmSync(partial, { force: true });
      throw error;
    }
  });
}

export async function restoreCommand(args: string[]) {
  const file = fileArgument(args);
  if (!fs.existsSync(file)) throw new UsageError(`No file ${file}.`);
  await withPool(async (pool) => {
    const raw = fs.createReadStream(file);
    const input = file.endsWith('.gz') ? raw.pipe(zlib.createGunzip()) : raw;
    const { tables, rows, upgraded } = await restoreDatabase(pool, input);
    console.log(`Restored ${rows} rows of ${tables} tables from ${file}.`);
    if (upgraded.length > 0) console.log(`Then upgraded the database: ${upgraded.join(', ')}.`);
  });
}
