import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../server/auth/auth.roles.ts';
import { ImportRejected } from '../../server/imports/imports.errors.ts';
import { createSmallElection, voterCsv } from '../factories.ts';
import { openTestServices, type TestServices } from '../setup/services.ts';

let t: TestServices;
let electionId: number;

beforeAll(async () => {
  t = await openTestServices();
  electionId = (await createSmallElection(t.services)).id;
});

afterAll(() => t.close());

/** An API token that no longer exists: the audit trail cannot name it (its foreign key refuses). */
const vanishedToken: Principal = { kind: 'token', id: 2_000_000_000, name: 'revoked script', role: 'admin', stations: 'all', locale: null };

const entries = (action: string, subjectId?: string) =>
  t.services.db.prisma.auditEvent.findMany({ where: { action, ...(subjectId ? { subjectId } : {}) }, orderBy: { id: 'asc' } });

describe('the audit trail is written in the transaction of the change it records', () => {
  it('records a committed change with its entry', async () => {
    const user = await t.services.accounts.createUser({ name: 'Audited', role: 'viewer' }, null);
    expect(await entries('user.create', String(user.id))).toMatchObject([
      { subjectType: 'user', details: { role: 'viewer', stations: 0 } },
    ]);
  });

  it('leaves no change when its entry cannot be written, and no entry when the change fails', async () => {
    const before = await t.services.db.prisma.user.count();
    await expect(t.services.accounts.createUser({ name: 'Not kept', role: 'viewer' }, vanishedToken)).rejects.toThrow(/foreign key/i);
    expect(await t.services.db.prisma.user.count()).toBe(before);
    expect(await t.services.db.prisma.user.findFirst({ where: { name: 'Not kept' } })).toBeNull();

    const voters = await t.services.db.prisma.voter.count();
    await expect(t.services.imports.voters(electionId, voterCsv([{ external_id: 'A1', list_number: 101 }]), vanishedToken)).rejects.toThrow(
      /foreign key/i,
    );
    expect(await t.services.db.prisma.voter.count()).toBe(voters);
  });

  it('creates one person when two admins add the same email at the same moment, with one entry', async () => {
    const person = { name: 'Twice', role: 'coordinator' as const, email: 'twice@test.example', password: 'a long enough password' };
    const attempts = await Promise.allSettled([1, 2, 3].map(() => t.services.accounts.createUser(person, null)));
    const created = attempts.filter((a) => a.status === 'fulfilled');
    expect(created).toHaveLength(1);
    expect(attempts.filter((a) => a.status === 'rejected').map((a) => (a.reason as Error).name)).toEqual(['Conflict', 'Conflict']);
    expect(await entries('user.create', String(created[0]!.value.id))).toHaveLength(1);
  });

  it('keeps no entry for an import that was refused', async () => {
    const imported = await entries('import.voters');
    await expect(
      t.services.imports.voters(electionId, voterCsv([{ external_id: 'C1', list_number: 301, support_level: 9 }]), null),
    ).rejects.toThrow(ImportRejected);
    expect(await entries('import.voters')).toEqual(imported);
  });

  it('records each import with its counts, in the same transaction as the rows', async () => {
    const result = await t.services.imports.voters(
      electionId,
      voterCsv([
        { external_id: 'B1', list_number: 201 },
        { external_id: 'B2', list_number: 202 },
      ]),
      null,
    );
    const recorded = (await entries('import.voters')).at(-1);
    expect(recorded?.details).toEqual({
      rows: 2,
      created: result.created,
      updated: result.updated,
      rejected: 0,
      preset: 'relance',
      erased: 0,
      objected: 0,
    });
    expect(await entries('import.stations', String(electionId))).toHaveLength(1);
    expect(await entries('import.areas', String(electionId))).toHaveLength(1);
  });
});
