import { z } from 'zod';
import { PlainTextSchema } from '../fields.ts';
import { NoteSchema } from '../watchers/watchers.schemas.ts';

/** What coordinators and volunteers send about chase lists (docs/api.md, docs/chase-lists.md). */

export const CHASE_CHANNELS = ['call', 'sms'] as const;

export const CONTACT_OUTCOMES = [
  'will_vote',
  'already_voted',
  'needs_ride',
  'no_answer',
  'wrong_number',
  'refused',
  'never_contact',
] as const;
export type ContactOutcomeName = (typeof CONTACT_OUTCOMES)[number];

/** Lists are built for a city's worth of supporters at most. */
export const MAX_LIST_ENTRIES = 200_000;

const AreaCodeSchema = PlainTextSchema.pipe(z.string().min(1, 'must not be empty').max(20, 'must be an area code, e.g. 7511201'));

const TagSchema = PlainTextSchema.pipe(z.string().min(1, 'must not be empty').max(100, 'must be at most 100 characters'));

export const ChaseCriteriaSchema = z.strictObject({
  /** Shown to coordinators and volunteers; made from the areas when absent. */
  name: PlainTextSchema.pipe(z.string().min(1, 'must not be empty').max(100, 'must be at most 100 characters')).optional(),
  areaCodes: z
    .array(AreaCodeSchema, 'must be a list of area codes, e.g. ["7511201"]')
    .min(1, 'must hold at least one area code; leave it out to take every lagging area')
    .max(500, 'must hold at most 500 area codes')
    .optional(),
  /** Without areaCodes: every area at least this far behind its expected turnout (0.05 = 5 % behind). */
  lagThreshold: z
    .number('must be a share such as 0.05 (5 % behind)')
    .min(0, 'must be 0 or more: 0.05 takes the areas 5 % or more behind')
    .max(1, 'must be at most 1 (100 % behind)')
    .default(0.05),
  channel: z.enum(CHASE_CHANNELS, 'must be "call" or "sms"'),
  /** Support levels 1 (strong support) up to this one. */
  maxSupport: z
    .number('must be a support level from 1 to 5')
    .int('must be a whole support level from 1 to 5')
    .min(1, 'must be 1 (strong support) to 5 (strong opposition)')
    .max(5, 'must be 1 (strong support) to 5 (strong opposition)')
    .default(2),
  limit: z
    .number('must be the most people the list may hold, a whole number')
    .int('must be a whole number of people')
    .min(1, 'must be at least 1')
    .max(MAX_LIST_ENTRIES, `must be at most ${MAX_LIST_ENTRIES}`)
    .optional(),
  /** Only people with at least one of these tags. */
  tags: z.array(TagSchema, 'must be a list of tags').min(1, 'must hold at least one tag, or be left out').max(50).optional(),
  /** Leaves out people contacted (by anyone) less than this many minutes ago. */
  notContactedForMinutes: z
    .number('must be a number of minutes')
    .int('must be a whole number of minutes')
    .min(0, 'cannot be negative')
    .max(24 * 60, 'must be at most 1440 (a day)')
    .default(60),
});
export type ChaseCriteria = z.infer<typeof ChaseCriteriaSchema>;

const IdSchema = z.number('must be an id, a whole number').int('must be a whole number').positive('must be a positive id');

export const AssignSchema = z
  .strictObject({
    userIds: z.array(IdSchema, 'must be a list of volunteer ids').max(500).default([]),
    teamIds: z.array(IdSchema, 'must be a list of team ids').max(100).default([]),
    /** replace: the list moves to these volunteers and teams only; add: they join those already on it. */
    mode: z.enum(['replace', 'add'], 'must be "replace" (move the list) or "add"').default('replace'),
  })
  .refine((input) => input.mode === 'replace' || input.userIds.length + input.teamIds.length > 0, {
    path: ['userIds'],
    message: 'must name at least one volunteer or team to add (or use mode "replace" with none to unassign)',
  });
export type AssignInput = z.infer<typeof AssignSchema>;

export const SplitSchema = z.discriminatedUnion(
  'by',
  [
    z.strictObject({ by: z.literal('area') }),
    z.strictObject({
      by: z.literal('rank'),
      parts: z
        .number('must be the number of lists to make, from 2 to 20')
        .int('must be a whole number of lists')
        .min(2, 'must be at least 2')
        .max(20, 'must be at most 20'),
    }),
  ],
  { error: 'by: must be "area" or "rank" (with parts)' },
);
export type SplitInput = z.infer<typeof SplitSchema>;

export const OutcomeSchema = z.strictObject({
  outcome: z.enum(CONTACT_OUTCOMES, `must be one of ${CONTACT_OUTCOMES.join(', ')}`),
  note: NoteSchema.optional(),
});
export type OutcomeInput = z.infer<typeof OutcomeSchema>;

export const TeamSchema = z.strictObject({
  name: PlainTextSchema.pipe(z.string().min(1, 'must not be empty').max(60, 'must be at most 60 characters')),
  memberIds: z.array(IdSchema, 'must be a list of volunteer ids').max(500).default([]),
});

export const TeamMembersSchema = z.strictObject({
  memberIds: z.array(IdSchema, 'must be a list of volunteer ids').max(500),
});

export const EntriesQuerySchema = z.strictObject({
  format: z.enum(['json', 'csv'], 'must be json or csv').default('json'),
  /** JSON only: entries after this rank, for the next page. */
  after: z.coerce.number('must be a rank').int().min(0).default(0),
  take: z.coerce.number('must be a number of entries').int().min(1).max(1000, 'must be at most 1000').default(200),
});

export const RouteIdSchema = z.coerce.number('must be an id in the path').int('must be a whole number').positive('must be a positive id');
