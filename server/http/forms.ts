import { data } from 'react-router';
import { z } from 'zod';
import { checkUserFields, UserFieldsSchema, WallScreenLabelSchema } from '../auth/auth.accounts.ts';
import { DomainError, InvalidInput, statusOf } from '../errors.ts';
import { EmailSchema, LocaleSchema, PhoneSchema, PinSchema, StationCodeSchema } from '../fields.ts';
import { DECISIONS } from '../messaging/sms.outbox.ts';
import { SmsTemplateSchema } from '../messaging/sms.templates.ts';
import { PERSON_KEY_KINDS } from '../people/people.rights.ts';

/**
 * The pages' forms. Each is one zod schema, which gives the action its parsing and the page its
 * field names, HTML constraints (required, lengths, patterns) and error messages (`<id>.error.<field>`
 * in app/i18n). Schemas reach routes through the load context, so zod stays out of the browser
 * bundle; the browser checks the same constraints as HTML attributes, before JavaScript loads too.
 */

/** What a browser checks before posting a field: HTML attributes, derived from the schema. */
export interface FieldConstraints {
  required: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  min?: number;
  max?: number;
}

/** What a page needs of a form: its id (the prefix of its messages) and its fields' constraints. */
export interface FormContract<Field extends string = string> {
  id: string;
  fields: Record<Field, FieldConstraints>;
}

export type ObjectSchema = z.ZodType<object>;
type FieldOf<S extends ObjectSchema> = Extract<keyof z.input<S>, string>;

export interface FormDefinition<S extends ObjectSchema = ObjectSchema> {
  schema: S;
  contract: FormContract<FieldOf<S>>;
  /** Fields posted once per box ticked (checkboxes sharing a name): read as lists, empty when none is. */
  lists: readonly string[];
}

interface JsonSchemaProperty {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
}

/** JSON Schema's anchored pattern as an HTML `pattern`, which the browser anchors itself. */
const htmlPattern = (pattern: string) => pattern.replace(/^\^/, '').replace(/\$$/, '');

function defineForm<S extends ObjectSchema>(id: string, schema: S, lists: readonly FieldOf<S>[] = []): FormDefinition<S> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonSchemaProperty>;
    required?: string[];
  };
  const fields = Object.fromEntries(
    Object.entries(json.properties ?? {}).map(([name, property]) => {
      const constraints: FieldConstraints = { required: json.required?.includes(name) ?? false };
      if (property.minLength !== undefined) constraints.minLength = property.minLength;
      if (property.maxLength !== undefined) constraints.maxLength = property.maxLength;
      if (property.pattern !== undefined) constraints.pattern = htmlPattern(property.pattern);
      if (property.minimum !== undefined && Number.isSafeInteger(property.minimum)) constraints.min = property.minimum;
      if (property.maximum !== undefined && Number.isSafeInteger(property.maximum)) constraints.max = property.maximum;
      return [name, constraints];
    }),
  ) as Record<FieldOf<S>, FieldConstraints>;
  return { schema, contract: { id, fields }, lists };
}

/** The ids of the boxes ticked under one name (read with the form's `lists`). */
const idList = (max: number) => z.array(z.coerce.number().int().positive().max(2_147_483_647)).max(max);

/** A box left empty is a value not given. */
const optionalText = <S extends z.ZodType>(schema: S) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/**
 * A path inside the app to return to after signing in; anything else (another site, or control
 * characters that would split the redirect's header) is dropped.
 */
const NextPathSchema = z
  .string()
  .optional()
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  .transform((path) => (path && /^\/(?![/\\])[^\u0000-\u001f\u007f]*$/.test(path) ? path : undefined));

/** Station codes typed in one box, separated by spaces or commas. */
const StationListSchema = z
  .string()
  .optional()
  .transform((list) => (list ?? '').split(/[\s,;]+/).filter(Boolean))
  .pipe(z.array(StationCodeSchema));

/** A percentage of registered voters, typed with a comma or a point (25,48 or 25.48). */
const PercentSchema = z.preprocess(
  (value) => (typeof value === 'string' ? Number(value.trim().replace(',', '.')) : value),
  z.number().min(0).max(100),
);

