import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInput } from '../../server/errors.ts';
import { createSmallElection, voterCsv } from '../factories.ts';
import { signedIn } from '../fixtures.ts';
import { openTestServices, type TestServices } from '../setup/services.ts';

let t: TestServices;
let electionId: number;

beforeAll(async () => {
  t = await openTestServices();
  electionId = (await createSmallElection(t.services)).id;
});
afterAll(() => t.close());

let people = 0;
/** A person of the test's own in the voter file (unique external id, phone, email and list number). */
async function person() {
  people++;
  const n = 1000 + people;
  const fields = {
    external_id: `R${n}`,
    first_name: 'Romane',
    last_name: `Rights${n}`,
    // The range ARCEP keeps for fiction (06 39 98 xx xx): it reaches no one.
    phone: `+3363998${String(n).padStart(4, '0')}`,
    email: `romane.${n}@rights.example`,
    address: `${n} rue des Droits`,
    list_number: n,
  };
  await t.services.imports.voters(electionId, voterCsv([fields]), null);
  const voter = await t.services.db.prisma.voter.findFirstOrThrow({ where: { electionId, externalId: fields.external_id } });
  return { fields, voter };
}

describe('a person’s rights', () => {
  it('access: everything held about them, found by external id, phone or email, and the request is audited', async () => {
    const { fields, voter } = await person();
    const admin = await signedIn(t.services, 'admin');
    const { prisma } = t.services.db;
    const list = await prisma.chaseList.create({ data: { electionId, name: 'Rights list', channel: 'sms', criteria: {} } });
    await prisma.chaseEntry.create({ data: { listId: list.id, voterId: voter.id, priority: 1 } });
    await prisma.contactAttempt.create({
      data: { voterId: voter.id, listId: list.id, channel: 'call', outcome: 'no_answer', createdAt: new Date('2026-03-15T10:00:00Z') },
    });
    await prisma.inboundMessage.create({
      data: {
        providerSid: `SM${randomUUID()}`,
        fromPhone: fields.phone,
        toPhone: '+33639980000',
        body: 'Who is this?',
        receivedAt: new Date('2026-03-15T11:00:00Z'),
      },
    });

    const byPhone = await t.services.people.rights.show({ kind: 'phone', value: fields.phone.replace('+33', '0') }, admin.principal);
    expect(byPhone.voters).toHaveLength(1);
    expect(byPhone.voters[0]).toMatchObject({
      id: voter.id,
      election: 'Test town, first round',
      externalId: fields.external_id,
      firstName: 'Romane',
      lastName: fields.last_name,
      phone: fields.phone,
      email: fields.email,
      address: fields.address,
      station: '0101 School A',
      listNumber: fields.list_number,
      supportLevel: 1,
      smsConsent: true,
      callConsent: true,
      doNotContact: false,
      chaseEntries: [{ list: 'Rights list', priority: 1, state: 'pending', doneAt: null }],
      contactAttempts: [{ channel: 'call', outcome: 'no_answer', note: null, at: '2026-03-15T10:00:00.000Z', list: 'Rights list' }],
      outboundMessages: [],
    });
    expect(byPhone.inboundMessages).toEqual([
      { from: fields.phone, to: '+33639980000', body: 'Who is this?', receivedAt: '2026-03-15T11:00:00.000Z' },
    ]);
    expect(byPhone.suppressed).toEqual([]);
    expect((await t.services.people.rights.show({ kind: 'email', value: fields.email.toUpperCase() }, admin.principal)).voters[0]!.id).toBe(
      voter.id,
    );
    expect((await t.services.people.rights.show({ kind: 'externalId', value: fields.external_id }, admin.principal)).voters[0]!.id).toBe(
      voter.id,
    );

    const audited = await prisma.auditEvent.findMany({
      where: { action: 'person.access', actorUserId: admin.user.id },
      orderBy: { id: 'asc' },
    });
    expect(audited.map((event) => event.details)).toEqual([
      { by: 'phone', voters: 1, accounts: 0 },
      { by: 'email', voters: 1, accounts: 0 },
      { by: 'externalId', voters: 1, accounts: 0 },
    ]);
    // The trail names no one.
    expect(JSON.stringify(audited)).not.toContain(fields.phone);
  });

  it('refuses an identifier that is not one: says which field to fix', async () => {
    const admin = await signedIn(t.services, 'admin');
    const bad = t.services.people.rights.show({ kind: 'phone', value: 'not a phone' }, admin.principal);
    await expect(bad).rejects.toThrow(InvalidInput);
    await expect(bad).rejects.toMatchObject({ field: 'value' });
  });

  it('erasure: the person is gone, only hashes remain, and importing the old file does not bring them back', async () => {
    const { fields, voter } = await person();
    const admin = await signedIn(t.services, 'admin');
    const { prisma } = t.services.db;
    await prisma.inboundMessage.create({
      data: { providerSid: `SM${randomUUID()}`, fromPhone: fields.phone, toPhone: '+33639980000', body: 'STOP' },
    });

    expect(await t.services.people.rights.erase({ kind: 'email', value: fields.email }, admin.principal)).toEqual({
      voters: 1,
      inboundMessages: 1,
    });
    expect(await prisma.voter.findUnique({ where: { id: voter.id } })).toBeNull();
    expect(await prisma.inboundMessage.count({ where: { fromPhone: fields.phone } })).toBe(0);
    const suppression = await prisma.suppression.findMany({ where: { reason: 'erasure' } });
    expect(JSON.stringify(suppression)).not.toMatch(new RegExp(`${fields.phone.slice(1)}|${fields.email}|${fields.external_id}"`));
    expect(await prisma.auditEvent.findFirst({ where: { action: 'person.erase', actorUserId: admin.user.id } })).toMatchObject({
      subjectType: 'person',
      details: { by: 'email', voters: 1, inboundMessages: 1, hashes: 3 },
    });

    // The old file again, with the person and a newcomer: only the newcomer comes in.
    const result = await t.services.imports.voters(
      electionId,
      voterCsv([
        { ...fields, external_id: 'OLD-FILE-ID', email: null },
        { external_id: `N${fields.list_number}`, last_name: 'Newcomer', list_number: fields.list_number + 5000 },
      ]),
      null,
    );
    expect(result).toMatchObject({ read: 2, imported: 1, created: 1, updated: 0, suppressed: { erased: 1, objected: 0 } });
    expect(await prisma.voter.count({ where: { phone: fields.phone } })).toBe(0);
    expect((await t.services.people.rights.show({ kind: 'phone', value: fields.phone }, admin.principal)).suppressed).toEqual([
      { reason: 'erasure', since: '2026-03-15T09:00:00.000Z' },
    ]);
  });

  it('objection: do-not-contact for good, pending calls and texts withdrawn, and a re-import keeps it so', async () => {
    const { fields, voter } = await person();
    const admin = await signedIn(t.services, 'admin');
    const { prisma } = t.services.db;
    const volunteer = await signedIn(t.services, 'volunteer');
    const list = await prisma.chaseList.create({ data: { electionId, name: 'Objection list', channel: 'sms', criteria: {} } });
    const calls = await prisma.chaseList.create({ data: { electionId, name: 'Objection calls', channel: 'call', criteria: {} } });
    const called = await prisma.chaseList.create({ data: { electionId, name: 'Objection, called', channel: 'call', criteria: {} } });
    const pending = await prisma.chaseEntry.create({ data: { listId: list.id, voterId: voter.id, priority: 1 } });
    const held = await prisma.chaseEntry.create({
      data: {
        listId: calls.id,
        voterId: voter.id,
        priority: 1,
        state: 'claimed',
        assigneeId: volunteer.user.id,
        leaseExpiresAt: new Date(Date.now() + 60_000),
      },
    });
    const done = await prisma.chaseEntry.create({
      data: { listId: called.id, voterId: voter.id, priority: 1, state: 'done', assigneeId: volunteer.user.id, doneAt: new Date() },
    });
    await prisma.outboundMessage.create({ data: { listId: list.id, voterId: voter.id, toPhone: fields.phone, body: 'Vote today' } });
    const events: unknown[] = [];
    const unsubscribe = t.services.feed.subscribe((event) => events.push(event));

    expect(await t.services.people.rights.object({ kind: 'externalId', value: fields.external_id }, admin.principal)).toEqual({
      voters: 1,
      withdrawn: 3,
    });
    unsubscribe();
    expect(await prisma.voter.findUnique({ where: { id: voter.id } })).toMatchObject({
      doNotContact: true,
      smsConsent: false,
      callConsent: false,
    });
    // Dropped, as when a volunteer hears "never contact me": the lists keep their history, the call already made stays done.
    const entries = await prisma.chaseEntry.findMany({ where: { voterId: voter.id }, orderBy: { id: 'asc' } });
    expect(entries.map((entry) => [entry.id, entry.state, entry.leaseExpiresAt])).toEqual([
      [pending.id, 'dropped', null],
      [held.id, 'dropped', null],
      [done.id, 'done', null],
    ]);
    // The volunteer holding the call is told, and both lists' progress moves.
    expect(events).toEqual([
      {
        type: 'chase:dropped',
        electionId,
        reason: 'do_not_contact',
        claims: [{ entryId: held.id, listId: calls.id, voterId: voter.id, assigneeId: volunteer.user.id }],
      },
      { type: 'chase:changed', electionId, listIds: [list.id, calls.id] },
    ]);
    expect(await prisma.outboundMessage.findFirst({ where: { voterId: voter.id } })).toMatchObject({ status: 'canceled' });

    // The campaign's file says they consent and may be contacted: the objection wins.
    const result = await t.services.imports.voters(electionId, voterCsv([{ ...fields, do_not_contact: 'no' }]), null);
    expect(result).toMatchObject({ read: 1, imported: 1, created: 0, updated: 1, suppressed: { erased: 0, objected: 1 } });
    expect(await prisma.voter.findUnique({ where: { id: voter.id } })).toMatchObject({
      doNotContact: true,
      smsConsent: false,
      callConsent: false,
    });
    expect(await prisma.auditEvent.findFirst({ where: { action: 'person.object', actorUserId: admin.user.id } })).toMatchObject({
      details: { by: 'externalId', voters: 1, withdrawn: 3, hashes: 3 },
    });
  });
});
