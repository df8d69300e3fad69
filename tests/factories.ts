import { Readable } from 'node:stream';
import { csvField } from '../server/imports/imports.csv.ts';
import { VOTER_COLUMNS } from '../server/imports/imports.voter-columns.ts';
import type { Role } from '../server/auth/auth.roles.ts';
import type { Services } from '../server/services.ts';

/**
 * Realistic test data, built through the same importers and services that production uses.
 */

type Feature = { type: 'Feature'; properties: Record<string, unknown>; geometry: unknown };

export function featureCollection(features: Feature[]) {
  return { type: 'FeatureCollection', features };
}

/** A square polygon from its south-west corner, in the coordinates' own units (degrees by default). */
export function square(lon: number, lat: number, size = 0.01) {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
      ],
    ],
  };
}

export const SMALL_ELECTION = {
  name: 'Test town, first round',
  pollingDay: '2026-03-15',
  timezone: 'Europe/Paris',
  opensAt: '08:00',
  closesAt: '20:00',
};

/** A town with two districts of one neighbourhood each, and 4 stations (1,000 registered each but one). */
export const SMALL_STATIONS = [
  { code: '0101', name: 'School A', area_code: 'N1', registered_voters: 1000, baseline_turnout: 0.5 },
  { code: '0102', name: 'School B', area_code: 'N1', registered_voters: 1000, baseline_turnout: 0.6 },
  { code: '0201', name: 'Town hall', area_code: 'N2', registered_voters: 1000, baseline_turnout: null },
  { code: '0202', name: 'Library', area_code: 'N2', registered_voters: 500, baseline_turnout: 0.4 },
];

export async function createSmallElection(services: Services) {
  const election = await services.imports.election(SMALL_ELECTION, null);
  await services.imports.areas(
    election.id,
    featureCollection([
      { type: 'Feature', properties: { code: 'T', name: 'Test town', kind: 'city' }, geometry: null },
      {
        type: 'Feature',
        properties: { code: 'D1', name: 'District 1', kind: 'district', parent_code: 'T' },
        geometry: square(2.3, 48.8, 0.02),
      },
      {
        type: 'Feature',
        properties: { code: 'D2', name: 'District 2', kind: 'district', parent_code: 'T' },
        geometry: square(2.4, 48.8, 0.02),
      },
      {
        type: 'Feature',
        properties: { code: 'N1', name: 'Neighbourhood 1', kind: 'neighbourhood', parent_code: 'D1' },
        geometry: square(2.3, 48.8),
      },
      {
        type: 'Feature',
        properties: { code: 'N2', name: 'Neighbourhood 2', kind: 'neighbourhood', parent_code: 'D2' },
        geometry: square(2.4, 48.8),
      },
    ]),
    null,
  );
  await services.imports.stations(
    election.id,
    {
      geojson: featureCollection(
        SMALL_STATIONS.map((properties, i) => ({ type: 'Feature', properties, geometry: square(2.3 + i * 0.05, 48.8, 0.005) })),
      ),
    },
    null,
  );
  return election;
}

export async function createUser(services: Services, role: Role, options: { stationCodes?: string[]; name?: string } = {}) {
  const password = role === 'admin' || role === 'coordinator' ? 'correct horse battery staple' : undefined;
  const user = await services.accounts.createUser(
    {
      name: options.name ?? `Test ${role}`,
      role,
      email: password ? `${role}.${Math.random().toString(36).slice(2)}@test.example` : undefined,
      password,
      stationCodes: options.stationCodes ?? (role === 'watcher' ? ['0101'] : []),
    },
    null,
  );
  return { ...user, password };
}

export async function apiToken(services: Services, role: Role, stationCodes: string[] = []): Promise<string> {
  return (await services.accounts.createApiToken({ name: `test ${role}`, role, stationCodes }, null)).token;
}

export type VoterFields = Partial<Record<(typeof VOTER_COLUMNS)[number], string | number | boolean | null>>;

/** A voter file in the import format; columns default to a valid, consenting supporter. */
export function voterCsv(rows: VoterFields[], columns: readonly string[] = VOTER_COLUMNS): Readable {
  const lines = rows.map((row, i) => {
    const full: VoterFields = {
      external_id: `V${i + 1}`,
      first_name: 'Test',
      last_name: `Person ${i + 1}`,
      station_code: '0101',
      list_number: i + 1,
      support_level: 1,
      sms_consent: 'yes',
      call_consent: 'yes',
      ...row,
    };
    return columns.map((column) => csvField(full[column as keyof VoterFields] as string | number | boolean | null | undefined)).join(',');
  });
  return Readable.from([columns.join(',') + '\n' + lines.join('\n') + '\n']);
}

/**
 * Voters imported into an election through the real importer (`voterCsv`'s defaults: consenting
 * supporters at station 0101), returned by external id.
 */
export async function createVoters(services: Services, electionId: number, rows: VoterFields[]) {
  await services.imports.voters(electionId, voterCsv(rows), null);
  const voters = await services.db.prisma.voter.findMany({
    where: { electionId, externalId: { in: rows.map((row, i) => String(row.external_id ?? `V${i + 1}`)) } },
    orderBy: { id: 'asc' },
  });
  return new Map(voters.map((voter) => [voter.externalId, voter]));
}

/** A text list of these voters in this order (entries pending), as the builder would save it. */
export async function createTextList(services: Services, electionId: number, voterIds: number[], name = 'Text list') {
  return services.db.prisma.chaseList.create({
    data: {
      electionId,
      name,
      channel: 'sms',
      criteria: {},
      entryCount: voterIds.length,
      entries: { create: voterIds.map((voterId, i) => ({ voterId, priority: 1, rank: i + 1 })) },
    },
  });
}

export async function createTextTemplate(
  services: Services,
  electionId: number,
  body = 'Bonjour {firstName}, votre bureau {stationName} ferme à {closingTime}.',
) {
  return services.db.prisma.smsTemplate.create({ data: { electionId, name: 'Reminder', body } });
}
