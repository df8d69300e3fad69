import type { CountryCode } from 'libphonenumber-js/max';
import { z } from 'zod';
import { EmailSchema, StationCodeSchema, SupportLevelSchema } from '../fields.ts';
import { DEFAULT_PHONE_REGION, readPhone, type ImportedPhone } from './imports.phones.ts';
import { cell, flag, latitude, line, longitude, optional, optionalLines, positiveInt } from './imports.rows.ts';

/**
 * The voter file's columns, declared once. Each entry says how a file's cell is read (its zod
 * schema) and which columns of the `voter` table it fills, with what. From this one list come the
 * row schema, the staging table, the COPY row, the merge's column and update lists, and the
 * generic export: adding a column is adding an entry here (and to the table).
 */

type CopyValue = string | number | boolean | null | undefined;

/** What a row's columns are written with, besides the row: the station found for it. */
export interface VoterRowContext {
  stationId: number;
}

interface StoredColumn<T> {
  column: string;
  sqlType: 'text' | 'integer' | 'smallint' | 'boolean' | 'double precision' | 'text[]' | 'phone_kind';
  value: (fieldValue: T, context: VoterRowContext) => CopyValue;
}

interface VoterField<S extends z.ZodType> {
  schema: S;
  /** The header must have this column (station_code may be replaced by coordinates). */
  required?: boolean;
  stored: StoredColumn<z.output<S>>[];
}

function field<S extends z.ZodType>(
  schema: S,
  stored: StoredColumn<z.output<S>>['sqlType'] | StoredColumn<z.output<S>>[],
  required = false,
) {
  return {
    schema,
    required,
    stored: typeof stored === 'string' ? [{ column: '', sqlType: stored, value: (v: z.output<S>) => v as CopyValue }] : stored,
  } satisfies VoterField<S>;
}

/** Phone numbers in E.164, told apart as mobile or landline; `region` reads national writings. */
function phoneSchema(region: CountryCode) {
  return z.string().transform((raw, ctx): ImportedPhone => {
    const phone = readPhone(raw, region);
    if (!phone) ctx.addIssue({ code: 'custom', message: `is not a valid phone number (read as ${region} when written without +)` });
    return phone ?? z.NEVER;
  });
}

/** Tags as NationBuilder writes them: comma-separated, each trimmed; empty ones dropped. */
const tags = cell.transform((text, ctx) => {
  const list = [...new Set(text.split(',').map((tag) => tag.trim()))].filter((tag) => tag !== '');
  if (list.some((tag) => tag.length > 100)) ctx.addIssue({ code: 'custom', message: 'each tag must be at most 100 characters' });
  return list;
});

/** A PostgreSQL array literal for COPY (elements quoted; `"` and `\` escaped). */
function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

function voterFields(region: CountryCode) {
  return {
    external_id: field(line(100, 'is required (the id of this person in your file)'), 'text', true),
    first_name: field(line(100), 'text'),
    last_name: field(line(100, 'is required'), 'text', true),
    phone: field(optional(phoneSchema(region)), [
      { column: 'phone', sqlType: 'text', value: (phone) => phone?.number },
      { column: 'phone_kind', sqlType: 'phone_kind', value: (phone) => phone?.kind },
    ]),
    email: field(optional(EmailSchema), 'text'),
    address: field(optionalLines(300), 'text'),
    station_code: field(optional(StationCodeSchema), [
      { column: 'station_id', sqlType: 'integer', value: (_code, { stationId }) => stationId },
    ]),
    list_number: field(optional(positiveInt), 'integer'),
    support_level: field(optional(SupportLevelSchema), 'smallint'),
    sms_consent: field(flag, 'boolean'),
    call_consent: field(flag, 'boolean'),
    do_not_contact: field(flag, 'boolean'),
    tags: field(tags, [{ column: 'tags', sqlType: 'text[]', value: (list) => textArray(list) }]),
    latitude: field(latitude, 'double precision'),
    longitude: field(longitude, 'double precision'),
  };
}

type VoterFields = ReturnType<typeof voterFields>;
export type VoterFieldName = keyof VoterFields;
export type VoterRow = { [K in VoterFieldName]: z.output<VoterFields[K]['schema']> };

/** The columns of Relance's own voter file, in order. */
export const VOTER_COLUMNS = Object.keys(voterFields(DEFAULT_PHONE_REGION)) as VoterFieldName[];
export const REQUIRED_VOTER_COLUMNS = VOTER_COLUMNS.filter((name) => voterFields(DEFAULT_PHONE_REGION)[name].required);

export interface VoterColumns {
  schema: z.ZodType<VoterRow>;
  /** The staging table's and the `voter` table's columns that an import writes, in COPY order. */
  stored: { column: string; sqlType: string }[];
  copyValues(row: VoterRow, context: VoterRowContext): CopyValue[];
}

const byRegion = new Map<string, VoterColumns>();

/** The declaration, for numbers read in `region` (FR unless the import says otherwise). */
export function voterColumns(region: CountryCode = DEFAULT_PHONE_REGION): VoterColumns {
  const cached = byRegion.get(region);
  if (cached) return cached;
  const fields = voterFields(region);
  const entries = VOTER_COLUMNS.map((name) => [name, fields[name]] as const);
  const schema = z.object(Object.fromEntries(entries.map(([name, f]) => [name, f.schema]))) as unknown as z.ZodType<VoterRow>;
  const writers = entries.flatMap(([name, f]) =>
    (f.stored as StoredColumn<unknown>[]).map((s) => ({ name, column: s.column || name, sqlType: s.sqlType, value: s.value })),
  );
  const columns: VoterColumns = {
    schema,
    stored: writers.map(({ column, sqlType }) => ({ column, sqlType })),
    copyValues: (row, context) => writers.map((w) => w.value(row[w.name], context)),
  };
  byRegion.set(region, columns);
  return columns;
}

/** The row schema for numbers read in France: what tests and the demo use. */
export const VoterRowSchema = voterColumns().schema;
