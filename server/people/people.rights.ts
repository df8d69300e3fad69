import { z } from 'zod';
import type { AuditLog } from '../audit/audit.service.ts';
import type { Principal } from '../auth/auth.roles.ts';
import type { Clock } from '../clock.ts';
import type { PrismaClient } from '../db/database.ts';
import type { Prisma } from '../db/generated/client.ts';
import { dropEntriesOf, publishDrops, type Drops } from '../chase/chase.live.ts';
import { InvalidInput } from '../errors.ts';
import type { LiveFeed } from '../realtime/realtime.feed.ts';
import { EmailSchema, PhoneSchema } from '../fields.ts';
import { suppressionHashes, type PersonKeys } from './people.suppression.ts';

/**
 * A person's rights under the GDPR, as the CNIL expects a campaign to honour them: access (article
 * 15: everything held about them), erasure (article 17) and objection (article 21: never contacted
 * again). A person is found by the external id of the campaign's file, a phone number or an email
 * address; they may appear in the voter files of several elections.
 */

export const PERSON_KEY_KINDS = ['externalId', 'phone', 'email'] as const;
export type PersonKeyKind = (typeof PERSON_KEY_KINDS)[number];

export const PersonKeySchema = z
  .object({ kind: z.enum(PERSON_KEY_KINDS), value: z.string().trim().min(1, 'is required').max(320) })
  .transform((key, ctx) => {
    if (key.kind === 'externalId') return { externalId: key.value } as PersonKeys;
    const schema = key.kind === 'phone' ? PhoneSchema : EmailSchema;
    const parsed = schema.safeParse(key.value);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: parsed.error.issues[0]?.message ?? 'is not valid' });
      return z.NEVER;
    }
    return { [key.kind]: parsed.data } as PersonKeys;
  });

export type PersonKey = z.input<typeof PersonKeySchema>;

/** Everything Relance holds about a person: what an access request is answered with. */
export interface PersonRecord {
  voters: {
    id: number;
    election: string;
    externalId: string;
    firstName: string;
    lastName: string;
    phone: string | null;
    email: string | null;
    address: string | null;
    latitude: number | null;
    longitude: number | null;
    station: string;
    listNumber: number | null;
    supportLevel: number | null;
    smsConsent: boolean;
    callConsent: boolean;
    doNotContact: boolean;
    votedAt: string | null;
    votedSource: string | null;
    createdAt: string;
    updatedAt: string;
    chaseEntries: { list: string; priority: number; state: string; doneAt: string | null }[];
    contactAttempts: { channel: string; outcome: string; note: string | null; at: string; list: string | null }[];
    outboundMessages: { to: string; body: string; status: string; createdAt: string; sentAt: string | null }[];
    /** Who looked at this person's details, and when (account ids: the audit trail's). */
    views: { at: string; action: string; actorUserId: number | null }[];
  }[];
  inboundMessages: { from: string; to: string; body: string; receivedAt: string }[];
  accounts: {
    id: number;
    name: string;
    role: string;
    email: string | null;
    phone: string | null;
    createdAt: string;
    lastLoginAt: string | null;
  }[];
  suppressed: { reason: string; since: string }[];
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

function parseKey(key: PersonKey): PersonKeys {
  const parsed = PersonKeySchema.safeParse(key);
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? 'value');
    throw new InvalidInput(
      `The ${key.kind === 'externalId' ? 'external id' : key.kind} ${parsed.error.issues[0]?.message ?? 'is not valid'}.`,
      field,
    );
  }
  return parsed.data;
}

function voterWhere(keys: PersonKeys): Prisma.VoterWhereInput {
  if (keys.externalId) return { externalId: keys.externalId };
  if (keys.phone) return { phone: keys.phone };
  return { email: { equals: keys.email!, mode: 'insensitive' } };
}

interface Dependencies {
  prisma: PrismaClient;
  clock: Clock;
  audit: AuditLog;
  feed: LiveFeed;
}

