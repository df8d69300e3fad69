import { randomUUID } from 'node:crypto';
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeTwilio, type FakeTwilio } from '../../scripts/fake-twilio/fake-twilio.ts';
import { QUEUES, startWorkers } from '../../server/jobs/jobs.queues.ts';
import { createSmallElection, createTextList, createTextTemplate, createVoters, SMALL_ELECTION, type VoterFields } from '../factories.ts';
import { signedIn, type SignedIn } from '../fixtures.ts';
import { redisAvailable, startRedis } from '../setup/redis.ts';
import { openTestServices, type TestServices } from '../setup/services.ts';

/**
 * The SMS outbox end to end, in this process: texts queued by the real service, sent by the real
 * worker through the official Twilio SDK to the fake Twilio (scripts/fake-twilio), on both queue
 * backends. The test clock stands at 10:00 in Paris on polling day; polls close at 20:00.
 */

const BACKENDS = [
  { backend: 'postgres', redis: false },
  { backend: 'redis', redis: true },
] as const;

const NO_EXCLUSIONS = {
  no_phone: 0,
  do_not_contact: 0,
  opted_out: 0,
  no_consent: 0,
  voted: 0,
  too_many_texts: 0,
  polls_closed: 0,
  quiet_hours: 0,
};

describe.each(BACKENDS)('the SMS outbox on the $backend queue backend', ({ redis: onRedis }) => {
  const skip = onRedis && !redisAvailable;
  let redis: { url: string; stop(): Promise<void> } | undefined;
  let fake: FakeTwilio;
  let t: TestServices;
  let workers: Worker[];
  let smsWorker: Worker;
  let electionId: number;
  let coordinator: SignedIn;
  let templateId: number;
  let people = 0;

  beforeAll(async () => {
    if (skip) return;
    redis = onRedis ? await startRedis() : undefined;
    fake = await startFakeTwilio();
    t = await openTestServices({
      REDIS_URL: redis?.url,
      SMS_PROVIDER: 'twilio',
      SMS_SENDER_NAME: 'Campagne Test',
      // Pacing is not the subject here (the benchmark measures it).
      SMS_RATE_PER_SECOND: '1000',
      // Lunchtime quiet hours, so that a test can hold texts while the polls are open.
      SMS_QUIET_HOURS: '12:00-13:00',
      TWILIO_ACCOUNT_SID: fake.accountSid,
      TWILIO_AUTH_TOKEN: fake.authToken,
      TWILIO_FROM_NUMBER: '+33639980000',
      TWILIO_API_URL: fake.url,
    });
    electionId = (await createSmallElection(t.services)).id;
    coordinator = await signedIn(t.services, 'coordinator');
    templateId = (await createTextTemplate(t.services, electionId)).id;
    workers = await startWorkers(t.services.broker, t.services);
    smsWorker = workers.find((worker) => worker.name === QUEUES.sms.name)!;
  });

  afterAll(async () => {
    if (skip) return;
    await t?.close();
    await fake?.close();
    await redis?.stop();
  });

  beforeEach(async () => {
    if (skip) return;
    t.clock.reset();
    if (smsWorker.isPaused()) smsWorker.resume();
  });

  /** People of the test's own, consenting supporters with mobile numbers unless `fields` says otherwise. */
  async function voters(count: number, fields: (i: number) => VoterFields = () => ({})) {
    const rows = Array.from({ length: count }, (_, i) => {
      people++;
      return {
        external_id: `S${people}`,
        first_name: `Prénom${people}`,
        phone: `+336399${String(80_000 + people).padStart(5, '0')}`,
        station_code: '0101',
        list_number: 2000 + people,
        ...fields(i),
      };
    });
    return [...(await createVoters(t.services, electionId, rows)).values()];
  }

  async function textList(voterIds: number[]) {
    return (await createTextList(t.services, electionId, voterIds, `List ${randomUUID().slice(0, 6)}`)).id;
  }

  const rowsOf = (listId: number) => t.services.db.prisma.outboundMessage.findMany({ where: { listId }, orderBy: { id: 'asc' } });
  const acceptedTo = (phone: string) => fake.accepted.filter((message) => message.to === phone);

  /** Waits until no row of the list is pending or being sent (the worker has done what it can). */
  async function settled(listId: number, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const busy = await t.services.db.prisma.outboundMessage.count({
        where: { listId, status: { in: ['pending', 'sending'] }, reviewReason: null },
      });
      if (busy === 0) return rowsOf(listId);
      if (Date.now() > deadline) throw new Error(`${busy} texts of list ${listId} still pending or sending`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it.skipIf(skip)('plans, sends each text once through Twilio, and sends nothing more when the list is sent again', async () => {
    const [a, b, landline, refusing, doNotContact] = await voters(
      5,
      (i) => [{}, {}, { phone: '+33140000000' }, { sms_consent: 'no' }, { do_not_contact: 'yes' }][i]!,
    );
    const listId = await textList([a!.id, b!.id, landline!.id, refusing!.id, doNotContact!.id]);

    const plan = await t.services.sms.planListTexts(coordinator.principal, listId, templateId);
    expect(plan).toEqual({
      recipients: 2,
      excluded: { ...NO_EXCLUSIONS, no_phone: 1, no_consent: 1, do_not_contact: 1 },
      alreadyQueued: 0,
      ratePerSecond: 1000,
      drainSeconds: 1,
      secondsLeft: 10 * 3600,
      willFinish: true,
      startsAt: null,
      sample: `Bonjour ${a!.firstName}, votre bureau School A ferme à 20:00.\nCampagne Test. STOP pour ne plus recevoir de SMS`,
    });

    expect(await t.services.sms.sendListTexts(coordinator.principal, listId, templateId)).toEqual({
      queued: 2,
      excluded: plan.excluded,
      alreadyQueued: 0,
      startsAt: null,
    });
    const rows = await settled(listId);
    expect(rows.map((row) => [row.voterId, row.status, row.attempts])).toEqual([
      [a!.id, 'sent', 1],
      [b!.id, 'sent', 1],
    ]);
    for (const [row, person] of [
      [rows[0]!, a!],
      [rows[1]!, b!],
    ] as const) {
      expect(acceptedTo(person.phone!)).toEqual([
        expect.objectContaining({
          sid: row.providerSid,
          body: row.body,
          from: '+33639980000',
          statusCallback: 'http://localhost:3000/webhooks/twilio/status',
        }),
      ]);
    }

    expect(await t.services.sms.sendListTexts(coordinator.principal, listId, templateId)).toEqual({
      queued: 0,
      excluded: plan.excluded,
      alreadyQueued: 2,
      startsAt: null,
    });
    await settled(listId);
    expect(acceptedTo(a!.phone!)).toHaveLength(1);
    expect(acceptedTo(b!.phone!)).toHaveLength(1);
    const audit = await t.services.db.prisma.auditEvent.findMany({
      where: { action: 'sms.send_list', subjectId: String(listId) },
      orderBy: { id: 'asc' },
    });
    expect(audit.map((entry) => (entry.details as { queued: number }).queued)).toEqual([2, 0]);
  });

  it.skipIf(skip)('retries a text Twilio rate-limited (429, 20429), and sends it once', async () => {
    const [person] = await voters(1);
    const listId = await textList([person!.id]);
    const before = fake.rateLimited;
    fake.fault({ rateLimitNext: 2 });
    await t.services.sms.sendListTexts(coordinator.principal, listId, templateId);
    const [row] = await settled(listId);
    expect(fake.rateLimited - before).toBe(2);
    expect(row).toMatchObject({ status: 'sent', attempts: 3, errorCode: null });
    expect(acceptedTo(person!.phone!).map((message) => message.sid)).toEqual([row!.providerSid]);
  });

  it.skipIf(skip)('does not retry a permanent refusal (21610, unsubscribed): the text fails with its code', async () => {
    const [person] = await voters(1);
    fake.fault({ refuse: { [person!.phone!]: 21610 } });
    const listId = await textList([person!.id]);
    await t.services.sms.sendListTexts(coordinator.principal, listId, templateId);
    const [row] = await settled(listId);
    expect(row).toMatchObject({ status: 'failed', errorCode: '21610', attempts: 1, providerSid: null });
    const job = await t.services.broker.queue(QUEUES.sms.name).getJob(`sms-${row!.id}`);
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
    expect(acceptedTo(person!.phone!)).toEqual([]);
  });

  it.skipIf(skip)('stops texts to someone who opts out or votes while the list is being sent', async () => {
    const [optsOut, votes, stays] = await voters(3);
    const listId = await textList([optsOut!.id, votes!.id, stays!.id]);
    await smsWorker.pause();
    expect((await t.services.sms.sendListTexts(coordinator.principal, listId, templateId)).queued).toBe(3);

    // STOP arrives (the inbound webhook sets this), and a watcher strikes the other one off.
    await t.services.db.prisma.voter.update({ where: { id: optsOut!.id }, data: { smsOptedOutAt: t.clock.now() } });
    await t.services.voteMarks.submit(
      coordinator.principal,
      { id: randomUUID(), stationCode: '0101', listNumbers: [votes!.listNumber!], markedAt: t.clock.now().toISOString() },
      'web',
    );
    const afterMark = await rowsOf(listId);
    expect(afterMark.map((row) => [row.voterId, row.status, row.cancelReason])).toEqual([
      [optsOut!.id, 'pending', null],
      [votes!.id, 'canceled', 'voted'],
      [stays!.id, 'pending', null],
    ]);

    smsWorker.resume();
    const rows = await settled(listId);
    expect(rows.map((row) => [row.voterId, row.status, row.cancelReason])).toEqual([
      [optsOut!.id, 'canceled', 'opted_out'],
      [votes!.id, 'canceled', 'voted'],
      [stays!.id, 'sent', null],
    ]);
    expect(acceptedTo(optsOut!.phone!)).toEqual([]);
    expect(acceptedTo(votes!.phone!)).toEqual([]);
    expect(acceptedTo(stays!.phone!)).toHaveLength(1);
  });

  it.skipIf(skip)('sends nothing once the polls have closed', async () => {
    const [a, b] = await voters(2);
    const listId = await textList([a!.id, b!.id]);
    await smsWorker.pause();
    expect((await t.services.sms.sendListTexts(coordinator.principal, listId, templateId)).queued).toBe(2);
    t.clock.set('2026-03-15T19:00:00Z'); // 20:00 in Paris
    smsWorker.resume();
    const rows = await settled(listId);
    expect(rows.map((row) => [row.status, row.cancelReason])).toEqual([
      ['canceled', 'polls_closed'],
      ['canceled', 'polls_closed'],
    ]);
    expect([...acceptedTo(a!.phone!), ...acceptedTo(b!.phone!)]).toEqual([]);

    const plan = await t.services.sms.planListTexts(coordinator.principal, listId, templateId);
    expect(plan).toMatchObject({ recipients: 0, excluded: { ...NO_EXCLUSIONS }, alreadyQueued: 2, secondsLeft: 0, sample: '' });
    const late = await textList([(await voters(1))[0]!.id]);
    expect(await t.services.sms.planListTexts(coordinator.principal, late, templateId)).toMatchObject({
      recipients: 0,
      excluded: { ...NO_EXCLUSIONS, polls_closed: 1 },
    });
  });

  it.skipIf(skip)('holds texts during quiet hours, when they are queued and when they are about to be sent', async () => {
    const [held] = await voters(1);
    t.clock.set('2026-03-15T11:30:00Z'); // 12:30 in Paris: quiet until 13:00
    const listId = await textList([held!.id]);
    const plan = await t.services.sms.planListTexts(coordinator.principal, listId, templateId);
    expect(plan).toMatchObject({ recipients: 1, startsAt: '2026-03-15T12:00:00.000Z', willFinish: true });
    expect(await t.services.sms.sendListTexts(coordinator.principal, listId, templateId)).toMatchObject({
      queued: 1,
      startsAt: '2026-03-15T12:00:00.000Z',
    });
    const [queued] = await rowsOf(listId);
    const queue = t.services.broker.queue(QUEUES.sms.name);
    const job = await queue.getJob(`sms-${queued!.id}`);
    expect(await job!.getState()).toBe('delayed');
    expect(job!.opts.delay).toBe(30 * 60_000);

    // Queued at 11:59, about to be sent at 12:00: the worker puts it back and waits.
    t.clock.set('2026-03-15T10:59:00Z');
    const [later] = await voters(1);
    const laterList = await textList([later!.id]);
    await smsWorker.pause();
    expect((await t.services.sms.sendListTexts(coordinator.principal, laterList, templateId)).startsAt).toBeNull();
    t.clock.set('2026-03-15T11:00:00Z');
    smsWorker.resume();
    const deadline = Date.now() + 10_000;
    const [row] = await rowsOf(laterList);
    while ((await queue.getJob(`sms-${row!.id}`).then((waiting) => waiting!.getState())) !== 'delayed') {
      if (Date.now() > deadline) throw new Error('the held text was not put back to wait');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await rowsOf(laterList)).toMatchObject([{ status: 'pending', attempts: 0 }]);
    expect(acceptedTo(held!.phone!)).toEqual([]);
    expect(acceptedTo(later!.phone!)).toEqual([]);
  });

  it.skipIf(skip)('sends no more than SMS_MAX_PER_VOTER texts (3) to one person in an election', async () => {
    const [person] = await voters(1);
    const lists = [await textList([person!.id]), await textList([person!.id]), await textList([person!.id])];
    for (const listId of lists) await t.services.sms.sendListTexts(coordinator.principal, listId, templateId);
    for (const listId of lists) await settled(listId);
    const fourth = await textList([person!.id]);
    expect(await t.services.sms.planListTexts(coordinator.principal, fourth, templateId)).toMatchObject({
      recipients: 0,
      excluded: { ...NO_EXCLUSIONS, too_many_texts: 1 },
    });
    expect((await t.services.sms.sendListTexts(coordinator.principal, fourth, templateId)).queued).toBe(0);
    expect(acceptedTo(person!.phone!)).toHaveLength(3);
  });

  it.skipIf(skip)('lets a volunteer text the person they hold, as the sender, and no one else', async () => {
    const volunteer = await signedIn(t.services, 'volunteer');
    const [held, notHeld] = await voters(2);
    const listId = await textList([held!.id, notHeld!.id]);
    await t.services.db.prisma.chaseEntry.updateMany({
      where: { listId, voterId: held!.id },
      data: { state: 'claimed', assigneeId: volunteer.user.id, leaseExpiresAt: new Date(t.clock.now().getTime() + 600_000) },
    });
    const entries = await t.services.db.prisma.chaseEntry.findMany({ where: { listId }, orderBy: { rank: 'asc' } });
    const { messageId } = await t.services.sms.sendPeerText(volunteer.principal, entries[0]!.id, templateId);
    await expect(t.services.sms.sendPeerText(volunteer.principal, entries[1]!.id, templateId)).rejects.toMatchObject({ code: 'not_found' });
    await expect(t.services.sms.sendPeerText(coordinator.principal, entries[0]!.id, templateId)).rejects.toMatchObject({
      code: 'forbidden',
    });
    const deadline = Date.now() + 10_000;
    while ((await t.services.db.prisma.outboundMessage.findUniqueOrThrow({ where: { id: messageId } })).status !== 'sent') {
      if (Date.now() > deadline) throw new Error('the peer text was not sent');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await t.services.db.prisma.outboundMessage.findUniqueOrThrow({ where: { id: messageId } })).toMatchObject({
      senderId: volunteer.user.id,
      listId: null,
      voterId: held!.id,
    });
    expect(acceptedTo(held!.phone!)).toHaveLength(1);
    expect(acceptedTo(notHeld!.phone!)).toEqual([]);
  });

  it.skipIf(skip)('leaves a text Twilio may have taken for reconciliation, never resending it blindly', async () => {
    const listId = await textList((await voters(2)).map((person) => person.id));
    // Twilio takes one of the two and the connection drops before its answer.
    fake.fault({ dropAfterAcceptNext: 1 });
    await t.services.sms.sendListTexts(coordinator.principal, listId, templateId);
    const deadline = Date.now() + 10_000;
    // One answered (sent), the other accepted with no answer (it stays in `sending`).
    while (
      (await rowsOf(listId))
        .map((row) => row.status)
        .sort()
        .join() !== 'sending,sent'
    ) {
      if (Date.now() > deadline) throw new Error('the texts were not tried');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const rows = await rowsOf(listId);
    const taken = rows.find((row) => row.status === 'sending')!;
    const sent = rows.find((row) => row.status === 'sent')!;
    expect(taken).toMatchObject({ providerSid: null, attempts: 1 });
    // The other one as a crash right after its flip would leave it, had it never reached Twilio.
    await t.services.db.prisma.outboundMessage.update({
      where: { id: sent.id },
      data: { status: 'sending', providerSid: null, sentAt: null, updatedAt: t.clock.now() },
    });
    (fake.accepted as unknown[]).splice(
      fake.accepted.findIndex((message) => message.to === sent.toPhone),
      1,
    );

    t.clock.advance(2 * 60_000);
    expect(await t.services.sms.delivery.reconcile({ requeue: false })).toEqual({ sent: 1, review: 1, requeued: 0 });
    expect(await t.services.db.prisma.outboundMessage.findUniqueOrThrow({ where: { id: taken.id } })).toMatchObject({
      status: 'sent',
      providerSid: acceptedTo(taken.toPhone)[0]!.sid,
      reviewReason: null,
    });
    expect(await t.services.db.prisma.outboundMessage.findUniqueOrThrow({ where: { id: sent.id } })).toMatchObject({
      status: 'sending',
      reviewReason: 'not_found_at_provider',
    });
    expect(acceptedTo(taken.toPhone)).toHaveLength(1);
    expect(acceptedTo(sent.toPhone)).toHaveLength(0);

    const outbox = await t.services.sms.outbox(coordinator.principal, { listId, review: true });
    expect(outbox.rows.map((row) => row.id)).toEqual([sent.id]);
    expect(outbox.counts).toMatchObject({ sent: 1, sending: 1, review: 1 });

    await expect(t.services.sms.decide(coordinator.principal, taken.id, 'resend')).rejects.toMatchObject({ code: 'not_for_review' });
    expect(await t.services.sms.decide(coordinator.principal, sent.id, 'resend')).toEqual({ status: 'pending' });
    await settled(listId);
    expect(await t.services.db.prisma.outboundMessage.findUniqueOrThrow({ where: { id: sent.id } })).toMatchObject({
      status: 'sent',
      reviewReason: null,
      attempts: 2,
    });
    expect(acceptedTo(sent.toPhone)).toHaveLength(1);
  });

  it.skipIf(skip)('is for coordinators and admins only', async () => {
    const volunteer = await signedIn(t.services, 'volunteer');
    const listId = await textList([(await voters(1))[0]!.id]);
    await expect(t.services.sms.planListTexts(volunteer.principal, listId, templateId)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(t.services.sms.sendListTexts(volunteer.principal, listId, templateId)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(t.services.sms.outbox(volunteer.principal, {})).rejects.toMatchObject({ code: 'forbidden' });
    await expect(t.services.sms.sendListTexts(coordinator.principal, listId, 999_999)).rejects.toMatchObject({
      code: 'not_found',
      field: 'templateId',
    });
  });
});

describe('the local provider (the default: nothing leaves the machine)', () => {
  let t: TestServices;

  beforeAll(async () => {
    t = await openTestServices();
    await startWorkers(t.services.broker, t.services);
  });
  afterAll(() => t.close());

  it('marks each text sent with a local SID, the Outbox page being its record', async () => {
    const electionId = (await createSmallElection(t.services)).id;
    const coordinator = await signedIn(t.services, 'coordinator');
    const templateId = (await createTextTemplate(t.services, electionId, 'Bonjour {firstName}')).id;
    const people = await createVoters(t.services, electionId, [{ external_id: 'L1', first_name: 'Alix', phone: '+33639981001' }]);
    const listId = (await createTextList(t.services, electionId, [people.get('L1')!.id])).id;
    expect((await t.services.sms.sendListTexts(coordinator.principal, listId, templateId)).queued).toBe(1);
    const deadline = Date.now() + 10_000;
    while ((await t.services.sms.outbox(coordinator.principal, { listId })).counts.sent !== 1) {
      if (Date.now() > deadline) throw new Error('the text was not sent');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const outbox = await t.services.sms.outbox(coordinator.principal, { listId });
    expect(outbox.rows).toEqual([
      expect.objectContaining({
        status: 'sent',
        toPhone: '+33639981001',
        body: `Bonjour Alix\n${SMALL_ELECTION.name}. STOP pour ne plus recevoir de SMS`,
        providerSid: expect.stringMatching(/^SM[0-9a-f]{32}$/),
        attempts: 1,
      }),
    ]);
    expect(outbox.nextAfter).toBeNull();
  });

  it('sends again a text a crash left in sending: it reached nobody', async () => {
    const electionId = (await createSmallElection(t.services)).id;
    const coordinator = await signedIn(t.services, 'coordinator');
    const people = await createVoters(t.services, electionId, [{ external_id: 'L2', first_name: 'Basile', phone: '+33639981002' }]);
    const listId = (await createTextList(t.services, electionId, [people.get('L2')!.id])).id;
    // As a worker killed right after its flip to `sending` leaves it.
    const message = await t.services.db.prisma.outboundMessage.create({
      data: {
        listId,
        voterId: people.get('L2')!.id,
        toPhone: '+33639981002',
        body: 'Bonjour Basile',
        status: 'sending',
        attempts: 1,
        updatedAt: t.clock.now(),
      },
    });
    t.clock.advance(10 * 60_000);
    expect(await t.services.sms.delivery.reconcile({ requeue: false })).toEqual({ sent: 0, review: 0, requeued: 1 });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const row = await t.services.db.prisma.outboundMessage.findUniqueOrThrow({ where: { id: message.id } });
      if (row.status === 'sent') {
        expect(row).toMatchObject({ reviewReason: null, attempts: 2, providerSid: expect.stringMatching(/^SM[0-9a-f]{32}$/) });
        expect((await t.services.sms.outbox(coordinator.principal, { listId, review: true })).rows).toEqual([]);
        break;
      }
      if (Date.now() > deadline) throw new Error(`the text was not sent again (${row.status})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
});
