/**
 * How the war room's map looks: the lag classes and their colours, the layers drawn over the base map,
 * and the offline style used when there is none (docs/decisions/021-offline-map-style.md). Plain data:
 * maplibre-gl itself loads only in the browser.
 */
import type { ExpressionSpecification, LayerSpecification, StyleSpecification } from 'maplibre-gl';

export type MapTheme = 'light' | 'dark';

/**
 * Lag class limits (lag = observed / expected − 1): 7 classes centred on 0. A lag on a limit falls in the
 * class above it, as maplibre's `step` does.
 */
export const LAG_LIMITS = [-0.2, -0.1, -0.03, 0.03, 0.1, 0.2] as const;

/**
 * ColorBrewer PuOr, 7 classes: colour-blind safe, and legible in greyscale from dark to light to dark.
 * Behind expected is orange, ahead is purple, near expected is neutral.
 */
export const LAG_COLOURS = ['#b35806', '#f1a340', '#fee0b6', '#f7f7f7', '#d8daeb', '#998ec3', '#542788'] as const;

/** The class of a lag, 0 (furthest behind) to 6 (furthest ahead); null without figures. */
export function lagClass(lag: number | null): number | null {
  if (lag === null) return null;
  const above = LAG_LIMITS.findIndex((limit) => lag < limit);
  return above === -1 ? LAG_LIMITS.length : above;
}

export interface ThemeColours {
  background: string;
  /** Areas without figures yet (no baseline, no report). */
  noFigures: string;
  districtLine: string;
  neighbourhoodLine: string;
  stationStroke: string;
  /** No report for 30 minutes: a thick outline in this colour, and a faded circle. */
  silentStroke: string;
  /** Open flags: a ring around the circle in this colour. */
  flagRing: string;
  selected: string;
}

export const THEMES: Record<MapTheme, ThemeColours> = {
  light: {
    background: '#e9ebee',
    noFigures: '#b4b9c0',
    districtLine: '#2b3340',
    neighbourhoodLine: '#6b7280',
    stationStroke: '#ffffff',
    silentStroke: '#4a5568',
    flagRing: '#17202e',
    selected: '#000000',
  },
  dark: {
    background: '#0e1116',
    noFigures: '#3b414b',
    districtLine: '#e8eaed',
    neighbourhoodLine: '#8b929c',
    stationStroke: '#0e1116',
    silentStroke: '#aab1bb',
    flagRing: '#ffffff',
    selected: '#ffffff',
  },
};

export const AREAS_SOURCE = 'relance-areas';
export const STATIONS_SOURCE = 'relance-stations';

export const LAYERS = {
  districts: 'relance-districts',
  neighbourhoods: 'relance-neighbourhoods',
  neighbourhoodLines: 'relance-neighbourhood-lines',
  districtLines: 'relance-district-lines',
  areaHighlight: 'relance-area-highlight',
  flagRings: 'relance-station-flags',
  stations: 'relance-stations',
} as const;

/** The layers a pointer can hover or click, topmost first. */
export const INTERACTIVE_LAYERS = [LAYERS.stations, LAYERS.neighbourhoods, LAYERS.districts];

/** No base map: a plain background, nothing fetched (no tiles, glyphs or sprite). */
export function offlineStyle(theme: MapTheme): StyleSpecification {
  return {
    version: 8,
    sources: {},
    layers: [{ id: 'relance-background', type: 'background', paint: { 'background-color': THEMES[theme].background } }],
  };
}

const lagState: ExpressionSpecification = ['feature-state', 'lag'];

function lagFill(theme: MapTheme): ExpressionSpecification {
  const steps = LAG_LIMITS.flatMap((limit, i) => [limit, LAG_COLOURS[i + 1]!]);
  return [
    'case',
    ['==', ['typeof', lagState], 'number'],
    ['step', lagState, LAG_COLOURS[0], ...steps] as ExpressionSpecification,
    THEMES[theme].noFigures,
  ];
}

const isState = (name: string): ExpressionSpecification => ['boolean', ['feature-state', name], false];

/** A station's radius, set in pixels as `radius` (sqrt of supporters left), grows as one zooms in. */
function stationRadius(stationZoom: number, extra = 0): ExpressionSpecification {
  const radius: ExpressionSpecification = ['+', ['number', ['feature-state', 'radius'], 3], extra];
  return ['interpolate', ['linear'], ['zoom'], stationZoom, ['*', 0.7, radius], stationZoom + 3, ['*', 1.5, radius]];
}

