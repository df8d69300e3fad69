import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { detectEncoding, detectSeparator } from '../../server/imports/imports.csv.ts';
import { declaredSystem, fromLambert93, guessSystem, polygonProblem } from '../../server/imports/imports.geo.ts';
import { readPhone } from '../../server/imports/imports.phones.ts';
import { hourOfColumn } from '../../server/imports/imports.places.ts';
import { detectPreset, mapColumns } from '../../server/imports/imports.presets.ts';
import { decimal } from '../../server/imports/imports.rows.ts';
import { VOTER_COLUMNS } from '../../server/imports/imports.voter-columns.ts';

describe('encodings and separators', () => {
  it('tells UTF-8 (with or without BOM) from Windows-1252', () => {
    expect(detectEncoding(Buffer.from('\uFEFFnom;prénom\n', 'utf8'))).toEqual({ encoding: 'utf-8', bom: true });
    expect(detectEncoding(Buffer.from('nom;prénom\n', 'utf8'))).toEqual({ encoding: 'utf-8', bom: false });
    expect(detectEncoding(iconv.encode('nom;prénom;œuvre €\n', 'win1252'))).toEqual({ encoding: 'windows-1252', bom: false });
    expect(detectEncoding(iconv.encode('nom;prénom\n', 'latin1'))).toEqual({ encoding: 'windows-1252', bom: false });
    // A character cut at the end of the sample is not a reason to doubt UTF-8.
    expect(detectEncoding(Buffer.from('prénom é', 'utf8').subarray(0, -1))).toEqual({ encoding: 'utf-8', bom: false });
  });

  it('takes the separator that the header uses most, outside quotes', () => {
    expect(detectSeparator('a;b;c')).toBe(';');
    expect(detectSeparator('a,b,c')).toBe(',');
    expect(detectSeparator('a\tb\tc')).toBe('\t');
    expect(detectSeparator('"Nom, prénom";"Ville, code";Bureau')).toBe(';');
    expect(detectSeparator('single')).toBe(',');
  });

  it('reads decimal commas and percentages', () => {
    expect(decimal.parse('48,8566')).toBe(48.8566);
    expect(decimal.parse('-0,5')).toBe(-0.5);
    expect(decimal.parse('2.35')).toBe(2.35);
    expect(decimal.parse('52,5 %')).toBe(0.525);
    expect(decimal.safeParse('1,234,5').success).toBe(false);
    expect(decimal.safeParse('abc').success).toBe(false);
  });

  it('finds the hour of a baseline column', () => {
    expect(['12h', '17:00', 'turnout_9h', '08h00', 'taux_20h', 'turnout', '25h'].map(hourOfColumn)).toEqual([
      12,
      17,
      9,
      8,
      20,
      undefined,
      undefined,
    ]);
  });
});

describe('phones', () => {
  it('normalises to E.164 and tells mobiles from landlines, in the region given', () => {
    expect(readPhone('06 12 34 56 78')).toEqual({ number: '+33612345678', kind: 'mobile' });
    expect(readPhone('01 42 34 56 78')).toEqual({ number: '+33142345678', kind: 'landline' });
    expect(readPhone('0033 7 58 12 34 56')).toEqual({ number: '+33758123456', kind: 'mobile' });
    expect(readPhone('0470 12 34 56', 'BE')).toEqual({ number: '+32470123456', kind: 'mobile' });
    // The North American plan cannot tell a mobile from a landline.
    expect(readPhone('(202) 555-0143', 'US')).toEqual({ number: '+12025550143', kind: 'other' });
    expect(readPhone('06 12')).toBeUndefined();
    expect(readPhone('00 00 00 00 00')).toBeUndefined();
  });

  it('accepts the numbers ARCEP reserves for fiction, which the demo uses', () => {
    expect(readPhone('06 39 98 00 42')).toEqual({ number: '+33639980042', kind: 'mobile' });
    expect(readPhone('01 99 00 12 34')).toEqual({ number: '+33199001234', kind: 'landline' });
  });
});

