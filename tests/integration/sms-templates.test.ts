import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Forbidden, InvalidInput, NotFound, Unauthenticated } from '../../server/errors.ts';
import { createSmallElection } from '../factories.ts';
import { signedIn } from '../fixtures.ts';
import { openTestServices, type TestServices } from '../setup/services.ts';

/** Text templates: written by coordinators and admins, checked, audited, per election. */

let t: TestServices;

beforeAll(async () => {
  t = await openTestServices();
  await createSmallElection(t.services);
});
afterAll(() => t.close());

const BODY = 'Bonjour {firstName}, votre bureau {stationName} ferme à {closingTime}.';

async function auditOf(templateId: number) {
  const events = await t.services.db.prisma.auditEvent.findMany({
    where: { subjectType: 'sms_template', subjectId: String(templateId) },
    orderBy: { id: 'asc' },
  });
  return events.map((event) => ({ action: event.action, actorUserId: event.actorUserId, details: event.details }));
}

describe('text templates', () => {
  it('are written, edited and archived by a coordinator, each change audited', async () => {
    const { principal, user } = await signedIn(t.services, 'coordinator', { name: 'Coordinator Templates' });
    const created = await t.services.smsTemplates.create(principal, { name: '  Rappel  ', body: `  ${BODY}\n` });
    expect(created).toMatchObject({ name: 'Rappel', body: BODY, createdBy: 'Coordinator Templates', archivedAt: null });

    const updated = await t.services.smsTemplates.update(principal, created.id, { name: 'Rappel 2', body: 'Votez, {firstName} !' });
    expect(updated).toMatchObject({ id: created.id, name: 'Rappel 2', body: 'Votez, {firstName} !', archivedAt: null });

    const archived = await t.services.smsTemplates.archive(principal, created.id);
    expect(archived.archivedAt).not.toBeNull();
    // Archiving again changes nothing and records nothing.
    const again = await t.services.smsTemplates.archive(principal, created.id);
    expect(again.archivedAt).toBe(archived.archivedAt);

    expect(await auditOf(created.id)).toEqual([
      { action: 'sms_template.create', actorUserId: user.id, details: { electionId: expect.any(Number), length: BODY.length } },
      { action: 'sms_template.update', actorUserId: user.id, details: { length: 20 } },
      { action: 'sms_template.archive', actorUserId: user.id, details: null },
    ]);
  });

  it('are listed in use first, then archived, each by name', async () => {
    const { principal } = await signedIn(t.services, 'admin');
    const zulu = await t.services.smsTemplates.create(principal, { name: 'Zulu list order', body: 'Z' });
    const alpha = await t.services.smsTemplates.create(principal, { name: 'Alpha list order', body: 'A' });
    const old = await t.services.smsTemplates.create(principal, { name: 'Aardvark list order', body: 'old' });
    await t.services.smsTemplates.archive(principal, old.id);
    const names = (await t.services.smsTemplates.list(principal))
      .map((template) => template.name)
      .filter((name) => name.endsWith('list order'));
    expect(names).toEqual(['Alpha list order', 'Zulu list order', 'Aardvark list order']);
    expect([zulu.archivedAt, alpha.archivedAt]).toEqual([null, null]);
  });

  it('are refused to every other role, and to nobody signed in', async () => {
    const { principal: coordinator } = await signedIn(t.services, 'coordinator');
    const template = await t.services.smsTemplates.create(coordinator, { name: 'Roles', body: BODY });
    for (const role of ['volunteer', 'watcher', 'viewer'] as const) {
      const { principal } = await signedIn(t.services, role);
      await expect(t.services.smsTemplates.list(principal)).rejects.toBeInstanceOf(Forbidden);
      await expect(t.services.smsTemplates.create(principal, { name: 'No', body: BODY })).rejects.toBeInstanceOf(Forbidden);
      await expect(t.services.smsTemplates.update(principal, template.id, { name: 'No', body: BODY })).rejects.toBeInstanceOf(Forbidden);
      await expect(t.services.smsTemplates.archive(principal, template.id)).rejects.toBeInstanceOf(Forbidden);
    }
    await expect(t.services.smsTemplates.list(null)).rejects.toBeInstanceOf(Unauthenticated);
    expect((await t.services.smsTemplates.list(coordinator)).find((row) => row.id === template.id)).toMatchObject({
      name: 'Roles',
      archivedAt: null,
    });
  });

  it('refuse an empty text, one over 612 characters and an unknown placeholder, naming the field', async () => {
    const { principal } = await signedIn(t.services, 'coordinator');
    const before = await t.services.db.prisma.smsTemplate.count();
    const cases = [
      { name: 'Empty', body: '   ' },
      { name: 'Long', body: 'a'.repeat(613) },
      { name: 'Typo', body: 'Bonjour {fistName}' },
      { name: '', body: BODY },
    ];
    const fields: (string | undefined)[] = [];
    for (const input of cases) {
      const error = await t.services.smsTemplates.create(principal, input).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidInput);
      fields.push((error as InvalidInput).field);
    }
    expect(fields).toEqual(['body', 'body', 'body', 'name']);
    expect(await t.services.db.prisma.smsTemplate.count()).toBe(before);
    // 612 characters, four GSM-7 segments, is the most a template may say.
    const longest = await t.services.smsTemplates.create(principal, { name: 'Longest', body: 'a'.repeat(612) });
    expect(longest.body).toHaveLength(612);
  });

  it('answer an unknown template as not found', async () => {
    const { principal } = await signedIn(t.services, 'coordinator');
    await expect(t.services.smsTemplates.update(principal, 2_000_000, { name: 'X', body: BODY })).rejects.toBeInstanceOf(NotFound);
    await expect(t.services.smsTemplates.archive(principal, 2_000_000)).rejects.toBeInstanceOf(NotFound);
  });

  it('preview with a made-up person at the first station, the closing time and the sender line', async () => {
    const { principal } = await signedIn(t.services, 'coordinator');
    expect(await t.services.smsTemplates.sample(principal)).toEqual({
      facts: { firstName: 'Camille', stationName: 'School A', stationAddress: '', closingTime: '20:00' },
      senderName: 'Test town, first round',
      stopLine: 'Test town, first round. STOP pour ne plus recevoir de SMS',
    });
  });
});

describe('templates offered for sending', () => {
  it('are those in use, with the line every text ends with, for volunteers and coordinators alike', async () => {
    const { principal: coordinator } = await signedIn(t.services, 'coordinator');
    const kept = await t.services.smsTemplates.create(coordinator, { name: 'Offered kept', body: BODY });
    const archived = await t.services.smsTemplates.create(coordinator, { name: 'Offered archived', body: BODY });
    await t.services.smsTemplates.archive(coordinator, archived.id);
    const { principal: volunteer } = await signedIn(t.services, 'volunteer');
    for (const principal of [volunteer, coordinator]) {
      const offered = await t.services.smsTemplates.offered(principal);
      expect(offered.stopLine).toBe('Test town, first round. STOP pour ne plus recevoir de SMS');
      expect(offered.templates.filter((template) => template.name.startsWith('Offered'))).toEqual([
        { id: kept.id, name: 'Offered kept', body: BODY },
      ]);
    }
    for (const role of ['watcher', 'viewer'] as const) {
      const { principal } = await signedIn(t.services, role);
      await expect(t.services.smsTemplates.offered(principal)).rejects.toBeInstanceOf(Forbidden);
    }
  });
});
