import { randomBytes } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { requireRole } from '../auth/auth.guards.ts';
import { ACCESS, type Principal } from '../auth/auth.roles.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { PrismaClient } from '../db/database.ts';
import type { InboundKind } from '../db/generated/client.ts';
import type { Elections } from '../elections/elections.service.ts';
import { Forbidden } from '../errors.ts';
import { DEFAULT_PHONE_REGION } from '../imports/imports.phones.ts';
import type { Logger } from '../logger.ts';
import { readKeyword, type KeywordKind } from './sms.keywords.ts';
import { readStationReport } from './sms.report-grammar.ts';
import { helpReply, optedInReply, optedOutReply } from './sms.replies.ts';
import type { SmsWatcherReports, WatcherWithStations } from './sms.watcher-reports.ts';

/**
 * Every text people send to the campaign's number, from Twilio's inbound webhook or, in local mode,
 * the inbox page's simulator (docs/sms-inbound.md). Each is stored once by its message SID, read as
 * one of:
 *
 * 1. a keyword (sms.keywords.ts): STOP and its kin opt out every voter with that phone and cancel
 *    the texts still waiting for them; START opts back in; HELP says who sends and how to stop;
 * 2. a turnout report from a watcher's registered phone (sms.watcher-reports.ts), or a text that
 *    reads as one from a phone that is nobody's (told to register);
 * 3. a reply for the inbox: coordinators see it, and so does the volunteer who last texted them.
 *
 * The same SID again (Twilio retries a webhook that timed out) stores nothing new and is answered
 * with the reply given the first time.
 */

export interface InboundText {
  messageSid: string;
  from: string;
  to: string;
  body: string;
}

export interface InboundAnswer {
  /** What to text back, or null for nothing. */
  reply: string | null;
  kind: InboundKind;
  /** True when this SID had been received before: nothing was done again. */
  replayed: boolean;
}

/** Longest text stored: a concatenated SMS is at most 10 segments of 160 characters at Twilio. */
const MAX_BODY = 1600;

const KIND_OF_KEYWORD: Record<KeywordKind, InboundKind> = { opt_out: 'opt_out', opt_in: 'opt_in', help: 'help' };

/** The sender's number in E.164, as voters' and users' phones are stored; as received when it is no phone number. */
export function senderPhone(from: string): string {
  const parsed = parsePhoneNumberFromString(from.trim(), DEFAULT_PHONE_REGION);
  return parsed?.number ?? from.trim();
}

/** The inbox's simulator outside local mode: a pretend text there would act on real people. */
export class SimulationUnavailable extends Forbidden {
  override name = 'SimulationUnavailable';
  override readonly code = 'sms_simulation_unavailable';

  constructor() {
    super('Texts can be simulated only in local mode (SMS_PROVIDER=local).');
  }
}

const isUniqueViolation = (error: unknown) => (error as { code?: string } | null)?.code === 'P2002';

interface Dependencies {
  prisma: PrismaClient;
  clock: Clock;
  config: Pick<Config, 'sms'>;
  elections: Elections;
  audit: AuditLog;
  log: Logger;
  watcherReports: SmsWatcherReports;
}