/** Zoom levels, relative to the zoom that fits the whole city. */
export interface ZoomSteps {
  /** Neighbourhoods replace districts from this zoom. */
  neighbourhoods: number;
  /** Stations appear from this zoom. */
  stations: number;
}

export function zoomSteps(cityZoom: number, kinds: { districts: boolean; neighbourhoods: boolean }): ZoomSteps {
  const neighbourhoods = kinds.districts ? cityZoom + 1 : 0;
  const stations = kinds.districts || kinds.neighbourhoods ? Math.max(neighbourhoods, cityZoom) + 1 : 0;
  return { neighbourhoods, stations };
}

/** The war room's layers, drawn on top of whatever base map (zoom ranges are set once the city is framed). */
export function turnoutLayers(theme: MapTheme, { baseMap }: { baseMap: boolean }): LayerSpecification[] {
  const colours = THEMES[theme];
  const fillOpacity = baseMap ? 0.72 : 0.92;
  const isKind = (kind: string): ExpressionSpecification => ['==', ['get', 'kind'], kind];
  return [
    {
      id: LAYERS.districts,
      type: 'fill',
      source: AREAS_SOURCE,
      filter: isKind('district'),
      paint: { 'fill-color': lagFill(theme), 'fill-opacity': fillOpacity },
    },
    {
      id: LAYERS.neighbourhoods,
      type: 'fill',
      source: AREAS_SOURCE,
      filter: isKind('neighbourhood'),
      paint: { 'fill-color': lagFill(theme), 'fill-opacity': fillOpacity },
    },
    {
      id: LAYERS.neighbourhoodLines,
      type: 'line',
      source: AREAS_SOURCE,
      filter: isKind('neighbourhood'),
      paint: { 'line-color': colours.neighbourhoodLine, 'line-width': ['case', isState('hover'), 2.5, 0.6] },
    },
    {
      id: LAYERS.districtLines,
      type: 'line',
      source: AREAS_SOURCE,
      filter: isKind('district'),
      paint: { 'line-color': colours.districtLine, 'line-width': ['case', isState('hover'), 3, 1.4] },
    },
    {
      id: LAYERS.areaHighlight,
      type: 'line',
      source: AREAS_SOURCE,
      paint: { 'line-color': colours.selected, 'line-width': ['case', isState('selected'), 4, 0] },
    },
    {
      id: LAYERS.flagRings,
      type: 'circle',
      source: STATIONS_SOURCE,
      paint: {
        'circle-radius': stationRadius(0, 4),
        'circle-opacity': 0,
        'circle-stroke-color': colours.flagRing,
        'circle-stroke-width': ['case', isState('flagged'), 2.5, 0],
      },
    },
    {
      id: LAYERS.stations,
      type: 'circle',
      source: STATIONS_SOURCE,
      paint: {
        'circle-radius': stationRadius(0),
        'circle-color': lagFill(theme),
        'circle-opacity': ['case', isState('silent'), 0.5, 0.95],
        'circle-stroke-color': [
          'case',
          isState('selected'),
          colours.selected,
          isState('silent'),
          colours.silentStroke,
          colours.stationStroke,
        ],
        'circle-stroke-width': ['case', isState('selected'), 3.5, isState('silent'), 3, 1],
      },
    },
  ];
}

/** Paint properties that follow the theme, to switch it without rebuilding the map. */
export function themePaint(theme: MapTheme, stationZoom: number): [layer: string, property: string, value: unknown][] {
  const colours = THEMES[theme];
  return [
    [LAYERS.districts, 'fill-color', lagFill(theme)],
    [LAYERS.neighbourhoods, 'fill-color', lagFill(theme)],
    [LAYERS.neighbourhoodLines, 'line-color', colours.neighbourhoodLine],
    [LAYERS.districtLines, 'line-color', colours.districtLine],
    [LAYERS.areaHighlight, 'line-color', colours.selected],
    [LAYERS.flagRings, 'circle-stroke-color', colours.flagRing],
    [LAYERS.flagRings, 'circle-radius', stationRadius(stationZoom, 4)],
    [LAYERS.stations, 'circle-color', lagFill(theme)],
    [LAYERS.stations, 'circle-radius', stationRadius(stationZoom)],
    [
      LAYERS.stations,
      'circle-stroke-color',
      ['case', isState('selected'), colours.selected, isState('silent'), colours.silentStroke, colours.stationStroke],
    ],
  ];
}

/** A station's circle radius in pixels (before zoom): area ∝ supporters not yet voted. */
export function stationRadiusPx(supportersLeft: number, mostLeft: number): number {
  return 3 + 13 * Math.sqrt(Math.min(1, Math.max(0, supportersLeft) / Math.max(1, mostLeft)));
}
