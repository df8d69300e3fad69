import iconv from 'iconv-lite';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ImportRejected } from '../../server/imports/imports.errors.ts';
import { createSmallElection, featureCollection, square } from '../factories.ts';
import { openTestServices, type TestServices } from '../setup/services.ts';

let t: TestServices;
let electionId: number;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-import-files-'));

beforeAll(async () => {
  t = await openTestServices();
});

beforeEach(async () => {
  electionId = (await createSmallElection(t.services)).id;
});

afterAll(async () => {
  await t.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** A file as Excel on French Windows saves it: Windows-1252 bytes, CRLF line ends. */
const windows1252 = (lines: string[]) => Readable.from([iconv.encode(lines.join('\r\n') + '\r\n', 'win1252')]);
const utf8 = (text: string) => Readable.from([Buffer.from(text, 'utf8')]);
const reportPath = (name: string) => path.join(scratch, `${name}-${Math.random().toString(36).slice(2)}.errors.csv`);

async function rejection(promise: Promise<unknown>): Promise<ImportRejected> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ImportRejected) return error;
    throw error;
  }
  throw new Error('the import was accepted');
}

/** Every voter of the election, as one string: compared before and after an import that must change nothing. */
async function voterChecksum() {
  const [row] = await t.services.db.prisma.$queryRaw<{ count: bigint; checksum: string | null }[]>`
    SELECT count(*) AS count, md5(string_agg(v::text, '|' ORDER BY v.id)) AS checksum FROM voter v WHERE election_id = ${electionId}`;
  return { count: Number(row!.count), checksum: row!.checksum };
}

const voters = () =>
  t.services.db.prisma.voter.findMany({
    where: { electionId },
    orderBy: { externalId: 'asc' },
    include: { station: { select: { code: true } } },
  });

const NATIONBUILDER_HEADER =
  'nationbuilder_id;first_name;last_name;email;phone_number;mobile_number;mobile_opt_in;do_not_call;do_not_contact;support_level;precinct_name;tag_list;primary_address1;primary_city';

describe('a NationBuilder people export from Excel on French Windows', () => {
  it('is read in Windows-1252 with ; separators, and its columns and conventions become Relance’s', async () => {
    const result = await t.services.imports.voters(
      electionId,
      windows1252([
        NATIONBUILDER_HEADER,
        '1001;Léa;Hervé;lea@example.org;01 99 00 12 34;06 39 98 00 01;true;false;false;1;0101;"bénévole, porte-à-porte";12 rue de l’Église;Paris',
        '1002;Œdipe;Müller;;01 99 00 12 35;;false;true;false;3;0102;;;',
        '1003;Zoé;Dupré;;;06 39 98 00 03;false;false;true;;0201;€ donateur;;',
      ]),
      null,
    );
    expect(result).toMatchObject({
      read: 3,
      imported: 3,
      rejected: 0,
      errorReport: null,
      created: 3,
      format: { encoding: 'windows-1252', bom: false, separator: ';' },
      preset: 'nationbuilder',
      mapping: {
        external_id: 'nationbuilder_id',
        first_name: 'first_name',
        last_name: 'last_name',
        email: 'email',
        address: 'primary_address1',
        station_code: 'precinct_name',
        support_level: 'support_level',
        do_not_contact: 'do_not_contact',
        tags: 'tag_list',
      },
      ignoredColumns: ['primary_city'],
    });
    const stored = (await voters()).map((v) => ({
      id: v.externalId,
      name: `${v.firstName} ${v.lastName}`,
      phone: v.phone,
      kind: v.phoneKind,
      sms: v.smsConsent,
      call: v.callConsent,
      dnc: v.doNotContact,
      support: v.supportLevel,
      station: v.station.code,
      tags: v.tags,
      address: v.address,
    }));
    expect(stored).toEqual([
      {
        id: '1001',
        name: 'Léa Hervé',
        phone: '+33639980001',
        kind: 'mobile',
        sms: true,
        call: true,
        dnc: false,
        support: 1,
        station: '0101',
        tags: ['bénévole', 'porte-à-porte'],
        address: '12 rue de l’Église',
      },
      {
        id: '1002',
        name: 'Œdipe Müller',
        phone: '+33199001235',
        kind: 'landline',
        sms: false,
        call: false,
        dnc: false,
        support: 3,
        station: '0102',
        tags: [],
        address: null,
      },
      {
        id: '1003',
        name: 'Zoé Dupré',
        phone: '+33639980003',
        kind: 'mobile',
        sms: false,
        call: true,
        dnc: true,
        support: null,
        station: '0201',
        tags: ['€ donateur'],
        address: null,
      },
    ]);
  });

  it('is the same after a second import of the same file: people are matched on their id', async () => {
    const file = [NATIONBUILDER_HEADER, '2001;Ana;Bé;;;06 39 98 00 11;true;false;false;2;0101;a;;', '2002;Luc;Cé;;;;;;;5;0202;;;'];
    await t.services.imports.voters(electionId, windows1252(file), null);
    const first = await voterChecksum();
    const again = await t.services.imports.voters(electionId, windows1252(file), null);
    expect(again).toMatchObject({ read: 2, imported: 2, created: 0, updated: 2 });
    const second = await voterChecksum();
    expect(second.count).toBe(2);
    // Only updated_at moves; every imported value is the same.
    const rows = await voters();
    expect(rows.map((v) => [v.externalId, v.phone, v.smsConsent, v.supportLevel, v.tags])).toEqual([
      ['2001', '+33639980011', true, 2, ['a']],
      ['2002', null, false, 5, []],
    ]);
    expect(first.count).toBe(second.count);
  });
});

