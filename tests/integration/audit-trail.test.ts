import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSmallElection } from '../factories.ts';
import { signedIn } from '../fixtures.ts';
import { openTestServices, type TestServices } from '../setup/services.ts';

let t: TestServices;

beforeAll(async () => {
  t = await openTestServices();
});
afterAll(() => t.close());
beforeEach(() => t.clock.reset());

async function sql(statement: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: t.databaseUrl });
  await client.connect();
  try {
    return await client.query(statement, values);
  } finally {
    await client.end();
  }
}

describe('the audit trail', () => {
  it('filters by who, what, when and election, and exports the same as CSV (recording the export)', async () => {
    const admin = await signedIn(t.services, 'admin', { name: 'Audrey Audit' });
    const election = await createSmallElection(t.services);
    await t.services.people.rights.show({ kind: 'externalId', value: 'NOBODY' }, admin.principal);

    const byAdmin = await t.services.auditTrail.page({ actor: admin.user.id });
    expect(byAdmin.entries.map((e) => [e.action, e.actorName])).toEqual([
      ['person.access', 'Audrey Audit'],
      ['session.start', 'Audrey Audit'],
    ]);
    const imports = await t.services.auditTrail.page({ action: 'import', election: election.id });
    expect(imports.entries.map((e) => e.action)).toEqual(['import.stations', 'import.areas']);
    expect((await t.services.auditTrail.page({ action: 'election.create', election: election.id })).entries).toHaveLength(1);
    // `at` is the database's time of the change.
    expect((await t.services.auditTrail.page({ from: '2026-01-01', to: '2026-01-31' })).entries).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    expect((await t.services.auditTrail.page({ actor: admin.user.id, from: today, to: today })).entries).toHaveLength(2);

    const csv = await t.services.auditTrail.csv({ actor: admin.user.id }, admin.principal);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('id,at,actor_user_id,actor_name,actor_token_id,action,subject_type,subject_id,details');
    expect(lines.slice(1).map((line) => line.split(',')[5])).toEqual(['person.access', 'session.start']);
    expect(lines[1]).toContain(
      `,${admin.user.id},Audrey Audit,,person.access,person,,"{""by"":""externalId"",""voters"":0,""accounts"":0}"`,
    );
    expect((await t.services.auditTrail.page({ action: 'audit.export' })).entries[0]).toMatchObject({
      actorUserId: admin.user.id,
      details: { rows: 2, actor: admin.user.id },
    });
  });

  it('refuses updates and deletes, even of old entries, outside the retention purge', async () => {
    await signedIn(t.services, 'viewer');
    const [row] = (await sql('SELECT id FROM audit_event ORDER BY id DESC LIMIT 1')).rows as { id: number }[];
    await expect(sql("UPDATE audit_event SET action = 'forged' WHERE id = $1", [row!.id])).rejects.toThrow(/append-only/);
    await expect(sql('DELETE FROM audit_event WHERE id = $1', [row!.id])).rejects.toThrow(/append-only/);
    // Naming a limit does not let a recent entry go.
    await expect(
      sql(
        `BEGIN; SELECT set_config('relance.audit_delete_before', '2000-01-01', true); DELETE FROM audit_event WHERE id = ${row!.id}; COMMIT;`,
      ),
    ).rejects.toThrow(/append-only/);
  });

  it('deletes only the entries older than AUDIT_RETENTION_MONTHS (12 by default), and records it', async () => {
    // Entries can be added with any time (only changes and deletions are refused).
    const marker = `test.retention_${Date.now()}`;
    await sql(`INSERT INTO audit_event (at, action) VALUES ('2025-03-15T08:59:59Z', $1), ('2025-03-15T09:00:00Z', $1)`, [marker]);
    const recent = await signedIn(t.services, 'viewer');

    t.clock.set('2026-03-15T09:00:00Z');
    const result = await t.services.auditTrail.purgeExpired(null);
    expect(result.before).toEqual(new Date('2025-03-15T09:00:00Z'));
    expect((await sql('SELECT at FROM audit_event WHERE action = $1', [marker])).rows).toEqual([{ at: new Date('2025-03-15T09:00:00Z') }]);
    expect((await t.services.auditTrail.page({ actor: recent.user.id })).entries.map((e) => e.action)).toEqual(['session.start']);
    expect((await t.services.auditTrail.page({ action: 'audit.purge' })).entries[0]).toMatchObject({
      actorUserId: null,
      details: { deleted: result.deleted, before: '2025-03-15T09:00:00.000Z' },
    });
    expect(result.deleted).toBe(1);
  });
});
