import type pg from 'pg';
import { z } from 'zod';
import { zonedInstant } from '../elections/elections.time.ts';
import type { CsvRecord } from './imports.csv.ts';
import { ImportRejected, ProblemList } from './imports.errors.ts';
import {
  AreaRowSchema,
  missingColumns,
  parseRecord,
  PolygonSchema,
  REQUIRED_STATION_COLUMNS,
  StationRowSchema,
  type AreaRow,
  type Polygon,
  type StationRow,
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

function parseGeometry(problems: ProblemList, line: number, geometry: unknown): Polygon | null {
  if (geometry === null || geometry === undefined) return null;
  const parsed = PolygonSchema.safeParse(geometry);
  if (parsed.success) return parsed.data;
  problems.add({ line, field: 'geometry', message: 'must be a GeoJSON Polygon or MultiPolygon in longitude/latitude' });
  return null;
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

export async function importAreas(pool: pg.Pool, electionId: number, records: PlaceRecord[]): Promise<{ areas: number }> {
  const problems = new ProblemList();
  const rows: (AreaRow & { line: number; geometry: Polygon | null })[] = [];
  const codes = new Set<string>();
  for (const { line, fields, geometry } of records) {
    const parsed = parseRecord(AreaRowSchema, line, fields);
    if (!parsed.ok) {
      parsed.problems.forEach((p) => problems.add(p));
      continue;
    }
    if (codes.has(parsed.row.code)) problems.add({ line, field: 'code', message: `${parsed.row.code} appears twice in the file` });
    codes.add(parsed.row.code);
    rows.push({ ...parsed.row, line, geometry: parseGeometry(problems, line, geometry) });
  }
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows: existing } = await client.query<{ code: string }>('SELECT code FROM area WHERE election_id = $1', [electionId]);
    const ordered = orderByDepth(rows, new Set(existing.map((a) => a.code).filter((code) => !codes.has(code))), problems);
    problems.throwIfAny('areas');
    for (const row of ordered) {
      await client.query(
        `INSERT INTO area (election_id, code, name, kind, parent_id, geometry)
         VALUES ($1, $2, $3, $4, (SELECT id FROM area WHERE election_id = $1 AND code = $5), $6)
         ON CONFLICT (election_id, code) DO UPDATE SET
           name = EXCLUDED.name, kind = EXCLUDED.kind, parent_id = EXCLUDED.parent_id, geometry = EXCLUDED.geometry`,
        [electionId, row.code, row.name, row.kind, row.parent_code, row.geometry === null ? null : JSON.stringify(row.geometry)],
      );
    }
    await client.query('COMMIT');
    return { areas: ordered.length };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export async function importStations(
  pool: pg.Pool,
  electionId: number,
  election: { pollingDay: string; timezone: string },
  records: Iterable<PlaceRecord> | AsyncIterable<PlaceRecord>,
): Promise<{ stations: number }> {
  const problems = new ProblemList();
  const rows: (StationRow & { line: number; geometry: Polygon | null })[] = [];
  const codes = new Set<string>();
  let checkedHeader = false;
  for await (const { line, fields, geometry } of records) {
    if (!checkedHeader) {
      checkedHeader = true;
      const missing = missingColumns(Object.keys(fields), REQUIRED_STATION_COLUMNS);
      if (missing.length > 0)
        throw new ImportRejected('stations', [
          { line: 1, message: `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` },
        ]);
    }
    const parsed = parseRecord(StationRowSchema, line, fields);
    if (!parsed.ok) {
      parsed.problems.forEach((p) => problems.add(p));
      continue;
    }
    if (codes.has(parsed.row.code)) problems.add({ line, field: 'code', message: `${parsed.row.code} appears twice in the file` });
    codes.add(parsed.row.code);
    rows.push({ ...parsed.row, line, geometry: parseGeometry(problems, line, geometry) });
  }
  if (!checkedHeader) throw new ImportRejected('stations', [{ line: 1, message: 'the file is empty' }]);

  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows: areas } = await client.query<{ id: number; code: string }>('SELECT id, code FROM area WHERE election_id = $1', [
      electionId,
    ]);
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
    await client.query(
      `INSERT INTO polling_station (election_id, code, name, address, area_id, registered_voters, baseline_turnout, latitude, longitude, geometry, closes_at)
       SELECT $1, code, name, address, area_id, registered_voters, baseline_turnout, latitude, longitude, geometry, closes_at
       FROM jsonb_to_recordset($2::jsonb) AS s(code text, name text, address text, area_id integer, registered_voters integer,
         baseline_turnout double precision, latitude double precision, longitude double precision, geometry jsonb, closes_at timestamptz)
       ON CONFLICT (election_id, code) DO UPDATE SET
         name = EXCLUDED.name, address = EXCLUDED.address, area_id = EXCLUDED.area_id,
         registered_voters = EXCLUDED.registered_voters, baseline_turnout = EXCLUDED.baseline_turnout,
         latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude, geometry = EXCLUDED.geometry,
         closes_at = EXCLUDED.closes_at, updated_at = now()`,
      [electionId, JSON.stringify(payload)],
    );
    await client.query('COMMIT');
    return { stations: rows.length };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
