import { once } from 'node:events';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { migrate, readMigrations } from './migrate.ts';

/**
 * A logical backup of Relance's database: every table of the public schema, in PostgreSQL's COPY
 * text format, with the list of migrations its schema had. A Relance that has those migrations
 * (the same or a newer release) restores it into an empty database: it applies the backup's
 * migrations, copies the rows in, then applies its own newer migrations, as an upgrade would.
 *
 * File: one JSON header line, then per table a JSON line `{"table","columns","rows"}`, its rows
 * (one line each: COPY escapes line breaks) and a `\.` line. Job queues are not included: they
 * hold nothing that is not in the tables.
 */

export const BACKUP_FORMAT = 'relance-backup';
const BACKUP_VERSION = 1;
const MIGRATIONS_TABLE = '_prisma_migrations';

export class BackupError extends Error {
  override name = 'BackupError';
}

interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: number;
  createdAt: string;
  migrations: string[];
}

interface TableHeader {
  table: string;
  columns: string[];
  rows: number;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Tables of the public schema, each after the tables its foreign keys point to. */
async function tablesInDependencyOrder(client: pg.ClientBase): Promise<string[]> {
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> $1 ORDER BY table_name`,
    [MIGRATIONS_TABLE],
  );
  const { rows: references } = await client.query<{ child: string; parent: string }>(
    `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
     FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
     WHERE c.contype = 'f' AND n.nspname = 'public'`,
  );
  const unquote = (name: string) => name.replace(/^"|"$/g, '');
  const ordered: string[] = [];
  const visit = (table: string, path: Set<string>) => {
    if (ordered.includes(table) || path.has(table)) return;
    path.add(table);
    for (const { child, parent } of references) if (unquote(child) === table && unquote(parent) !== table) visit(unquote(parent), path);
    ordered.push(table);
  };
  for (const { name } of tables) visit(name, new Set());
  return ordered;
}

async function columnsOf(client: pg.ClientBase, table: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((row) => row.name);
}

async function appliedMigrations(client: pg.ClientBase): Promise<string[]> {
  const { rows: exists } = await client.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name = $1`, [
    MIGRATIONS_TABLE,
  ]);
  if (exists.length === 0) return [];
  const { rows } = await client.query<{ name: string }>(
    `SELECT migration_name AS name FROM ${quote(MIGRATIONS_TABLE)} WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
  );
  return rows.map((row) => row.name);
}

/** Writes the backup to `output`, from one snapshot of the database (REPEATABLE READ). */
export async function backupDatabase(pool: pg.Pool, output: Writable): Promise<{ tables: number; rows: number }> {
  const client = await pool.connect();
  const write = async (text: string) => {
    if (!output.write(text)) await once(output, 'drain');
  };
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const header: BackupHeader = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      createdAt: new Date().toISOString(),
      migrations: await appliedMigrations(client),
    };
    await write(`${JSON.stringify(header)}\n`);
    let total = 0;
    const tables = await tablesInDependencyOrder(client);
    for (const table of tables) {
      const columns = await columnsOf(client, table);
      const { rows } = await client.query<{ count: string }>(`SELECT count(*) FROM ${quote(table)}`);
      const tableHeader: TableHeader = { table, columns, rows: Number(rows[0]!.count) };
      total += tableHeader.rows;
      await write(`${JSON.stringify(tableHeader)}\n`);
      const copy = client.query(copyTo(`COPY ${quote(table)} (${columns.map(quote).join(', ')}) TO STDOUT`));
      for await (const chunk of copy) await write(chunk as string);
      await write('\\.\n');
    }
    await client.query('COMMIT');
    output.end();
    await finished(output);
    return { tables: tables.length, rows: total };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Restores a backup into an empty database (no migration applied yet), then brings it up to this
 * Relance's schema. All or nothing: the rows are copied in one transaction.
 */
export async function restoreDatabase(pool: pg.Pool, input: Readable): Promise<{ tables: number; rows: number; upgraded: string[] }> {
  const lines = readline.createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    return done ? undefined : (value as string);
  };
  let header: BackupHeader;
  try {
    header = JSON.parse((await next()) ?? '') as BackupHeader;
  } catch {
    throw new BackupError('This file is not a Relance backup (made with `relance backup`).');
  }
  if (header.format !== BACKUP_FORMAT) throw new BackupError('This file is not a Relance backup (made with `relance backup`).');
  if (header.version > BACKUP_VERSION) throw new BackupError('This backup was made by a newer Relance: upgrade Relance to restore it.');
  const known = readMigrations();
  const unknown = header.migrations.filter((name) => !known.some((migration) => migration.name === name));
  if (unknown.length > 0) {
    throw new BackupError(`This backup was made by a newer Relance (migrations ${unknown.join(', ')}): upgrade Relance to restore it.`);
  }

  const check = await pool.connect();
  try {
    if ((await appliedMigrations(check)).length > 0) {
      throw new BackupError('The database is not empty: restore into a new data folder (DATA_DIR) or a new database.');
    }
  } finally {
    check.release();
  }
  // The schema as it was when the backup was made.
  await migrate(
    pool,
    known.filter((migration) => header.migrations.includes(migration.name)),
  );

  const client = await pool.connect();
  let tables = 0;
  let rows = 0;
  try {
    await client.query('BEGIN');
    for (let line = await next(); line !== undefined; line = await next()) {
      if (line === '') continue;
      const table = JSON.parse(line) as TableHeader;
      const copy = client.query(copyFrom(`COPY ${quote(table.table)} (${table.columns.map(quote).join(', ')}) FROM STDIN`));
      const copied = finished(copy);
      let count = 0;
      for (let row = await next(); row !== '\\.'; row = await next()) {
        if (row === undefined) throw new BackupError(`The backup ends in the middle of table ${table.table}: the file is incomplete.`);
        count++;
        if (!copy.write(`${row}\n`)) await once(copy, 'drain');
      }
      copy.end();
      await copied;
      if (count !== table.rows) throw new BackupError(`Table ${table.table}: ${count} rows in the file, ${table.rows} expected.`);
      tables++;
      rows += count;
    }
    // Ids keep counting from where the backed-up database was.
    const { rows: sequences } = await client.query<{ table: string; column: string }>(
      `SELECT table_name AS table, column_name AS column FROM information_schema.columns
       WHERE table_schema = 'public' AND column_default LIKE 'nextval(%'`,
    );
    for (const { table, column } of sequences) {
      await client.query(
        `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(${quote(column)}) FROM ${quote(table)}), 0) + 1, false)`,
        [quote(table), column],
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  const upgraded = await migrate(pool);
  return { tables, rows, upgraded };
}