/** An hourly history pasted as lines `HH:MM, count` (or a percentage), the last line being the close. */
const HistorySchema = z
  .string()
  .min(1, 'is required')
  .max(5000)
  .transform((text, context) => {
    const history: Record<string, number> = {};
    for (const line of text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean)) {
      const match = /^(\d{1,2}(?::\d{2})?)h?\s*[,;\t ]\s*(\d+(?:[.,]\d+)?)$/.exec(line);
      if (!match) {
        context.addIssue({ code: 'custom', message: `cannot read the line "${line}"` });
        return z.NEVER;
      }
      history[match[1]!.includes(':') ? match[1]!.padStart(5, '0') : `${match[1]!.padStart(2, '0')}:00`] = Number(
        match[2]!.replace(',', '.'),
      );
    }
    return history;
  });

export const forms = {
  login: defineForm(
    'login',
    z.object({
      email: EmailSchema,
      password: z.string().min(1, 'is required').max(200),
      next: NextPathSchema,
    }),
  ),
  /** The PIN box exists only when the link needs one; a badly typed PIN costs no attempt. */
  invite: defineForm('invite', z.object({ pin: optionalText(PinSchema) })),
  language: defineForm('language', z.object({ locale: LocaleSchema, next: NextPathSchema })),
  /** The admin's "add a person" form. */
  createUser: defineForm(
    'users',
    UserFieldsSchema.omit({ phone: true })
      .extend({
        email: optionalText(UserFieldsSchema.shape.email),
        password: optionalText(UserFieldsSchema.shape.password),
        stationCodes: StationListSchema,
      })
      .superRefine(checkUserFields),
  ),
  /** The sign-out button: nothing but the form token. */
  signOut: defineForm('logout', z.object({})),
  /** An election's turnout curve from a comparable election's official figures (percent of registered voters). */
  curveFigures: defineForm('curve', z.object({ noon: PercentSchema, fivePm: PercentSchema, final: PercentSchema })),
  /** The same from its hourly history, pasted as lines. */
  curveHistory: defineForm('curve', z.object({ history: HistorySchema })),
  /** Back to the default curve: nothing but the form token. */
  curveDefault: defineForm('curve', z.object({})),
  /** The buttons on a person's row: send a sign-in link, unlock their sign-in. */
  person: defineForm('users', z.object({ userId: z.coerce.number().int().positive().max(2_147_483_647) })),
  /** Deleting an election's personal data: its name typed to confirm. */
  purgeElection: defineForm(
    'purge',
    z.object({
      electionId: z.coerce.number().int().positive().max(2_147_483_647),
      confirmation: z.string().trim().min(1, 'is required').max(300),
    }),
  ),
  /** Finding a person for a rights request: by external id, phone or email (checked by the service). */
  personKey: defineForm('rights', z.object({ kind: z.enum(PERSON_KEY_KINDS), value: z.string().trim().min(1, 'is required').max(320) })),
  /** Erasing a person: the same, and a box ticked to confirm. */
  personErase: defineForm(
    'rights',
    z.object({
      kind: z.enum(PERSON_KEY_KINDS),
      value: z.string().trim().min(1, 'is required').max(320),
      confirm: z.literal('on', 'must be ticked'),
    }),
  ),
  /** The readiness board's rehearsal switch. */
  rehearsal: defineForm(
    'watchers',
    z.object({
      electionId: z.coerce.number().int().positive().max(2_147_483_647),
      rehearsal: z.enum(['true', 'false']).transform((on) => on === 'true'),
    }),
  ),
  /** A wall screen's link: where the screen hangs. */
  wallScreenLink: defineForm('wall', z.object({ label: WallScreenLabelSchema })),
  /** Splitting a chase list (app/routes/chase-list.tsx): one list per area, or into `parts` lists by rank. */
  chaseSplit: defineForm(
    'split',
    z.object({
      by: z.enum(['area', 'rank']),
      parts: z.coerce.number().int().min(2).max(20).optional(),
    }),
  ),
  /**
   * Who works a chase list (app/routes/chase-list.tsx): the teams and volunteers ticked, instead of
   * those on it now (replace) or with them (add).
   */
  chaseAssign: defineForm('assign', z.object({ teamIds: idList(100), userIds: idList(500), mode: z.enum(['replace', 'add']) }), [
    'teamIds',
    'userIds',
  ]),
  /** A new team of volunteers (app/routes/chase-teams.tsx). */
  team: defineForm('team', z.object({ name: z.string().trim().min(1).max(60), memberIds: idList(500) }), ['memberIds']),
  /** The volunteers ticked become a team's members. */
  teamMembers: defineForm('team', z.object({ teamId: z.coerce.number().int().positive().max(2_147_483_647), memberIds: idList(500) }), [
    'memberIds',
  ]),
  /** The "mark done" button on a ride request's row (app/routes/rides.tsx). */
  rideDone: defineForm('rides', z.object({ rideId: z.coerce.number().int().positive().max(2_147_483_647) })),
  /** The revoke button on a wall screen link's row. */
  wallScreenRevoke: defineForm('wall', z.object({ tokenId: z.coerce.number().int().positive().max(2_147_483_647) })),
  /** A text template: a new one, or one edited (its id). */
  smsTemplate: defineForm(
    'texts',
    SmsTemplateSchema.extend({ templateId: optionalText(z.coerce.number().int().positive().max(2_147_483_647)) }),
  ),
  /** "Text this list" on a chase list: the template chosen, to plan then send. */
  textList: defineForm('textList', z.object({ templateId: z.coerce.number().int().positive().max(2_147_483_647) })),
  /** A person's decision on a text left for review on the Outbox page. */
  outboxDecision: defineForm(
    'outbox',
    z.object({ messageId: z.coerce.number().int().positive().max(2_147_483_647), decision: z.enum(DECISIONS) }),
  ),
  /** A volunteer texting the person they hold in the calling workspace. */
  peerText: defineForm(
    'peerText',
    z.object({
      entryId: z.coerce.number().int().positive().max(2_147_483_647),
      templateId: z.coerce.number().int().positive().max(2_147_483_647),
    }),
  ),
  /** The archive button on a template. */
  smsTemplateArchive: defineForm('texts', z.object({ templateId: z.coerce.number().int().positive().max(2_147_483_647) })),
  /** The "mark read" button on a text in the inbox (coordinators) or on /calls (volunteers). */
  inboxRead: defineForm('inbox', z.object({ messageId: z.coerce.number().int().positive().max(2_147_483_647) })),
  /** Local mode: a text as if a person had sent it to the campaign's number (docs/sms-inbound.md). */
  inboxSimulate: defineForm(
    'inboxSimulate',
    z.object({ from: PhoneSchema, body: z.string().trim().min(1, 'is required').max(1600, 'must be at most 1,600 characters') }),
  ),
};

