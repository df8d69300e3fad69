import { Prisma } from '../db/generated/client.ts';
import type { PrismaClient } from '../db/database.ts';
import { smsExclusion, type QuietHours, type SmsExclusion, type SmsRecipient } from './sms.guards.ts';
import type { TextFacts } from './sms.text.ts';

/**
 * What the guards (sms.guards.ts) and the template (sms.text.ts) need to know of the people a text
 * may go to, read in one query: the person, their station's closing time, and how many texts are
 * already theirs in this election.
 */

/** Texts that count against SMS_MAX_PER_VOTER when a list is queued: sent, or on their way. */
export const QUEUED_OR_SENT = ['pending', 'sending', 'sent', 'delivered'] as const;
/** Just before sending: the others already sent or being sent (pending ones wait their turn). */
export const SENT_OR_SENDING = ['sending', 'sent', 'delivered'] as const;

export interface RecipientFacts extends SmsRecipient {
  voterId: number;
  electionId: number;
  timezone: string;
  text: TextFacts;
}

interface FactsRow {
  voter_id: number;
  election_id: number;
  timezone: string;
  first_name: string;
  phone: string | null;
  phone_kind: 'mobile' | 'landline' | 'other' | null;
  sms_consent: boolean;
  sms_opted_out_at: Date | null;
  do_not_contact: boolean;
  voted_at: Date | null;
  closes_at: Date;
  station_name: string;
  station_address: string | null;
  texts: number;
}

// Building an Intl.DateTimeFormat costs far more than using one: a list of 100,000 people would
// spend seconds on it. One per timezone.
const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** "20:00" on the election's clock. */
export function localTime(at: Date, timezone: string): string {
  let format = timeFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    timeFormats.set(timezone, format);
  }
  return format.format(at);
}

function factsOf(row: FactsRow): RecipientFacts {
  return {
    voterId: row.voter_id,
    electionId: row.election_id,
    timezone: row.timezone,
    phone: row.phone,
    phoneKind: row.phone_kind,
    smsConsent: row.sms_consent,
    smsOptedOutAt: row.sms_opted_out_at,
    doNotContact: row.do_not_contact,
    votedAt: row.voted_at,
    stationClosesAt: row.closes_at,
    textsThisElection: row.texts,
    text: {
      firstName: row.first_name,
      stationName: row.station_name,
      stationAddress: row.station_address ?? '',
      closingTime: localTime(row.closes_at, row.timezone),
    },
  };
}

const COLUMNS = Prisma.sql`
  v.id AS voter_id, v.election_id, el.timezone, v.first_name, v.phone, v.phone_kind, v.sms_consent,
  v.sms_opted_out_at, v.do_not_contact, v.voted_at, COALESCE(s.closes_at, el.polls_close_at) AS closes_at,
  s.name AS station_name, s.address AS station_address`;

/**
 * The people still to reach on a list (entries pending or claimed), in call order, with the texts
 * already theirs, and whether this list already has a text for them.
 */
export async function listRecipients(prisma: PrismaClient, listId: number): Promise<(RecipientFacts & { alreadyOnList: boolean })[]> {
  // Two index lookups per person (outbound_message by voter, and by list and voter): the same plan
  // whatever the table's statistics say right after a bulk insert.
  const rows = await prisma.$queryRaw<(FactsRow & { already: boolean })[]>`
    SELECT ${COLUMNS},
      (SELECT count(*) FROM outbound_message m
       WHERE m.voter_id = v.id AND m.status::text = ANY(${[...QUEUED_OR_SENT]}::text[]))::int AS texts,
      EXISTS (SELECT 1 FROM outbound_message m WHERE m.list_id = ${listId} AND m.voter_id = v.id) AS already
    FROM chase_entry e
    JOIN voter v ON v.id = e.voter_id
    JOIN polling_station s ON s.id = v.station_id
    JOIN election el ON el.id = v.election_id
    WHERE e.list_id = ${listId} AND e.state IN ('pending', 'claimed')
    ORDER BY e.rank, e.id`;
  return rows.map((row) => ({ ...factsOf(row), alreadyOnList: row.already }));
}

/** One person, with their texts in `statuses` other than `exceptMessageId`. */
export async function recipientFacts(
  prisma: Pick<PrismaClient, '$queryRaw'>,
  voterId: number,
  statuses: readonly string[],
  exceptMessageId: number | null,
): Promise<RecipientFacts | null> {
  const rows = await prisma.$queryRaw<FactsRow[]>`
    SELECT ${COLUMNS},
      (SELECT count(*) FROM outbound_message m
       WHERE m.voter_id = v.id AND m.status::text = ANY(${[...statuses]}::text[]) AND m.id <> ${exceptMessageId ?? 0})::int AS texts
    FROM voter v
    JOIN polling_station s ON s.id = v.station_id
    JOIN election el ON el.id = v.election_id
    WHERE v.id = ${voterId}`;
  return rows[0] ? factsOf(rows[0]) : null;
}

/** The guards at `now`; quiet hours left out (when a text is queued, they hold it rather than exclude it). */
export function exclusionOf(
  facts: RecipientFacts,
  now: Date,
  rules: { quietHours: QuietHours | null; maxPerVoter: number },
): SmsExclusion | null {
  return smsExclusion(facts, { now, timezone: facts.timezone, quietHours: rules.quietHours, maxPerVoter: rules.maxPerVoter });
}
