import { z } from 'zod';
import type { Principal } from '../auth/auth.roles.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { PrismaClient } from '../db/database.ts';
import type { Prisma } from '../db/generated/client.ts';
import { csvField } from '../imports/imports.csv.ts';
import type { AuditLog } from './audit.service.ts';

/**
 * Reading the audit trail (admins): who did what, when, about which election; as a page and as
 * CSV. And its one permitted deletion: entries older than AUDIT_RETENTION_MONTHS.
 */

const optionalId = z.preprocess(
  (value) => (value === '' || value === null ? undefined : value),
  z.coerce.number().int().positive().max(2_147_483_647).optional(),
);
const optionalDay = z.preprocess(
  (value) => (value === '' || value === null ? undefined : value),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day, YYYY-MM-DD')
    .optional(),
);

/** The page's filters, from its address: all optional. */
export const AuditFilterSchema = z.object({
  actor: optionalId,
  /** An action (`person.erase`) or a domain (`person`). */
  action: z.preprocess(
    (value) => (value === '' || value === null ? undefined : value),
    z
      .string()
      .regex(/^[a-z_.]{1,60}$/)
      .optional(),
  ),
  from: optionalDay,
  to: optionalDay,
  election: optionalId,
});

export type AuditFilter = z.output<typeof AuditFilterSchema>;

export interface AuditRow {
  id: number;
  at: string;
  actorUserId: number | null;
  actorName: string | null;
  actorTokenId: number | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  details: Prisma.JsonValue;
}

const PAGE_SIZE = 200;
const DAY_MS = 24 * 60 * 60 * 1000;

function whereOf(filter: AuditFilter): Prisma.AuditEventWhereInput {
  const where: Prisma.AuditEventWhereInput[] = [];
  if (filter.actor) where.push({ actorUserId: filter.actor });
  if (filter.action) where.push(filter.action.includes('.') ? { action: filter.action } : { action: { startsWith: `${filter.action}.` } });
  if (filter.from) where.push({ at: { gte: new Date(`${filter.from}T00:00:00Z`) } });
  if (filter.to) where.push({ at: { lt: new Date(new Date(`${filter.to}T00:00:00Z`).getTime() + DAY_MS) } });
  if (filter.election) {
    where.push({
      OR: [{ subjectType: 'election', subjectId: String(filter.election) }, { details: { path: ['electionId'], equals: filter.election } }],
    });
  }
  return { AND: where };
}

export function createAuditTrail({
  prisma,
  clock,
  config,
  audit,
}: {
  prisma: PrismaClient;
  clock: Clock;
  config: Config;
  audit: AuditLog;
}) {
  async function rows(filter: AuditFilter, take: number | undefined): Promise<AuditRow[]> {
    const events = await prisma.auditEvent.findMany({
      where: whereOf(filter),
      orderBy: { id: 'desc' },
      take,
      include: { actorUser: { select: { name: true } } },
    });
    return events.map((event) => ({
      id: event.id,
      at: event.at.toISOString(),
      actorUserId: event.actorUserId,
      actorName: event.actorUser?.name ?? null,
      actorTokenId: event.actorTokenId,
      action: event.action,
      subjectType: event.subjectType,
      subjectId: event.subjectId,
      details: event.details,
    }));
  }

  return {
    /** The page's filters, parsed from its address (zod stays out of the browser bundle). */
    filterSchema: AuditFilterSchema,

    /** The latest entries matching the filter (at most 200), and what the filters can choose from. */
    async page(filter: AuditFilter) {
      const [entries, actions, actors, elections] = await Promise.all([
        rows(filter, PAGE_SIZE),
        prisma.auditEvent.findMany({ distinct: ['action'], select: { action: true }, orderBy: { action: 'asc' } }),
        prisma.user.findMany({ where: { auditEvents: { some: {} } }, select: { id: true, name: true }, orderBy: { name: 'asc' } }),
        prisma.election.findMany({ select: { id: true, name: true }, orderBy: { id: 'desc' } }),
      ]);
      return { entries, limit: PAGE_SIZE, actions: actions.map((a) => a.action), actors, elections };
    },

    /** Every entry matching the filter, as CSV; the export is itself recorded. */
    async csv(filter: AuditFilter, actor: Principal): Promise<string> {
      const entries = await rows(filter, undefined);
      await prisma.$transaction(async (tx) => {
        await audit.record(tx, { actor, action: 'audit.export', details: { rows: entries.length, ...filterDetails(filter) } });
      });
      const header = 'id,at,actor_user_id,actor_name,actor_token_id,action,subject_type,subject_id,details';
      const lines = entries.map((e) =>
        [
          e.id,
          e.at,
          e.actorUserId,
          e.actorName,
          e.actorTokenId,
          e.action,
          e.subjectType,
          e.subjectId,
          e.details === null ? null : JSON.stringify(e.details),
        ]
          .map((value) => csvField(spreadsheetSafe(value)))
          .join(','),
      );
      return `${[header, ...lines].join('\n')}\n`;
    },

    /**
     * Deletes the entries older than AUDIT_RETENTION_MONTHS, the only deletion the table's trigger
     * lets through (and only in this transaction, which names the limit), and records that it did.
     */
    async purgeExpired(actor: Principal | null): Promise<{ deleted: number; before: Date }> {
      const before = new Date(clock.now());
      before.setUTCMonth(before.getUTCMonth() - config.auditRetentionMonths);
      return prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT set_config('relance.audit_delete_before', ${before.toISOString()}, true)`;
        const deleted = await tx.$executeRaw`DELETE FROM audit_event WHERE at < ${before}`;
        await tx.$executeRaw`SELECT set_config('relance.audit_delete_before', '', true)`;
        await audit.record(tx, { actor, action: 'audit.purge', details: { deleted, before: before.toISOString() } });
        return { deleted, before };
      });
    },
  };
}

/** A cell a spreadsheet would run as a formula (=, +, -, @ first: OWASP "CSV injection") is quoted as text. */
function spreadsheetSafe(value: string | number | null): string | number | null {
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function filterDetails(filter: AuditFilter): Prisma.InputJsonObject {
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined)) as Prisma.InputJsonObject;
}

export type AuditTrail = ReturnType<typeof createAuditTrail>;
