import { z } from 'zod';
import { ROLES } from './auth/auth.roles.ts';
import { InvalidInput } from './errors.ts';

/**
 * Field schemas shared by forms, API handlers, socket payloads and importers, so that a station code
 * or a phone number means the same thing everywhere.
 */

/**
 * Unicode's control characters (category Cc): C0 (NUL, tab, line breaks, escape…), DEL and C1.
 * Invisible or misleading in a name, they break one-line displays and CSV exports, and PostgreSQL
 * refuses NUL in text (the request failed with a database error).
 */
const CONTROL_CHARACTERS = /\p{Cc}/u;
const CONTROL_CHARACTERS_BUT_LINE_BREAKS = /(?![\n\r])\p{Cc}/u;

export const PLAIN_TEXT_MESSAGE = 'must be on one line, without tabs, line breaks or invisible control characters: retype it';

/**
 * Text on one line: names of people, tokens, elections, stations and areas, codes and ids from
 * import files. Trimmed, like every text field; add `.min()` and `.max()` where used.
 */
export const PlainTextSchema = z
  .string()
  .trim()
  .refine((text) => !CONTROL_CHARACTERS.test(text), PLAIN_TEXT_MESSAGE);

/** Text that may run over several lines (a postal address), still without NUL or other controls. */
export const PlainTextLinesSchema = z
  .string()
  .trim()
  .refine((text) => !CONTROL_CHARACTERS_BUT_LINE_BREAKS.test(text), 'must not contain invisible control characters such as NUL: retype it');

export const StationCodeSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,19}$/, 'must be a station code as printed on official documents, e.g. 0327');

export const SupportLevelSchema = z.coerce
  .number()
  .int()
  .min(1, 'must be 1 (strong support) to 5 (strong opposition)')
  .max(5, 'must be 1 (strong support) to 5 (strong opposition)');

export const EmailSchema = z.string().trim().toLowerCase().pipe(z.email('must be an email address'));

export const PasswordSchema = z.string().min(12, 'must have at least 12 characters').max(200);

export const PinSchema = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'must be the 6 digits you were given');

export const RoleSchema = z.enum(ROLES);

export const LocaleSchema = z.enum(['fr', 'en']);
export type Locale = z.infer<typeof LocaleSchema>;

/**
 * Phone numbers are stored in E.164. Common national ways of writing them (0612345678,
 * 06 12 34 56 78, 0033 6…) are converted, with `countryCode` for numbers written without one.
 */
export function normalizePhone(raw: string, countryCode = '33'): string | undefined {
  const compact = raw.replace(/[\s.\-()/]/g, '');
  let e164: string;
  if (compact.startsWith('+')) e164 = compact;
  else if (compact.startsWith('00')) e164 = `+${compact.slice(2)}`;
  else if (compact.startsWith('0')) e164 = `+${countryCode}${compact.slice(1)}`;
  else return undefined;
  return /^\+[1-9]\d{6,14}$/.test(e164) ? e164 : undefined;
}

export const PhoneSchema = z.string().transform((raw, ctx) => {
  const phone = normalizePhone(raw);
  if (!phone) ctx.addIssue({ code: 'custom', message: 'must be a phone number, e.g. +33 6 12 34 56 78' });
  return phone ?? z.NEVER;
});

/** Turns the first zod issue into an InvalidInput that names the field and what to fix. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.') || undefined;
  throw new InvalidInput(field ? `${field}: ${issue.message}` : issue.message, field);
}