describe('an NGP VAN export', () => {
  it('is read with its CamelCase columns, a BOM and tabs; the cell phone is preferred and Support ID is the support level', async () => {
    const file =
      '\uFEFFVANID\tLastName\tFirstName\tAddress\tCity\tZip5\tPhone\tCellPhone\tEmail\tSupport ID\tPrecinctName\r\n' +
      '88001\tMartin\tJean\t3 place de la Mairie\tParis\t75011\t01 99 00 12 36\t06 39 98 00 21\tjean@example.org\t2\t0101\r\n' +
      '88002\tBernard\tAlice\t\tParis\t75011\t01 99 00 12 37\t\t\t4\t0202\r\n';
    const result = await t.services.imports.voters(electionId, utf8(file), null);
    expect(result).toMatchObject({
      read: 2,
      imported: 2,
      format: { encoding: 'utf-8', bom: true, separator: '\t' },
      preset: 'ngpvan',
      ignoredColumns: ['city', 'zip5'],
    });
    expect(
      (await voters()).map((v) => [v.externalId, v.lastName, v.phone, v.phoneKind, v.smsConsent, v.callConsent, v.supportLevel]),
    ).toEqual([
      ['88001', 'Martin', '+33639980021', 'mobile', false, true, 2],
      ['88002', 'Bernard', '+33199001237', 'landline', false, true, 4],
    ]);
  });
});

describe('a generic file', () => {
  it('reads ISO-8859-1, decimal commas in coordinates, quoted fields with line breaks, and --map renames', async () => {
    const file = iconv.encode(
      'Identifiant;Nom;Bureau;Latitude;Longitude;Adresse\n' + 'G1;Lefèvre;0101;48,8566;2,3522;"4 rue Saint-Éloi\n75012 Paris"\n',
      'latin1',
    );
    const result = await t.services.imports.voters(electionId, Readable.from([file]), null, {
      map: { Identifiant: 'external_id', Nom: 'last_name', Bureau: 'station_code', Adresse: 'address' },
    });
    expect(result).toMatchObject({ read: 1, imported: 1, format: { encoding: 'windows-1252', separator: ';' }, preset: 'relance' });
    const [voter] = await voters();
    expect([voter!.lastName, voter!.latitude, voter!.longitude, voter!.address]).toEqual([
      'Lefèvre',
      48.8566,
      2.3522,
      '4 rue Saint-Éloi\n75012 Paris',
    ]);
  });

  it('places a person who comes with coordinates and no station in the station whose area holds them', async () => {
    await t.services.imports.voters(
      electionId,
      utf8('external_id,last_name,latitude,longitude\nP1,Point,48.802,2.352\nP2,Ailleurs,48.802,2.302\n'),
      null,
    );
    expect((await voters()).map((v) => [v.externalId, v.station.code])).toEqual([
      ['P1', '0102'],
      ['P2', '0101'],
    ]);
  });

  it('previews the first rows and the mapping in a dry run, and changes nothing', async () => {
    const before = await voterChecksum();
    const result = await t.services.imports.voters(
      electionId,
      utf8('external_id,last_name,station_code,phone\nD1,Essai,0101,06 39 98 00 31\n'),
      null,
      {
        dryRun: true,
      },
    );
    expect(result).toMatchObject({ dryRun: true, read: 1, imported: 1, created: 1 });
    expect(result.preview).toEqual([{ external_id: 'D1', last_name: 'Essai', station_code: '0101', phone: '06 39 98 00 31' }]);
    expect(await voterChecksum()).toEqual(before);
  });
});

