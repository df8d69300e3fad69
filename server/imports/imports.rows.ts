import { z } from 'zod';
import { PlainTextLinesSchema, PlainTextSchema, StationCodeSchema } from '../fields.ts';
import type { ImportProblem } from './imports.errors.ts';

/**
 * What one row of each import file must hold. Pure: parse a record (CSV fields or GeoJSON
 * properties) into a typed row, or into problems that say what to fix.
 */

export const cell = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((value) => (value === null || value === undefined ? '' : String(value).trim()));
const emptyAsNull = (value: string) => (value === '' ? null : value);
/** A name, code or id: one line of text, without control characters. */
export const line = (max: number, required?: string) =>
  cell.pipe(
    required === undefined
      ? PlainTextSchema.max(max, `must be at most ${max} characters`)
      : PlainTextSchema.min(1, required).max(max, `must be at most ${max} characters`),
  );
export const optionalLine = (max: number) => line(max).transform(emptyAsNull);
/** An address may run over several lines (a quoted CSV cell). */
export const optionalLines = (max: number) =>
  cell.pipe(PlainTextLinesSchema.max(max, `must be at most ${max} characters`)).transform(emptyAsNull);

/** A column that may be left empty (null); when filled, it must satisfy `schema`. */
export function optional<T extends z.ZodType>(schema: T) {
  return z
    .preprocess(
      (value) => (value === null || value === undefined || String(value).trim() === '' ? undefined : String(value).trim()),
      schema.optional(),
    )
    .transform((value) => value ?? null);
}

/**
 * A number as spreadsheets write it: with a decimal point or, in French, a decimal comma
 * (48,8566), and a percent sign read as a share (52,3 % → 0.523).
 */
export const decimal = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  const text = value.replace(/[\s\u00a0\u202f]/g, '');
  const percent = text.endsWith('%');
  const plain = (percent ? text.slice(0, -1) : text).replace(/^([-+]?\d*),(\d+)$/, '$1.$2');
  if (plain === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(plain)) return Number.NaN;
  return percent ? Number(plain) / 100 : Number(plain);
}, z.number('must be a number'));

const YES = new Set(['1', 'true', 'yes', 'y', 'oui', 'o', 'x', 'vrai']);
const NO = new Set(['', '0', 'false', 'no', 'n', 'non', 'faux']);
export const flag = z
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

export const positiveInt = z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more');
export const latitude = optional(decimal.pipe(z.number().min(-90, 'must be a latitude').max(90, 'must be a latitude')));
export const longitude = optional(decimal.pipe(z.number().min(-180, 'must be a longitude').max(180, 'must be a longitude')));

/** A turnout as a share (0.52) or a percentage (52 %, 52,0 %). */
export const share = decimal.pipe(z.number().min(0, 'must be a share between 0 and 1').max(1, 'must be a share between 0 and 1'));

const closingTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time such as 20:00');

export const StationRowSchema = z.object({
  code: cell.pipe(StationCodeSchema),
  name: line(200, 'is required'),
  address: optionalLines(300),
  area_code: line(50, 'is required (the code of the neighbourhood the station is in)'),
  registered_voters: cell
    .pipe(z.string().min(1, 'is required'))
    .transform((text) => Number(text.replace(/[\s\u00a0\u202f]/g, '')))
    .pipe(z.number('must be a whole number').int('must be a whole number').min(0, 'must be 0 or more')),
  baseline_turnout: optional(share),
  latitude,
  longitude,
  closes_at: optional(closingTime),
});
export type StationRow = z.output<typeof StationRowSchema>;
export const REQUIRED_STATION_COLUMNS = ['code', 'name', 'area_code', 'registered_voters'];

export const BaselineRowSchema = z.object({
  station_code: cell.pipe(StationCodeSchema),
  turnout: optional(share),
});

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