export function createSmsInbound({ prisma, clock, config, elections, audit, log, watcherReports }: Dependencies) {
  async function senderName(): Promise<string> {
    return config.sms.senderName ?? (await elections.current())?.name ?? 'Relance';
  }

  /** The voter this phone belongs to in the current election, else in any (the latest imported). */
  async function voterOf(phone: string): Promise<{ id: number } | null> {
    const election = await elections.current();
    const current = election
      ? await prisma.voter.findFirst({ where: { phone, electionId: election.id }, select: { id: true }, orderBy: { id: 'desc' } })
      : null;
    return current ?? prisma.voter.findFirst({ where: { phone }, select: { id: true }, orderBy: { id: 'desc' } });
  }

  async function watcherOf(phone: string): Promise<WatcherWithStations | null> {
    return prisma.user.findFirst({
      where: { phone, role: 'watcher', disabledAt: null },
      include: { assignments: { select: { stationId: true } } },
      orderBy: { id: 'desc' },
    });
  }

  /** A keyword's effect and its inbound row, in one transaction with its audit entry. */
  async function keyword(text: InboundText, phone: string, kind: KeywordKind): Promise<string> {
    const sender = await senderName();
    const reply = kind === 'opt_out' ? optedOutReply(sender) : kind === 'opt_in' ? optedInReply(sender) : helpReply(sender);
    const now = clock.now();
    const voter = await voterOf(phone);
    await prisma.$transaction(async (tx) => {
      const voters = await tx.voter.findMany({ where: { phone }, select: { id: true }, orderBy: { id: 'asc' } });
      const voterIds = voters.map((v) => v.id);
      const inbound = await tx.inboundMessage.create({
        data: { ...rowOf(text, phone, now), kind: KIND_OF_KEYWORD[kind], voterId: voter?.id ?? null, replyBody: reply },
      });
      if (kind === 'help' || voterIds.length === 0) return;
      if (kind === 'opt_out') {
        const optedOut = await tx.voter.updateMany({ where: { id: { in: voterIds }, smsOptedOutAt: null }, data: { smsOptedOutAt: now } });
        const canceled = await tx.outboundMessage.updateMany({
          where: { voterId: { in: voterIds }, status: 'pending' },
          data: { status: 'canceled', cancelReason: 'opted_out' },
        });
        await audit.record(tx, {
          actor: null,
          action: 'sms.opt_out',
          subjectType: 'inbound_message',
          subjectId: inbound.id,
          details: { voterIds, optedOut: optedOut.count, canceledTexts: canceled.count },
        });
      } else {
        const optedIn = await tx.voter.updateMany({
          where: { id: { in: voterIds }, smsOptedOutAt: { not: null } },
          data: { smsOptedOutAt: null },
        });
        await audit.record(tx, {
          actor: null,
          action: 'sms.opt_in',
          subjectType: 'inbound_message',
          subjectId: inbound.id,
          details: { voterIds, optedIn: optedIn.count },
        });
      }
    });
    return reply;
  }

  function rowOf(text: InboundText, phone: string, receivedAt: Date) {
    return { providerSid: text.messageSid, fromPhone: phone, toPhone: text.to, body: text.body.slice(0, MAX_BODY), receivedAt };
  }

  /** A watcher's report: its row first (its receivedAt is the report's time, on a retry too), then the report. */
  async function watcherReport(text: InboundText, phone: string, watcher: WatcherWithStations | null): Promise<string> {
    let row: { id: number; receivedAt: Date; replyBody: string | null };
    try {
      row = await prisma.inboundMessage.create({
        data: { ...rowOf(text, phone, clock.now()), kind: 'watcher_report', watcherId: watcher?.id ?? null },
        select: { id: true, receivedAt: true, replyBody: true },
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      row = await prisma.inboundMessage.findUniqueOrThrow({
        where: { providerSid: text.messageSid },
        select: { id: true, receivedAt: true, replyBody: true },
      });
      if (row.replyBody !== null) return row.replyBody;
    }
    return finishWatcherReport(row, text, watcher);
  }

  async function finishWatcherReport(row: { id: number; receivedAt: Date }, text: InboundText, watcher: WatcherWithStations | null) {
    const answer = await watcherReports.receive({ messageSid: text.messageSid, body: text.body, receivedAt: row.receivedAt }, watcher);
    await prisma.inboundMessage.update({ where: { id: row.id }, data: { replyBody: answer.reply } });
    log.info(
      { inboundId: row.id, watcherId: watcher?.id ?? null, stored: answer.reportId !== null, refusal: answer.refusal },
      'sms watcher report',
    );
    return answer.reply;
  }

  /** A reply for the inbox, routed to the volunteer whose text it answers. */
  async function reply(text: InboundText, phone: string, voter: { id: number } | null): Promise<void> {
    const voters = voter ? await prisma.voter.findMany({ where: { phone }, select: { id: true } }) : [];
    const last = voters.length
      ? await prisma.outboundMessage.findFirst({
          where: { voterId: { in: voters.map((v) => v.id) } },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          select: { senderId: true },
        })
      : null;
    await prisma.inboundMessage.create({
      data: { ...rowOf(text, phone, clock.now()), kind: 'reply', voterId: voter?.id ?? null, volunteerId: last?.senderId ?? null },
    });
  }

  async function replayed(messageSid: string, text: InboundText): Promise<InboundAnswer | null> {
    const earlier = await prisma.inboundMessage.findUnique({
      where: { providerSid: messageSid },
      include: { watcher: { include: { assignments: { select: { stationId: true } } } } },
    });
    if (!earlier) return null;
    // A report whose answer was never written (the process stopped in between): finish it, as the same report.
    if (earlier.kind === 'watcher_report' && earlier.replyBody === null) {
      const reply = await finishWatcherReport(earlier, text, earlier.watcher);
      return { reply, kind: earlier.kind, replayed: true };
    }
    return { reply: earlier.replyBody, kind: earlier.kind, replayed: true };
  }

  const inbound = {
    async receive(text: InboundText): Promise<InboundAnswer> {
      const again = await replayed(text.messageSid, text);
      if (again) return again;
      const phone = senderPhone(text.from);
      try {
        const kind = readKeyword(text.body);
        if (kind) return { reply: await keyword(text, phone, kind), kind: KIND_OF_KEYWORD[kind], replayed: false };
        const watcher = await watcherOf(phone);
        const voter = watcher ? null : await voterOf(phone);
        if (watcher || (!voter && readStationReport(text.body))) {
          return { reply: await watcherReport(text, phone, watcher), kind: 'watcher_report', replayed: false };
        }
        await reply(text, phone, voter);
        return { reply: null, kind: 'reply', replayed: false };
      } catch (error) {
        // Twilio sent the same text twice at once: the other request stored it; answer as it did.
        if (!isUniqueViolation(error)) throw error;
        const again = await replayed(text.messageSid, text);
        if (!again) throw error;
        return again;
      }
    },

    /**
     * Local mode's stand-in for a person's phone: the text goes through `receive` exactly as one from
     * Twilio's webhook would (only the signature check is Twilio's), under a message SID of its own.
     */
    async simulate(principal: Principal | null, input: { from: string; body: string }): Promise<InboundAnswer> {
      requireRole(principal, ACCESS.smsInbox);
      if (config.sms.provider !== 'local') throw new SimulationUnavailable();
      return inbound.receive({
        messageSid: `SM${randomBytes(16).toString('hex')}`,
        from: input.from,
        to: config.sms.twilio.fromNumber ?? 'local',
        body: input.body,
      });
    },
  };
  return inbound;
}

export type SmsInbound = ReturnType<typeof createSmsInbound>;
