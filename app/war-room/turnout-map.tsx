import { useEffect, useRef, useState } from 'react';
import type { GeoJSONSource, Map as MapLibreMap, MapMouseEvent, StyleSpecification } from 'maplibre-gl';
import type { Bbox, MapGeometry } from '../../server/geo/geo.map.ts';
import type { TurnoutDelta } from '../../server/turnout/turnout.delta.ts';
import type { AreaTurnout, StationTurnout, TurnoutSnapshot } from '../../server/turnout/turnout.service.ts';
import { formatCount, formatShare } from '../format.ts';
import { useLocale, useT, type Locale, type Translate } from '../i18n/i18n.ts';
import {
  AREAS_SOURCE,
  INTERACTIVE_LAYERS,
  LAG_COLOURS,
  LAG_LIMITS,
  LAYERS,
  offlineStyle,
  stationRadiusPx,
  STATIONS_SOURCE,
  THEMES,
  themePaint,
  turnoutLayers,
  zoomSteps,
  type MapTheme,
  type ZoomSteps,
} from './map-style.ts';
import stylesheet from './turnout-map.css?url';

export type { MapGeometry } from '../../server/geo/geo.map.ts';
export type { MapTheme } from './map-style.ts';

export interface MapSelection {
  kind: 'area' | 'station';
  code: string;
}

export interface TurnoutMapProps {
  snapshot: TurnoutSnapshot;
  /** The delta `snapshot` was last updated with (useLiveTurnout's `lastDelta`): only its entries are repainted. */
  lastDelta: TurnoutDelta | null;
  /** GET /api/v1/map (useMapGeometry); null while loading: stations show alone. */
  geometry: MapGeometry | null;
  selected: MapSelection | null;
  onSelect: (selection: MapSelection) => void;
  theme?: MapTheme;
  /** MAP_STYLE_URL (config.mapStyleUrl), passed by the page's loader: a base map under the areas. */
  baseStyleUrl?: string | null;
}

/**
 * The current election's areas and stations for the map (GET /api/v1/map), fetched again when the election
 * changes. A wall screen signed in by token passes it.
 */
export function useMapGeometry(electionId: number | null, { token }: { token?: string } = {}): MapGeometry | null {
  const [geometry, setGeometry] = useState<MapGeometry | null>(null);
  useEffect(() => {
    if (electionId === null) return;
    const abort = new AbortController();
    fetch('/api/v1/map', {
      credentials: 'same-origin',
      headers: token ? { Authorization: `Bearer ${token}` } : {},
      signal: abort.signal,
    })
      .then(async (response) => {
        if (!response.ok) throw new Error(`GET /api/v1/map answered ${response.status}`);
        setGeometry((await response.json()) as MapGeometry);
      })
      .catch((error: unknown) => {
        // The map then shows stations alone; the page's table still has every figure.
        if (!abort.signal.aborted) console.warn('The map’s boundaries could not be loaded', error);
      });
    return () => abort.abort();
  }, [electionId, token]);
  return geometry?.electionId === electionId ? geometry : null;
}

type Hovered = { kind: 'district' | 'neighbourhood' | 'station'; code: string };

/** What the map shows now, for the handlers registered once on the map. */
interface MapState {
  map: MapLibreMap;
  zoom: ZoomSteps;
  /** The zoom that frames the whole city; null until framed. */
  cityZoom: number | null;
  areaBounds: Map<string, Bbox>;
  /** Largest first. */
  districtLabels: { code: string; name: string; at: [number, number]; size: number }[];
  /** Where each station was placed, to place it again if it moves. */
  placed: Map<string, string>;
  mostSupportersLeft: number;
  applied: { epoch: string; seq: number } | null;
  hovered: { source: string; code: string } | null;
  selected: { source: string; code: string } | null;
}