export function createPersonRights({ prisma, clock, audit, feed }: Dependencies) {
  async function collect(tx: Prisma.TransactionClient, keys: PersonKeys): Promise<PersonRecord> {
    // One relation per query: Prisma loads the relations a query includes at once, which inside a
    // transaction means several queries at a time on its one connection (pg queues them; pg 9 will not).
    const found = await tx.voter.findMany({ where: voterWhere(keys), orderBy: { id: 'asc' } });
    const ids = found.map((v) => v.id);
    const elections = await tx.election.findMany({
      where: { id: { in: found.map((v) => v.electionId) } },
      select: { id: true, name: true },
    });
    const stations = await tx.pollingStation.findMany({
      where: { id: { in: found.map((v) => v.stationId) } },
      select: { id: true, code: true, name: true },
    });
    const listName = { include: { list: { select: { name: true } } } } as const;
    const entries = await tx.chaseEntry.findMany({ where: { voterId: { in: ids } }, ...listName, orderBy: { id: 'asc' } });
    const attempts = await tx.contactAttempt.findMany({ where: { voterId: { in: ids } }, ...listName, orderBy: { id: 'asc' } });
    const messages = await tx.outboundMessage.findMany({ where: { voterId: { in: ids } }, orderBy: { id: 'asc' } });
    const voters = found.map((v) => ({
      ...v,
      election: elections.find((election) => election.id === v.electionId)!,
      station: stations.find((station) => station.id === v.stationId)!,
      chaseEntries: entries.filter((entry) => entry.voterId === v.id),
      contactAttempts: attempts.filter((attempt) => attempt.voterId === v.id),
      outboundMessages: messages.filter((message) => message.voterId === v.id),
    }));
    const phones = [...new Set([keys.phone, ...voters.map((v) => v.phone)].filter((p): p is string => Boolean(p)))];
    const emails = [...new Set([keys.email, ...voters.map((v) => v.email?.toLowerCase())].filter((e): e is string => Boolean(e)))];
    const inbound = await tx.inboundMessage.findMany({
      where: { OR: [{ voterId: { in: voters.map((v) => v.id) } }, { fromPhone: { in: phones } }] },
      orderBy: { id: 'asc' },
    });
    const accounts = await tx.user.findMany({
      where: { OR: [{ email: { in: emails } }, { phone: { in: phones } }] },
      orderBy: { id: 'asc' },
    });
    const views = await tx.auditEvent.findMany({
      where: { subjectType: 'voter', subjectId: { in: voters.map((v) => String(v.id)) } },
      orderBy: { id: 'asc' },
    });
    const hashes = voters.flatMap((v) => suppressionHashes(v)).concat(suppressionHashes(keys));
    const suppressed = await tx.suppression.findMany({ where: { hash: { in: hashes } }, orderBy: { createdAt: 'asc' } });
    return {
      voters: voters.map((v) => ({
        id: v.id,
        election: v.election.name,
        externalId: v.externalId,
        firstName: v.firstName,
        lastName: v.lastName,
        phone: v.phone,
        email: v.email,
        address: v.address,
        latitude: v.latitude,
        longitude: v.longitude,
        station: `${v.station.code} ${v.station.name}`,
        listNumber: v.listNumber,
        supportLevel: v.supportLevel,
        smsConsent: v.smsConsent,
        callConsent: v.callConsent,
        doNotContact: v.doNotContact,
        votedAt: iso(v.votedAt),
        votedSource: v.votedSource,
        createdAt: v.createdAt.toISOString(),
        updatedAt: v.updatedAt.toISOString(),
        chaseEntries: v.chaseEntries.map((e) => ({ list: e.list.name, priority: e.priority, state: e.state, doneAt: iso(e.doneAt) })),
        contactAttempts: v.contactAttempts.map((c) => ({
          channel: c.channel,
          outcome: c.outcome,
          note: c.note,
          at: c.createdAt.toISOString(),
          list: c.list?.name ?? null,
        })),
        outboundMessages: v.outboundMessages.map((m) => ({
          to: m.toPhone,
          body: m.body,
          status: m.status,
          createdAt: m.createdAt.toISOString(),
          sentAt: iso(m.sentAt),
        })),
        views: views
          .filter((event) => event.subjectId === String(v.id))
          .map((event) => ({ at: event.at.toISOString(), action: event.action, actorUserId: event.actorUserId })),
      })),
      inboundMessages: inbound.map((m) => ({ from: m.fromPhone, to: m.toPhone, body: m.body, receivedAt: m.receivedAt.toISOString() })),
      accounts: accounts.map((u) => ({
        id: u.id,
        name: u.name,
        role: u.role,
        email: u.email,
        phone: u.phone,
        createdAt: u.createdAt.toISOString(),
        lastLoginAt: iso(u.lastLoginAt),
      })),
      suppressed: [...new Map(suppressed.map((s) => [s.reason, { reason: s.reason, since: s.createdAt.toISOString() }])).values()],
    };
  }

  /** Adds the person's hashes to the suppression list for `reason` (idempotent). */
  async function suppress(tx: Prisma.TransactionClient, keys: PersonKeys[], reason: 'erasure' | 'objection') {
    const hashes = [...new Set(keys.flatMap(suppressionHashes))];
    await tx.suppression.createMany({ data: hashes.map((hash) => ({ hash, reason, createdAt: clock.now() })), skipDuplicates: true });
    return hashes.length;
  }

  return {
    /**
     * Everything held about the person (a request for access). Audited as `person.access`, with
     * counts only: the audit trail holds no personal data.
     */
    async show(key: PersonKey, actor: Principal | null): Promise<PersonRecord> {
      const keys = parseKey(key);
      return prisma.$transaction(async (tx) => {
        const record = await collect(tx, keys);
        await audit.record(tx, {
          actor,
          action: 'person.access',
          subjectType: 'person',
          details: { by: key.kind, voters: record.voters.length, accounts: record.accounts.length },
        });
        return record;
      });
    },

    /**
     * Erases the person from every voter file (with their chase entries, contact attempts and
     * messages) and keeps only the hashes of their identifiers, so that importing an old file does
     * not bring them back. Staff accounts are not touched: the People page manages those.
     */
    async erase(key: PersonKey, actor: Principal | null): Promise<{ voters: number; inboundMessages: number }> {
      const keys = parseKey(key);
      return prisma.$transaction(async (tx) => {
        const voters = await tx.voter.findMany({
          where: voterWhere(keys),
          select: { id: true, phone: true, email: true, externalId: true },
        });
        const phones = [keys.phone, ...voters.map((v) => v.phone)].filter((p): p is string => Boolean(p));
        const inbound = await tx.inboundMessage.deleteMany({
          where: { OR: [{ voterId: { in: voters.map((v) => v.id) } }, { fromPhone: { in: phones } }] },
        });
        await tx.voter.deleteMany({ where: { id: { in: voters.map((v) => v.id) } } });
        const hashes = await suppress(tx, [keys, ...voters], 'erasure');
        const result = { voters: voters.length, inboundMessages: inbound.count };
        await audit.record(tx, { actor, action: 'person.erase', subjectType: 'person', details: { by: key.kind, ...result, hashes } });
        return result;
      });
    },

    /**
     * An objection: the person is never contacted again. Every record of theirs becomes
     * do-not-contact without consent, their pending calls and texts are withdrawn (their chase
     * entries dropped, as when a volunteer hears "never contact me": the list keeps its history and
     * a volunteer holding the call is told), and an import of an old file keeps them so.
     */
    async object(key: PersonKey, actor: Principal | null): Promise<{ voters: number; withdrawn: number }> {
      const keys = parseKey(key);
      const { result, drops } = await prisma.$transaction(async (tx) => {
        const voters = await tx.voter.findMany({
          where: voterWhere(keys),
          select: { id: true, electionId: true, phone: true, email: true, externalId: true },
        });
        const ids = voters.map((v) => v.id);
        await tx.voter.updateMany({ where: { id: { in: ids } }, data: { doNotContact: true, smsConsent: false, callConsent: false } });
        // Dropped per election: the lists and volunteers to tell belong to one election each.
        const drops: { electionId: number; drops: Drops }[] = [];
        for (const electionId of new Set(voters.map((v) => v.electionId))) {
          const of = voters.filter((v) => v.electionId === electionId).map((v) => v.id);
          drops.push({ electionId, drops: await dropEntriesOf(tx, electionId, of, 'do_not_contact', clock.now()) });
        }
        const hashes = await suppress(tx, [keys, ...voters], 'objection');
        const withdrawn = drops.reduce((sum, { drops: dropped }) => sum + dropped.entries + dropped.texts, 0);
        const result = { voters: voters.length, withdrawn };
        await audit.record(tx, { actor, action: 'person.object', subjectType: 'person', details: { by: key.kind, ...result, hashes } });
        return { result, drops };
      });
      for (const { electionId, drops: dropped } of drops) publishDrops(feed, electionId, dropped);
      return result;
    },
  };
}

export type PersonRights = ReturnType<typeof createPersonRights>;
