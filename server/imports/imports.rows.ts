import { z } from 'zod';
import { EmailSchema, PhoneSchema, PlainTextLinesSchema, PlainTextSchema, StationCodeSchema, SupportLevelSchema } from '../fields.ts';
import type { ImportProblem } from './imports.errors.ts';

/**
 * What one row of each import file must hold. Pure: parse a record (CSV fields or GeoJSON
 * properties) into a typed row, or into problems that say what to fix.
 */

const cell = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((value) => (value === null || value === undefined ? '' : String(value).trim()));
const emptyAsNull = (value: string) => (value === '' ? null : value);
/** A name, code or id: one line of text, without control characters. */
const line = (max: number, required?: string) =>
  cell.pipe(
    required === undefined
      ? PlainTextSchema.max(max, `must be at most ${max} characters`)
      : PlainTextSchema.min(1, required).max(max, `must be at most ${max} characters`),
  );
const optionalLine = (max: number) => line(max).transform(emptyAsNull);
/** An address may run over several lines (a quoted CSV cell). */
const optionalLines = (max: number) => cell.pipe(PlainTextLinesSchema.max(max, `must be at most ${max} characters`)).transform(emptyAsNull);

/** A column that may be left empty (null); when filled, it must satisfy `schema`. */
function optional<T extends z.ZodType>(schema: T) {
  return z
    .preprocess(
      (value) => (value === null || value === undefined || String(value).trim() === '' ? undefined : String(value).trim()),
      schema.optional(),
    )
    .transform((value) => value ?? null);
}

const YES = new Set(['1', 'true', 'yes', 'y', 'oui', 'o', 'x']);
const NO = new Set(['', '0', 'false', 'no', 'n', 'non']);
const flag = z
  .union([z.string(), z.boolean(), z.number(), z.null()])
  .optional()
  .transform((value, ctx) => {
    const word = String(value ?? '')
      .trim()
      .toLowerCase();
    if (YES.has(word)) return true;
    if (NO.has(word)) return false;
    ctx.addIssue({ code: 'custom', message: 'must be yes or no (oui/non, 1/0 and true/false also work)' });
    return z.NEVER;
  });

const positiveInt = z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more');

export const VoterRowSchema = z.object({
  external_id: line(100, 'is required (the id of this person in your file)'),
  first_name: line(100),
  last_name: line(100, 'is required'),
  phone: optional(PhoneSchema),
  email: optional(EmailSchema),
  address: optionalLines(300),
  station_code: cell.pipe(StationCodeSchema),
  list_number: optional(positiveInt),
  support_level: optional(SupportLevelSchema),
  sms_consent: flag,
  call_consent: flag,
  do_not_contact: flag,
  latitude: optional(z.coerce.number().min(-90).max(90)),
  longitude: optional(z.coerce.number().min(-180).max(180)),
});
export type VoterRow = z.output<typeof VoterRowSchema>;
export const VOTER_COLUMNS = Object.keys(VoterRowSchema.shape);
export const REQUIRED_VOTER_COLUMNS = ['external_id', 'last_name', 'station_code'];

const closingTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time such as 20:00');

export const StationRowSchema = z.object({
  code: cell.pipe(StationCodeSchema),
  name: line(200, 'is required'),
  address: optionalLines(300),
  area_code: line(50, 'is required (the code of the neighbourhood the station is in)'),
  registered_voters: cell
    .pipe(z.string().min(1, 'is required'))
    .transform(Number)
    .pipe(z.number('must be a whole number').int('must be a whole number').min(0, 'must be 0 or more')),
  baseline_turnout: optional(z.coerce.number().min(0, 'must be a share between 0 and 1').max(1, 'must be a share between 0 and 1')),
  latitude: optional(z.coerce.number().min(-90).max(90)),
  longitude: optional(z.coerce.number().min(-180).max(180)),
  closes_at: optional(closingTime),
});
export type StationRow = z.output<typeof StationRowSchema>;
export const REQUIRED_STATION_COLUMNS = ['code', 'name', 'area_code', 'registered_voters'];

export const AreaRowSchema = z.object({
  code: line(50, 'is required'),
  name: line(200, 'is required'),
  kind: z.enum(['city', 'district', 'neighbourhood'], 'must be city, district or neighbourhood'),
  parent_code: optionalLine(50),
});
export type AreaRow = z.output<typeof AreaRowSchema>;

const position = z.tuple([z.number(), z.number()]).rest(z.number());
const ring = z.array(position).min(4, 'a polygon ring needs at least 4 positions');
export const PolygonSchema = z.union([
  z.object({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1) }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(ring).min(1)).min(1) }),
]);
export type Polygon = z.output<typeof PolygonSchema>;

export type Parsed<T> = { ok: true; row: T } | { ok: false; problems: ImportProblem[] };

/** Parses one record; every invalid field becomes a problem naming the line and the column. */
export function parseRecord<S extends z.ZodType>(schema: S, line: number, fields: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(fields);
  if (result.success) return { ok: true, row: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => ({ line, field: issue.path.map(String).join('.') || undefined, message: issue.message })),
  };
}
