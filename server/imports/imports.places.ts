import { z } from 'zod';
import { Prisma } from '../db/generated/client.ts';
import { zonedInstant } from '../elections/elections.time.ts';
import type { CsvRecord } from './imports.csv.ts';
import { ImportRejected, ProblemList, requireColumns } from './imports.errors.ts';
import {
  AreaRowSchema,
  parseRecord,
  PolygonSchema,
  REQUIRED_STATION_COLUMNS,
  StationRowSchema,
  type AreaRow,
  type Polygon,
} from './imports.rows.ts';

/** A row of a CSV file, or a GeoJSON feature's properties with its geometry. */
export interface PlaceRecord {
  line: number;
  fields: Record<string, unknown>;
  geometry: unknown;
}

export async function* recordsFromCsv(records: AsyncIterable<CsvRecord>): AsyncGenerator<PlaceRecord> {
  for await (const record of records) yield { ...record, geometry: null };
}

const FeatureCollectionSchema = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(
    z.object({ type: z.literal('Feature'), properties: z.record(z.string(), z.unknown()).nullable(), geometry: z.unknown() }),
  ),
});

/** The features of a GeoJSON FeatureCollection as records: properties are the columns. */
export function recordsFromGeoJson(what: string, json: unknown): PlaceRecord[] {
  const parsed = FeatureCollectionSchema.safeParse(json);
  if (!parsed.success) throw new ImportRejected(what, [{ line: 0, message: 'must be a GeoJSON FeatureCollection of Features' }]);
  return parsed.data.features.map((feature, index) => ({
    line: index + 1,
    fields: feature.properties ?? {},
    geometry: feature.geometry ?? null,
  }));
}

type Place<S extends z.ZodType> = z.output<S> & { line: number; geometry: Polygon | null };

/**
 * Reads areas or stations: each record parsed by `schema`, codes unique in the file, geometry (if
 * any) a polygon. Problems are collected, not thrown, so the caller can add its own checks first.
 */
async function readPlaces<S extends z.ZodType<{ code: string }>>(
  what: string,
  schema: S,
  records: Iterable<PlaceRecord> | AsyncIterable<PlaceRecord>,
  requiredColumns: readonly string[],
) {
  const problems = new ProblemList();
  const rows: Place<S>[] = [];
  const codes = new Set<string>();
  let empty = true;
  for await (const { line, fields, geometry } of records) {
    if (empty) requireColumns(what, Object.keys(fields), requiredColumns);
    empty = false;
    const parsed = parseRecord(schema, line, fields);
    if (!parsed.ok) {
      parsed.problems.forEach((p) => problems.add(p));
      continue;
    }
    const { code } = parsed.row;
    if (codes.has(code)) problems.add({ line, field: 'code', message: `${code} appears twice in the file` });
    codes.add(code);
    let polygon: Polygon | null = null;
    if (geometry !== null && geometry !== undefined) {
      const shape = PolygonSchema.safeParse(geometry);
      if (shape.success) polygon = shape.data;
      else problems.add({ line, field: 'geometry', message: 'must be a GeoJSON Polygon or MultiPolygon in longitude/latitude' });
    }
    rows.push({ ...parsed.row, line, geometry: polygon });
  }
  if (empty) throw new ImportRejected(what, [{ line: 1, message: 'the file is empty' }]);
  return { rows, codes, problems };
}

/** Parents before children, so each area's parent exists when it is written. */
function orderByDepth<Row extends AreaRow & { line: number }>(rows: Row[], known: Set<string>, problems: ProblemList): Row[] {
  const ordered: Row[] = [];
  const placed = new Set(known);
  let pending = rows;
  while (pending.length > 0) {
    const ready = pending.filter((row) => row.parent_code === null || placed.has(row.parent_code));
    if (ready.length === 0) {
      for (const row of pending) {
        problems.add({
          line: row.line,
          field: 'parent_code',
          message: `no area ${row.parent_code} (neither in the file nor already imported), or a loop of parents`,
        });
      }
      break;
    }
    for (const row of ready) placed.add(row.code);
    ordered.push(...ready);
    pending = pending.filter((row) => !ready.includes(row));
  }
  return ordered;
}

