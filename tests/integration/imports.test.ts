import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ImportRejected } from '../../server/imports/imports.errors.ts';
import { createSmallElection, featureCollection, voterCsv } from '../factories.ts';
import { openTestServices, type TestServices } from '../setup/services.ts';

let t: TestServices;
let electionId: number;

beforeAll(async () => {
  t = await openTestServices();
});

// Each test imports into an election of its own: people, stations and areas another test imported
// are not there.
beforeEach(async () => {
  electionId = (await createSmallElection(t.services)).id;
});

afterAll(() => t.close());

const voters = () => t.services.db.prisma.voter.findMany({ where: { electionId }, orderBy: { externalId: 'asc' } });

async function rejection(promise: Promise<unknown>): Promise<ImportRejected> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ImportRejected) return error;
    throw error;
  }
  throw new Error('the import was accepted');
}

describe('voter file import', () => {
  it('adds everyone in the file, with normalised phones and consents', async () => {
    const result = await t.services.imports.voters(
      electionId,
      voterCsv([
        { external_id: 'A1', phone: '06 39 98 00 01', support_level: 1 },
        { external_id: 'A2', station_code: '0201', list_number: 7, support_level: 5, sms_consent: 'non', call_consent: 'oui' },
        { external_id: 'A3', phone: '', support_level: '', do_not_contact: 'yes' },
      ]),
      null,
    );
    expect(result).toMatchObject({
      read: 3,
      imported: 3,
      rejected: 0,
      errorReport: null,
      created: 3,
      updated: 0,
      ignoredColumns: [],
      suppressed: { erased: 0, objected: 0 },
    });
    const stored = await voters();
    expect(stored.map((v) => [v.externalId, v.phone, v.phoneKind, v.supportLevel, v.smsConsent, v.callConsent, v.doNotContact])).toEqual([
      ['A1', '+33639980001', 'mobile', 1, true, true, false],
      ['A2', null, null, 5, false, true, false],
      ['A3', null, null, null, true, true, true],
    ]);
  });

  it('updates people already known by their external id, and never touches who has voted', async () => {
    await t.services.imports.voters(electionId, voterCsv([{ external_id: 'A1', last_name: 'Known', support_level: 1 }]), null);
    await t.services.db.prisma.voter.update({
      where: { electionId_externalId: { electionId, externalId: 'A1' } },
      data: { votedAt: t.clock.now(), votedSource: 'watcher' },
    });
    const result = await t.services.imports.voters(
      electionId,
      voterCsv([
        { external_id: 'A1', last_name: 'Renamed', support_level: 2 },
        { external_id: 'A4', list_number: 40 },
      ]),
      null,
    );
    expect(result).toMatchObject({ read: 2, imported: 2, created: 1, updated: 1 });
    const a1 = (await voters()).find((v) => v.externalId === 'A1')!;
    expect([a1.lastName, a1.supportLevel, a1.votedSource]).toEqual(['Renamed', 2, 'watcher']);
    expect(a1.votedAt).not.toBeNull();
  });

  it('rejects a file with bad rows as a whole, saying which rows and columns to fix', async () => {
    const before = await voters();
    const error = await rejection(
      t.services.imports.voters(
        electionId,
        voterCsv([
          { external_id: 'B1', list_number: 101 },
          { external_id: 'B2', station_code: '9999', list_number: 102 },
          { external_id: 'B3', support_level: 7, list_number: 103 },
          { external_id: 'B1', list_number: 104 },
          { external_id: 'B5', phone: 'not a phone', list_number: 105 },
        ]),
        null,
      ),
    );
    expect(error.problems).toEqual([
      { line: 3, field: 'station_code', value: '9999', message: 'no station 9999 in this election' },
      { line: 4, field: 'support_level', value: '7', message: 'must be 1 (strong support) to 5 (strong opposition)' },
      { line: 5, field: 'external_id', value: 'B1', message: 'B1 appears twice in the file' },
      { line: 6, field: 'phone', value: 'not a phone', message: 'is not a valid phone number (read as FR when written without +)' },
    ]);
    expect(error.summary).toEqual({ read: 5, imported: 0, rejected: 4, errorReport: null });
    expect(error.message).toMatch(/^The voter file was not imported \(nothing was changed\): 4 problems\./);
    expect(await voters()).toEqual(before);
  });

  it('rejects a file missing a required column, or empty', async () => {
    const missing = await rejection(t.services.imports.voters(electionId, voterCsv([{}], ['external_id', 'last_name']), null));
    expect(missing.problems).toEqual([{ line: 1, message: 'missing column station_code (or latitude and longitude to find the station)' }]);
    const empty = await rejection(t.services.imports.voters(electionId, Readable.from(['']), null));
    expect(empty.problems).toEqual([{ line: 1, message: 'the file is empty' }]);
  });

  it('refuses a list number already used by someone else at the same station, and changes nothing', async () => {
    await t.services.imports.voters(electionId, voterCsv([{ external_id: 'A1', station_code: '0101', list_number: 1 }]), null);
    const before = await voters();
    const error = await rejection(t.services.imports.voters(electionId, voterCsv([{ external_id: 'C1', list_number: 1 }]), null));
    expect(error.problems[0]!.message).toMatch(/already used by another person at the same station/);
    expect(await voters()).toEqual(before);
  });

  it('reads semicolon-separated files with a BOM and French headers’ spacing, and lists unused columns', async () => {
    const file = '\uFEFFExternal ID;Last name;Station code;List number;Favourite colour\nD1;Dupont;0202;9;blue\n';
    const result = await t.services.imports.voters(electionId, Readable.from([file]), null);
    expect(result).toMatchObject({
      read: 1,
      imported: 1,
      created: 1,
      format: { encoding: 'utf-8', bom: true, separator: ';' },
      preset: 'relance',
      ignoredColumns: ['favourite_colour'],
      suppressed: { erased: 0, objected: 0 },
    });
  });
});