export type Forms = typeof forms;

/** How a form failed, as its page shows it: the fields to fix, or a message keyed by `code`. */
export interface FormFailure {
  ok: false;
  code: string;
  fields: string[];
  params: Record<string, number>;
}

/** Every named field of a posted form, as text (files have no place in these forms); `lists` as lists of text. */
function formValues(form: FormData, lists: readonly string[]): Record<string, string | string[]> {
  const text = (entry: [string, FormDataEntryValue]): entry is [string, string] => typeof entry[1] === 'string';
  const values: Record<string, string | string[]> = Object.fromEntries([...form.entries()].filter(text));
  for (const name of lists) values[name] = form.getAll(name).filter((value) => typeof value === 'string');
  return values;
}

/** The form's input, or an InvalidInput naming every field to fix. */
export function parseForm<S extends ObjectSchema>(definition: FormDefinition<S>, form: FormData): z.output<S> {
  const parsed = definition.schema.safeParse(formValues(form, definition.lists));
  if (parsed.success) return parsed.data;
  const fields = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '')))].filter(Boolean);
  throw new InvalidInput(`Fix these fields: ${fields.join(', ')}.`, fields);
}

/**
 * The one place where a page action's expected failure becomes its form's answer, with the
 * status `statusOf` gives it (the API uses the same). Anything unexpected is thrown on, to the
 * error page and the log.
 */
export function formFailure(error: unknown) {
  if (!(error instanceof DomainError)) throw error;
  const fields = error instanceof InvalidInput ? error.fields : error.field ? [error.field] : [];
  const failure: FormFailure = { ok: false, code: error.code, fields, params: error.params };
  const headers: HeadersInit = 'retryAfterSeconds' in error ? { 'Retry-After': String(error.retryAfterSeconds) } : {};
  return data(failure, { status: statusOf(error), headers });
}
