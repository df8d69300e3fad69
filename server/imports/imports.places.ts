import { z } from 'zod';
import { Prisma } from '../db/generated/client.ts';
import { zonedInstant } from '../elections/elections.time.ts';
import { WRONG_FIELD_COUNT, type CsvRecord } from './imports.csv.ts';
import { ImportRejected, ProblemList, requireColumns, type ImportSummary } from './imports.errors.ts';
import {
  convertGeometry,
  declaredSystem,
  firstPosition,
  fromLambert93,
  guessSystem,
  PolygonIndex,
  polygonCentroid,
  polygonProblem,
} from './imports.geo.ts';
import {
  AreaRowSchema,
  BaselineRowSchema,
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

/** How an import treats bad rows, and where it lists them. */
export interface PlaceImportOptions {
  onErrors?: 'reject-file' | 'skip-rows';
  errorReport?: string;
}

export async function* recordsFromCsv(records: AsyncIterable<CsvRecord>): AsyncGenerator<PlaceRecord> {
  for await (const record of records) yield { ...record, geometry: null };
}

const FeatureCollectionSchema = z.object({
  type: z.literal('FeatureCollection'),
  crs: z.unknown().optional(),
  features: z.array(
    z.object({ type: z.literal('Feature'), properties: z.record(z.string(), z.unknown()).nullable(), geometry: z.unknown() }),
  ),
});

/**
 * The features of a GeoJSON FeatureCollection as records: properties are the columns. Official
 * French files often come in Lambert-93 (EPSG:2154), said by their `crs` member or seen in their
 * coordinates: they are converted to longitude/latitude. Any other system is refused.
 */
export function recordsFromGeoJson(what: string, json: unknown): PlaceRecord[] {
  const parsed = FeatureCollectionSchema.safeParse(json);
  if (!parsed.success) throw new ImportRejected(what, [{ line: 0, message: 'must be a GeoJSON FeatureCollection of Features' }]);
  const { features, crs } = parsed.data;
  const sample = features.map((f) => firstPosition(f.geometry)).find((p) => p !== undefined);
  const system = declaredSystem(crs) ?? (sample ? guessSystem(sample[0]!, sample[1]!) : 'wgs84');
  if (system === 'unknown') {
    throw new ImportRejected(what, [
      {
        line: 0,
        message:
          'the coordinates are neither longitude/latitude (WGS84) nor Lambert-93 (EPSG:2154): export the file in WGS84 (EPSG:4326) and import it again',
      },
    ]);
  }
  return features.map((feature, index) => ({
    line: index + 1,
    fields: feature.properties ?? {},
    geometry: system === 'lambert93' ? convertGeometry(feature.geometry ?? null, fromLambert93) : (feature.geometry ?? null),
  }));
}

type Place<S extends z.ZodType> = z.output<S> & { line: number; geometry: Polygon | null; point: [number, number] | null };

function summaryOf(read: number, imported: number, problems: ProblemList): ImportSummary {
  return { read, imported, rejected: problems.rejected, errorReport: problems.close() };
}

/** In reject-file mode, any problem refuses the file, with the summary of what was read. */
function refuseIfAny(what: string, read: number, problems: ProblemList, options: PlaceImportOptions) {
  if (options.onErrors === 'skip-rows' || problems.count === 0) return;
  const rejected = new ImportRejected(what, problems.kept, problems.count);
  rejected.summary = summaryOf(read, 0, problems);
  throw rejected;
}

/**
 * Reads areas or stations: each record parsed by `schema`, codes unique in the file, geometry (if
 * any) a valid polygon, or a point. Bad records are left out and their problems collected.
 */
async function readPlaces<S extends z.ZodType<{ code: string }>>(
  what: string,
  schema: S,
  records: Iterable<PlaceRecord> | AsyncIterable<PlaceRecord>,
  requiredColumns: readonly string[],
  problems: ProblemList,
  points = false,
) {
  const rows: Place<S>[] = [];
  const codes = new Set<string>();
  let read = 0;
  for await (const { line, fields, geometry } of records) {
    if (read === 0) requireColumns(what, Object.keys(fields), requiredColumns);
    read++;
    if (fields[WRONG_FIELD_COUNT] !== undefined) {
      problems.add({
        line,
        message: `has ${String(fields[WRONG_FIELD_COUNT])} fields where the header has ${Object.keys(fields).length - 1}`,
      });
      continue;
    }
    const parsed = parseRecord(schema, line, fields);
    if (!parsed.ok) {
      parsed.problems.forEach((p) => problems.add({ ...p, value: p.field ? String(fields[p.field] ?? '') : undefined }));
      continue;
    }
    const { code } = parsed.row;
    if (codes.has(code)) {
      problems.add({ line, field: 'code', value: code, message: `${code} appears twice in the file` });
      continue;
    }
    codes.add(code);
    let polygon: Polygon | null = null;
    let point: [number, number] | null = null;
    const type = (geometry as { type?: unknown } | null)?.type;
    if (type === 'Point' && points) {
      const [x, y] = (geometry as { coordinates: number[] }).coordinates;
      if (typeof x === 'number' && typeof y === 'number') point = [x, y];
    } else if (geometry !== null && geometry !== undefined) {
      const shape = PolygonSchema.safeParse(geometry);
      if (!shape.success) {
        problems.add({
          line,
          field: 'geometry',
          message: `must be a GeoJSON ${points ? 'Point, ' : ''}Polygon or MultiPolygon in longitude/latitude`,
        });
        continue;
      }
      const invalid = polygonProblem(shape.data);
      if (invalid) {
        problems.add({ line, field: 'geometry', message: `is not a valid polygon: ${invalid}` });
        continue;
      }
      polygon = shape.data;
    }
    rows.push({ ...parsed.row, line, geometry: polygon, point });
  }
  if (read === 0) throw new ImportRejected(what, [{ line: 1, message: 'the file is empty' }]);
  return { rows, codes, read };
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
          value: row.parent_code ?? '',
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

/** A polygon's area in square degrees: enough to rank areas by size. */
function planarArea(polygon: Polygon): number {
  const polygons = polygon.type === 'Polygon' ? [polygon.coordinates] : polygon.coordinates;
  let total = 0;
  for (const [outer] of polygons) {
    let sum = 0;
    for (let i = 0; i < outer!.length - 1; i++) sum += outer![i]![0]! * outer![i + 1]![1]! - outer![i + 1]![0]! * outer![i]![1]!;
    total += Math.abs(sum) / 2;
  }
  return total;
}

/**
 * When a file gives no parent_code property, each area's parent is the smallest other area of the
 * file that contains its centroid: the hierarchy of districts and neighbourhoods, found by containment.
 */
function parentsByContainment<Row extends AreaRow & { geometry: Polygon | null }>(rows: Row[]): void {
  const withShape = rows.filter((row) => row.geometry !== null).map((row) => ({ row, size: planarArea(row.geometry!) }));
  // Smallest first, so that the index's first match for a point is its closest container.
  withShape.sort((a, b) => a.size - b.size);
  for (const { row, size } of withShape) {
    const [x, y] = polygonCentroid(row.geometry!);
    const index = new PolygonIndex(
      withShape.filter((other) => other.size > size).map((other) => ({ value: other.row.code, polygon: other.row.geometry! })),
    );
    row.parent_code = index.find(x, y) ?? null;
  }
}

/** Areas from GeoJSON, in the caller's transaction: every one created or updated, or none. */
export async function importAreas(
  tx: Prisma.TransactionClient,
  electionId: number,
  records: PlaceRecord[],
  problems: ProblemList = new ProblemList(),
  options: PlaceImportOptions = {},
): Promise<ImportSummary> {
  const byContainment = records.length > 0 && records.every((record) => !('parent_code' in record.fields));
  const { rows, codes, read } = await readPlaces('areas', AreaRowSchema, records, ['code', 'name', 'kind'], problems);
  if (byContainment) parentsByContainment(rows);
  const existing = await tx.area.findMany({ where: { electionId }, select: { id: true, code: true } });
  const ids = new Map(existing.map((area) => [area.code, area.id]));
  const ordered = orderByDepth(rows, new Set(existing.map((a) => a.code).filter((code) => !codes.has(code))), problems);
  refuseIfAny('areas', read, problems, options);
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
  return summaryOf(read, ordered.length, problems);
}

/**
 * Polling stations from CSV rows or GeoJSON features, in the caller's transaction. A station
 * without latitude and longitude is put at its point geometry, or its catchment's centroid. One
 * statement merges them all: a country has tens of thousands of stations
 * (docs/decisions/009-query-layers.md).
 */
export async function importStations(
  tx: Prisma.TransactionClient,
  election: { id: number; pollingDay: string; timezone: string },
  records: Iterable<PlaceRecord> | AsyncIterable<PlaceRecord>,
  problems: ProblemList = new ProblemList(),
  options: PlaceImportOptions = {},
): Promise<ImportSummary> {
  const { rows: read_, read } = await readPlaces('stations', StationRowSchema, records, REQUIRED_STATION_COLUMNS, problems, true);
  const areas = await tx.area.findMany({ where: { electionId: election.id }, select: { id: true, code: true } });
  const areaIds = new Map(areas.map((a) => [a.code, a.id]));
  const rows = read_.filter((row) => {
    if (areaIds.has(row.area_code)) return true;
    problems.add({ line: row.line, field: 'area_code', value: row.area_code, message: `no area ${row.area_code}: import the areas first` });
    return false;
  });
  refuseIfAny('stations', read, problems, options);
  const payload = rows.map((row) => {
    const location =
      row.latitude !== null && row.longitude !== null ? null : (row.point ?? (row.geometry ? polygonCentroid(row.geometry) : null));
    return {
      code: row.code,
      name: row.name,
      address: row.address,
      area_id: areaIds.get(row.area_code),
      registered_voters: row.registered_voters,
      baseline_turnout: row.baseline_turnout,
      latitude: location ? location[1] : row.latitude,
      longitude: location ? location[0] : row.longitude,
      geometry: row.geometry,
      closes_at: row.closes_at === null ? null : zonedInstant(election.pollingDay, row.closes_at, election.timezone).toISOString(),
    };
  });
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
  return summaryOf(read, rows.length, problems);
}

/** Hour columns of a baseline file: 12h, 12h00, 12:00, turnout_12h… → 12. */
export function hourOfColumn(column: string): number | undefined {
  const match = /^(?:turnout_|participation_|taux_)?(\d{1,2})(?:h|h00|:00|_00)?$/.exec(column);
  const hour = match ? Number(match[1]) : NaN;
  return Number.isInteger(hour) && hour >= 0 && hour <= 23 ? hour : undefined;
}

/**
 * Past turnout per station, in the caller's transaction: the final share (`turnout`) and, where
 * the file has them, the shares at hours of the day (columns such as `12h` or `17:00`). Stations
 * are matched by code; one statement updates them all.
 */
export async function importBaselines(
  tx: Prisma.TransactionClient,
  electionId: number,
  records: AsyncIterable<CsvRecord>,
  problems: ProblemList = new ProblemList(),
  options: PlaceImportOptions = {},
): Promise<ImportSummary> {
  const stations = await tx.pollingStation.findMany({ where: { electionId }, select: { code: true } });
  const known = new Set(stations.map((s) => s.code));
  const seen = new Set<string>();
  const payload: { code: string; final: number | null; hourly: Record<string, number> | null }[] = [];
  let read = 0;
  for await (const { line, fields } of records) {
    if (read === 0) requireColumns('baselines', Object.keys(fields), ['station_code']);
    read++;
    if (fields[WRONG_FIELD_COUNT] !== undefined) {
      problems.add({ line, message: `has ${fields[WRONG_FIELD_COUNT]} fields where the header has ${Object.keys(fields).length - 1}` });
      continue;
    }
    const final = fields.turnout ?? fields.final_turnout ?? fields.baseline_turnout ?? fields.participation ?? '';
    const parsed = parseRecord(BaselineRowSchema, line, { station_code: fields.station_code, turnout: final });
    if (!parsed.ok) {
      parsed.problems.forEach((p) => problems.add({ ...p, value: p.field === 'turnout' ? final : fields.station_code }));
      continue;
    }
    const hourly: Record<string, number> = {};
    let bad = false;
    for (const [column, value] of Object.entries(fields)) {
      const hour = hourOfColumn(column);
      if (hour === undefined || value === '') continue;
      const share = parseRecord(BaselineRowSchema, line, { station_code: parsed.row.station_code, turnout: value });
      if (!share.ok || share.row.turnout === null) {
        problems.add({ line, field: column, value, message: 'must be a share between 0 and 1, or a percentage' });
        bad = true;
      } else hourly[String(hour)] = share.row.turnout;
    }
    if (bad) continue;
    const code = parsed.row.station_code;
    if (!known.has(code)) {
      problems.add({ line, field: 'station_code', value: code, message: `no station ${code} in this election: import the stations first` });
    } else if (seen.has(code)) {
      problems.add({ line, field: 'station_code', value: code, message: `${code} appears twice in the file` });
    } else {
      seen.add(code);
      payload.push({ code, final: parsed.row.turnout, hourly: Object.keys(hourly).length > 0 ? hourly : null });
    }
  }
  if (read === 0) throw new ImportRejected('baselines', [{ line: 1, message: 'the file has no station' }]);
  refuseIfAny('baselines', read, problems, options);
  await tx.$executeRaw`
    UPDATE polling_station AS p SET
      baseline_turnout = COALESCE(b.final, p.baseline_turnout),
      baseline_hourly = COALESCE(b.hourly, p.baseline_hourly),
      updated_at = now()
    FROM jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) AS b(code text, final double precision, hourly jsonb)
    WHERE p.election_id = ${electionId} AND p.code = b.code`;
  return summaryOf(read, payload.length, problems);
}
