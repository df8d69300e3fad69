import type { Readable } from 'node:stream';
import type pg from 'pg';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit.service.ts';
import type { LiveFeed } from '../realtime/realtime.feed.ts';
import type { Principal } from '../auth/auth.roles.ts';
import { inTransaction, type PrismaClient } from '../db/database.ts';
import { isTimeZone, zonedInstant } from '../elections/elections.time.ts';
import { NotFound } from '../errors.ts';
import { parseInput, PlainTextSchema } from '../fields.ts';
import { readCsv } from './imports.csv.ts';
import { importAreas, importStations, recordsFromCsv, recordsFromGeoJson } from './imports.places.ts';
import { importVoters } from './imports.voters.ts';

const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time such as 08:00');

export const ElectionSpecSchema = z
  .object({
    name: PlainTextSchema.min(1, 'must not be empty').max(200),
    pollingDay: z.iso.date('must be a date such as 2026-03-15'),
    timezone: z.string().refine(isTimeZone, 'must be an IANA timezone such as Europe/Paris'),
    opensAt: time,
    closesAt: time,
  })
  .refine((spec) => spec.closesAt > spec.opensAt, { path: ['closesAt'], message: 'must be after the opening time' });
export type ElectionSpec = z.input<typeof ElectionSpecSchema>;

/** Stations come as CSV rows or as GeoJSON features (with their catchment polygons). */
export type StationSource = { csv: Readable } | { geojson: unknown };

interface Dependencies {
  prisma: PrismaClient;
  pool: pg.Pool;
  audit: AuditLog;
  feed: LiveFeed;
}

/**
 * Loading an election's territory and the campaign's voter file. Every import is all or nothing:
 * a file with a bad row changes nothing and says which rows to fix.
 */
export function createImports({ prisma, pool, audit, feed }: Dependencies) {
  async function election(electionId: number) {
    const found = await prisma.election.findUnique({ where: { id: electionId } });
    if (!found) throw new NotFound(`No election ${electionId}.`);
    return { ...found, pollingDay: found.pollingDay.toISOString().slice(0, 10) };
  }

  // Large files take longer than Prisma's default 5 s for an interactive transaction.
  const importTransaction = { timeout: 10 * 60_000, maxWait: 30_000 };

  return {
    async election(input: ElectionSpec, actor: Principal | null) {
      const spec = parseInput(ElectionSpecSchema, input);
      return prisma
        .$transaction(async (tx) => {
          const created = await tx.election.create({
            data: {
              name: spec.name,
              pollingDay: new Date(`${spec.pollingDay}T00:00:00Z`),
              timezone: spec.timezone,
              pollsOpenAt: zonedInstant(spec.pollingDay, spec.opensAt, spec.timezone),
              pollsCloseAt: zonedInstant(spec.pollingDay, spec.closesAt, spec.timezone),
            },
          });
          await audit.record(tx, { actor, action: 'election.create', subjectType: 'election', subjectId: created.id });
          return created;
        })
        .then((created) => {
          feed.publish({ type: 'election:changed', electionId: created.id });
          return created;
        });
    },

    async areas(electionId: number, geojson: unknown, actor: Principal | null) {
      await election(electionId);
      const records = recordsFromGeoJson('areas', geojson);
      return prisma.$transaction(async (tx) => {
        const result = await importAreas(tx, electionId, records);
        await audit.record(tx, { actor, action: 'import.areas', subjectType: 'election', subjectId: electionId, details: result });
        return result;
      }, importTransaction);
    },

    async stations(electionId: number, source: StationSource, actor: Principal | null) {
      const target = await election(electionId);
      const records = 'csv' in source ? recordsFromCsv(readCsv(source.csv)) : recordsFromGeoJson('stations', source.geojson);
      return prisma
        .$transaction(async (tx) => {
          const result = await importStations(tx, target, records);
          await audit.record(tx, { actor, action: 'import.stations', subjectType: 'election', subjectId: electionId, details: result });
          return result;
        }, importTransaction)
        .then((result) => {
          feed.publish({ type: 'election:changed', electionId });
          return result;
        });
    },

    /** COPY needs the driver's own connection, so this import runs its transaction on the pool. */
    async voters(electionId: number, csv: Readable, actor: Principal | null) {
      await election(electionId);
      return inTransaction(pool, async (client) => {
        const result = await importVoters(client, electionId, csv);
        await audit.record(client, {
          actor,
          action: 'import.voters',
          subjectType: 'election',
          subjectId: electionId,
          details: { rows: result.rows, created: result.created, updated: result.updated, ...result.suppressed },
        });
        return result;
      });
    },
  };
}

export type Imports = ReturnType<typeof createImports>;
