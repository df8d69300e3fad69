import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import centroid from '@turf/centroid';
import kinks from '@turf/kinks';
import Flatbush from 'flatbush';
import proj4 from 'proj4';
import type { Polygon } from './imports.rows.ts';

/**
 * Geometry of imported places: where a point falls, a polygon's centroid and validity, and the
 * French official files' projected coordinates (Lambert-93) brought back to longitude/latitude.
 */

type Ring = number[][];

function rings(polygon: Polygon): Ring[] {
  return polygon.type === 'Polygon' ? polygon.coordinates : polygon.coordinates.flat();
}

function bbox(polygon: Polygon): [number, number, number, number] {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const ring of rings(polygon)) {
    for (const [x, y] of ring) {
      if (x! < minX) minX = x!;
      if (y! < minY) minY = y!;
      if (x! > maxX) maxX = x!;
      if (y! > maxY) maxY = y!;
    }
  }
  return [minX, minY, maxX, maxY];
}

/**
 * Finds which polygon a point is in. A static R-tree (Flatbush) over the polygons' bounding boxes
 * leaves a handful of candidates for the exact test, so a million points stay fast.
 */
export class PolygonIndex<T> {
  private readonly index: Flatbush | undefined;
  private readonly entries: { value: T; polygon: Polygon }[];

  constructor(entries: { value: T; polygon: Polygon }[]) {
    this.entries = entries;
    if (entries.length === 0) return;
    this.index = new Flatbush(entries.length);
    for (const { polygon } of entries) this.index.add(...bbox(polygon));
    this.index.finish();
  }

  find(longitude: number, latitude: number): T | undefined {
    if (!this.index) return undefined;
    for (const i of this.index.search(longitude, latitude, longitude, latitude)) {
      const { value, polygon } = this.entries[i]!;
      if (booleanPointInPolygon([longitude, latitude], polygon)) return value;
    }
    return undefined;
  }
}

/** Stations by their catchment polygon, for voters who come with coordinates and no station code. */
export class StationLocator extends PolygonIndex<number> {
  constructor(stations: { id: number; geometry: unknown }[]) {
    super(stations.filter((s) => isPolygon(s.geometry)).map((s) => ({ value: s.id, polygon: s.geometry as Polygon })));
  }
}

function isPolygon(geometry: unknown): geometry is Polygon {
  const type = (geometry as { type?: string } | null)?.type;
  return type === 'Polygon' || type === 'MultiPolygon';
}

/** The centroid of a polygon, [longitude, latitude]: where a station without coordinates is put. */
export function polygonCentroid(polygon: Polygon): [number, number] {
  const [x, y] = centroid(polygon).geometry.coordinates;
  return [Math.round(x! * 1e7) / 1e7, Math.round(y! * 1e7) / 1e7];
}

/**
 * The polygon without consecutive repeated positions: allowed by the simple features standard, and
 * frequent in files whose coordinates were rounded, but counted as crossings by Turf's kinks.
 */
function withoutRepeats(polygon: Polygon): Polygon {
  const clean = <P extends number[]>(ring: P[]) => ring.filter((p, i) => i === 0 || p[0] !== ring[i - 1]![0] || p[1] !== ring[i - 1]![1]);
  return polygon.type === 'Polygon'
    ? { type: 'Polygon', coordinates: polygon.coordinates.map(clean) }
    : { type: 'MultiPolygon', coordinates: polygon.coordinates.map((rs) => rs.map(clean)) };
}

/**
 * Why a polygon is not valid (OGC simple features, as far as election maps need): a ring not
 * closed, or edges that cross (a figure-of-eight, a bad digitisation). Undefined when it is valid.
 */
export function polygonProblem(polygon: Polygon): string | undefined {
  for (const ring of rings(polygon)) {
    const [first, last] = [ring[0]!, ring.at(-1)!];
    if (first[0] !== last[0] || first[1] !== last[1])
      return 'a ring of the polygon is not closed (its last position must repeat its first)';
  }
  const crossings = kinks(withoutRepeats(polygon)).features;
  if (crossings.length > 0) {
    const [x, y] = crossings[0]!.geometry.coordinates;
    return `the polygon's edges cross themselves (near ${x!.toFixed(5)}, ${y!.toFixed(5)})`;
  }
  return undefined;
}

// RGF93 / Lambert-93, as the IGN and EPSG (2154) define it.
proj4.defs(
  'EPSG:2154',
  '+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
);
const lambert93 = proj4('EPSG:2154', 'EPSG:4326');

export type CoordinateSystem = 'wgs84' | 'lambert93' | 'unknown';

/** The `crs` member of a GeoJSON file (2008 specification), as official French files still write it. */
export function declaredSystem(crs: unknown): CoordinateSystem | undefined {
  const name = (crs as { properties?: { name?: unknown } } | null)?.properties?.name;
  if (typeof name !== 'string') return undefined;
  if (/(EPSG:*:?2154|Lambert[-_ ]?93)$/i.test(name) || /EPSG::2154$/i.test(name)) return 'lambert93';
  if (/(CRS84|EPSG:*:?4326)$/i.test(name)) return 'wgs84';
  return 'unknown';
}

/**
 * What a position's numbers look like: longitude/latitude, Lambert-93 metres (metropolitan France:
 * x about 100,000–1,250,000, y about 6,000,000–7,200,000), or neither.
 */
export function guessSystem(x: number, y: number): CoordinateSystem {
  if (x >= -180 && x <= 180 && y >= -90 && y <= 90) return 'wgs84';
  if (x >= 0 && x <= 1_300_000 && y >= 6_000_000 && y <= 7_300_000) return 'lambert93';
  return 'unknown';
}

/** A Lambert-93 position in longitude/latitude, rounded to 7 decimals (about a centimetre). */
export function fromLambert93([x, y]: number[]): [number, number] {
  const [longitude, latitude] = lambert93.forward([x!, y!]);
  return [Math.round(longitude! * 1e7) / 1e7, Math.round(latitude! * 1e7) / 1e7];
}

/** Every position of a geometry (Point, Polygon, MultiPolygon…) converted. */
export function convertGeometry<G>(geometry: G, convert: (position: number[]) => number[]): G {
  if (geometry === null || typeof geometry !== 'object') return geometry;
  const { coordinates } = geometry as { coordinates?: unknown };
  const walk = (value: unknown): unknown =>
    Array.isArray(value) && typeof value[0] === 'number' ? convert(value as number[]) : Array.isArray(value) ? value.map(walk) : value;
  return coordinates === undefined ? geometry : ({ ...geometry, coordinates: walk(coordinates) } as G);
}

/** The first position of a geometry, to guess its coordinate system. */
export function firstPosition(geometry: unknown): number[] | undefined {
  let value = (geometry as { coordinates?: unknown } | null)?.coordinates;
  while (Array.isArray(value) && Array.isArray(value[0])) value = value[0];
  return Array.isArray(value) && typeof value[0] === 'number' ? (value as number[]) : undefined;
}
