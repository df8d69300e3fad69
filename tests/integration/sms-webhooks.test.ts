import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { KEYWORDS } from '../../server/messaging/sms.keywords.ts';
import { reportIdOfMessage } from '../../server/messaging/sms.watcher-reports.ts';
import { openRelance } from '../../server/relance.ts';
import { createSmallElection, createVoters } from '../factories.ts';
import { signedIn } from '../fixtures.ts';
import { TestClock } from '../setup/clock.ts';
import { createTestDatabase } from '../setup/database.ts';
import { openTestServices, startTestServer, type TestServices } from '../setup/services.ts';

/** The auth token Twilio signs with, as the test's configuration gives it to Relance. */
const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
/** PUBLIC_URL in tests/setup/services.ts: Twilio signs the address it was given, not the one the server listens on. */
const PUBLIC_URL = 'http://localhost:3000';
const CAMPAIGN_NUMBER = '+33199001234';

let t: TestServices;
let server: { url: string; close(): Promise<void> };
let electionId: number;

beforeAll(async () => {
  t = await openTestServices({ TWILIO_AUTH_TOKEN: AUTH_TOKEN });
  electionId = (await createSmallElection(t.services)).id;
  server = await startTestServer(t.services);
});

afterAll(async () => {
  await server.close();
  await t.close();
});

beforeEach(() => t.clock.reset()); // 10:00 in Paris on polling day (2026-03-15T09:00Z)

const prisma = () => t.services.db.prisma;

let phones = 0;
/** A fiction number (ARCEP's 06 39 98 block) no other test uses. */
function newPhone(): string {
  phones++;
  return `+3363998${String(phones).padStart(4, '0')}`;
}

const newSid = () => `SM${randomBytes(16).toString('hex')}`;

interface Sent {
  status: number;
  body: string;
  contentType: string | null;
}

async function postForm(path: string, params: Record<string, string>, signature: string | null): Promise<Sent> {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (signature !== null) headers['X-Twilio-Signature'] = signature;
  const response = await fetch(server.url + path, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') };
}

/** A webhook as Twilio sends it: signed with the auth token over the public address and the parameters. */
function signed(path: string, params: Record<string, string>, baseUrl = server.url) {
  const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + path, params);
  return fetchSigned(baseUrl, path, params, signature);
}

async function fetchSigned(baseUrl: string, path: string, params: Record<string, string>, signature: string): Promise<Sent> {
  const response = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') };
}

function inboundParams(from: string, body: string, sid = newSid()) {
  return { MessageSid: sid, SmsSid: sid, AccountSid: `AC${'0'.repeat(32)}`, From: from, To: CAMPAIGN_NUMBER, Body: body, NumMedia: '0' };
}

const text = (from: string, body: string, sid?: string) => signed('/webhooks/twilio/inbound', inboundParams(from, body, sid));

/** TwiML with one message, as the SDK writes it. */
function twimlSaying(reply: string | null): string {
  const response = new twilio.twiml.MessagingResponse();
  if (reply) response.message(reply);
  return response.toString();
}

let voterCount = 0;
/** A consenting voter at station 0101 with a phone of their own (or the one given). */
async function voterWith(phone = newPhone(), fields: Record<string, string> = {}) {
  voterCount++;
  const externalId = `SMS-${voterCount}`;
  const voters = await createVoters(t.services, electionId, [
    { external_id: externalId, list_number: 100 + voterCount, phone, first_name: 'Camille', last_name: `Texte ${voterCount}`, ...fields },
  ]);
  return voters.get(externalId)!;
}

async function outbound(
  voterId: number,
  toPhone: string,
  fields: { status?: 'pending' | 'sending' | 'sent'; senderId?: number; createdAt?: Date } = {},
) {
  return prisma().outboundMessage.create({
    data: {
      voterId,
      toPhone,
      body: 'Les bureaux ferment à 20h.',
      status: fields.status ?? 'pending',
      senderId: fields.senderId ?? null,
      providerSid: fields.status && fields.status !== 'pending' ? newSid() : null,
      createdAt: fields.createdAt ?? t.clock.now(),
    },
  });
}

