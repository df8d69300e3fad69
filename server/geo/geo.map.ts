/**
 * The war room map's outlines (GET /api/v1/map, docs/api.md): each area's boundary with only what the map
 * needs to draw and join it to the live turnout by code. Pure: the query is in geo.service.ts.
 */

type Position = [number, number];
type Ring = Position[];

export type AreaOutline = { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] };

export interface AreaFeature {
  type: 'Feature';
  properties: {
    code: string;
    name: string;
    kind: 'city' | 'district' | 'neighbourhood';
    parentCode: string | null;
  };
  geometry: AreaOutline;
}

/** West, south, east, north (WGS84 degrees). */
export type Bbox = [number, number, number, number];

export interface MapGeometry {
  /** The current election's id; null when there is none. */
  electionId: number | null;
  /** Areas that have a boundary; an area without one is left out (its stations still show as points). */
  areas: { type: 'FeatureCollection'; features: AreaFeature[] };
  /** Around every area and located station; null when nothing has a place. */
  bbox: Bbox | null;
}

/**
 * Five decimals of a degree are about a metre: finer than a polling district's boundary is drawn, and a third
 * of the bytes of the 15 digits an import may carry.
 */
const round = (degrees: number) => Math.round(degrees * 1e5) / 1e5;

function isPosition(value: unknown): value is Position {
  return Array.isArray(value) && value.length >= 2 && Number.isFinite(value[0]) && Number.isFinite(value[1]);
}

/** A ring rounded, without the repeated points rounding makes; null when it no longer encloses anything. */
function roundRing(ring: unknown): Ring | null {
  if (!Array.isArray(ring)) return null;
  const rounded: Ring = [];
  for (const position of ring) {
    if (!isPosition(position)) return null;
    const point: Position = [round(position[0]), round(position[1])];
    const last = rounded[rounded.length - 1];
    if (!last || last[0] !== point[0] || last[1] !== point[1]) rounded.push(point);
  }
  return rounded.length >= 4 ? rounded : null;
}

function roundPolygon(polygon: unknown): Ring[] | null {
  if (!Array.isArray(polygon) || polygon.length === 0) return null;
  const outer = roundRing(polygon[0]);
  if (!outer) return null;
  const holes = polygon.slice(1).map(roundRing);
  return [outer, ...holes.filter((ring): ring is Ring => ring !== null)];
}

/** A stored boundary (imports keep GeoJSON Polygons and MultiPolygons) ready for the map; null when it has none. */
export function outlineOf(geometry: unknown): AreaOutline | null {
  if (typeof geometry !== 'object' || geometry === null) return null;
  const { type, coordinates } = geometry as { type?: unknown; coordinates?: unknown };
  if (type === 'Polygon') {
    const polygon = roundPolygon(coordinates);
    return polygon && { type, coordinates: polygon };
  }
  if (type === 'MultiPolygon' && Array.isArray(coordinates)) {
    const polygons = coordinates.map(roundPolygon).filter((polygon): polygon is Ring[] => polygon !== null);
    return polygons.length > 0 ? { type, coordinates: polygons } : null;
  }
  return null;
}

/** The box around outlines and points, or null when there are none. */
export function bboxOf(outlines: readonly AreaOutline[], points: readonly Position[] = []): Bbox | null {
  let [west, south, east, north] = [Infinity, Infinity, -Infinity, -Infinity];
  const add = ([longitude, latitude]: Position) => {
    west = Math.min(west, longitude);
    east = Math.max(east, longitude);
    south = Math.min(south, latitude);
    north = Math.max(north, latitude);
  };
  for (const outline of outlines) {
    const polygons = outline.type === 'Polygon' ? [outline.coordinates] : outline.coordinates;
    // Holes lie inside their outer ring.
    for (const polygon of polygons) polygon[0]!.forEach(add);
  }
  points.forEach(add);
  return west === Infinity ? null : [west, south, east, north];
}