/** Areas from GeoJSON, in the caller's transaction: every one created or updated, or none. */
export async function importAreas(tx: Prisma.TransactionClient, electionId: number, records: PlaceRecord[]): Promise<{ areas: number }> {
  const { rows, codes, problems } = await readPlaces('areas', AreaRowSchema, records, ['code', 'name', 'kind']);
  const existing = await tx.area.findMany({ where: { electionId }, select: { id: true, code: true } });
  const ids = new Map(existing.map((area) => [area.code, area.id]));
  const ordered = orderByDepth(rows, new Set(existing.map((a) => a.code).filter((code) => !codes.has(code))), problems);
  problems.throwIfAny('areas');
  // Parents come first, so each parent's id is known when its children are written.
  for (const row of ordered) {
    const fields = {
      name: row.name,
      kind: row.kind,
      parentId: row.parent_code === null ? null : ids.get(row.parent_code)!,
      geometry: row.geometry === null ? Prisma.DbNull : (row.geometry as Prisma.InputJsonValue),
    };
    const area = await tx.area.upsert({
      where: { electionId_code: { electionId, code: row.code } },
      create: { electionId, code: row.code, ...fields },
      update: fields,
      select: { id: true },
    });
    ids.set(row.code, area.id);
  }
  return { areas: ordered.length };
}

/**
 * Polling stations from CSV rows or GeoJSON features, in the caller's transaction. One statement
 * merges them all: a country has tens of thousands of stations (docs/decisions/009-query-layers.md).
 */
export async function importStations(
  tx: Prisma.TransactionClient,
  election: { id: number; pollingDay: string; timezone: string },
  records: Iterable<PlaceRecord> | AsyncIterable<PlaceRecord>,
): Promise<{ stations: number }> {
  const { rows, problems } = await readPlaces('stations', StationRowSchema, records, REQUIRED_STATION_COLUMNS);
  const areas = await tx.area.findMany({ where: { electionId: election.id }, select: { id: true, code: true } });
  const areaIds = new Map(areas.map((a) => [a.code, a.id]));
  for (const row of rows) {
    if (!areaIds.has(row.area_code))
      problems.add({ line: row.line, field: 'area_code', message: `no area ${row.area_code}: import the areas first` });
  }
  problems.throwIfAny('stations');
  const payload = rows.map((row) => ({
    code: row.code,
    name: row.name,
    address: row.address,
    area_id: areaIds.get(row.area_code),
    registered_voters: row.registered_voters,
    baseline_turnout: row.baseline_turnout,
    latitude: row.latitude,
    longitude: row.longitude,
    geometry: row.geometry,
    closes_at: row.closes_at === null ? null : zonedInstant(election.pollingDay, row.closes_at, election.timezone).toISOString(),
  }));
  await tx.$executeRaw`
    INSERT INTO polling_station (election_id, code, name, address, area_id, registered_voters, baseline_turnout, latitude, longitude, geometry, closes_at)
    SELECT ${election.id}, code, name, address, area_id, registered_voters, baseline_turnout, latitude, longitude, geometry, closes_at
    FROM jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) AS s(code text, name text, address text, area_id integer,
      registered_voters integer, baseline_turnout double precision, latitude double precision, longitude double precision,
      geometry jsonb, closes_at timestamptz)
    ON CONFLICT (election_id, code) DO UPDATE SET
      name = EXCLUDED.name, address = EXCLUDED.address, area_id = EXCLUDED.area_id,
      registered_voters = EXCLUDED.registered_voters, baseline_turnout = EXCLUDED.baseline_turnout,
      latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude, geometry = EXCLUDED.geometry,
      closes_at = EXCLUDED.closes_at, updated_at = now()`;
  return { stations: rows.length };
}