async function watcherWith(phone: string, stationCodes: string[], locale?: string) {
  const user = await t.services.accounts.createUser({ name: 'Léa Observatrice', role: 'watcher', phone, stationCodes }, null);
  if (locale) await prisma().user.update({ where: { id: user.id }, data: { locale } });
  return user;
}

const reportCount = () => prisma().turnoutReport.count();
const inboundCount = () => prisma().inboundMessage.count();

describe('X-Twilio-Signature', () => {
  it('refuses an incoming text without a signature (403) and changes nothing', async () => {
    const voter = await voterWith();
    const before = await inboundCount();
    const answer = await postForm('/webhooks/twilio/inbound', inboundParams(voter.phone!, 'STOP'), null);
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toEqual({
      error: { code: 'invalid_signature', message: 'The X-Twilio-Signature header is missing or does not match.', field: null },
    });
    expect((await prisma().voter.findUniqueOrThrow({ where: { id: voter.id } })).smsOptedOutAt).toBeNull();
    expect(await inboundCount()).toBe(before);
  });

  it('refuses a tampered text (signed for another body) and one signed with another token', async () => {
    const voter = await voterWith();
    const before = await inboundCount();
    const params = inboundParams(voter.phone!, 'Merci !');
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + '/webhooks/twilio/inbound', params);
    const tampered = await postForm('/webhooks/twilio/inbound', { ...params, Body: 'STOP' }, signature);
    expect(tampered.status).toBe(403);
    const otherToken = twilio.getExpectedTwilioSignature('another-token-0123456789', PUBLIC_URL + '/webhooks/twilio/inbound', params);
    expect((await postForm('/webhooks/twilio/inbound', params, otherToken)).status).toBe(403);
    // Signed for another address (the server's own, not the public one Twilio was given).
    const otherUrl = twilio.getExpectedTwilioSignature(AUTH_TOKEN, server.url + '/webhooks/twilio/inbound', params);
    expect((await postForm('/webhooks/twilio/inbound', params, otherUrl)).status).toBe(403);
    expect((await prisma().voter.findUniqueOrThrow({ where: { id: voter.id } })).smsOptedOutAt).toBeNull();
    expect(await inboundCount()).toBe(before);
  });

  it('refuses a tampered status callback and leaves the text as it was', async () => {
    const voter = await voterWith();
    const row = await outbound(voter.id, voter.phone!, { status: 'sent' });
    const params = { MessageSid: row.providerSid!, MessageStatus: 'delivered' };
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + '/webhooks/twilio/status', params);
    const tampered = await postForm('/webhooks/twilio/status', { ...params, MessageStatus: 'failed', ErrorCode: '30003' }, signature);
    expect(tampered.status).toBe(403);
    expect((await postForm('/webhooks/twilio/status', params, null)).status).toBe(403);
    const after = await prisma().outboundMessage.findUniqueOrThrow({ where: { id: row.id } });
    expect([after.status, after.errorCode]).toEqual(['sent', null]);
  });

  it('checks the query string too: the address Twilio signs is the whole URL', async () => {
    const voter = await voterWith();
    const params = inboundParams(voter.phone!, 'Bonjour');
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + '/webhooks/twilio/inbound?site=paris', params);
    expect((await fetchSigned(server.url, '/webhooks/twilio/inbound?site=other', params, signature)).status).toBe(403);
    expect((await fetchSigned(server.url, '/webhooks/twilio/inbound?site=paris', params, signature)).status).toBe(200);
  });

  it('refuses every webhook when no Twilio auth token is configured', async () => {
    const bare = await openTestServices();
    const bareServer = await startTestServer(bare.services);
    try {
      const params = inboundParams(newPhone(), 'STOP');
      // Signed with some token: there is none to check it against, so it cannot be trusted.
      const answer = await signed('/webhooks/twilio/inbound', params, bareServer.url);
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body).error.code).toBe('webhook_not_configured');
      expect((await signed('/webhooks/twilio/status', { MessageSid: newSid(), MessageStatus: 'sent' }, bareServer.url)).status).toBe(403);
      expect(await bare.services.db.prisma.inboundMessage.count()).toBe(0);
    } finally {
      await bareServer.close();
      await bare.close();
    }
  });

  it('is not subject to the origin check, but is to the size limit', async () => {
    const params = inboundParams(newPhone(), 'x'.repeat(70 * 1024));
    const answer = await text(params.From, params.Body, params.MessageSid);
    expect(answer.status).toBe(413);
    const voter = await voterWith();
    const params2 = inboundParams(voter.phone!, 'Bonjour');
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + '/webhooks/twilio/inbound', params2);
    const response = await fetch(server.url + '/webhooks/twilio/inbound', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': signature,
        Origin: 'https://elsewhere.example',
      },
      body: new URLSearchParams(params2).toString(),
    });
    expect(response.status).toBe(200);
  });
});

