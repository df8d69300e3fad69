import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, MigrationError, readMigrations } from '../../server/db/migrate.ts';
import { createTestDatabase } from '../setup/database.ts';

let pool: pg.Pool;
let drop: () => Promise<void>;

// A freshly migrated database for each test: a migration one test applies is not there for the next.
beforeEach(async () => {
  const database = await createTestDatabase();
  drop = database.discard;
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
});

afterEach(async () => {
  await pool.end();
  await drop();
});

describe('the migration runner', () => {
  it('records every migration as Prisma Migrate does, with the SHA-256 of its file', async () => {
    const { rows } = await pool.query(
      'SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    const files = readMigrations();
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const [i, row] of rows.entries()) {
      expect(row.checksum).toBe(createHash('sha256').update(files[i]!.sql).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
      expect(row.rolled_back_at).toBeNull();
    }
  });

  it('does nothing on an up-to-date database', async () => {
    expect(await migrate(pool)).toEqual([]);
  });

  it('applies a new migration once, in its own transaction', async () => {
    const next = [
      ...readMigrations(),
      { name: '29990101000000_test_note', sql: 'CREATE TABLE test_note (id serial PRIMARY KEY);', checksum: 'c'.repeat(64) },
    ];
    expect(await migrate(pool, next)).toEqual(['29990101000000_test_note']);
    expect(await migrate(pool, next)).toEqual([]);
    const { rowCount } = await pool.query('SELECT 1 FROM information_schema.tables WHERE table_name = $1', ['test_note']);
    expect(rowCount).toBe(1);
  });

  it('rolls a failing migration back entirely and leaves no trace of it', async () => {
    const broken = [
      ...readMigrations(),
      { name: '29990102000000_broken', sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();', checksum: 'd'.repeat(64) },
    ];
    await expect(migrate(pool, broken)).rejects.toThrow(/29990102000000_broken failed and was rolled back/);
    const tables = await pool.query('SELECT 1 FROM information_schema.tables WHERE table_name = $1', ['half_done']);
    const records = await pool.query('SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1', ['29990102000000_broken']);
    expect([tables.rowCount, records.rowCount]).toEqual([0, 0]);
  });

  it('refuses to go on when an applied migration was edited', async () => {
    const edited = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'e'.repeat(64) } : m));
    await expect(migrate(pool, edited)).rejects.toThrow(MigrationError);
    await expect(migrate(pool, edited)).rejects.toThrow(/was changed after it was applied/);
  });
});
