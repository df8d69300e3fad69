import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { AuditLog } from '../audit/audit.service.ts';
import type { Principal } from '../auth/auth.roles.ts';
import type { PrismaClient } from '../db/database.ts';

/**
 * What happened on election day, back out to the tools the campaign lives in: who voted and how
 * each contact went, as CSV shaped for re-import into NationBuilder (tags on the person) and
 * NGP VAN (one row per contact, as its bulk upload of canvass results takes them), or generic.
 */

export const EXPORT_FORMATS = ['generic', 'nationbuilder', 'ngpvan'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * A cell a spreadsheet will not run: text starting with = + - @ tab or CR is a formula to Excel
 * and LibreOffice (OWASP "CSV injection"), so it is prefixed with a quote. Numbers and phone numbers
 * (+33…) are left as they are: they are not formulas and must stay importable.
 */
export function safeCsvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^[+-]?\d[\d .]*$/.test(text)) text = `'${text}`;
  return /[",\n\r;]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const line = (values: (string | number | boolean | null | undefined)[]) => values.map(safeCsvField).join(',') + '\n';

interface ExportedVoter {
  id: number;
  externalId: string;
  firstName: string;
  lastName: string;
  phone: string | null;
  tags: string[];
  supportLevel: number | null;
  votedAt: Date | null;
  votedSource: string | null;
  station: { code: string };
  contactAttempts: { channel: string; outcome: string; createdAt: Date }[];
}

// VAN's usual canvass result names for what a volunteer records in Relance.
const VAN_RESULTS: Record<string, string> = {
  will_vote: 'Canvassed',
  already_voted: 'Voted',
  needs_ride: 'Canvassed',
  no_answer: 'Not Home',
  wrong_number: 'Wrong Number',
  refused: 'Refused',
  never_contact: 'Do Not Contact',
};
const VAN_CONTACT_TYPES: Record<string, string> = { call: 'Phone', sms: 'SMS Text', door: 'Walk' };

const HEADERS: Record<ExportFormat, string[]> = {
  generic: [
    'external_id',
    'first_name',
    'last_name',
    'station_code',
    'support_level',
    'tags',
    'voted_at',
    'voted_source',
    'contact_attempts',
    'last_contact_channel',
    'last_contact_outcome',
    'last_contact_at',
  ],
  // NationBuilder's people import: matched on nationbuilder_id; tag_list adds tags to the person.
  nationbuilder: ['nationbuilder_id', 'first_name', 'last_name', 'tag_list'],
  // NGP VAN's bulk upload of contacts: the VAN ID first, then date, phone and result.
  ngpvan: ['VANID', 'DateCanvassed', 'Phone', 'ContactType', 'ResultCode', 'Voted'],
};

function rows(format: ExportFormat, voter: ExportedVoter): string[] {
  const last = voter.contactAttempts.at(-1);
  const voted = voter.votedAt?.toISOString() ?? null;
  if (format === 'generic') {
    return [
      line([
        voter.externalId,
        voter.firstName,
        voter.lastName,
        voter.station.code,
        voter.supportLevel,
        voter.tags.join(', '),
        voted,
        voter.votedSource,
        voter.contactAttempts.length,
        last?.channel,
        last?.outcome,
        last?.createdAt.toISOString(),
      ]),
    ];
  }
  if (format === 'nationbuilder') {
    const tags = [
      ...(voter.votedAt ? ['relance-voted'] : []),
      ...[...new Set(voter.contactAttempts.map((a) => `relance-${a.channel}-${a.outcome.replaceAll('_', '-')}`))],
    ];
    return tags.length > 0 ? [line([voter.externalId, voter.firstName, voter.lastName, tags.join(', ')])] : [];
  }
  const contacts = voter.contactAttempts.map((a) =>
    line([
      voter.externalId,
      a.createdAt.toISOString().slice(0, 10),
      voter.phone,
      VAN_CONTACT_TYPES[a.channel],
      VAN_RESULTS[a.outcome],
      voted ? 'Y' : '',
    ]),
  );
  return contacts.length > 0 || !voter.votedAt ? contacts : [line([voter.externalId, voted!.slice(0, 10), voter.phone, '', '', 'Y'])];
}

const BATCH = 5_000;

export function createExports({ prisma, audit }: { prisma: PrismaClient; audit: AuditLog }) {
  return {
    /**
     * Writes the election's people as CSV to `out`, in batches (a million people never sit in
     * memory). The export is recorded in the audit log first: who took the file, in which format.
     */
    async voters(
      electionId: number,
      format: ExportFormat,
      actor: Principal | null,
      out: Writable,
    ): Promise<{ rows: number; people: number }> {
      const people = await prisma.$transaction(async (tx) => {
        const count = await tx.voter.count({ where: { electionId } });
        await audit.record(tx, {
          actor,
          action: 'export.voters',
          subjectType: 'election',
          subjectId: electionId,
          details: { format, people: count },
        });
        return count;
      });
      let written = 0;
      const write = async (text: string) => {
        if (!out.write(text)) await once(out, 'drain');
      };
      await write(HEADERS[format].join(',') + '\n');
      let after = 0;
      for (;;) {
        const batch = await prisma.voter.findMany({
          where: { electionId, id: { gt: after } },
          orderBy: { id: 'asc' },
          take: BATCH,
          select: {
            id: true,
            externalId: true,
            firstName: true,
            lastName: true,
            phone: true,
            tags: true,
            supportLevel: true,
            votedAt: true,
            votedSource: true,
            station: { select: { code: true } },
            contactAttempts: { orderBy: { createdAt: 'asc' }, select: { channel: true, outcome: true, createdAt: true } },
          },
        });
        if (batch.length === 0) break;
        for (const voter of batch) {
          for (const row of rows(format, voter)) {
            written++;
            await write(row);
          }
        }
        after = batch.at(-1)!.id;
      }
      return { rows: written, people };
    },
  };
}

export type Exports = ReturnType<typeof createExports>;