describe('POST /webhooks/twilio/status', () => {
  async function callback(messageSid: string, messageStatus: string, errorCode?: string) {
    const params: Record<string, string> = { MessageSid: messageSid, MessageStatus: messageStatus, SmsStatus: messageStatus };
    if (errorCode) params.ErrorCode = errorCode;
    return signed('/webhooks/twilio/status', params);
  }
  const statusOf = async (id: number) => {
    const row = await prisma().outboundMessage.findUniqueOrThrow({ where: { id } });
    return [row.status, row.errorCode];
  };

  it('moves a text forward and answers empty TwiML', async () => {
    const voter = await voterWith();
    const row = await outbound(voter.id, voter.phone!, { status: 'sending' });
    const answer = await callback(row.providerSid!, 'queued');
    expect(answer).toEqual({ status: 200, body: twimlSaying(null), contentType: 'text/xml; charset=utf-8' });
    expect(await statusOf(row.id)).toEqual(['sending', null]);
    await callback(row.providerSid!, 'sent');
    expect(await statusOf(row.id)).toEqual(['sent', null]);
    await callback(row.providerSid!, 'delivered');
    expect(await statusOf(row.id)).toEqual(['delivered', null]);
    // Timed as webhooks of their own in the request metrics.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/relance_http_request_duration_seconds_count\{kind="webhook",method="POST",status="2xx"\} \d+/);
  });

  it('never moves a text backwards: a late sent or queued leaves it delivered', async () => {
    const voter = await voterWith();
    const row = await outbound(voter.id, voter.phone!, { status: 'sending' });
    await callback(row.providerSid!, 'delivered');
    expect((await callback(row.providerSid!, 'sent')).status).toBe(200);
    expect((await callback(row.providerSid!, 'queued')).status).toBe(200);
    expect((await callback(row.providerSid!, 'undelivered', '30005')).status).toBe(200);
    expect(await statusOf(row.id)).toEqual(['delivered', null]);
  });

  it('stores the error code of a failed or undelivered text', async () => {
    const voter = await voterWith();
    const failed = await outbound(voter.id, voter.phone!, { status: 'sent' });
    await callback(failed.providerSid!, 'failed', '30003');
    expect(await statusOf(failed.id)).toEqual(['failed', '30003']);
    const undelivered = await outbound(voter.id, voter.phone!, { status: 'sending' });
    await callback(undelivered.providerSid!, 'undelivered', '30005');
    await callback(undelivered.providerSid!, 'sent');
    expect(await statusOf(undelivered.id)).toEqual(['undelivered', '30005']);
  });

  it('answers 200 for an unknown message SID and changes nothing', async () => {
    const before = await prisma().outboundMessage.findMany({ orderBy: { id: 'asc' }, select: { id: true, status: true, errorCode: true } });
    const answer = await callback(newSid(), 'delivered');
    expect(answer.status).toBe(200);
    expect(
      await prisma().outboundMessage.findMany({ orderBy: { id: 'asc' }, select: { id: true, status: true, errorCode: true } }),
    ).toEqual(before);
  });

  it('answers 422 for a signed callback without a message SID', async () => {
    const answer = await signed('/webhooks/twilio/status', { MessageStatus: 'sent' });
    expect(answer.status).toBe(422);
    expect(JSON.parse(answer.body).error.code).toBe('invalid_input');
  });
});

