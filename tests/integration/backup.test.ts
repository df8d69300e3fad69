import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { backupDatabase, BackupError, restoreDatabase } from '../../server/db/backup.ts';
import { migrate, readMigrations } from '../../server/db/migrate.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../server/db/scratch-database.ts';
import { createSmallElection, voterCsv } from '../factories.ts';
import { signedIn } from '../fixtures.ts';
import { runRelance } from '../cli.ts';
import { openTestServices, type TestServices } from '../setup/services.ts';

let t: TestServices;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-backup-'));
const databases: ScratchDatabase[] = [];

beforeAll(async () => {
  t = await openTestServices();
});

afterAll(async () => {
  await t.close();
  await Promise.all(databases.map((database) => database.discard()));
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function emptyDatabase(): Promise<string> {
  const database = await createScratchDatabase(inject('databaseAdminUrl'), { prefix: 'relance_restore' });
  databases.push(database);
  return database.url;
}

function relance(args: string[], databaseUrl: string) {
  return runRelance(args, { databaseUrl, cwd: scratch });
}

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Every table's row count and a checksum of its rows (in a fixed order), and the migrations applied. */
async function fingerprint(url: string) {
  return withClient(url, async (client) => {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations' ORDER BY table_name`,
    );
    const result: Record<string, { rows: number; md5: string | null }> = {};
    for (const { name } of tables) {
      const { rows } = await client.query<{ rows: number; md5: string | null }>(
        `SELECT count(*)::int AS rows, md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS md5 FROM "${name}" t`,
      );
      result[name] = rows[0]!;
    }
    const { rows: migrations } = await client.query<{ name: string }>('SELECT migration_name AS name FROM _prisma_migrations ORDER BY 1');
    return { tables: result, migrations: migrations.map((m) => m.name) };
  });
}

describe('relance backup and relance restore', () => {
  it('round-trips every table: the same row counts and checksums, and ids that keep counting', async () => {
    const { prisma } = t.services.db;
    const election = await createSmallElection(t.services);
    await t.services.imports.voters(
      election.id,
      voterCsv([
        {
          external_id: 'B1',
          first_name: 'Élodie',
          last_name: 'Sauvegarde',
          phone: '+33639980201',
          address: 'Line one\nline two, "quoted"\\ back',
        },
        { external_id: 'B2', email: 'b2@backup.example', list_number: 2 },
      ]),
      null,
    );
    const admin = await signedIn(t.services, 'admin');
    await signedIn(t.services, 'watcher', { stationCodes: ['0101', '0102'] });
    const station = await prisma.pollingStation.findFirstOrThrow({ where: { electionId: election.id, code: '0101' } });
    await prisma.turnoutReport.create({
      data: { id: randomUUID(), stationId: station.id, voters: 321, observedAt: new Date(), source: 'web', note: 'tab\there' },
    });
    await t.services.people.rights.object({ kind: 'externalId', value: 'B2' }, admin.principal);

    const file = path.join(scratch, 'relance.backup.gz');
    const backedUp = relance(['backup', file], t.databaseUrl);
    expect(backedUp.stderr).toBe('');
    expect(backedUp.stdout).toMatch(
      /^Backed up \d+ rows of \d+ tables to .+relance\.backup\.gz\. It holds personal data: keep it as safe as the database\.\n$/,
    );
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const target = await emptyDatabase();
    const restored = relance(['restore', file], target);
    expect(restored.stderr).toBe('');
    expect(restored.stdout).toMatch(/^Restored \d+ rows of \d+ tables from .+\n$/);

    const before = await fingerprint(t.databaseUrl);
    const after = await fingerprint(target);
    expect(after).toEqual(before);
    expect(after.tables.voter!.rows).toBeGreaterThanOrEqual(2);
    expect(after.migrations).toEqual(readMigrations().map((m) => m.name));

    // The restored database takes new rows after the old ones.
    const maxId = await withClient(
      target,
      async (client) => (await client.query<{ max: number }>('SELECT max(id) FROM app_user')).rows[0]!.max,
    );
    const next = await withClient(
      target,
      async (client) =>
        (await client.query<{ id: number }>("INSERT INTO app_user (name, role) VALUES ('After restore', 'viewer') RETURNING id")).rows[0]!
          .id,
    );
    expect(next).toBe(maxId + 1);

    // A second restore into the same database is refused: it is no longer empty.
    const again = relance(['restore', file], target);
    expect([again.status, again.stderr]).toEqual([
      1,
      'The database is not empty: restore into a new data folder (DATA_DIR) or a new database.\n',
    ]);
  });

  it('restores a backup made by an older Relance, then applies the newer migrations', async () => {
    const [first, ...newer] = readMigrations();
    const old = await emptyDatabase();
    const oldPool = new pg.Pool({ connectionString: old });
    const file = new PassThrough();
    const chunks: Buffer[] = [];
    file.on('data', (chunk: Buffer) => chunks.push(chunk));
    try {
      await migrate(oldPool, [first!]);
      await oldPool.query(
        `INSERT INTO election (name, polling_day, timezone, polls_open_at, polls_close_at) VALUES ('Old one', '2025-06-01', 'Europe/Paris', '2025-06-01T06:00Z', '2025-06-01T18:00Z')`,
      );
      await backupDatabase(oldPool, file);
    } finally {
      await oldPool.end();
    }

    const target = await emptyDatabase();
    const pool = new pg.Pool({ connectionString: target });
    try {
      const result = await restoreDatabase(pool, PassThrough.from([Buffer.concat(chunks)]));
      expect(result.upgraded).toEqual(newer.map((m) => m.name));
      expect((await pool.query('SELECT name, purged_at FROM election')).rows).toEqual([{ name: 'Old one', purged_at: null }]);
    } finally {
      await pool.end();
    }
  });

  it('refuses a file that is not a backup, and one made by a newer Relance', async () => {
    const target = await emptyDatabase();
    const pool = new pg.Pool({ connectionString: target });
    try {
      await expect(restoreDatabase(pool, PassThrough.from(['id,name\n1,x\n']))).rejects.toThrow(
        'This file is not a Relance backup (made with `relance backup`).',
      );
      const newer = JSON.stringify({
        format: 'relance-backup',
        version: 1,
        createdAt: '2027-01-01T00:00:00Z',
        migrations: ['29990101000000_future'],
      });
      await expect(restoreDatabase(pool, PassThrough.from([`${newer}\n`]))).rejects.toThrow(BackupError);
      await expect(restoreDatabase(pool, PassThrough.from([`${newer}\n`]))).rejects.toThrow(
        /made by a newer Relance \(migrations 29990101000000_future\)/,
      );
    } finally {
      await pool.end();
    }
  });
});
