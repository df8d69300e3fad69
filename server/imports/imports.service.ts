import fs from 'node:fs';
import type { Readable } from 'node:stream';
import type pg from 'pg';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit.service.ts';
import { dropUncontactableEntries, publishDrops } from '../chase/chase.live.ts';
import type { LiveFeed } from '../realtime/realtime.feed.ts';
import type { Principal } from '../auth/auth.roles.ts';
import { inTransaction, type PrismaClient } from '../db/database.ts';
import { isTimeZone, zonedInstant } from '../elections/elections.time.ts';
import { NotFound } from '../errors.ts';
import { parseInput, PlainTextSchema } from '../fields.ts';
import { readCsv } from './imports.csv.ts';
import { ImportRejected, ProblemList, type ImportSummary } from './imports.errors.ts';
import {
  importAreas,
  importBaselines,
  importStations,
  recordsFromCsv,
  recordsFromGeoJson,
  type PlaceImportOptions,
} from './imports.places.ts';
import { dryRunResult, importVoters, type VoterImportOptions, type VoterImportResult } from './imports.voters.ts';

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

/** What the audit trail keeps of an import. */
function counts({ read, imported, rejected }: ImportSummary) {
  return { read, imported, rejected };
}

/** A GeoJSON file (UTF-8, a BOM tolerated), or a refusal that says it is not one. */
function readJsonFile(kind: string, path: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch {
    throw new ImportRejected(kind, [{ line: 0, message: 'is not a GeoJSON file (it cannot be read as JSON): is it cut, or a CSV file?' }]);
  }
}

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

    async areas(electionId: number, geojson: unknown, actor: Principal | null, options: PlaceImportOptions = {}) {
      await election(electionId);
      const records = recordsFromGeoJson('areas', geojson);
      const problems = new ProblemList(options.errorReport);
      return prisma.$transaction(async (tx) => {
        const result = await importAreas(tx, electionId, records, problems, options);
        await audit.record(tx, { actor, action: 'import.areas', subjectType: 'election', subjectId: electionId, details: counts(result) });
        return result;
      }, importTransaction);
    },

    async stations(electionId: number, source: StationSource, actor: Principal | null, options: PlaceImportOptions = {}) {
      const target = await election(electionId);
      const records = 'csv' in source ? recordsFromCsv(readCsv(source.csv, 'stations')) : recordsFromGeoJson('stations', source.geojson);
      const problems = new ProblemList(options.errorReport);
      const result = await prisma.$transaction(async (tx) => {
        const imported = await importStations(tx, target, records, problems, options);
        await audit.record(tx, {
          actor,
          action: 'import.stations',
          subjectType: 'election',
          subjectId: electionId,
          details: counts(imported),
        });
        return imported;
      }, importTransaction);
      feed.publish({ type: 'election:changed', electionId });
      return result;
    },

    /** Past turnout per station (CSV): the final share and, where known, the shares at hours of the day. */
    async baselines(electionId: number, csv: Readable, actor: Principal | null, options: PlaceImportOptions = {}) {
      await election(electionId);
      const problems = new ProblemList(options.errorReport);
      const result = await prisma.$transaction(async (tx) => {
        const imported = await importBaselines(tx, electionId, readCsv(csv, 'baselines'), problems, options);
        await audit.record(tx, {
          actor,
          action: 'import.baselines',
          subjectType: 'election',
          subjectId: electionId,
          details: counts(imported),
        });
        return imported;
      }, importTransaction);
      // Baselines change what every station is expected to reach: the war room recomputes.
      feed.publish({ type: 'election:changed', electionId });
      return result;
    },

    /** Stations, areas or baselines from a file on disk, as the CLI and the import page give them. */
    async file(
      kind: 'stations' | 'areas' | 'baselines',
      electionId: number,
      path: string,
      actor: Principal | null,
      options: PlaceImportOptions = {},
    ) {
      const geojson = kind === 'areas' || (kind === 'stations' && /\.(geo)?json$/i.test(path));
      if (!geojson) {
        const stream = fs.createReadStream(path);
        return kind === 'stations'
          ? this.stations(electionId, { csv: stream }, actor, options)
          : this.baselines(electionId, stream, actor, options);
      }
      const json = readJsonFile(kind, path);
      return kind === 'areas' ? this.areas(electionId, json, actor, options) : this.stations(electionId, { geojson: json }, actor, options);
    },

    /**
     * COPY needs the driver's own connection, so this import runs its transaction on the pool. A
     * dry run does everything, then rolls back: its result is what the import would do.
     */
    async voters(electionId: number, csv: Readable, actor: Principal | null, options: VoterImportOptions = {}): Promise<VoterImportResult> {
      await election(electionId);
      try {
        const { result, drops } = await inTransaction(pool, async (client) => {
          const result = await importVoters(client, electionId, csv, options);
          // People the file makes do-not-contact leave every chase list in this same transaction.
          const drops = await dropUncontactableEntries(client, electionId);
          await audit.record(client, {
            actor,
            action: 'import.voters',
            subjectType: 'election',
            subjectId: electionId,
            details: {
              rows: result.read,
              created: result.created,
              updated: result.updated,
              rejected: result.rejected,
              preset: result.preset,
              ...result.suppressed,
            },
          });
          return { result, drops };
        });
        publishDrops(feed, electionId, drops);
        return result;
      } catch (error) {
        const dryRun = dryRunResult(error);
        if (dryRun) return dryRun;
        throw error;
      }
    },
  };
}

export type Imports = ReturnType<typeof createImports>;
