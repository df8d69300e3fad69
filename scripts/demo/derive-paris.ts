/**
 * Derives the Paris demo files in prisma/demo/paris/ from the public source files described in
 * prisma/demo/paris/SOURCES.md. Run once when the sources change:
 *
 *   npx tsx scripts/demo/derive-paris.ts <folder with the source files>
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../server/config.ts';

const source = process.argv[2];
if (!source) {
  console.error('usage: tsx scripts/demo/derive-paris.ts <folder with the Paris source files>');
  process.exit(2);
}
const target = path.join(PROJECT_ROOT, 'prisma', 'demo', 'paris');

type Feature = { type: 'Feature'; properties: Record<string, unknown>; geometry: { type: string; coordinates: unknown } | null };
const read = (name: string) => JSON.parse(fs.readFileSync(path.join(source, name), 'utf8')) as { features: Feature[] };

// 5 decimals of a degree is about a metre: plenty for a map, and a third of the size.
const round = (value: unknown): unknown => (Array.isArray(value) ? value.map(round) : Math.round((value as number) * 1e5) / 1e5);
const geometry = (feature: Feature) =>
  feature.geometry ? { type: feature.geometry.type, coordinates: round(feature.geometry.coordinates) } : null;
const ordinal = (n: number) => (n === 1 ? '1er' : `${n}e`);
const districtCode = (arrondissement: number) => `751${String(arrondissement).padStart(2, '0')}`;

// The "bureau dérogatoire" (detainees' list) has a placeholder polygon and no place on a map.
const EXCLUDED_STATIONS = new Set(['1599']);

const areas: Feature[] = [
  { type: 'Feature', properties: { code: '75056', name: 'Paris', kind: 'city', parent_code: null }, geometry: null },
];
for (const district of read('paris_arrondissements.geojson').features.sort(
  (a, b) => Number(a.properties.c_ar) - Number(b.properties.c_ar),
)) {
  const n = Number(district.properties.c_ar);
  areas.push({
    type: 'Feature',
    properties: {
      code: districtCode(n),
      name: `${ordinal(n)} arrondissement (${district.properties.l_aroff})`,
      kind: 'district',
      parent_code: '75056',
    },
    geometry: geometry(district),
  });
}
for (const quartier of read('paris_quartiers.geojson').features.sort(
  (a, b) => Number(a.properties.c_quinsee) - Number(b.properties.c_quinsee),
)) {
  areas.push({
    type: 'Feature',
    properties: {
      code: String(quartier.properties.c_quinsee),
      name: String(quartier.properties.l_qu),
      kind: 'neighbourhood',
      parent_code: districtCode(Number(quartier.properties.c_ar)),
    },
    geometry: geometry(quartier),
  });
}

const [, ...mappingLines] = fs.readFileSync(path.join(source, 'paris_bureau_to_quartier_2026.csv'), 'utf8').trim().split('\n');
const quartierOf = new Map(
  mappingLines.map((line) => {
    const [code, , lng, lat, quartier] = line.split(',');
    return [code!, { quartier: quartier!, latitude: Number(lat), longitude: Number(lng) }];
  }),
);

const stations: Feature[] = [];
for (const station of read('paris_2026_t1_bureaux.geojson').features) {
  const code = String(station.properties.code_bv);
  if (EXCLUDED_STATIONS.has(code)) continue;
  const place = quartierOf.get(code);
  if (!place) throw new Error(`station ${code} has no quartier in the mapping file`);
  const abstention2020 = station.properties.taux_abstention_2020 as number | null;
  stations.push({
    type: 'Feature',
    properties: {
      code,
      name: `Bureau ${Number(code.slice(2))} (${station.properties.arrondissement})`,
      area_code: place.quartier,
      registered_voters: station.properties.inscrits,
      baseline_turnout: abstention2020 === null ? null : Math.round((100 - abstention2020) * 100) / 10000,
      latitude: place.latitude,
      longitude: place.longitude,
    },
    geometry: geometry(station),
  });
}
stations.sort((a, b) => String(a.properties.code).localeCompare(String(b.properties.code)));

const write = (name: string, features: Feature[]) =>
  fs.writeFileSync(
    path.join(target, name),
    `{"type":"FeatureCollection","features":[\n${features.map((f) => JSON.stringify(f)).join(',\n')}\n]}\n`,
  );
write('areas.geojson', areas);
write('stations.geojson', stations);
const registered = stations.reduce((sum, s) => sum + Number(s.properties.registered_voters), 0);
console.log(`${areas.length} areas, ${stations.length} stations, ${registered} registered voters`);