function boundsOf(geometry: MapGeometry['areas']['features'][number]['geometry']): Bbox {
  let [west, south, east, north] = [Infinity, Infinity, -Infinity, -Infinity];
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  for (const polygon of polygons) {
    for (const [longitude, latitude] of polygon[0]!) {
      west = Math.min(west, longitude);
      east = Math.max(east, longitude);
      south = Math.min(south, latitude);
      north = Math.max(north, latitude);
    }
  }
  return [west, south, east, north];
}

function stationsBbox(stations: readonly StationTurnout[]): Bbox | null {
  const located = stations.filter((station) => station.longitude !== null && station.latitude !== null);
  if (located.length === 0) return null;
  const longitudes = located.map((station) => station.longitude!);
  const latitudes = located.map((station) => station.latitude!);
  return [Math.min(...longitudes), Math.min(...latitudes), Math.max(...longitudes), Math.max(...latitudes)];
}

function stationFeatures(stations: readonly StationTurnout[], placed: Map<string, string>) {
  placed.clear();
  const features = [];
  for (const station of stations) {
    if (station.longitude === null || station.latitude === null) continue;
    placed.set(station.code, `${station.longitude},${station.latitude}`);
    features.push({
      type: 'Feature' as const,
      properties: { code: station.code },
      geometry: { type: 'Point' as const, coordinates: [station.longitude, station.latitude] },
    });
  }
  return { type: 'FeatureCollection' as const, features };
}

function paintAreas(map: MapLibreMap, areas: readonly AreaTurnout[]) {
  for (const area of areas) map.setFeatureState({ source: AREAS_SOURCE, id: area.code }, { lag: area.lag });
}

function paintStations(map: MapLibreMap, stations: readonly StationTurnout[], mostLeft: number) {
  for (const station of stations) {
    map.setFeatureState(
      { source: STATIONS_SOURCE, id: station.code },
      {
        lag: station.lag,
        radius: stationRadiusPx(station.supportersLeft, mostLeft),
        silent: station.silent,
        flagged: station.openFlags > 0,
      },
    );
  }
}

/** A lag in words: "12.0 % behind", "3.5 % ahead". */
function lagText(t: Translate, locale: Locale, lag: number | null): string {
  if (lag === null) return t('map.noFigures');
  if (lag === 0) return t('map.onPace');
  return t(lag < 0 ? 'map.behind' : 'map.ahead', { lag: formatShare(locale, Math.abs(lag)) });
}

function percent(locale: Locale, share: number): string {
  return new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { style: 'percent', maximumFractionDigits: 0 }).format(share);
}

/** The legend's class labels, furthest behind first. */
export function lagClassLabels(t: Translate, locale: Locale): string[] {
  const [far, mid, near] = [LAG_LIMITS[5], LAG_LIMITS[4], LAG_LIMITS[3]].map((limit) => percent(locale, limit));
  return [
    t('map.legend.behindOver', { limit: far! }),
    t('map.legend.behind', { from: mid!, to: far! }),
    t('map.legend.behind', { from: near!, to: mid! }),
    t('map.legend.even', { limit: near! }),
    t('map.legend.ahead', { from: near!, to: mid! }),
    t('map.legend.ahead', { from: mid!, to: far! }),
    t('map.legend.aheadOver', { limit: far! }),
  ];
}

function Legend({ theme }: { theme: MapTheme }) {
  const t = useT();
  const locale = useLocale();
  const labels = lagClassLabels(t, locale);
  const colours = THEMES[theme];
  return (
    <div className="turnout-map-legend">
      <p className="turnout-map-legend-title">{t('map.legend.title')}</p>
      <ul className="turnout-map-classes">
        {LAG_COLOURS.map((colour, i) => (
          <li key={colour}>
            <span className="turnout-map-swatch" style={{ background: colour }} aria-hidden="true" />
            {labels[i]}
          </li>
        ))}
        <li>
          <span className="turnout-map-swatch" style={{ background: colours.noFigures }} aria-hidden="true" />
          {t('map.legend.noFigures')}
        </li>
      </ul>
      <ul className="turnout-map-keys">
        <li>
          <span className="turnout-map-dot turnout-map-dot-sizes" aria-hidden="true">
            <span />
            <span />
          </span>
          {t('map.legend.size')}
        </li>
        <li>
          <span className="turnout-map-dot turnout-map-dot-silent" aria-hidden="true" style={{ borderColor: colours.silentStroke }} />
          {t('map.legend.silent')}
        </li>
        <li>
          <span className="turnout-map-dot turnout-map-dot-flagged" aria-hidden="true" style={{ outlineColor: colours.flagRing }} />
          {t('map.legend.flagged')}
        </li>
      </ul>
    </div>
  );
}