describe('keywords', () => {
  const OPTED_OUT = 'Test town, first round : vous ne recevrez plus de SMS. START pour les recevoir à nouveau.';
  const OPTED_IN = 'Test town, first round : vous recevrez à nouveau nos SMS. STOP pour ne plus en recevoir.';
  const HELP = 'Ces SMS sont envoyés par Test town, first round. Répondez STOP pour ne plus en recevoir.';

  const variants = [...KEYWORDS.opt_out, 'ARRÊT', 'arrêt', 'Arrête', ' stop ', 'Stop', 'Arret', 'unsubscribe', 'Quit.'];

  it.each(variants)('%j opts out every voter with that phone and cancels their pending texts', async (keyword) => {
    const phone = newPhone();
    const first = await voterWith(phone);
    const second = await voterWith(phone);
    const other = await voterWith();
    const pending = await outbound(first.id, phone);
    const sent = await outbound(second.id, phone, { status: 'sent' });
    const othersPending = await outbound(other.id, other.phone!);
    t.clock.set('2026-03-15T10:30:00Z');

    const answer = await text(phone, keyword);
    expect(answer).toEqual({ status: 200, body: twimlSaying(OPTED_OUT), contentType: 'text/xml; charset=utf-8' });
    const voters = await prisma().voter.findMany({ where: { id: { in: [first.id, second.id, other.id] } }, orderBy: { id: 'asc' } });
    expect(voters.map((voter) => voter.smsOptedOutAt?.toISOString() ?? null)).toEqual([
      '2026-03-15T10:30:00.000Z',
      '2026-03-15T10:30:00.000Z',
      null,
    ]);
    const texts = await prisma().outboundMessage.findMany({
      where: { id: { in: [pending.id, sent.id, othersPending.id] } },
      orderBy: { id: 'asc' },
    });
    expect(texts.map((row) => [row.status, row.cancelReason])).toEqual([
      ['canceled', 'opted_out'],
      ['sent', null],
      ['pending', null],
    ]);
    const inbound = await prisma().inboundMessage.findFirstOrThrow({ where: { fromPhone: phone } });
    expect([inbound.kind, inbound.replyBody]).toEqual(['opt_out', OPTED_OUT]);
    const audit = await prisma().auditEvent.findFirstOrThrow({ where: { action: 'sms.opt_out', subjectId: String(inbound.id) } });
    expect(audit.details).toEqual({ voterIds: [first.id, second.id], optedOut: 2, canceledTexts: 1 });
    expect(JSON.stringify(audit)).not.toContain(phone);
  });

  it.each(['START', 'start', 'UNSTOP', ' Unstop '])('%j opts the voter back in', async (keyword) => {
    const voter = await voterWith();
    await text(voter.phone!, 'STOP');
    const answer = await text(voter.phone!, keyword);
    expect(answer.body).toBe(twimlSaying(OPTED_IN));
    expect((await prisma().voter.findUniqueOrThrow({ where: { id: voter.id } })).smsOptedOutAt).toBeNull();
    expect(await prisma().auditEvent.count({ where: { action: 'sms.opt_in', details: { path: ['voterIds'], equals: [voter.id] } } })).toBe(
      1,
    );
  });

  it.each(['HELP', 'help', 'Help ', 'INFO'])('%j is answered with who sends and how to stop, and changes nothing', async (keyword) => {
    const voter = await voterWith();
    const answer = await text(voter.phone!, keyword);
    expect(answer.body).toBe(twimlSaying(HELP));
    expect((await prisma().voter.findUniqueOrThrow({ where: { id: voter.id } })).smsOptedOutAt).toBeNull();
  });

  it('reads the sender in national form (06…) as the same phone', async () => {
    const voter = await voterWith();
    const national = `0${voter.phone!.slice(3)}`;
    await text(national, 'STOP');
    expect((await prisma().voter.findUniqueOrThrow({ where: { id: voter.id } })).smsOptedOutAt).not.toBeNull();
  });

  it('a replayed STOP stores nothing new and is answered the same', async () => {
    const voter = await voterWith();
    const pending = await outbound(voter.id, voter.phone!);
    const sid = newSid();
    const first = await text(voter.phone!, 'STOP', sid);
    // Opted back in meanwhile: the replay must not opt out again.
    await text(voter.phone!, 'START');
    const inboundBefore = await inboundCount();
    const auditBefore = await prisma().auditEvent.count({ where: { action: 'sms.opt_out' } });
    const replay = await text(voter.phone!, 'STOP', sid);
    expect(replay).toEqual(first);
    expect(await inboundCount()).toBe(inboundBefore);
    expect(await prisma().auditEvent.count({ where: { action: 'sms.opt_out' } })).toBe(auditBefore);
    expect((await prisma().voter.findUniqueOrThrow({ where: { id: voter.id } })).smsOptedOutAt).toBeNull();
    expect((await prisma().outboundMessage.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe('canceled');
  });

  it('two deliveries of the same text at once store it once', async () => {
    const voter = await voterWith();
    const sid = newSid();
    const answers = await Promise.all([text(voter.phone!, 'STOP', sid), text(voter.phone!, 'STOP', sid)]);
    expect(answers.map((answer) => answer.body)).toEqual([twimlSaying(OPTED_OUT), twimlSaying(OPTED_OUT)]);
    expect(await prisma().inboundMessage.count({ where: { providerSid: sid } })).toBe(1);
  });
});

describe('watcher reports by text', () => {
  const reportsOf = (reporterId: number) =>
    prisma().turnoutReport.findMany({
      where: { reporterId },
      select: { id: true, voters: true, source: true, observedAt: true, station: { select: { code: true } } },
    });

  it('stores "<station> <count>" from the watcher’s registered phone as their report, and confirms it', async () => {
    const phone = newPhone();
    const watcher = await watcherWith(phone, ['0101']);
    t.clock.set('2026-03-15T13:32:00Z');
    const sid = newSid();
    const answer = await text(phone, 'Bureau 0101 : 412 votants', sid);
    expect(answer.body).toBe(twimlSaying('Bureau 0101 : 412 votants enregistrés à 14:32'));
    expect(await reportsOf(watcher.id)).toEqual([
      { id: reportIdOfMessage(sid), voters: 412, source: 'sms', observedAt: new Date('2026-03-15T13:32:00Z'), station: { code: '0101' } },
    ]);
    const inbound = await prisma().inboundMessage.findUniqueOrThrow({ where: { providerSid: sid } });
    expect([inbound.kind, inbound.watcherId, inbound.voterId]).toEqual(['watcher_report', watcher.id, null]);
    expect((await prisma().pollingStation.findFirstOrThrow({ where: { electionId, code: '0101' } })).reportedVoters).toBe(412);
  });

  it('reads the commune-prefixed code and the count-first form, and answers in the watcher’s language', async () => {
    const phone = newPhone();
    const watcher = await watcherWith(phone, ['0102'], 'en');
    t.clock.set('2026-03-15T10:05:00Z');
    expect((await text(phone, '75056_0102 130')).body).toBe(twimlSaying('Station 0102: 130 voters recorded at 11:05'));
    t.clock.set('2026-03-15T11:05:00Z');
    expect((await text(phone, '210 0102')).body).toBe(twimlSaying('Station 0102: 210 voters recorded at 12:05'));
    expect((await reportsOf(watcher.id)).map((report) => report.voters).sort()).toEqual([130, 210]);
  });

  it('a replayed report stores one report and is answered the same, even an hour later', async () => {
    const phone = newPhone();
    const watcher = await watcherWith(phone, ['0201']);
    const sid = newSid();
    const first = await text(phone, '0201 99', sid);
    t.clock.advance(60 * 60_000);
    const replay = await text(phone, '0201 99', sid);
    expect(replay).toEqual(first);
    expect(first.body).toBe(twimlSaying('Bureau 0201 : 99 votants enregistrés à 10:00'));
    expect((await reportsOf(watcher.id)).length).toBe(1);
  });

  it.each([
    ['9999 12', 'Bureau 9999 inconnu. Vérifiez le code sur votre affectation et renvoyez : <bureau> <votants>'],
    ['0202 12', "Le bureau 0202 ne fait pas partie de vos bureaux. Rien n'a été enregistré."],
    ['bonjour, tout va bien', 'Message non compris. Envoyez le code du bureau puis le nombre de votants, par exemple : 0101 412'],
    ['0101 412 500', 'Message non compris. Envoyez le code du bureau puis le nombre de votants, par exemple : 0101 412'],
    ['0101 5000', 'Nombre refusé pour le bureau 0101. Vérifiez le nombre de votants et renvoyez-le, ou appelez votre coordinateur.'],
  ])('%j gets an error reply and stores no report', async (body, reply) => {
    const phone = newPhone();
    const watcher = await watcherWith(phone, ['0101']);
    const before = await reportCount();
    const answer = await text(phone, body);
    expect(answer).toEqual({ status: 200, body: twimlSaying(reply), contentType: 'text/xml; charset=utf-8' });
    expect(await reportCount()).toBe(before);
    expect(await reportsOf(watcher.id)).toEqual([]);
  });

  it('a report from a phone that is no watcher’s gets an error reply and stores no report', async () => {
    const before = await reportCount();
    const answer = await text(newPhone(), '0101 412');
    expect(answer.body).toBe(
      twimlSaying("Ce numéro n'est celui d'aucun observateur. Demandez à votre coordinateur d'enregistrer votre numéro."),
    );
    expect(await reportCount()).toBe(before);
  });

  it('a disabled watcher’s phone is no longer a watcher’s', async () => {
    const phone = newPhone();
    const watcher = await watcherWith(phone, ['0101']);
    await prisma().user.update({ where: { id: watcher.id }, data: { disabledAt: t.clock.now() } });
    const before = await reportCount();
    expect((await text(phone, '0101 300')).body).toContain("Ce numéro n'est celui d'aucun observateur.");
    expect(await reportCount()).toBe(before);
  });
});

describe('replies', () => {
  it('routes a reply to the volunteer who last texted the person, and to coordinators', async () => {
    const voter = await voterWith();
    const { user: earlier, principal: earlierPrincipal } = await signedIn(t.services, 'volunteer', { name: 'Volunteer Earlier' });
    const { user: latest, principal: latestPrincipal } = await signedIn(t.services, 'volunteer', { name: 'Volunteer Latest' });
    await outbound(voter.id, voter.phone!, { status: 'sent', senderId: earlier.id, createdAt: new Date('2026-03-15T08:00:00Z') });
    await outbound(voter.id, voter.phone!, { status: 'sent', senderId: latest.id, createdAt: new Date('2026-03-15T08:30:00Z') });
    const sid = newSid();
    const answer = await text(voter.phone!, 'Oui, j’y vais à midi', sid);
    expect(answer.body).toBe(twimlSaying(null));
    const inbound = await prisma().inboundMessage.findUniqueOrThrow({ where: { providerSid: sid } });
    expect([inbound.kind, inbound.voterId, inbound.volunteerId, inbound.readAt]).toEqual(['reply', voter.id, latest.id, null]);

    expect((await t.services.smsInbox.mine(latestPrincipal)).map((message) => [message.body, message.voter?.lastName])).toEqual([
      ['Oui, j’y vais à midi', voter.lastName],
    ]);
    expect(await t.services.smsInbox.mine(earlierPrincipal)).toEqual([]);
    const coordinator = await signedIn(t.services, 'coordinator');
    const inbox = await t.services.smsInbox.messages(coordinator.principal);
    expect(inbox.messages.find((message) => message.id === inbound.id)).toMatchObject({
      kind: 'reply',
      body: 'Oui, j’y vais à midi',
      voter: { firstName: 'Camille', lastName: voter.lastName, optedOut: false },
      volunteer: { name: 'Volunteer Latest' },
      readAt: null,
    });

    await expect(t.services.smsInbox.markRead(earlierPrincipal, inbound.id)).rejects.toMatchObject({ code: 'not_found' });
    await t.services.smsInbox.markRead(latestPrincipal, inbound.id);
    expect((await prisma().inboundMessage.findUniqueOrThrow({ where: { id: inbound.id } })).readAt).toEqual(t.clock.now());
  });

  it('a reply from a voter nobody texted goes to coordinators only', async () => {
    const voter = await voterWith();
    const sid = newSid();
    await text(voter.phone!, 'Qui êtes-vous ?', sid);
    const inbound = await prisma().inboundMessage.findUniqueOrThrow({ where: { providerSid: sid } });
    expect([inbound.kind, inbound.voterId, inbound.volunteerId]).toEqual(['reply', voter.id, null]);
  });
});

describe('the inbox', () => {
  it('counts opt-outs, opt-ins and unread replies; a coordinator marks a reply read', async () => {
    const coordinator = await signedIn(t.services, 'coordinator');
    const before = (await t.services.smsInbox.messages(coordinator.principal)).counts;
    const stays = await voterWith();
    const returns = await voterWith();
    await text(stays.phone!, 'STOP');
    await text(returns.phone!, 'ARRÊT');
    await text(returns.phone!, 'START');
    const sid = newSid();
    await text(stays.phone!, 'Pourquoi ?', sid);
    const inbox = await t.services.smsInbox.messages(coordinator.principal);
    expect(inbox.counts).toEqual({
      unread: before.unread + 1,
      optOuts: before.optOuts + 2,
      optIns: before.optIns + 1,
      optedOutNow: before.optedOutNow + 1,
    });
    const reply = inbox.messages.find((message) => message.body === 'Pourquoi ?')!;
    expect(reply.voter).toEqual({ firstName: 'Camille', lastName: stays.lastName, phone: stays.phone, optedOut: true });
    await t.services.smsInbox.markRead(coordinator.principal, reply.id);
    expect((await t.services.smsInbox.messages(coordinator.principal)).counts.unread).toBe(before.unread);
    await expect(t.services.smsInbox.markRead(coordinator.principal, 2_000_000_000)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('shows every text received, newest first, a page of 200 at a time', async () => {
    const coordinator = await signedIn(t.services, 'coordinator');
    await prisma().inboundMessage.createMany({
      data: Array.from({ length: 205 }, (_, index) => ({
        providerSid: newSid(),
        fromPhone: '+33639985555',
        toPhone: '+33639980000',
        body: `Réponse ${index}`,
      })),
    });
    const stored = (await prisma().inboundMessage.findMany({ select: { id: true }, orderBy: { id: 'desc' } })).map((row) => row.id);
    const shown: number[] = [];
    let after: number | undefined;
    for (;;) {
      const page = await t.services.smsInbox.messages(coordinator.principal, { after });
      expect(page.messages.length).toBeLessThanOrEqual(200);
      shown.push(...page.messages.map((message) => message.id));
      if (page.nextAfter === null) break;
      expect(page.messages).toHaveLength(200);
      after = page.nextAfter;
    }
    expect(shown).toEqual(stored);
  });

  it('in local mode, a coordinator’s simulated STOP goes through the same handler and opts the voter out', async () => {
    const coordinator = await signedIn(t.services, 'coordinator');
    const voter = await voterWith();
    const pending = await outbound(voter.id, voter.phone!);
    const national = `0${voter.phone!.slice(3, 4)} ${voter.phone!.slice(4, 6)} ${voter.phone!.slice(6, 8)} ${voter.phone!.slice(8, 10)} ${voter.phone!.slice(10)}`;
    const answer = await t.services.smsInbound.simulate(coordinator.principal, { from: national, body: 'Stop' });
    expect(answer).toEqual({
      kind: 'opt_out',
      reply: 'Test town, first round : vous ne recevrez plus de SMS. START pour les recevoir à nouveau.',
      replayed: false,
    });
    expect((await prisma().voter.findUniqueOrThrow({ where: { id: voter.id } })).smsOptedOutAt).toEqual(t.clock.now());
    expect((await prisma().outboundMessage.findUniqueOrThrow({ where: { id: pending.id } })).cancelReason).toBe('opted_out');
  });

  it('a volunteer may neither read the whole inbox nor simulate a text', async () => {
    const volunteer = await signedIn(t.services, 'volunteer');
    await expect(t.services.smsInbox.messages(volunteer.principal)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(t.services.smsInbound.simulate(volunteer.principal, { from: newPhone(), body: 'STOP' })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('outside local mode, simulating a text is refused; HELP names SMS_SENDER_NAME when it is set', async () => {
    const twilioMode = await openTestServices({
      SMS_PROVIDER: 'twilio',
      SMS_SENDER_NAME: 'Équipe Dupont',
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM_NUMBER: CAMPAIGN_NUMBER,
    });
    try {
      const coordinator = await signedIn(twilioMode.services, 'coordinator');
      await expect(
        twilioMode.services.smsInbound.simulate(coordinator.principal, { from: newPhone(), body: 'STOP' }),
      ).rejects.toMatchObject({
        code: 'sms_simulation_unavailable',
      });
      expect(await twilioMode.services.db.prisma.inboundMessage.count()).toBe(0);
      const help = await twilioMode.services.smsInbound.receive({
        messageSid: newSid(),
        from: newPhone(),
        to: CAMPAIGN_NUMBER,
        body: 'Help',
      });
      expect(help).toEqual({
        kind: 'help',
        reply: 'Ces SMS sont envoyés par Équipe Dupont. Répondez STOP pour ne plus en recevoir.',
        replayed: false,
      });
    } finally {
      await twilioMode.close();
    }
  });
});

describe('logs', () => {
  it('name no phone number, text or person: refused calls, unknown SIDs, keywords, reports and replies', async () => {
    const logged: string[] = [];
    const database = await createTestDatabase();
    const config = parseConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'debug', PUBLIC_URL: PUBLIC_URL, TWILIO_AUTH_TOKEN: AUTH_TOKEN });
    const relance = await openRelance({
      config,
      log: createLogger('debug', { write: (line: string) => void logged.push(line) }),
      clock: new TestClock(),
      poolSize: 3,
      queuePrefix: `test-${randomBytes(4).toString('hex')}`,
    });
    const logServer = await startTestServer(relance.services);
    try {
      const { id } = await createSmallElection(relance.services);
      const voterPhone = '+33639989901';
      const watcherPhone = '+33639989902';
      await createVoters(relance.services, id, [
        { external_id: 'LOG-1', phone: voterPhone, first_name: 'Apolline', last_name: 'Journalisée' },
      ]);
      await relance.services.accounts.createUser(
        { name: 'Octave Observateur', role: 'watcher', phone: watcherPhone, stationCodes: ['0101'] },
        null,
      );
      const send = (params: Record<string, string>, path = '/webhooks/twilio/inbound') => signed(path, params, logServer.url);

      await fetch(logServer.url + '/webhooks/twilio/inbound', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': 'forged' },
        body: new URLSearchParams(inboundParams(voterPhone, 'Secret refusé')).toString(),
      });
      await send({ MessageSid: newSid(), MessageStatus: 'delivered' }, '/webhooks/twilio/status');
      await send(inboundParams(voterPhone, 'Message privé pour Apolline'));
      await send(inboundParams(voterPhone, 'STOP'));
      await send(inboundParams(watcherPhone, '0101 412'));
      await send(inboundParams(watcherPhone, '0202 17'));
      await send(inboundParams('+33639989903', '0101 9'));

      expect(logged.some((line) => line.includes('unknown message'))).toBe(true);
      expect(logged.some((line) => line.includes('invalid signature'))).toBe(true);
      expect(logged.some((line) => line.includes('sms watcher report'))).toBe(true);
      const all = logged.join('\n');
      for (const secret of [
        voterPhone,
        watcherPhone,
        '+33639989903',
        '639989901',
        'Apolline',
        'Journalisée',
        'Octave',
        'Message privé',
        'Secret refusé',
        AUTH_TOKEN,
      ]) {
        expect(all).not.toContain(secret);
      }
    } finally {
      await logServer.close();
      await relance.close();
      await database.discard();
    }
  });
});
