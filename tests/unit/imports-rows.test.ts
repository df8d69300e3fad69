import { describe, expect, it } from 'vitest';
import { copyRow, csvField, normalizeHeader } from '../../server/imports/imports.csv.ts';
import { AreaRowSchema, parseRecord, StationRowSchema } from '../../server/imports/imports.rows.ts';
import { VoterRowSchema } from '../../server/imports/imports.voter-columns.ts';
import { normalizePhone, PLAIN_TEXT_MESSAGE } from '../../server/fields.ts';

describe('voter rows', () => {
  it('reads a complete row, converting phone numbers, flags and numbers', () => {
    const parsed = parseRecord(VoterRowSchema, 2, {
      external_id: 'NB-42',
      first_name: 'Léa',
      last_name: 'Exemple',
      phone: '06 39 98 00 42',
      email: ' Lea@Example.ORG ',
      station_code: '0327',
      list_number: '118',
      support_level: '2',
      sms_consent: 'oui',
      call_consent: '0',
      do_not_contact: '',
    });
    expect(parsed).toEqual({
      ok: true,
      row: {
        external_id: 'NB-42',
        first_name: 'Léa',
        last_name: 'Exemple',
        phone: { number: '+33639980042', kind: 'mobile' },
        email: 'lea@example.org',
        address: null,
        station_code: '0327',
        list_number: 118,
        support_level: 2,
        sms_consent: true,
        call_consent: false,
        do_not_contact: false,
        tags: [],
        latitude: null,
        longitude: null,
      },
    });
  });

  it('reports every bad field with its line and column', () => {
    const parsed = parseRecord(VoterRowSchema, 7, {
      external_id: '',
      last_name: 'X',
      phone: '12',
      station_code: '03 27',
      support_level: '9',
      sms_consent: 'maybe',
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((p) => [p.line, p.field])).toEqual([
      [7, 'external_id'],
      [7, 'phone'],
      [7, 'station_code'],
      [7, 'support_level'],
      [7, 'sms_consent'],
    ]);
    expect(parsed.problems.find((p) => p.field === 'support_level')!.message).toBe('must be 1 (strong support) to 5 (strong opposition)');
  });
});

describe('station rows', () => {
  it('requires registered voters as a whole number', () => {
    const row = { code: '0101', name: 'School', area_code: 'N1' };
    expect(parseRecord(StationRowSchema, 3, { ...row, registered_voters: '' }).ok).toBe(false);
    expect(parseRecord(StationRowSchema, 3, { ...row, registered_voters: '12.5' }).ok).toBe(false);
    expect(parseRecord(StationRowSchema, 3, { ...row, registered_voters: 1200 })).toMatchObject({
      ok: true,
      row: { registered_voters: 1200 },
    });
  });
});

describe('names in import files', () => {
  it('refuses control characters in voter, station and area names and codes, naming the line and the column', () => {
    const voter = parseRecord(VoterRowSchema, 4, {
      external_id: 'NB\u000042',
      first_name: 'Léa\tMarie',
      last_name: 'Exemple\u0000',
      station_code: '0327',
      address: '12 rue de la Roquette\n75011 Paris',
    });
    expect(voter).toEqual({
      ok: false,
      problems: ['external_id', 'first_name', 'last_name'].map((field) => ({ line: 4, field, message: PLAIN_TEXT_MESSAGE })),
    });
    const station = parseRecord(StationRowSchema, 2, {
      code: '0327',
      name: 'École\u0085Keller',
      area_code: 'Q\u0000',
      registered_voters: '1200',
    });
    expect(station).toEqual({
      ok: false,
      problems: ['name', 'area_code'].map((field) => ({ line: 2, field, message: PLAIN_TEXT_MESSAGE })),
    });
    const area = parseRecord(AreaRowSchema, 3, { code: '11', name: 'Paris\r11e', kind: 'district', parent_code: '75\u0000' });
    expect(area).toEqual({
      ok: false,
      problems: ['name', 'parent_code'].map((field) => ({ line: 3, field, message: PLAIN_TEXT_MESSAGE })),
    });
  });

  it('lets an address run over several lines, but refuses NUL and other control characters in it', () => {
    const row = (address: string) =>
      parseRecord(VoterRowSchema, 2, { external_id: 'A1', last_name: 'Exemple', station_code: '0327', address });
    expect(row('12 rue de la Roquette\r\n75011 Paris')).toMatchObject({
      ok: true,
      row: { address: '12 rue de la Roquette\r\n75011 Paris' },
    });
    expect(row('12 rue\u0000')).toEqual({
      ok: false,
      problems: [{ line: 2, field: 'address', message: 'must not contain invisible control characters such as NUL: retype it' }],
    });
  });
});

describe('CSV and COPY encoding', () => {
  it('normalises headers', () => {
    expect(normalizeHeader(' Station Code ')).toBe('station_code');
    expect(normalizeHeader('SUPPORT-LEVEL')).toBe('support_level');
  });

  it('quotes CSV fields only when needed', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, "b"')).toBe('"a, ""b"""');
    expect(csvField(null)).toBe('');
  });

  it('escapes COPY text format', () => {
    expect(copyRow(['a\tb', null, 'back\\slash', 'line\nbreak', 3, true])).toBe('a\\tb\t\\N\tback\\\\slash\tline\\nbreak\t3\ttrue\n');
  });
});

describe('normalizePhone', () => {
  it('writes French national numbers in E.164 and refuses what is not a number', () => {
    expect(normalizePhone('06.39.98.12.34')).toBe('+33639981234');
    expect(normalizePhone('0033 1 99 00 12 34')).toBe('+33199001234');
    expect(normalizePhone('+44 20 7946 0000')).toBe('+442079460000');
    expect(normalizePhone('12345')).toBeUndefined();
    expect(normalizePhone('call me')).toBeUndefined();
  });
});