function Tooltip({ hovered, snapshot }: { hovered: Hovered; snapshot: TurnoutSnapshot }) {
  const t = useT();
  const locale = useLocale();
  const entry: AreaTurnout | StationTurnout | undefined =
    hovered.kind === 'station'
      ? snapshot.stations.find((station) => station.code === hovered.code)
      : snapshot.areas.find((area) => area.code === hovered.code);
  if (!entry) return null;
  return (
    <>
      <strong>{entry.name}</strong>
      <span>{t('map.tooltip.now', { current: formatShare(locale, entry.current), expected: formatShare(locale, entry.expected) })}</span>
      <span>
        {lagText(t, locale, entry.lag)}
        {'estimated' in entry && entry.estimated ? ` · ${t('map.tooltip.estimated')}` : ''}
      </span>
      {'estimated' in entry && (
        <>
          <span>{t('map.tooltip.supportersLeft', { count: formatCount(locale, entry.supportersLeft) })}</span>
          {entry.silent && <span>{t('map.legend.silent')}</span>}
          {entry.openFlags > 0 && <span>{t('map.tooltip.flags', { count: formatCount(locale, entry.openFlags) })}</span>}
        </>
      )}
      {hovered.kind === 'district' && <span className="turnout-map-hint">{t('map.tooltip.zoom')}</span>}
    </>
  );
}

const PADDING = 24;

/**
 * The war room's map (maplibre-gl, loaded after the page): areas filled by their lag, from districts at city
 * zoom to neighbourhoods, then stations sized by supporters not yet voted. Live updates go through feature
 * state, so a delta repaints only what changed. Draws nothing fetched from elsewhere unless `baseStyleUrl`
 * names a base map; district names are HTML over the canvas (no glyphs needed).
 */
