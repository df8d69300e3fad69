import type { Queue } from 'bullmq';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit.service.ts';
import { requireRole } from '../auth/auth.guards.ts';
import { ACCESS, type Principal } from '../auth/auth.roles.ts';
import { requireCaller } from '../chase/chase.access.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { PrismaClient } from '../db/database.ts';
import { type Prisma } from '../db/generated/client.ts';
import type { Elections } from '../elections/elections.service.ts';
import { NotForReview, NotFound, TextNotAllowed } from '../errors.ts';
import { parseInput } from '../fields.ts';
import type { JobBroker } from '../jobs/jobs.broker.ts';
import type { Logger } from '../logger.ts';
import { quietHoursEnd, SMS_EXCLUSIONS, smsExclusion, type SmsExclusion } from './sms.guards.ts';
import { createSmsProvider, type SmsProvider } from './sms.providers.ts';
import { exclusionOf, listRecipients, QUEUED_OR_SENT, recipientFacts } from './sms.recipients.ts';
import { composeText } from './sms.text.ts';
import { createSmsDelivery, queueAgain, SMS_QUEUE, smsJob, type SmsJobData } from './sms.worker.ts';

/**
 * The SMS outbox (docs/sms.md): coordinators text a chase list, volunteers text the person they
 * hold, and every text is a row of `outbound_message` first, a queued job second. The guards
 * (sms.guards.ts) are checked when a text is queued and again just before it is sent.
 */

export const MESSAGE_STATUSES = ['pending', 'sending', 'sent', 'delivered', 'failed', 'undelivered', 'canceled'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export interface ListTextPlan {
  /** Texts that sending would queue now. */
  recipients: number;
  /** People on the list who would not be texted, by the first reason. */
  excluded: Record<SmsExclusion, number>;
  /** People on the list this list has already texted (a second send skips them). */
  alreadyQueued: number;
  ratePerSecond: number;
  /** How long the queue takes to send them, after the texts already waiting in it. */
  drainSeconds: number;
  /** Until the last recipient's polling station closes. */
  secondsLeft: number;
  /** Whether the last text leaves before then. */
  willFinish: boolean;
  /** When quiet hours hold the texts now, when they start going out. */
  startsAt: string | null;
  /** The text as the first recipient would read it; empty when there is nobody to text. */
  sample: string;
}

export interface OutboxRow {
  id: number;
  listId: number | null;
  senderId: number | null;
  templateId: number | null;
  voter: { id: number; firstName: string; lastName: string };
  toPhone: string;
  body: string;
  status: MessageStatus;
  providerSid: string | null;
  errorCode: string | null;
  cancelReason: string | null;
  reviewReason: string | null;
  attempts: number;
  createdAt: string;
  sentAt: string | null;
}

export interface Outbox {
  rows: OutboxRow[];
  /** Rows of the whole outbox (or of the list filtered on) by status, and those awaiting a person. */
  counts: Record<MessageStatus, number> & { review: number };
  /** The `after` of the next page, or null on the last. */
  nextAfter: number | null;
}

export const OutboxQuerySchema = z.object({
  status: z.enum(MESSAGE_STATUSES).optional(),
  listId: z.coerce.number().int().positive().optional(),
  /** Only rows waiting for a person's decision. */
  review: z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]).optional(),
  after: z.coerce.number().int().min(0).default(0),
  take: z.coerce.number().int().min(1).max(500).default(100),
});

export const DECISIONS = ['sent', 'resend', 'cancel'] as const;
export type Decision = (typeof DECISIONS)[number];

/** Why the coordinator canceled the row (cancelReason). */
const CANCELED_BY_PERSON = 'by_coordinator';

const zeroExclusions = () => Object.fromEntries(SMS_EXCLUSIONS.map((reason) => [reason, 0])) as Record<SmsExclusion, number>;

interface Dependencies {
  prisma: PrismaClient;
  clock: Clock;
  config: Config;
  elections: Elections;
  audit: AuditLog;
  broker: JobBroker;
  log: Logger;
  /** The provider of config.sms.provider unless given. */
  provider?: SmsProvider;
}

/** Rows per INSERT and jobs per addBulk when a list is queued. */
const BATCH = 5_000;