describe('bad files', () => {
  it('rejects the whole file for bad phones and duplicate ids, changes nothing, and lists every rejected row', async () => {
    await t.services.imports.voters(electionId, utf8('external_id,last_name,station_code\nK1,Known,0101\n'), null);
    const before = await voterChecksum();
    const errorReport = reportPath('phones');
    const error = await rejection(
      t.services.imports.voters(
        electionId,
        windows1252([
          'external_id;last_name;station_code;phone',
          'E1;Été;0101;06 39 98 00 41',
          'E2;Noël;0101;06 12',
          'E1;Répété;0102;',
          'E4;Ça;0102;+33 1 99 00 12 38',
          'E5;Invalide;0102;00 00 00 00 00',
        ]),
        null,
        { errorReport },
      ),
    );
    expect(error.summary).toEqual({ read: 5, imported: 0, rejected: 3, errorReport });
    expect(fs.readFileSync(errorReport, 'utf8')).toBe(
      'line,column,value,reason\n' +
        '3,phone,06 12,is not a valid phone number (read as FR when written without +)\n' +
        '4,external_id,E1,E1 appears twice in the file\n' +
        '6,phone,00 00 00 00 00,is not a valid phone number (read as FR when written without +)\n',
    );
    expect(await voterChecksum()).toEqual(before);
  });

  it('imports the valid rows when asked to, and reports the others', async () => {
    const errorReport = reportPath('skip');
    const result = await t.services.imports.voters(
      electionId,
      utf8('external_id,last_name,station_code,support_level\nS1,Un,0101,1\nS2,Deux,0101,9\nS3,Trois,0999,2\n'),
      null,
      { onErrors: 'skip-rows', errorReport },
    );
    expect(result).toMatchObject({ read: 3, imported: 1, rejected: 2, errorReport, created: 1 });
    expect((await voters()).map((v) => v.externalId)).toEqual(['S1']);
    expect(fs.readFileSync(errorReport, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('refuses a file missing a required column, naming the preset’s column', async () => {
    const error = await rejection(
      t.services.imports.voters(electionId, utf8('nationbuilder_id,first_name,precinct_name\n1,A,0101\n'), null),
    );
    expect(error.problems).toEqual([{ line: 1, message: 'missing column last_name (NationBuilder: nationbuilder_id, last_name)' }]);
  });

  it('refuses an empty file, a file cut inside a quoted field, and a row with a missing field', async () => {
    const empty = await rejection(t.services.imports.voters(electionId, Readable.from([Buffer.alloc(0)]), null));
    expect(empty.problems).toEqual([{ line: 1, message: 'the file is empty' }]);

    const before = await voterChecksum();
    const cut = await rejection(
      t.services.imports.voters(
        electionId,
        utf8('external_id,last_name,station_code,address\nC1,Un,0101,"1 rue\nC2,Deux,0101,"2 ru'),
        null,
      ),
    );
    expect(cut.problems).toEqual([
      { line: 3, message: 'a quoted field goes on after its closing quote: a quote inside a field must be doubled ("")' },
    ]);
    const truncated = await rejection(
      t.services.imports.voters(electionId, utf8('external_id,last_name,station_code,address\nC1,Un,0101,"1 rue\n75011 Par'), null),
    );
    expect(truncated.problems).toEqual([
      { line: 3, message: 'a quote opened on this line never closes: the file is cut, or a field has an unmatched "' },
    ]);
    const short = await rejection(
      t.services.imports.voters(electionId, utf8('external_id,last_name,station_code\nF1,Un,0101\nF2,Deux\n'), null),
    );
    expect(short.problems).toEqual([{ line: 3, message: 'has 2 fields where the header has 3' }]);
    expect(await voterChecksum()).toEqual(before);
  });

  it('refuses a 200 MB line without reading it all', async () => {
    const before = await voterChecksum();
    let sent = 0;
    async function* huge() {
      yield Buffer.from('external_id,last_name,station_code\nH1,"');
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      while (sent < 200 * 1024 * 1024) {
        sent += chunk.length;
        yield chunk;
      }
      yield Buffer.from('",0101\n');
    }
    const error = await rejection(t.services.imports.voters(electionId, Readable.from(huge()), null));
    expect(error.problems).toEqual([
      { line: 2, message: 'a row is longer than 1 MB: the file is cut, is not a CSV file, or has a quote that never closes' },
    ]);
    expect(sent).toBeLessThan(20 * 1024 * 1024);
    expect(await voterChecksum()).toEqual(before);
  });

  it('refuses a file that is UTF-8 at its start and not further on', async () => {
    const start = 'external_id,last_name,station_code\n' + 'U0,Début é,0101\n'.repeat(1);
    const filler = Array.from({ length: 6000 }, (_, i) => `U${i + 1},Ligne,0101\n`).join('');
    const error = await rejection(
      t.services.imports.voters(
        electionId,
        Readable.from([Buffer.from(start + filler, 'utf8'), iconv.encode('U9999,Fin è,0101\n', 'win1252')]),
        null,
      ),
    );
    expect(error.problems[0]!.message).toBe(
      'the file starts as UTF-8 but is not UTF-8 further on: save it again as UTF-8 (CSV UTF-8 in Excel)',
    );
  });
});

/** A square in Lambert-93 metres. Its projection's origin, (700,000, 6,600,000), is 3°E 46.5°N. */
const lambertSquare = (x: number, y: number, size = 200) => square(x, y, size);

describe('station and area files', () => {
  it('converts a Lambert-93 station file to longitude/latitude, putting each station at its catchment’s centroid', async () => {
    const stations = {
      ...featureCollection([
        {
          type: 'Feature',
          properties: { code: '0501', name: 'Lambert school', area_code: 'N1', registered_voters: 900 },
          geometry: lambertSquare(699_900, 6_599_900),
        },
      ]),
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::2154' } },
    };
    expect(await t.services.imports.stations(electionId, { geojson: stations }, null)).toEqual({
      read: 1,
      imported: 1,
      rejected: 0,
      errorReport: null,
    });
    const station = await t.services.db.prisma.pollingStation.findFirstOrThrow({ where: { electionId, code: '0501' } });
    expect(station.longitude).toBeCloseTo(3, 6);
    expect(station.latitude).toBeCloseTo(46.5, 6);
    const [x, y] = (station.geometry as { coordinates: number[][][] }).coordinates[0]![0]!;
    expect(x).toBeLessThan(3);
    expect(y).toBeLessThan(46.5);
  });

  it('recognises Lambert-93 by its coordinates when the file does not say, and refuses other projections', async () => {
    const guessed = featureCollection([
      {
        type: 'Feature',
        properties: { code: '0502', name: 'Guessed', area_code: 'N1', registered_voters: 10 },
        geometry: { type: 'Point', coordinates: [700_000, 6_600_000] },
      },
    ]);
    await t.services.imports.stations(electionId, { geojson: guessed }, null);
    const station = await t.services.db.prisma.pollingStation.findFirstOrThrow({ where: { electionId, code: '0502' } });
    expect([station.longitude, station.latitude]).toEqual([3, 46.5]);

    const refusal = [
      {
        line: 0,
        message:
          'the coordinates are neither longitude/latitude (WGS84) nor Lambert-93 (EPSG:2154): export the file in WGS84 (EPSG:4326) and import it again',
      },
    ];
    // UTM zone 31N, Paris: metres, but not in Lambert-93's range.
    const utm = featureCollection([
      {
        type: 'Feature',
        properties: { code: '0503', name: 'UTM', area_code: 'N1', registered_voters: 10 },
        geometry: { type: 'Point', coordinates: [452_000, 5_411_000] },
      },
    ]);
    expect((await rejection(t.services.imports.stations(electionId, { geojson: utm }, null))).problems).toEqual(refusal);
    // Web Mercator coordinates of Paris could pass for Lambert-93: a file that says so is refused.
    const mercator = {
      ...featureCollection([
        {
          type: 'Feature',
          properties: { code: '0504', name: 'Mercator', area_code: 'N1', registered_voters: 10 },
          geometry: { type: 'Point', coordinates: [261_600, 6_250_000] },
        },
      ]),
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3857' } },
    };
    expect((await rejection(t.services.imports.stations(electionId, { geojson: mercator }, null))).problems).toEqual(refusal);
    expect(await t.services.db.prisma.pollingStation.count({ where: { electionId, code: { in: ['0503', '0504'] } } })).toBe(0);
  });

  it('refuses an area whose polygon crosses itself, and changes nothing', async () => {
    const areas = await t.services.db.prisma.area.count({ where: { electionId } });
    const bowtie = {
      type: 'Polygon',
      coordinates: [
        [
          [2.3, 48.8],
          [2.31, 48.81],
          [2.31, 48.8],
          [2.3, 48.81],
          [2.3, 48.8],
        ],
      ],
    };
    const error = await rejection(
      t.services.imports.areas(
        electionId,
        featureCollection([
          { type: 'Feature', properties: { code: 'B1', name: 'Fine', kind: 'district', parent_code: 'T' }, geometry: null },
          { type: 'Feature', properties: { code: 'B2', name: 'Bowtie', kind: 'neighbourhood', parent_code: 'B1' }, geometry: bowtie },
        ]),
        null,
      ),
    );
    expect(error.problems).toEqual([
      { line: 2, field: 'geometry', message: "is not a valid polygon: the polygon's edges cross themselves (near 2.30500, 48.80500)" },
    ]);
    expect(await t.services.db.prisma.area.count({ where: { electionId } })).toBe(areas);
  });

  it('finds each area’s parent by containment when the file gives no parent_code', async () => {
    const square = (lon: number, lat: number, size: number) => ({
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
    });
    const result = await t.services.imports.areas(
      electionId,
      featureCollection([
        { type: 'Feature', properties: { code: 'Q1', name: 'Quarter', kind: 'neighbourhood' }, geometry: square(3.001, 45.001, 0.01) },
        { type: 'Feature', properties: { code: 'C', name: 'City', kind: 'city' }, geometry: square(3, 45, 0.1) },
        { type: 'Feature', properties: { code: 'DD', name: 'District', kind: 'district' }, geometry: square(3, 45, 0.05) },
      ]),
      null,
    );
    expect(result).toMatchObject({ read: 3, imported: 3 });
    const areas = await t.services.db.prisma.area.findMany({
      where: { electionId, code: { in: ['C', 'DD', 'Q1'] } },
      include: { parent: true },
      orderBy: { code: 'asc' },
    });
    expect(areas.map((a) => [a.code, a.parent?.code ?? null])).toEqual([
      ['C', null],
      ['DD', 'C'],
      ['Q1', 'DD'],
    ]);
  });

  it('imports past turnout per station, overall and by hour, in percent with decimal commas', async () => {
    const result = await t.services.imports.baselines(
      electionId,
      windows1252(['station_code;turnout;12h;17h', '0101;52,5 %;18,2 %;41,0 %', '0202;0,61;;']),
      null,
    );
    expect(result).toEqual({ read: 2, imported: 2, rejected: 0, errorReport: null });
    const stations = await t.services.db.prisma.pollingStation.findMany({
      where: { electionId, code: { in: ['0101', '0202'] } },
      orderBy: { code: 'asc' },
    });
    expect(stations.map((s) => [s.code, s.baselineTurnout, s.baselineHourly])).toEqual([
      ['0101', 0.525, { '12': 0.182, '17': 0.41 }],
      ['0202', 0.61, null],
    ]);
    const error = await rejection(t.services.imports.baselines(electionId, utf8('station_code,turnout\n0999,0.5\n0101,150\n'), null));
    expect(error.problems).toEqual([
      { line: 2, field: 'station_code', value: '0999', message: 'no station 0999 in this election: import the stations first' },
      { line: 3, field: 'turnout', value: '150', message: 'must be a share between 0 and 1' },
    ]);
  });
});