describe('stations and areas import', () => {
  it('imports stations from CSV into existing areas, and updates them on re-import', async () => {
    const csv = 'code,name,area_code,registered_voters,baseline_turnout,closes_at\n0301,Gym,N1,800,0.55,\n0302,Pool,N2,700,,22:00\n';
    expect(await t.services.imports.stations(electionId, { csv: Readable.from([csv]) }, null)).toEqual({
      read: 2,
      imported: 2,
      rejected: 0,
      errorReport: null,
    });
    const pool = await t.services.db.prisma.pollingStation.findFirstOrThrow({ where: { electionId, code: '0302' } });
    expect(pool.closesAt?.toISOString()).toBe('2026-03-15T21:00:00.000Z');
    await t.services.imports.stations(
      electionId,
      { csv: Readable.from(['code,name,area_code,registered_voters\n0301,Gymnasium,N1,810\n']) },
      null,
    );
    expect(await t.services.db.prisma.pollingStation.findFirstOrThrow({ where: { electionId, code: '0301' } })).toMatchObject({
      name: 'Gymnasium',
      registeredVoters: 810,
    });
  });

  it('rejects stations in unknown areas or with bad numbers, without writing any', async () => {
    const count = await t.services.db.prisma.pollingStation.count({ where: { electionId } });
    const error = await rejection(
      t.services.imports.stations(
        electionId,
        { csv: Readable.from(['code,name,area_code,registered_voters\n0401,A,N9,100\n0402,B,N1,many\n']) },
        null,
      ),
    );
    expect(error.problems).toEqual([
      { line: 3, field: 'registered_voters', value: 'many', message: 'must be a whole number' },
      { line: 2, field: 'area_code', value: 'N9', message: 'no area N9: import the areas first' },
    ]);
    expect(await t.services.db.prisma.pollingStation.count({ where: { electionId } })).toBe(count);
  });

  it('imports areas parents first, whatever their order in the file, and refuses loops', async () => {
    const areas = featureCollection([
      { type: 'Feature', properties: { code: 'N3', name: 'Three', kind: 'neighbourhood', parent_code: 'D3' }, geometry: null },
      { type: 'Feature', properties: { code: 'D3', name: 'District 3', kind: 'district', parent_code: 'T' }, geometry: null },
    ]);
    expect(await t.services.imports.areas(electionId, areas, null)).toEqual({ read: 2, imported: 2, rejected: 0, errorReport: null });
    const n3 = await t.services.db.prisma.area.findFirstOrThrow({ where: { electionId, code: 'N3' }, include: { parent: true } });
    expect(n3.parent?.code).toBe('D3');

    const loop = featureCollection([
      { type: 'Feature', properties: { code: 'X', name: 'X', kind: 'district', parent_code: 'Y' }, geometry: null },
      { type: 'Feature', properties: { code: 'Y', name: 'Y', kind: 'district', parent_code: 'X' }, geometry: null },
    ]);
    const error = await rejection(t.services.imports.areas(electionId, loop, null));
    expect(error.problems.map((p) => p.field)).toEqual(['parent_code', 'parent_code']);
    expect(await t.services.db.prisma.area.count({ where: { electionId, code: { in: ['X', 'Y'] } } })).toBe(0);
  });

  it('rejects a file that is not GeoJSON, and bad geometry', async () => {
    const notGeoJson = await rejection(t.services.imports.areas(electionId, { hello: 'world' }, null));
    expect(notGeoJson.problems).toEqual([{ line: 0, message: 'must be a GeoJSON FeatureCollection of Features' }]);
    const badGeometry = await rejection(
      t.services.imports.areas(
        electionId,
        featureCollection([
          {
            type: 'Feature',
            properties: { code: 'Z', name: 'Z', kind: 'district', parent_code: 'T' },
            geometry: { type: 'Point', coordinates: [2, 48] },
          },
        ]),
        null,
      ),
    );
    expect(badGeometry.problems).toEqual([
      { line: 1, field: 'geometry', message: 'must be a GeoJSON Polygon or MultiPolygon in longitude/latitude' },
    ]);
  });

  it('validates the election itself', async () => {
    await expect(
      t.services.imports.election(
        { name: 'X', pollingDay: '2026-13-01', timezone: 'Europe/Paris', opensAt: '08:00', closesAt: '20:00' },
        null,
      ),
    ).rejects.toThrow('pollingDay: must be a date such as 2026-03-15');
    await expect(
      t.services.imports.election(
        { name: 'X', pollingDay: '2026-03-15', timezone: 'Mars/Olympus', opensAt: '08:00', closesAt: '20:00' },
        null,
      ),
    ).rejects.toThrow('timezone: must be an IANA timezone such as Europe/Paris');
    await expect(
      t.services.imports.election(
        { name: 'X', pollingDay: '2026-03-15', timezone: 'Europe/Paris', opensAt: '20:00', closesAt: '08:00' },
        null,
      ),
    ).rejects.toThrow('closesAt: must be after the opening time');
  });
});
