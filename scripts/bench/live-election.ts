/**
 * The live benchmark's elections, imported through the same import services as production: a city of 20
 * districts, neighbourhoods of about 12 stations each (Paris has about 11), drawn as a grid of squares so the
 * map has areas to fill and stations to place, each station with 1,500 registered voters and a past turnout
 * so that the model has figures (expected, lag, projection) from the first report on.
 */
import type { SimulationWindow } from '../../server/elections/elections.clock.ts';
import { zonedInstant } from '../../server/elections/elections.time.ts';
import type { Services } from '../../server/services.ts';
import { featureCollection, square } from '../../tests/factories.ts';

export const REGISTERED = 1_500;
const DISTRICTS = 20;
const STATIONS_PER_NEIGHBOURHOOD = 12;
/** A neighbourhood's side, in degrees; its stations are a 4 × 3 grid of squares inside it. */
const CELL = 0.01;
const ORIGIN = { lon: 2.25, lat: 48.81 };

export interface BenchElection {
  electionId: number;
  /** Station codes, in the order of the snapshot's stations (by code). */
  stationCodes: string[];
  /** The election's clock: a simulation at real speed from 10:00 on polling day, so every report is within polling hours. */
  clock: SimulationWindow;
}

function rectangle(lon: number, lat: number, width: number, height: number) {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [lon, lat],
        [lon + width, lat],
        [lon + width, lat + height],
        [lon, lat + height],
        [lon, lat],
      ],
    ],
  };
}

export async function createBenchElection(
  services: Services,
  { name, stations }: { name: string; stations: number },
): Promise<BenchElection> {
  const pollingDay = new Date().toISOString().slice(0, 10);
  const election = await services.imports.election({ name, pollingDay, timezone: 'UTC', opensAt: '08:00', closesAt: '20:00' }, null);

  const neighbourhoods = Math.ceil(stations / STATIONS_PER_NEIGHBOURHOOD);
  const columns = Math.ceil(Math.sqrt(neighbourhoods));
  const perDistrict = Math.ceil(neighbourhoods / DISTRICTS);
  const cell = (index: number) => ({ lon: ORIGIN.lon + (index % columns) * CELL, lat: ORIGIN.lat + Math.floor(index / columns) * CELL });
  const districtCode = (index: number) => `D${String(index + 1).padStart(2, '0')}`;
  const neighbourhoodCode = (index: number) => `Q${String(index + 1).padStart(4, '0')}`;

  const areas: Parameters<typeof featureCollection>[0] = [
    { type: 'Feature', properties: { code: 'CITY', name: 'Bench city', kind: 'city' }, geometry: null },
  ];
  for (let district = 0; district * perDistrict < neighbourhoods; district++) {
    // A district is a run of neighbourhoods in the grid: drawn as the rows it spans.
    const first = cell(district * perDistrict);
    const last = cell(Math.min(neighbourhoods, (district + 1) * perDistrict) - 1);
    areas.push({
      type: 'Feature',
      properties: { code: districtCode(district), name: `District ${district + 1}`, kind: 'district', parent_code: 'CITY' },
      geometry: rectangle(ORIGIN.lon, first.lat, columns * CELL, last.lat - first.lat + CELL),
    });
  }
  for (let index = 0; index < neighbourhoods; index++) {
    const { lon, lat } = cell(index);
    areas.push({
      type: 'Feature',
      properties: {
        code: neighbourhoodCode(index),
        name: `Neighbourhood ${index + 1}`,
        kind: 'neighbourhood',
        parent_code: districtCode(Math.floor(index / perDistrict)),
      },
      geometry: square(lon, lat, CELL),
    });
  }
  await services.imports.areas(election.id, featureCollection(areas), null);

  const stationCodes = Array.from({ length: stations }, (_, index) => `S${String(index + 1).padStart(5, '0')}`);
  await services.imports.stations(
    election.id,
    {
      geojson: featureCollection(
        stationCodes.map((code, index) => {
          const neighbourhood = Math.floor(index / STATIONS_PER_NEIGHBOURHOOD);
          const slot = index % STATIONS_PER_NEIGHBOURHOOD;
          const { lon, lat } = cell(neighbourhood);
          const size = CELL / 4;
          return {
            type: 'Feature',
            properties: {
              code,
              name: `Station ${code}`,
              area_code: neighbourhoodCode(neighbourhood),
              registered_voters: REGISTERED,
              // Past turnouts from 40 % to 70 %, so that areas lag and lead by different amounts.
              baseline_turnout: 0.4 + ((index * 7) % 31) / 100,
            },
            geometry: square(lon + (slot % 4) * size, lat + Math.floor(slot / 4) * size, size * 0.8),
          };
        }),
      ),
    },
    null,
  );
  const current = await services.elections.requireCurrent();
  if (current.id !== election.id) throw new Error(`the bench election is not the current one (election ${current.id} is)`);
  const clock = await services.elections.startSimulation(election.id, {
    startsFrom: zonedInstant(pollingDay, '10:00', 'UTC'),
    endsAt: election.pollsCloseAt,
    speed: 1,
  });
  return { electionId: election.id, stationCodes: [...stationCodes].sort(), clock };
}

/** Runs `make` for 0 … count − 1, a few at a time (each is a transaction of its own). */
async function few<T>(count: number, make: (index: number) => Promise<T>): Promise<T[]> {
  const made: T[] = [];
  for (let start = 0; start < count; start += 10) {
    made.push(...(await Promise.all(Array.from({ length: Math.min(10, count - start) }, (_, offset) => make(start + offset)))));
  }
  return made;
}

/** API tokens for `count` watchers sharing the stations out (as many stations each, give or take one). */
export function watcherTokens(
  services: Services,
  stationCodes: string[],
  count: number,
): Promise<{ token: string; stationCodes: string[] }[]> {
  return few(count, async (index) => {
    const codes = stationCodes.filter((_, station) => station % count === index);
    const { token } = await services.accounts.createApiToken(
      { name: `Bench watcher ${index + 1}`, role: 'watcher', stationCodes: codes },
      null,
    );
    return { token, stationCodes: codes };
  });
}

/** API tokens for `count` war-room screens (viewers), one each. */
export function viewerTokens(services: Services, count: number): Promise<string[]> {
  return few(count, async (index) => {
    const { token } = await services.accounts.createApiToken(
      { name: `Bench dashboard ${index + 1}`, role: 'viewer', stationCodes: [] },
      null,
    );
    return token;
  });
}