export function TurnoutMap({ snapshot, lastDelta, geometry, selected, onSelect, theme = 'light', baseStyleUrl = null }: TurnoutMapProps) {
  const t = useT();
  const rootRef = useRef<HTMLDivElement>(null);
  const containerRef = useRef<HTMLDivElement>(null);
  const labelsRef = useRef<HTMLDivElement>(null);
  const tooltipRef = useRef<HTMLDivElement>(null);
  const stateRef = useRef<MapState | null>(null);
  // Bumped each time our sources and layers are (re)added to a loaded style: the effects below then paint.
  const [styleVersion, setStyleVersion] = useState(0);
  const [failed, setFailed] = useState(false);
  const [hovered, setHovered] = useState<Hovered | null>(null);
  // What handlers and effects read without following it.
  const latest = useRef({ onSelect, theme, t, snapshot });
  latest.current = { onSelect, theme, t, snapshot };

  // The map: created once per base style; maplibre-gl is imported here, never on the server.
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    let map: MapLibreMap | null = null;
    let cancelled = false;
    void import('maplibre-gl')
      .then(({ Map: MapLibre, NavigationControl, AttributionControl }) => {
        if (cancelled) return;
        const { t, theme } = latest.current;
        try {
          map = new MapLibre({
            container,
            style: baseStyleUrl ?? offlineStyle(theme),
            attributionControl: false,
            dragRotate: false,
            pitchWithRotate: false,
            touchPitch: false,
            maxPitch: 0,
            renderWorldCopies: false,
            locale: {
              'Map.Title': t('map.label'),
              'NavigationControl.ZoomIn': t('map.zoomIn'),
              'NavigationControl.ZoomOut': t('map.zoomOut'),
              'AttributionControl.ToggleAttribution': t('map.attribution'),
            },
          });
        } catch (error) {
          // No WebGL (an old wall screen's browser): the page's table has the same figures.
          console.warn('The map could not start', error);
          setFailed(true);
          return;
        }
        const created = map;
        created.touchZoomRotate.disableRotation();
        created.keyboard.disableRotation();
        created.addControl(new NavigationControl({ showCompass: false }), 'top-right');
        if (baseStyleUrl) created.addControl(new AttributionControl({ compact: true }), 'bottom-right');
        const state: MapState = {
          map: created,
          zoom: { neighbourhoods: 0, stations: 0 },
          cityZoom: null,
          areaBounds: new Map(),
          districtLabels: [],
          placed: new Map(),
          mostSupportersLeft: 1,
          applied: null,
          hovered: null,
          selected: null,
        };
        stateRef.current = state;

        created.on('style.load', () => {
          if (created.getSource(AREAS_SOURCE)) return;
          const emptyCollection = { type: 'FeatureCollection' as const, features: [] };
          created.addSource(AREAS_SOURCE, { type: 'geojson', data: emptyCollection, promoteId: 'code' });
          created.addSource(STATIONS_SOURCE, { type: 'geojson', data: emptyCollection, promoteId: 'code' });
          for (const layer of turnoutLayers(latest.current.theme, { baseMap: baseStyleUrl !== null })) created.addLayer(layer);
          state.applied = null;
          setStyleVersion((version) => version + 1);
        });
        created.on('error', (event) => {
          // A base map that cannot be reached: carry on without it rather than show nothing.
          if (baseStyleUrl && !created.getSource(AREAS_SOURCE)) created.setStyle(offlineStyle(latest.current.theme) as StyleSpecification);
          console.warn('Map:', event.error?.message);
        });

        const setHover = (next: { source: string; code: string } | null) => {
          if (state.hovered?.code === next?.code && state.hovered?.source === next?.source) return;
          if (state.hovered) created.setFeatureState({ source: state.hovered.source, id: state.hovered.code }, { hover: false });
          if (next) created.setFeatureState({ source: next.source, id: next.code }, { hover: true });
          state.hovered = next;
        };
        const featureAt = (event: MapMouseEvent): Hovered | null => {
          const layers = INTERACTIVE_LAYERS.filter((layer) => created.getLayer(layer));
          const [feature] = created.queryRenderedFeatures(event.point, { layers });
          if (!feature) return null;
          const code = String(feature.properties.code);
          if (feature.layer.id === LAYERS.stations) return { kind: 'station', code };
          return { kind: feature.layer.id === LAYERS.districts ? 'district' : 'neighbourhood', code };
        };
        created.on('mousemove', (event) => {
          const found = featureAt(event);
          setHover(found && { source: found.kind === 'station' ? STATIONS_SOURCE : AREAS_SOURCE, code: found.code });
          created.getCanvas().style.cursor = found ? 'pointer' : '';
          setHovered((current) => (current?.code === found?.code && current?.kind === found?.kind ? current : found));
          const tooltip = tooltipRef.current;
          if (tooltip) {
            // Beside the pointer, kept inside the map.
            const flip = event.point.x > container.clientWidth - 240;
            tooltip.style.transform = `translate(${flip ? event.point.x - 12 : event.point.x + 12}px, ${event.point.y + 12}px) translateX(${flip ? '-100%' : '0'})`;
          }
        });
        created.on('mouseout', () => {
          setHover(null);
          setHovered(null);
        });
        created.on('click', (event) => {
          const found = featureAt(event);
          if (!found) return;
          if (found.kind === 'district') {
            const bounds = state.areaBounds.get(found.code);
            if (bounds) created.fitBounds(bounds, { padding: PADDING });
            return;
          }
          latest.current.onSelect({ kind: found.kind === 'station' ? 'station' : 'area', code: found.code });
        });

        // District names: HTML over the canvas at city zoom (no glyphs to fetch), hidden when they would crowd.
        const placeLabels = () => {
          const labels = labelsRef.current;
          if (!labels) return;
          const visible = state.cityZoom !== null && created.getZoom() < state.zoom.neighbourhoods && container.clientWidth >= 480;
          labels.hidden = !visible;
          if (!visible) return;
          // Largest districts first; a label that would overlap one already placed is left out.
          const placed: { left: number; top: number; right: number; bottom: number }[] = [];
          state.districtLabels.forEach(({ at }, i) => {
            const label = labels.children[i] as HTMLElement | undefined;
            if (!label) return;
            const { x, y } = created.project(at);
            const [width, height] = [label.offsetWidth, label.offsetHeight];
            const box = { left: x - width / 2, top: y - height / 2, right: x + width / 2, bottom: y + height / 2 };
            const overlaps = placed.some(
              (other) => box.left < other.right && other.left < box.right && box.top < other.bottom && other.top < box.bottom,
            );
            label.style.visibility = overlaps ? 'hidden' : '';
            if (!overlaps) placed.push(box);
            label.style.transform = `translate(${box.left}px, ${box.top}px)`;
          });
        };
        created.on('move', placeLabels);
        created.on('resize', placeLabels);
        created.on('idle', placeLabels);
      })
      .catch((error: unknown) => {
        console.warn('The map could not load', error);
        setFailed(true);
      });
    return () => {
      cancelled = true;
      stateRef.current = null;
      map?.remove();
    };
  }, [baseStyleUrl]);

  // Boundaries: drawn, framed, and the zoom levels set from the city's frame.
  const [labelList, setLabelList] = useState<MapState['districtLabels']>([]);
  useEffect(() => {
    const state = stateRef.current;
    if (!state || styleVersion === 0) return;
    const { map } = state;
    const features = geometry?.areas.features ?? [];
    (map.getSource(AREAS_SOURCE) as GeoJSONSource).setData(geometry?.areas ?? { type: 'FeatureCollection', features: [] });
    state.areaBounds = new Map(features.map((feature) => [feature.properties.code, boundsOf(feature.geometry)]));
    state.districtLabels = features
      .filter((feature) => feature.properties.kind === 'district')
      .map((feature) => {
        const [west, south, east, north] = state.areaBounds.get(feature.properties.code)!;
        return {
          code: feature.properties.code,
          name: feature.properties.name,
          at: [(west + east) / 2, (south + north) / 2] as [number, number],
          size: (east - west) * (north - south),
        };
      })
      .sort((a, b) => b.size - a.size);
    setLabelList(state.districtLabels);
    const bbox = geometry?.bbox ?? stationsBbox(latest.current.snapshot.stations);
    if (bbox && state.cityZoom === null) {
      map.fitBounds(bbox, { padding: PADDING, animate: false });
      state.cityZoom = map.getZoom();
    }
    state.zoom = zoomSteps(state.cityZoom ?? map.getZoom(), {
      districts: features.some((feature) => feature.properties.kind === 'district'),
      neighbourhoods: features.some((feature) => feature.properties.kind === 'neighbourhood'),
    });
    map.setLayerZoomRange(LAYERS.districts, 0, state.zoom.neighbourhoods);
    map.setLayerZoomRange(LAYERS.neighbourhoods, state.zoom.neighbourhoods, 24);
    map.setLayerZoomRange(LAYERS.neighbourhoodLines, state.zoom.neighbourhoods, 24);
    map.setLayerZoomRange(LAYERS.flagRings, state.zoom.stations, 24);
    map.setLayerZoomRange(LAYERS.stations, state.zoom.stations, 24);
    for (const [layer, property, value] of themePaint(latest.current.theme, state.zoom.stations))
      map.setPaintProperty(layer, property, value);
  }, [geometry, styleVersion]);

  // The live figures: a delta repaints its own entries; anything else (a snapshot, a missed delta) repaints all.
  useEffect(() => {
    const state = stateRef.current;
    if (!state || styleVersion === 0) return;
    const { map, applied } = state;
    const started = performance.now();
    const follows =
      applied !== null &&
      lastDelta !== null &&
      lastDelta.epoch === applied.epoch &&
      snapshot.epoch === applied.epoch &&
      lastDelta.seq === applied.seq + 1 &&
      snapshot.seq === lastDelta.seq;
    if (follows) {
      // A delta carries only what changes during the day (never a station's place): repaint its entries.
      const areas = new Set(lastDelta.areas.map((area) => area.code));
      const stations = new Set(lastDelta.stations.map((station) => station.code));
      paintAreas(
        map,
        snapshot.areas.filter((area) => areas.has(area.code)),
      );
      paintStations(
        map,
        snapshot.stations.filter((station) => stations.has(station.code)),
        state.mostSupportersLeft,
      );
    } else {
      (map.getSource(STATIONS_SOURCE) as GeoJSONSource).setData(stationFeatures(snapshot.stations, state.placed));
      state.mostSupportersLeft = Math.max(1, ...snapshot.stations.map((station) => station.supportersLeft));
      paintAreas(map, snapshot.areas);
      paintStations(map, snapshot.stations, state.mostSupportersLeft);
      if (state.cityZoom === null) {
        const bbox = stationsBbox(snapshot.stations);
        if (bbox) {
          map.fitBounds(bbox, { padding: PADDING, animate: false });
          state.cityZoom = map.getZoom();
        }
      }
    }
    state.applied = { epoch: snapshot.epoch, seq: snapshot.seq };
    // For the benchmark (npm run bench -- live) and tests: how long an update took, and which one is shown.
    performance.measure(follows ? 'turnout-map:delta' : 'turnout-map:snapshot', { start: started });
    if (rootRef.current) rootRef.current.dataset.seq = String(snapshot.seq);
  }, [snapshot, lastDelta, styleVersion]);

  // The selected area or station, outlined.
  useEffect(() => {
    const state = stateRef.current;
    if (!state || styleVersion === 0) return;
    const next = selected && { source: selected.kind === 'station' ? STATIONS_SOURCE : AREAS_SOURCE, code: selected.code };
    if (state.selected) state.map.setFeatureState({ source: state.selected.source, id: state.selected.code }, { selected: false });
    if (next) state.map.setFeatureState({ source: next.source, id: next.code }, { selected: true });
    state.selected = next;
  }, [selected, styleVersion]);

  // The theme (the wall's is dark), switched without rebuilding the map.
  useEffect(() => {
    const state = stateRef.current;
    if (!state || styleVersion === 0) return;
    if (state.map.getLayer('relance-background'))
      state.map.setPaintProperty('relance-background', 'background-color', THEMES[theme].background);
    for (const [layer, property, value] of themePaint(theme, state.zoom.stations)) state.map.setPaintProperty(layer, property, value);
  }, [theme, styleVersion]);

  return (
    <div ref={rootRef} className={`turnout-map turnout-map-${theme}`}>
      <link rel="stylesheet" href={stylesheet} precedence="default" />
      <div className="turnout-map-frame">
        <div ref={containerRef} className="turnout-map-canvas" />
        <div ref={labelsRef} className="turnout-map-labels" aria-hidden="true" hidden>
          {labelList.map((label) => (
            <span key={label.code}>{label.name}</span>
          ))}
        </div>
        <div ref={tooltipRef} className="turnout-map-tooltip" role="status" hidden={!hovered}>
          {hovered && <Tooltip hovered={hovered} snapshot={snapshot} />}
        </div>
        {failed && <p className="turnout-map-failed">{t('map.failed')}</p>}
      </div>
      <Legend theme={theme} />
    </div>
  );
}
