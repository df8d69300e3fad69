import { z } from 'zod';
import type { AuditLog } from '../audit/audit.service.ts';
import { requireRole } from '../auth/auth.guards.ts';
import { ACCESS, type Principal } from '../auth/auth.roles.ts';
import type { Config } from '../config.ts';
import type { PrismaClient } from '../db/database.ts';
import type { Elections } from '../elections/elections.service.ts';
import { NotFound } from '../errors.ts';
import { parseInput } from '../fields.ts';
import { localTime } from './sms.recipients.ts';
import { stopLine, TEMPLATE_FIELDS, unknownPlaceholders, type TextFacts } from './sms.text.ts';

/**
 * The texts coordinators write once and send many times: per election, with placeholders
 * ({firstName}…) filled for each person when a text is queued (sms.text.ts). Archived templates
 * stay for the outbox's history, but are no longer offered.
 */

/**
 * Four GSM-7 segments of 153 characters: beyond that a text costs more than it earns, and one
 * accent outside GSM-7 (ê, ç…) already halves what fits (UCS-2: 67 a segment).
 */
export const TEMPLATE_MAX_LENGTH = 612;

/** A template's words, as the form and the service check them. */
export const SmsTemplateBodySchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(TEMPLATE_MAX_LENGTH)
  .refine((body) => unknownPlaceholders(body).length === 0, {
    message: `may use only the placeholders ${TEMPLATE_FIELDS.map((field) => `{${field}}`).join(', ')}`,
  });

export const SmsTemplateSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(80),
  body: SmsTemplateBodySchema,
});
export type SmsTemplateInput = z.input<typeof SmsTemplateSchema>;

export interface SmsTemplateSummary {
  id: number;
  name: string;
  body: string;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
}

/** What the editor previews a template with: a made-up person at the election's first station. */
export interface TemplateSample {
  facts: TextFacts;
  senderName: string;
  /** The line every text ends with (stopLine). */
  stopLine: string;
}

interface Dependencies {
  prisma: PrismaClient;
  elections: Elections;
  audit: AuditLog;
  config: Config;
}

export function createSmsTemplates({ prisma, elections, audit, config }: Dependencies) {
  const select = {
    id: true,
    name: true,
    body: true,
    createdAt: true,
    updatedAt: true,
    archivedAt: true,
    createdBy: { select: { name: true } },
  } as const;
  type Row = {
    id: number;
    name: string;
    body: string;
    createdAt: Date;
    updatedAt: Date;
    archivedAt: Date | null;
    createdBy: { name: string } | null;
  };
  const summary = (row: Row): SmsTemplateSummary => ({
    id: row.id,
    name: row.name,
    body: row.body,
    createdBy: row.createdBy?.name ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    archivedAt: row.archivedAt?.toISOString() ?? null,
  });

  async function requireTemplate(templateId: number, electionId: number): Promise<void> {
    const found = await prisma.smsTemplate.count({ where: { id: templateId, electionId } });
    if (found === 0) throw new NotFound(`There is no text template ${templateId} in this election. Reload the page.`, 'templateId');
  }

  return {
    /** The current election's templates, those in use first, then the archived ones; each by name. */
    async list(principal: Principal | null): Promise<SmsTemplateSummary[]> {
      requireRole(principal, ACCESS.manageTexts);
      const election = await elections.requireCurrent();
      const rows = await prisma.smsTemplate.findMany({
        where: { electionId: election.id },
        select,
        orderBy: [{ archivedAt: { sort: 'desc', nulls: 'first' } }, { name: 'asc' }, { id: 'asc' }],
      });
      return rows.map(summary);
    },

    async create(principal: Principal | null, raw: unknown): Promise<SmsTemplateSummary> {
      const actor = requireRole(principal, ACCESS.manageTexts);
      const input = parseInput(SmsTemplateSchema, raw);
      const election = await elections.requireCurrent();
      const row = await prisma.$transaction(async (tx) => {
        const created = await tx.smsTemplate.create({
          data: { electionId: election.id, ...input, createdById: actor.kind === 'user' ? actor.id : null },
          select,
        });
        await audit.record(tx, {
          actor,
          action: 'sms_template.create',
          subjectType: 'sms_template',
          subjectId: created.id,
          details: { electionId: election.id, length: input.body.length },
        });
        return created;
      });
      return summary(row);
    },

    async update(principal: Principal | null, templateId: number, raw: unknown): Promise<SmsTemplateSummary> {
      const actor = requireRole(principal, ACCESS.manageTexts);
      const input = parseInput(SmsTemplateSchema, raw);
      const election = await elections.requireCurrent();
      await requireTemplate(templateId, election.id);
      const row = await prisma.$transaction(async (tx) => {
        const updated = await tx.smsTemplate.update({ where: { id: templateId }, data: input, select });
        await audit.record(tx, {
          actor,
          action: 'sms_template.update',
          subjectType: 'sms_template',
          subjectId: templateId,
          details: { length: input.body.length },
        });
        return updated;
      });
      return summary(row);
    },

    /** No longer offered for new texts; texts already queued with it still go. Archiving twice changes nothing. */
    async archive(principal: Principal | null, templateId: number): Promise<SmsTemplateSummary> {
      const actor = requireRole(principal, ACCESS.manageTexts);
      const election = await elections.requireCurrent();
      await requireTemplate(templateId, election.id);
      const row = await prisma.$transaction(async (tx) => {
        const archived = await tx.smsTemplate.updateManyAndReturn({
          where: { id: templateId, archivedAt: null },
          data: { archivedAt: new Date() },
          select: { id: true },
        });
        if (archived.length > 0) {
          await audit.record(tx, { actor, action: 'sms_template.archive', subjectType: 'sms_template', subjectId: templateId });
        }
        return tx.smsTemplate.findUniqueOrThrow({ where: { id: templateId }, select });
      });
      return summary(row);
    },

    /**
     * What a text may be sent with now, for those who send (volunteers from the calling workspace,
     * coordinators from a list): the templates in use, and the line every text ends with.
     */
    async offered(
      principal: Principal | null,
    ): Promise<{ templates: Pick<SmsTemplateSummary, 'id' | 'name' | 'body'>[]; stopLine: string }> {
      requireRole(principal, [...ACCESS.manageTexts, ...ACCESS.callVoters]);
      const election = await elections.requireCurrent();
      const templates = await prisma.smsTemplate.findMany({
        where: { electionId: election.id, archivedAt: null },
        select: { id: true, name: true, body: true },
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
      });
      return { templates, stopLine: stopLine(config.sms.senderName ?? election.name) };
    },

    /** A made-up person at the election's first station, and the sender's line, to preview a template with. */
    async sample(principal: Principal | null): Promise<TemplateSample> {
      requireRole(principal, ACCESS.manageTexts);
      const election = await elections.requireCurrent();
      const station = await prisma.pollingStation.findFirst({
        where: { electionId: election.id },
        orderBy: { code: 'asc' },
        select: { name: true, address: true, closesAt: true },
      });
      const closing = localTime(station?.closesAt ?? election.pollsCloseAt, election.timezone);
      const senderName = config.sms.senderName ?? election.name;
      return {
        facts: {
          firstName: 'Camille',
          stationName: station?.name ?? 'École élémentaire',
          stationAddress: station?.address ?? '',
          closingTime: closing,
        },
        senderName,
        stopLine: stopLine(senderName),
      };
    },
  };
}

export type SmsTemplates = ReturnType<typeof createSmsTemplates>;