describe('presets', () => {
  it('are detected from the header', () => {
    expect(detectPreset(['nationbuilder_id', 'first_name'])).toBe('nationbuilder');
    expect(detectPreset(['vanid', 'lastname'])).toBe('ngpvan');
    expect(detectPreset(['voter_file_vanid', 'lastname'])).toBe('ngpvan');
    expect(detectPreset(['external_id', 'last_name'])).toBe('relance');
  });

  it('apply NationBuilder’s conventions: the mobile first, SMS consent from mobile_opt_in, calls unless do_not_call', () => {
    const header = [
      'nationbuilder_id',
      'last_name',
      'phone_number',
      'mobile_number',
      'mobile_opt_in',
      'do_not_call',
      'precinct_name',
      'born_at',
    ];
    const mapping = mapColumns(header, 'nationbuilder', VOTER_COLUMNS);
    expect(mapping.ignored).toEqual(['born_at']);
    expect(
      mapping.apply({
        nationbuilder_id: '7',
        last_name: 'Roux',
        phone_number: '0142',
        mobile_number: '0612',
        mobile_opt_in: 'true',
        do_not_call: 'false',
        precinct_name: '0327',
      }),
    ).toEqual({ phone: '0612', sms_consent: 'yes', call_consent: 'yes', external_id: '7', last_name: 'Roux', station_code: '0327' });
    expect(
      mapping.apply({
        nationbuilder_id: '8',
        last_name: 'Blanc',
        phone_number: '0142',
        mobile_number: '',
        mobile_opt_in: 'true',
        do_not_call: 'Y',
        precinct_name: '0327',
      }),
    ).toMatchObject({
      phone: '0142',
      sms_consent: 'no',
      call_consent: 'no',
    });
  });

  it('let --map override a preset’s column', () => {
    const mapping = mapColumns(['vanid', 'lastname', 'bureau'], 'ngpvan', VOTER_COLUMNS, { bureau: 'station_code' });
    expect(mapping.fields).toMatchObject({ external_id: 'vanid', last_name: 'lastname', station_code: 'bureau' });
  });
});

describe('geometry', () => {
  it('converts Lambert-93 to longitude/latitude, recognised by its crs or its coordinates', () => {
    expect(fromLambert93([700_000, 6_600_000])).toEqual([3, 46.5]);
    expect(declaredSystem({ type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::2154' } })).toBe('lambert93');
    expect(declaredSystem({ type: 'name', properties: { name: 'urn:ogc:def:crs:OGC:1.3:CRS84' } })).toBe('wgs84');
    expect(declaredSystem({ type: 'name', properties: { name: 'EPSG:3857' } })).toBe('unknown');
    expect([guessSystem(2.35, 48.85), guessSystem(652_000, 6_862_000), guessSystem(452_000, 5_411_000)]).toEqual([
      'wgs84',
      'lambert93',
      'unknown',
    ]);
  });

  it('finds unclosed rings and crossing edges, and accepts repeated positions', () => {
    const ring = (positions: number[][]) => ({ type: 'Polygon' as const, coordinates: [positions as [number, number][]] });
    expect(
      polygonProblem(
        ring([
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 1],
          [0, 0],
        ]),
      ),
    ).toBeUndefined();
    expect(
      polygonProblem(
        ring([
          [0, 0],
          [1, 0],
          [1, 0],
          [1, 1],
          [0, 1],
          [0, 0],
        ]),
      ),
    ).toBeUndefined();
    expect(
      polygonProblem(
        ring([
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 1],
          [0, 0.5],
        ]),
      ),
    ).toBe('a ring of the polygon is not closed (its last position must repeat its first)');
    expect(
      polygonProblem(
        ring([
          [0, 0],
          [1, 1],
          [1, 0],
          [0, 1],
          [0, 0],
        ]),
      ),
    ).toBe("the polygon's edges cross themselves (near 0.50000, 0.50000)");
  });
});