export function createMessaging({ prisma, clock, config, elections, audit, broker, log, provider }: Dependencies) {
  const delivery = createSmsDelivery({ prisma, clock, config, provider: provider ?? createSmsProvider(config), broker, log });
  let queue: Queue<SmsJobData> | undefined;
  const smsQueue = () => (queue ??= broker.queue<SmsJobData>(SMS_QUEUE));
  const rules = { quietHours: null, maxPerVoter: config.sms.maxPerVoter };

  async function requireListAndTemplate(listId: number, templateId: number) {
    const election = await elections.requireCurrent();
    const [list, template] = await Promise.all([
      prisma.chaseList.findFirst({ where: { id: listId, electionId: election.id }, select: { id: true } }),
      prisma.smsTemplate.findFirst({ where: { id: templateId, electionId: election.id, archivedAt: null } }),
    ]);
    if (!list) throw new NotFound(`There is no chase list ${listId} in this election.`, 'listId');
    if (!template)
      throw new NotFound(`There is no text template ${templateId} in this election; pick one on the Templates page.`, 'templateId');
    return { election, template, senderName: config.sms.senderName ?? election.name };
  }

  /** The people of a list sorted into those a text would go to and the others, at `now`. */
  async function sortList(listId: number, now: Date) {
    const people = await listRecipients(prisma, listId);
    const excluded = zeroExclusions();
    const recipients: typeof people = [];
    let alreadyQueued = 0;
    for (const person of people) {
      if (person.alreadyOnList) {
        alreadyQueued += 1;
        continue;
      }
      const exclusion = exclusionOf(person, now, rules);
      if (exclusion) excluded[exclusion] += 1;
      else recipients.push(person);
    }
    return { recipients, excluded, alreadyQueued };
  }

  /** When quiet hours hold texts queued now, the time they end; null when texts may go now. */
  function heldUntil(now: Date, timezone: string): Date | null {
    return quietHoursEnd(now, timezone, config.sms.quietHours);
  }

  async function enqueue(ids: number[], delayMs: number) {
    for (let start = 0; start < ids.length; start += BATCH) {
      await smsQueue().addBulk(ids.slice(start, start + BATCH).map((id) => smsJob(id, delayMs)));
    }
  }

  return {
    /** Sends the outbox's rows (the `sms` queue's worker) and reconciles what a crash left. */
    delivery,

    /** What texting a list would do now: how many, who not and why, and whether it ends before the polls close. */
    async planListTexts(principal: Principal | null, listId: number, templateId: number): Promise<ListTextPlan> {
      requireRole(principal, ACCESS.manageChase);
      const { election, template, senderName } = await requireListAndTemplate(listId, templateId);
      const now = clock.now();
      const { recipients, excluded, alreadyQueued } = await sortList(listId, now);
      const waiting = await prisma.outboundMessage.count({ where: { status: 'pending' } });
      const ratePerSecond = config.sms.ratePerSecond;
      const drainSeconds = (waiting + recipients.length) / ratePerSecond;
      const closesAt = recipients.reduce(
        (latest, person) => Math.max(latest, person.stationClosesAt.getTime()),
        election.pollsCloseAt.getTime(),
      );
      const startsAt = heldUntil(now, election.timezone);
      const start = (startsAt ?? now).getTime();
      const first = recipients[0];
      return {
        recipients: recipients.length,
        excluded,
        alreadyQueued,
        ratePerSecond,
        drainSeconds: Math.ceil(drainSeconds),
        secondsLeft: Math.max(0, Math.floor((closesAt - now.getTime()) / 1000)),
        willFinish: start + drainSeconds * 1000 <= closesAt,
        startsAt: startsAt?.toISOString() ?? null,
        sample: first ? composeText(template.body, first.text, senderName) : '',
      };
    },

    /**
     * Queues one text per person of the list whom the guards allow (excluded people get no row).
     * A second call queues only those the first did not (a text per list and person, at most).
     */
    async sendListTexts(
      principal: Principal | null,
      listId: number,
      templateId: number,
    ): Promise<{ queued: number; excluded: Record<SmsExclusion, number>; alreadyQueued: number; startsAt: string | null }> {
      const actor = requireRole(principal, ACCESS.manageChase);
      const { election, template, senderName } = await requireListAndTemplate(listId, templateId);
      const now = clock.now();
      const { recipients, excluded, alreadyQueued } = await sortList(listId, now);
      const senderId = actor.kind === 'user' ? actor.id : null;
      const startsAt = heldUntil(now, election.timezone);
      const delayMs = startsAt ? startsAt.getTime() - now.getTime() : 0;
      // A batch at a time: its rows saved (the first with the audit entry), then its jobs queued
      // while the next batch is saved. A failure stops at a batch boundary; every saved row is
      // queued (or, after a crash, queued again when a worker starts), and sending the list again
      // queues only the rest.
      let queued = 0;
      let queuing = Promise.resolve();
      try {
        for (let start = 0; start === 0 || start < recipients.length; start += BATCH) {
          const batch = recipients.slice(start, start + BATCH);
          const ids = await prisma.$transaction(async (tx) => {
            if (start === 0) {
              await audit.record(tx, {
                actor,
                action: 'sms.send_list',
                subjectType: 'chase_list',
                subjectId: listId,
                details: { templateId, queued: recipients.length, alreadyQueued, excluded },
              });
            }
            if (batch.length === 0) return [];
            const rows = await tx.$queryRaw<{ id: number }[]>`
              INSERT INTO outbound_message (list_id, voter_id, sender_id, template_id, to_phone, body, created_at, updated_at)
              SELECT ${listId}, t.voter_id, ${senderId}, ${templateId}, t.phone, t.body, ${now}, ${now}
              FROM unnest(${batch.map((person) => person.voterId)}::int[], ${batch.map((person) => person.phone!)}::text[],
                          ${batch.map((person) => composeText(template.body, person.text, senderName))}::text[]) AS t(voter_id, phone, body)
              ON CONFLICT (list_id, voter_id) DO NOTHING
              RETURNING id`;
            return rows.map((row) => row.id);
          });
          await queuing;
          queued += ids.length;
          queuing = enqueue(ids, delayMs);
        }
      } catch (error) {
        await queuing.catch(() => {});
        throw error;
      }
      await queuing;
      return { queued, excluded, alreadyQueued, startsAt: startsAt?.toISOString() ?? null };
    },

    /** A volunteer texts the person whose chase entry they hold; the text is theirs (senderId). */
    async sendPeerText(principal: Principal | null, entryId: number, templateId: number): Promise<{ messageId: number }> {
      const caller = requireCaller(principal);
      const election = await elections.requireCurrent();
      const now = clock.now();
      const entry = await prisma.chaseEntry.findFirst({
        where: { id: entryId, assigneeId: caller.id, state: 'claimed', leaseExpiresAt: { gt: now }, list: { electionId: election.id } },
        select: { voterId: true },
      });
      if (!entry) throw new NotFound('You do not hold this person any more: take the next one.', 'entryId');
      const template = await prisma.smsTemplate.findFirst({ where: { id: templateId, electionId: election.id, archivedAt: null } });
      if (!template) throw new NotFound(`There is no text template ${templateId} in this election.`, 'templateId');
      const facts = await recipientFacts(prisma, entry.voterId, QUEUED_OR_SENT, null);
      const exclusion = facts
        ? smsExclusion(facts, { now, timezone: facts.timezone, quietHours: config.sms.quietHours, maxPerVoter: config.sms.maxPerVoter })
        : 'no_phone';
      if (exclusion) throw new TextNotAllowed(`This person may not be texted now (${exclusion}).`, exclusion);
      const body = composeText(template.body, facts!.text, config.sms.senderName ?? election.name);
      const message = await prisma.$transaction(async (tx) => {
        const created = await tx.outboundMessage.create({
          data: { voterId: entry.voterId, senderId: caller.id, templateId, toPhone: facts!.phone!, body, createdAt: now, updatedAt: now },
          select: { id: true },
        });
        await audit.record(tx, {
          actor: caller,
          action: 'sms.send_peer',
          subjectType: 'outbound_message',
          subjectId: created.id,
          details: { entryId, templateId },
        });
        return created;
      });
      await enqueue([message.id], 0);
      return { messageId: message.id };
    },

    /** The Outbox page: rows newest first, with the counts by status. */
    async outbox(principal: Principal | null, filters: unknown): Promise<Outbox> {
      requireRole(principal, ACCESS.manageChase);
      const query = parseInput(OutboxQuerySchema, filters ?? {});
      const election = await elections.requireCurrent();
      const scope: Prisma.OutboundMessageWhereInput = {
        voter: { electionId: election.id },
        ...(query.listId ? { listId: query.listId } : {}),
      };
      const where: Prisma.OutboundMessageWhereInput = {
        ...scope,
        ...(query.status ? { status: query.status } : {}),
        ...(query.review === true ? { reviewReason: { not: null } } : query.review === false ? { reviewReason: null } : {}),
        ...(query.after > 0 ? { id: { lt: query.after } } : {}),
      };
      const [rows, byStatus, review] = await Promise.all([
        prisma.outboundMessage.findMany({
          where,
          orderBy: { id: 'desc' },
          take: query.take + 1,
          include: { voter: { select: { id: true, firstName: true, lastName: true } } },
        }),
        prisma.outboundMessage.groupBy({ by: ['status'], where: scope, _count: { _all: true } }),
        prisma.outboundMessage.count({ where: { ...scope, reviewReason: { not: null } } }),
      ]);
      const counts = { ...Object.fromEntries(MESSAGE_STATUSES.map((status) => [status, 0])), review } as Outbox['counts'];
      for (const group of byStatus) counts[group.status] = group._count._all;
      const page = rows.slice(0, query.take);
      return {
        rows: page.map((row) => ({
          id: row.id,
          listId: row.listId,
          senderId: row.senderId,
          templateId: row.templateId,
          voter: row.voter,
          toPhone: row.toPhone,
          body: row.body,
          status: row.status,
          providerSid: row.providerSid,
          errorCode: row.errorCode,
          cancelReason: row.cancelReason,
          reviewReason: row.reviewReason,
          attempts: row.attempts,
          createdAt: row.createdAt.toISOString(),
          sentAt: row.sentAt?.toISOString() ?? null,
        })),
        counts,
        nextAfter: rows.length > query.take ? page[page.length - 1]!.id : null,
      };
    },

    /**
     * A person's decision on a row flagged for review (left in `sending` and not found at the
     * provider): `sent` (they saw it in Twilio's console), `resend` (it did not go: queue it again),
     * `cancel`.
     */
    async decide(principal: Principal | null, messageId: number, decision: Decision): Promise<{ status: MessageStatus }> {
      const actor = requireRole(principal, ACCESS.manageChase);
      parseInput(z.enum(DECISIONS), decision);
      const election = await elections.requireCurrent();
      const now = clock.now();
      const status: MessageStatus = decision === 'sent' ? 'sent' : decision === 'resend' ? 'pending' : 'canceled';
      await prisma.$transaction(async (tx) => {
        const changed = await tx.outboundMessage.updateMany({
          where: { id: messageId, status: 'sending', reviewReason: { not: null }, voter: { electionId: election.id } },
          data: {
            status,
            reviewReason: null,
            updatedAt: now,
            ...(decision === 'sent' ? { sentAt: now } : {}),
            ...(decision === 'cancel' ? { cancelReason: CANCELED_BY_PERSON } : {}),
          },
        });
        if (changed.count === 0) throw new NotForReview(`Text ${messageId} is not waiting for a decision.`, 'messageId');
        await audit.record(tx, {
          actor,
          action: 'sms.decide',
          subjectType: 'outbound_message',
          subjectId: messageId,
          details: { decision },
        });
      });
      if (decision === 'resend') await queueAgain(smsQueue(), messageId);
      return { status };
    },
  };
}

export type Messaging = ReturnType<typeof createMessaging>;

/**
 * Cancels the pending texts of `voterIds`, in `tx` (the transaction that marks them voted or
 * do-not-contact: chase.live.ts). A text already handed to the provider is not recalled.
 */
export async function cancelPendingTexts(
  tx: Prisma.TransactionClient,
  voterIds: readonly number[],
  reason: string,
  now: Date,
): Promise<number> {
  if (voterIds.length === 0) return 0;
  return tx.$executeRaw`
    UPDATE outbound_message SET status = 'canceled', cancel_reason = ${reason}, updated_at = ${now}
    WHERE voter_id = ANY(${[...voterIds]}::int[]) AND status = 'pending'`;
}
