import { requireRole } from '../auth/auth.guards.ts';
import { ACCESS, type Principal } from '../auth/auth.roles.ts';
import type { Clock } from '../clock.ts';
import type { PrismaClient } from '../db/database.ts';
import type { InboundKind, Prisma } from '../db/generated/client.ts';
import type { Elections } from '../elections/elections.service.ts';
import { NotFound } from '../errors.ts';

/**
 * What people texted the campaign, as coordinators read it on /inbox and volunteers on /calls:
 * each text with who sent it (the voter's name, or the watcher's), the list of the last text they
 * were sent, and whether someone has read it; and how many opted out or back in.
 */

export interface InboxMessage {
  id: number;
  kind: InboundKind;
  body: string;
  receivedAt: string;
  readAt: string | null;
  /** What Relance answered. */
  replyBody: string | null;
  /** The phone, for a sender who is nobody known. */
  fromPhone: string | null;
  voter: { firstName: string; lastName: string; phone: string | null; optedOut: boolean } | null;
  watcher: { name: string } | null;
  volunteer: { name: string } | null;
  /** The chase list of the last text this person was sent. */
  listName: string | null;
}

export interface InboxCounts {
  unread: number;
  optOuts: number;
  optIns: number;
  /** People of the current election who may not be texted now because they opted out. */
  optedOutNow: number;
}

/** Texts a page shows. */
const PAGE_SIZE = 200;

const INCLUDE = {
  voter: {
    select: {
      firstName: true,
      lastName: true,
      phone: true,
      smsOptedOutAt: true,
      outboundMessages: { select: { list: { select: { name: true } } }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 1 },
    },
  },
  watcher: { select: { name: true } },
  volunteer: { select: { name: true } },
} satisfies Prisma.InboundMessageInclude;

type Row = Prisma.InboundMessageGetPayload<{ include: typeof INCLUDE }>;

function viewOf(row: Row): InboxMessage {
  return {
    id: row.id,
    kind: row.kind,
    body: row.body,
    receivedAt: row.receivedAt.toISOString(),
    readAt: row.readAt?.toISOString() ?? null,
    replyBody: row.replyBody,
    fromPhone: row.voter || row.watcher ? null : row.fromPhone,
    voter: row.voter && {
      firstName: row.voter.firstName,
      lastName: row.voter.lastName,
      phone: row.voter.phone,
      optedOut: row.voter.smsOptedOutAt !== null,
    },
    watcher: row.watcher,
    volunteer: row.volunteer,
    listName: row.voter?.outboundMessages[0]?.list?.name ?? null,
  };
}

export function createSmsInbox({ prisma, clock, elections }: { prisma: PrismaClient; clock: Clock; elections: Elections }) {
  return {
    /**
     * Every text received, newest first, for coordinators, a page at a time: `after` is the last
     * text of the page before (`nextAfter`, null on the last page).
     */
    async messages(
      principal: Principal | null,
      page: { after?: number } = {},
    ): Promise<{ messages: InboxMessage[]; counts: InboxCounts; nextAfter: number | null }> {
      requireRole(principal, ACCESS.smsInbox);
      const election = await elections.current();
      const [rows, unread, byKind, optedOutNow] = await Promise.all([
        // In the order they were stored (ids), which a page can be continued from.
        prisma.inboundMessage.findMany({
          where: page.after === undefined ? {} : { id: { lt: page.after } },
          include: INCLUDE,
          orderBy: { id: 'desc' },
          take: PAGE_SIZE + 1,
        }),
        prisma.inboundMessage.count({ where: { kind: 'reply', readAt: null } }),
        prisma.inboundMessage.groupBy({ by: ['kind'], where: { kind: { in: ['opt_out', 'opt_in'] } }, _count: { _all: true } }),
        election ? prisma.voter.count({ where: { electionId: election.id, smsOptedOutAt: { not: null } } }) : 0,
      ]);
      const count = (kind: InboundKind) => byKind.find((group) => group.kind === kind)?._count._all ?? 0;
      const shown = rows.slice(0, PAGE_SIZE);
      return {
        messages: shown.map(viewOf),
        counts: { unread, optOuts: count('opt_out'), optIns: count('opt_in'), optedOutNow },
        nextAfter: rows.length > PAGE_SIZE ? shown.at(-1)!.id : null,
      };
    },

    /** The replies routed to this volunteer (the people they texted), newest first. */
    async mine(principal: Principal | null): Promise<InboxMessage[]> {
      const volunteer = requireRole(principal, ACCESS.callVoters);
      const rows = await prisma.inboundMessage.findMany({
        where: { volunteerId: volunteer.id, kind: 'reply' },
        include: INCLUDE,
        orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
        take: PAGE_SIZE,
      });
      return rows.map(viewOf);
    },

    /** Marks a text read: coordinators any, a volunteer those routed to them. */
    async markRead(principal: Principal | null, messageId: number): Promise<void> {
      const reader = requireRole(principal, [...ACCESS.smsInbox, ...ACCESS.callVoters]);
      const mayRead = reader.role === 'volunteer' ? { volunteerId: reader.id } : {};
      const { count } = await prisma.inboundMessage.updateMany({
        where: { id: messageId, ...mayRead, readAt: null },
        data: { readAt: clock.now() },
      });
      if (count === 0 && !(await prisma.inboundMessage.count({ where: { id: messageId, ...mayRead } }))) {
        throw new NotFound('There is no such text in your inbox. Reload the page.');
      }
    },
  };
}

export type SmsInbox = ReturnType<typeof createSmsInbox>;
